#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>
#include <boost/json/object.hpp>

#include "domain/json/convert.hpp"

// Field readers for event data that passed its schema (types are known; absent or null fields
// read as empty). For the event codecs only: this header pulls in simdjson.
namespace aimi::events::fields {

using simdjson::dom::element;

inline std::optional<element> get(const element& object, std::string_view key) {
    element value;
    if (object.get_object().value().at_key(key).get(value)) return std::nullopt;
    return value;
}
inline bool has(const element& object, std::string_view key) {
    return get(object, key).has_value();
}
inline std::string str(const element& object, std::string_view key) {
    return std::string(object[key].get_string().value());
}
inline std::optional<std::string> opt_str(const element& object, std::string_view key) {
    const auto value = get(object, key);
    if (!value || value->is_null()) return std::nullopt;
    return std::string(value->get_string().value());
}
//! A personal text field: null (erased) reads as empty text.
inline std::string personal(const element& object, std::string_view key) {
    return opt_str(object, key).value_or("");
}
//! An object field; absent or null (an erased personal field) is empty.
inline boost::json::object obj(const element& object, std::string_view key) {
    const auto value = get(object, key);
    if (!value || value->is_null()) return {};
    return json::to_boost(*value).as_object();
}
inline std::optional<std::int64_t> opt_int(const element& object, std::string_view key) {
    const auto value = get(object, key);
    if (!value || value->is_null()) return std::nullopt;
    return value->get_int64().value();
}
inline bool boolean(const element& object, std::string_view key, bool fallback = false) {
    const auto value = get(object, key);
    return value && value->is_bool() ? value->get_bool().value() : fallback;
}
inline std::vector<std::string> strings(const element& object, std::string_view key) {
    std::vector<std::string> out;
    if (const auto value = get(object, key); value && value->is_array())
        for (auto item : value->get_array().value()) out.emplace_back(item.get_string().value());
    return out;
}
//! Present: engaged; null: engaged-but-empty (clears); absent: nullopt.
inline std::optional<std::optional<std::string>> patch_str(const element& object, std::string_view key) {
    if (!has(object, key)) return std::nullopt;
    return opt_str(object, key);
}

}  // namespace aimi::events::fields
