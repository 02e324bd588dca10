#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace aimi::memory {

//! A sentence longer than this many code points is cut at a space near the limit (text with no
//! punctuation at all still yields sentences of a useful size).
inline constexpr std::size_t kMaxSentenceCodePoints = 300;

//! Appends the sentences of `text` to `out` until `out` holds `max_sentences`, reading no further.
//! Sentences end at . ! ? … (and their full-width forms) followed by a non-word character, and at
//! line breaks; not at the dots of decimals and times ("6.30", "3.5"), dates ("12.03.2024"),
//! initials and one-letter abbreviations ("J. K.", "e.g.", "т.е."), known abbreviations ("Dr.",
//! "approx.", "ул.") or list numbers ("1. Buy milk"); "etc." and "т.д." end one only before a
//! capital. Each sentence is valid UTF-8 (invalid bytes become U+FFFD, control characters spaces),
//! trimmed, with runs of white space as one space and list bullets removed; sentences without a
//! letter or digit are dropped.
void split_sentences(std::string_view text, std::vector<std::string>& out, std::size_t max_sentences);

std::vector<std::string> split_sentences(std::string_view text);

}  // namespace aimi::memory
