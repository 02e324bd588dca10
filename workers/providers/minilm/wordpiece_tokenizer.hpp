#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace aimi::memory::minilm {

//! The tokenizer of an uncased BERT model, read from its `tokenizer.json` (HF `tokenizers`
//! format), giving the ids HF gives: special tokens written in the text ("[MASK]") match first,
//! then bert_normalize, bert_pre_tokenize, greedy longest-match WordPiece with "##" continuations
//! ([UNK] for a word of more than max_input_chars_per_word characters or with no split into the
//! vocabulary), [CLS] … [SEP], truncated to max_length ids. Immutable, so usable from any thread.
class WordPieceTokenizer {
  public:
    //! @throws std::runtime_error if the file is missing, malformed or describes another tokenizer
    WordPieceTokenizer(const std::filesystem::path& tokenizer_json, std::size_t max_length);

    //! [CLS], the word pieces of `text` (at most max_length - 2 of them), [SEP].
    std::vector<std::int32_t> encode(std::string_view text) const;

    std::size_t max_length() const { return max_length_; }
    std::size_t vocab_size() const { return vocab_.size(); }
    //! The id of `token`, or -1.
    std::int32_t id(std::string_view token) const;

  private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };

    // Appends the pieces of one pre-tokenized word, or [UNK].
    void append_word(std::string_view word, std::vector<std::int32_t>& ids) const;
    // Appends the pieces of text between special tokens, stopping at `limit` ids.
    void append_text(std::string_view text, std::vector<std::int32_t>& ids, std::size_t limit) const;

    std::unordered_map<std::string, std::int32_t, Hash, std::equal_to<>> vocab_;
    std::vector<std::pair<std::string, std::int32_t>> special_;  // matched verbatim in the raw text
    std::string prefix_ = "##";
    std::size_t max_word_chars_ = 100;
    std::size_t max_piece_bytes_ = 0;  // the longest vocabulary entry, "##" not counted
    std::size_t max_length_;
    std::int32_t cls_ = -1, sep_ = -1, unk_ = -1;
};

}  // namespace aimi::memory::minilm
