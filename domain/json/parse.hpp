#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "domain/result.hpp"

namespace simdjson::dom {
class element;
class parser;
}  // namespace simdjson::dom

namespace aimi::json {

//! Parses `text` with a per-thread simdjson parser. The element stays valid until the next
//! parse on the same thread. Malformed input yields Problem{invalid_input, "malformed_json"}
//! (with the pointer where parsing stopped, when known); a number beyond 64 bits or beyond a
//! double's range "out_of_range", a lone surrogate escape or a string or key holding U+0000
//! (which no read model can store) "invalid_value", each with the JSON pointer of the value.
Result<simdjson::dom::element> parse(std::string_view text);

//! Same, with a caller-owned parser (for documents that must outlive another parse).
Result<simdjson::dom::element> parse(simdjson::dom::parser& parser, std::string_view text);

//! JSON pointer of the first member whose name its object already holds, if any. JSON leaves
//! duplicate names to the reader (simdjson sees the first, others the last); a command body
//! with one is ambiguous and refused.
std::optional<std::string> find_duplicate_key(const simdjson::dom::element& value);

//! Parses with simdjson and copies into a Boost.JSON value (for stored jsonb columns); falls back to
//! parse_exact (text_scan.hpp) for numbers simdjson refuses, such as PostgreSQL's spelling of 1e20.
Result<boost::json::value> parse_value(std::string_view text);

//! parse_value for what the read models store (jsonb rendered as text by PostgreSQL): every
//! number exactly as the value rule kept it (a plain Boost.JSON parse turns PostgreSQL's
//! 300-digit spelling of 1e300 into inf). Throws std::runtime_error: stored JSON that does not
//! parse (or is not an object) means the table was edited by hand.
boost::json::value parse_stored(std::string_view text);
boost::json::object parse_stored_object(std::string_view text);

}  // namespace aimi::json
