#pragma once

#include <string_view>

#include "domain/result.hpp"

namespace simdjson::dom {
class element;
class parser;
}  // namespace simdjson::dom

namespace aimi::json {

//! Parses `text` with a per-thread simdjson parser. The element stays valid until the next
//! parse on the same thread. Malformed input yields Problem{invalid_input, "malformed_json"}.
Result<simdjson::dom::element> parse(std::string_view text);

//! Same, with a caller-owned parser (for documents that must outlive another parse).
Result<simdjson::dom::element> parse(simdjson::dom::parser& parser, std::string_view text);

}  // namespace aimi::json
