#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/problem.hpp"

namespace simdjson::dom {
class element;
}

namespace aimi::schema {

//! A compiled JSON Schema node. Supports the subset the project's schemas use: type (single or
//! list), properties, required, additionalProperties (bool), minLength/maxLength (code points),
//! enum (strings), format (uuid, date-time, date, email, time-zone, locale,
//! calendar-time: a date or a wall-clock YYYY-MM-DDTHH:MM:SS), minimum/maximum,
//! items, maxItems, maxProperties, const, and x-personal (boolean: a field sealed with its user's
//! data key in the log). Unknown keywords are rejected when compiling so a
//! schema never silently promises more than is checked.
struct Node {
    std::vector<std::string> types;  //!< empty = any
    std::map<std::string, std::unique_ptr<Node>, std::less<>> properties;
    std::vector<std::string> required;
    bool additional_properties = true;
    std::optional<std::size_t> min_length, max_length, max_items, max_properties;
    bool unique_items = false;
    std::optional<double> minimum, maximum;
    std::vector<std::string> enum_values;
    std::optional<std::string> const_value;
    std::string format;
    std::unique_ptr<Node> items;
    bool personal = false;  //!< "x-personal": sealed with the user's data key in the log
};

//! Compiles schema text; throws std::invalid_argument naming the schema and keyword on error.
std::unique_ptr<Node> compile(std::string_view name, std::string_view text);

//! Validates `value`; the first violation found comes back as an invalid_input Problem whose
//! field is the JSON pointer of the offending value. Codes: invalid_type, missing_field,
//! unknown_field, too_short, too_long, invalid_value, invalid_format, out_of_range,
//! too_many_items, too_many_properties.
std::optional<Problem> validate(const Node& schema, const simdjson::dom::element& value);

//! The project's schemas (schemas/**/*.json, compiled in), by name such as
//! "commands/chat.create.v1.json". Throws std::out_of_range for an unknown name.
const Node& get(std::string_view name);

//! The top-level properties a schema marks "x-personal": true (crypto-shredded fields).
std::vector<std::string> personal_properties(const Node& schema);

//! Names of all compiled-in schemas.
std::vector<std::string_view> names();

}  // namespace aimi::schema
