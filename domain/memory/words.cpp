#include "domain/memory/words.hpp"

#include "domain/memory/utf8.hpp"
#include "domain/text.hpp"

namespace aimi::memory {
namespace {

bool is_apostrophe(char32_t c) {
    return c == U'\'' || c == U'\u2019' || c == U'\u02BC';
}

bool is_number_joiner(char32_t c) {
    return c == U':' || c == U'.' || c == U'-' || c == U'/';
}

bool is_clause_break(char32_t c) {
    switch (c) {
        case U'.':
        case U',':
        case U';':
        case U':':
        case U'!':
        case U'?':
        case U'(':
        case U')':
        case U'[':
        case U']':
        case U'\n':
        case U'\r':
        case U'\u2026':
        case U'\u2014':
        case U'\u2013':
            return true;
        default:
            return false;
    }
}

char32_t fold(char32_t c) {
    c = to_lower(c);
    return c == U'ё' ? U'е' : c;
}

}  // namespace

std::vector<Word> split_words(std::string_view text, const WordOptions& options) {
    std::vector<Word> words;
    Word current;
    bool in_word = false, pending_break = false;
    char32_t previous = 0;  // the last code point of the current word
    const auto finish = [&] {
        if (in_word) words.push_back(std::move(current));
        current = Word{};
        in_word = false;
    };
    const auto next_code_point = [&](std::size_t at) {
        return at < text.size() ? decode_utf8(text, at).code_point : 0;
    };
    for (std::size_t i = 0; i < text.size() && words.size() < options.max_words;) {
        const auto [c, length] = decode_utf8(text, i);
        const std::size_t next_at = i + length;
        if (is_letter_or_digit(c) || (in_word && is_combining_mark(c))) {
            if (!in_word) {
                current.begin = i;
                current.after_break = pending_break && !words.empty();
                pending_break = false;
                in_word = true;
            }
            append_utf8(current.text, fold(c));
            current.end = next_at;
            previous = c;
        } else if (in_word && options.join_apostrophes && is_apostrophe(c) && is_letter_or_digit(previous) &&
                   !is_ascii_digit(previous) && is_letter_or_digit(next_code_point(next_at))) {
            current.text += '\'';
            previous = c;
        } else if (in_word && options.join_numbers && is_number_joiner(c) && is_ascii_digit(previous) &&
                   is_ascii_digit(next_code_point(next_at))) {
            current.text += static_cast<char>(c);
            previous = c;
        } else {
            finish();
            if (is_clause_break(c)) pending_break = true;
        }
        i = next_at;
    }
    if (words.size() < options.max_words) finish();
    return words;
}

std::size_t count_words(std::string_view text) {
    std::size_t count = 0;
    bool in_word = false;
    for (std::size_t i = 0; i < text.size();) {
        const auto [c, length] = decode_utf8(text, i);
        const bool word_char = is_letter_or_digit(c) || (in_word && is_combining_mark(c));
        if (word_char && !in_word) ++count;
        in_word = word_char;
        i += length;
    }
    return count;
}

}  // namespace aimi::memory
