#include "workers/providers/minilm/wordpiece_tokenizer.hpp"

#include <simdjson.h>

#include <stdexcept>

#include "workers/providers/minilm/bert_normalizer.hpp"

namespace aimi::memory::minilm {
namespace {

std::string_view string_at(simdjson::dom::element parent, std::string_view pointer, const std::string& file) {
    std::string_view value;
    if (parent.at_pointer(pointer).get_string().get(value))
        throw std::runtime_error(file + ": " + std::string(pointer) + " is missing or not a string");
    return value;
}

// BertNormalizer options as an uncased model needs them; anything else is another tokenizer.
void check_normalizer(simdjson::dom::element root, const std::string& file) {
    if (string_at(root, "/normalizer/type", file) != "BertNormalizer")
        throw std::runtime_error(file + ": normalizer must be BertNormalizer");
    for (const char* option : {"/normalizer/clean_text", "/normalizer/handle_chinese_chars", "/normalizer/lowercase"}) {
        bool on = false;
        if (root.at_pointer(option).get_bool().get(on) || !on)
            throw std::runtime_error(file + ": " + option + " must be true (an uncased BERT tokenizer)");
    }
    // strip_accents null means "as lowercase", i.e. on.
    const auto strip = root.at_pointer("/normalizer/strip_accents");
    bool strip_on = true;
    if (!strip.is_null() && (strip.get_bool().get(strip_on) || !strip_on))
        throw std::runtime_error(file + ": /normalizer/strip_accents must be null or true");
    if (string_at(root, "/pre_tokenizer/type", file) != "BertPreTokenizer")
        throw std::runtime_error(file + ": pre_tokenizer must be BertPreTokenizer");
    if (string_at(root, "/model/type", file) != "WordPiece")
        throw std::runtime_error(file + ": model must be WordPiece");
}

}  // namespace

WordPieceTokenizer::WordPieceTokenizer(const std::filesystem::path& tokenizer_json, std::size_t max_length)
    : max_length_(max_length) {
    const std::string file = tokenizer_json.string();
    if (max_length < 2) throw std::invalid_argument("WordPieceTokenizer: max_length must leave room for [CLS] [SEP]");
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (const auto error = parser.load(file).get(root))
        throw std::runtime_error("cannot read tokenizer " + file + ": " + simdjson::error_message(error));
    check_normalizer(root, file);

    prefix_ = std::string(string_at(root, "/model/continuing_subword_prefix", file));
    simdjson::dom::object vocab;
    if (root.at_pointer("/model/vocab").get_object().get(vocab)) throw std::runtime_error(file + ": no /model/vocab");
    for (const auto entry : vocab) {
        std::int64_t id = 0;
        if (entry.value.get_int64().get(id) || id < 0)
            throw std::runtime_error(file + ": a vocabulary id is not an id");
        std::string_view piece = entry.key;
        if (piece.starts_with(prefix_)) piece.remove_prefix(prefix_.size());
        max_piece_bytes_ = std::max(max_piece_bytes_, piece.size());
        vocab_.emplace(std::string(entry.key), static_cast<std::int32_t>(id));
    }
    std::uint64_t max_chars = 0;
    if (root.at_pointer("/model/max_input_chars_per_word").get_uint64().get(max_chars))
        throw std::runtime_error(file + ": no /model/max_input_chars_per_word");
    max_word_chars_ = max_chars;
    const auto lookup = [&](std::string_view token) {
        const auto id = this->id(token);
        if (id < 0) throw std::runtime_error(file + ": " + std::string(token) + " is not in the vocabulary");
        return id;
    };
    unk_ = lookup(string_at(root, "/model/unk_token", file));
    cls_ = lookup("[CLS]");
    sep_ = lookup("[SEP]");

    simdjson::dom::array added;
    if (root["added_tokens"].get_array().get(added)) throw std::runtime_error(file + ": no added_tokens");
    for (const auto token : added) {
        bool normalized = true, lstrip = true, rstrip = true, single_word = true;
        std::string_view content;
        std::int64_t id = 0;
        if (token["content"].get_string().get(content) || token["id"].get_int64().get(id) ||
            token["normalized"].get_bool().get(normalized) || token["lstrip"].get_bool().get(lstrip) ||
            token["rstrip"].get_bool().get(rstrip) || token["single_word"].get_bool().get(single_word))
            throw std::runtime_error(file + ": an added token lacks content, id or its flags");
        // Only verbatim matching on the raw text is implemented (what BERT's special tokens use).
        if (normalized || lstrip || rstrip || single_word)
            throw std::runtime_error(file + ": added token " + std::string(content) + " is not matched verbatim");
        if (!content.empty()) special_.emplace_back(std::string(content), static_cast<std::int32_t>(id));
    }
}

std::int32_t WordPieceTokenizer::id(std::string_view token) const {
    const auto it = vocab_.find(token);
    return it == vocab_.end() ? -1 : it->second;
}

void WordPieceTokenizer::append_word(std::string_view word, std::vector<std::int32_t>& ids) const {
    std::vector<std::size_t> bounds;  // byte offset of each character, then the end
    for (std::size_t i = 0; i < word.size(); ++i)
        if ((static_cast<unsigned char>(word[i]) & 0xC0) != 0x80) bounds.push_back(i);
    if (bounds.size() > max_word_chars_) {
        ids.push_back(unk_);
        return;
    }
    bounds.push_back(word.size());
    const std::size_t first_piece = ids.size();
    std::string candidate;
    std::size_t start = 0;  // index into bounds
    while (start + 1 < bounds.size()) {
        std::size_t end = bounds.size() - 1;
        while (end > start && bounds[end] - bounds[start] > max_piece_bytes_) --end;
        std::int32_t found = -1;
        for (; end > start; --end) {
            const std::string_view piece = word.substr(bounds[start], bounds[end] - bounds[start]);
            if (start == 0) {
                found = id(piece);
            } else {
                candidate.assign(prefix_).append(piece);
                found = id(candidate);
            }
            if (found >= 0) break;
        }
        if (found < 0) {  // no piece fits here: the whole word is unknown
            ids.resize(first_piece);
            ids.push_back(unk_);
            return;
        }
        ids.push_back(found);
        start = end;
    }
}

void WordPieceTokenizer::append_text(std::string_view text, std::vector<std::int32_t>& ids, std::size_t limit) const {
    for (const auto& word : bert_pre_tokenize(bert_normalize(text))) {
        if (ids.size() >= limit) return;
        append_word(word, ids);
    }
}

std::vector<std::int32_t> WordPieceTokenizer::encode(std::string_view text) const {
    std::vector<std::int32_t> ids{cls_};
    const std::size_t limit = max_length_ - 1;  // room for [SEP]
    // Split at special tokens written in the text, leftmost first, the longest at one position.
    std::size_t from = 0;
    while (from < text.size() && ids.size() < limit) {
        std::size_t at = std::string_view::npos;
        const std::pair<std::string, std::int32_t>* match = nullptr;
        for (const auto& special : special_) {
            const std::size_t pos = text.find(special.first, from);
            if (pos < at ||
                (pos == at && pos != std::string_view::npos && special.first.size() > match->first.size())) {
                at = pos;
                match = &special;
            }
        }
        append_text(text.substr(from, at == std::string_view::npos ? std::string_view::npos : at - from), ids, limit);
        if (!match || ids.size() >= limit) break;
        ids.push_back(match->second);
        from = at + match->first.size();
    }
    if (ids.size() > limit) ids.resize(limit);
    ids.push_back(sep_);
    return ids;
}

}  // namespace aimi::memory::minilm
