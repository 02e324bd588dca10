#pragma once

#include <string>

#include <boost/json/value.hpp>

namespace aimi::json {

//! Writes `value` as compact JSON text. Every process writes JSON through here, so that every
//! number leaves exactly as the number rule (number_rule.hpp) promises: a double as its shortest
//! round-trip digits (std::to_chars), laid out as JavaScript does (0.1, not Boost.JSON's 1E-1).
//! @throws std::domain_error for a non-finite double (which no parser here produces).
std::string serialize(const boost::json::value& value);

//! Appends the JSON spelling of `text` (quoted, escaped) to `out`.
void append_quoted(std::string& out, std::string_view text);

}  // namespace aimi::json
