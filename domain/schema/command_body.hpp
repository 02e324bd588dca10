#pragma once

#include <string_view>

#include <simdjson.h>

#include "domain/result.hpp"

namespace aimi::schema {

//! Parses a command body and checks it against its schema (schemas/<schema_name>): not empty, no
//! duplicate keys, numbers and depth within the rule (docs/api.md), then the schema. The element
//! is valid until the next parse on this thread.
Result<simdjson::dom::element> parse_command_body(std::string_view body, std::string_view schema_name);

}  // namespace aimi::schema
