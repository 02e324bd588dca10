#pragma once

#include <string>
#include <string_view>

namespace aimi {

//! True if `text` fits a PostgreSQL text column: valid UTF-8 and no U+0000.
bool is_storable_text(std::string_view text);

//! `text` itself if it is storable, else "hex:" followed by its bytes in lower-case hex, so bytes
//! from outside (a Kafka key, say) can always be kept in a text column and told apart.
std::string storable_text_or_hex(std::string_view text);

//! At most `max_code_points` code points of valid UTF-8 `text` (cut on a character boundary).
std::string clip_utf8(std::string_view text, std::size_t max_code_points);

//! Appends code point `c` (at most U+10FFFF, not a surrogate) to `out` as UTF-8.
void append_utf8(std::string& out, char32_t c);

}  // namespace aimi
