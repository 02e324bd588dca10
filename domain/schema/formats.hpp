#pragma once

#include <string_view>

namespace aimi::schema {

//! Named string formats used by the schemas; pure predicates, shared with the command decoders.
bool is_email(std::string_view text);
bool is_time_zone_name(std::string_view text);  //!< IANA-style "Area/City", "UTC", "Etc/GMT+3"
bool is_locale_tag(std::string_view text);      //!< BCP 47-ish: "en", "en-US", "pt_BR"
bool is_known_format(std::string_view format);
bool matches_format(std::string_view format, std::string_view text);

//! Number of UTF-8 code points (length limits count characters, not bytes).
std::size_t utf8_length(std::string_view text);

}  // namespace aimi::schema
