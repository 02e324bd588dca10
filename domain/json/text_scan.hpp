#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include <boost/json/value.hpp>

#include "domain/problem.hpp"
#include "domain/result.hpp"

// A second reader of JSON text, beside simdjson, for what simdjson's DOM cannot tell: the exact
// text of each number (is it kept exactly? see number_rule.hpp) and where in the document a parse
// failed. It streams (Boost.JSON's basic_parser) and knows the JSON pointer of every value.
namespace aimi::json {

//! Objects and arrays nest at most this deep in a command body, the body itself counting as one.
//! Far below every downstream limit (simdjson's 1024 in the envelope decoder, PostgreSQL's
//! jsonb), so nothing the gateway accepts can be refused later for its shape.
inline constexpr std::size_t kMaxBodyDepth = 64;

//! The first value of `text` (document order) that breaks the number rule or nests deeper than
//! `max_depth`, as a Problem naming its pointer: out_of_range for numbers, too_deep for nesting.
//! For text that is not JSON at all: malformed_json, with the pointer of the value where the
//! parse stopped when there is one (e.g. a lone surrogate escape in a string).
std::optional<Problem> audit_text(std::string_view text, std::size_t max_depth = kMaxBodyDepth);

//! `text` (valid JSON whose numbers pass the number rule) with every integer literal beyond 64
//! bits written as the double it denotes (100000000000000000000 -> 1e+20), byte for byte the same
//! otherwise (repeated names included), so that simdjson, which refuses such literals, can read it.
std::string respell_wide_integers(std::string_view text);

//! Parses JSON that this system stored (a jsonb column) without losing a number: PostgreSQL
//! prints the double 1e20 as 100000000000000000000, which simdjson refuses and Boost.JSON 1.81
//! rounds imprecisely; here every integer beyond 64 bits and every double is converted with
//! std::from_chars (correctly rounded). Slower than simdjson; used where simdjson gives up.
Result<boost::json::value> parse_exact(std::string_view text);

}  // namespace aimi::json
