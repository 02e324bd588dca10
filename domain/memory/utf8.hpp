#pragma once

#include <cstddef>
#include <string>
#include <string_view>

// The few Unicode facts memory's text rules need, without ICU: decoding that never fails, letter
// and digit classes for the scripts users write in, and lower-casing for Latin, Greek and Cyrillic.
namespace aimi::memory {

inline constexpr char32_t kReplacementCharacter = U'\uFFFD';

struct DecodedCodePoint {
    char32_t code_point;
    std::size_t length;  // bytes consumed, at least 1
};

//! The code point starting at byte `at` of `text` (at < text.size()). An invalid, overlong,
//! surrogate or truncated sequence decodes as U+FFFD consuming one byte, so every input decodes.
DecodedCodePoint decode_utf8(std::string_view text, std::size_t at);

//! True for letters and digits of the scripts covered (Latin, Greek, Cyrillic, Armenian, Hebrew,
//! Arabic, Indic, Thai, Georgian, Hangul, kana, CJK, full-width forms); emoji, symbols and
//! punctuation are not.
bool is_letter_or_digit(char32_t c);

//! True for combining marks (U+0300–U+036F and friends): they continue a word, never start one.
bool is_combining_mark(char32_t c);

bool is_ascii_digit(char32_t c);

//! Lower case of Latin (incl. Latin-1 and Extended-A), Greek and Cyrillic letters (Ё → ё); any
//! other code point unchanged.
char32_t to_lower(char32_t c);

//! Number of code points of valid UTF-8 `text`.
std::size_t count_code_points(std::string_view text);

}  // namespace aimi::memory
