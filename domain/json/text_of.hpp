#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace aimi::json {

//! The string at `key` of a decoded event's data or a stored row, or "" when it is absent or not
//! a string (the schema already checked what must be there).
inline std::string text_of(const boost::json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

//! The string at `key`, or nullopt when it is absent or not a string (a sealed field of an erased
//! user opens to null).
inline std::optional<std::string> optional_text_of(const boost::json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    if (!value || !value->is_string()) return std::nullopt;
    return std::string(value->get_string());
}

}  // namespace aimi::json
