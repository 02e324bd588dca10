#include "domain/json/parse.hpp"

#include <algorithm>
#include <vector>

#include <simdjson.h>

#include "domain/json/convert.hpp"
#include "domain/json/pointer.hpp"

namespace aimi::json {

namespace {

using simdjson::dom::element;

constexpr std::string_view kNul{"\0", 1};

//! JSON pointer of the first string or key holding U+0000, if any.
std::optional<std::string> find_nul(const element& value, const std::string& pointer) {
    switch (value.type()) {
        case simdjson::dom::element_type::STRING:
            if (value.get_string().value_unsafe().find(kNul) != std::string_view::npos)
                return pointer.empty() ? "/" : pointer;
            return std::nullopt;
        case simdjson::dom::element_type::ARRAY: {
            std::size_t index = 0;
            const simdjson::dom::array array = value.get_array().value_unsafe();
            for (auto item : array)
                if (auto found = find_nul(item, pointer + "/" + std::to_string(index++))) return found;
            return std::nullopt;
        }
        case simdjson::dom::element_type::OBJECT: {
            const simdjson::dom::object object = value.get_object().value_unsafe();
            for (auto [key, member] : object) {
                if (key.find(kNul) != std::string_view::npos) {
                    // Spelled as the JSON escape, so the pointer itself stays printable text.
                    std::string printable;
                    for (char c : key) {
                        if (c == '\0')
                            printable += "\\u0000";
                        else
                            printable += c;
                    }
                    return pointer_append(pointer, printable);
                }
                if (auto found = find_nul(member, pointer_append(pointer, key))) return found;
            }
            return std::nullopt;
        }
        default:
            return std::nullopt;
    }
}

std::optional<std::string> find_duplicate_key(const element& value, const std::string& pointer) {
    if (value.is_array()) {
        std::size_t index = 0;
        const simdjson::dom::array array = value.get_array().value_unsafe();
        for (auto item : array)
            if (auto found = find_duplicate_key(item, pointer + "/" + std::to_string(index++))) return found;
        return std::nullopt;
    }
    if (!value.is_object()) return std::nullopt;
    const simdjson::dom::object object = value.get_object().value_unsafe();
    std::vector<std::string_view> keys;
    keys.reserve(object.size());
    for (auto [key, member] : object) {
        keys.push_back(key);
        if (auto found = find_duplicate_key(member, pointer_append(pointer, key))) return found;
    }
    std::sort(keys.begin(), keys.end());
    if (const auto twice = std::adjacent_find(keys.begin(), keys.end()); twice != keys.end())
        return pointer_append(pointer, *twice);
    return std::nullopt;
}

}  // namespace

std::optional<std::string> find_duplicate_key(const element& value) {
    return find_duplicate_key(value, "");
}

Result<simdjson::dom::element> parse(simdjson::dom::parser& parser, std::string_view text) {
    element element;
    const auto error = parser.parse(text.data(), text.size(), true).get(element);
    if (error) {
        return Problem::invalid("malformed_json",
                                std::string("request body is not valid JSON: ") + simdjson::error_message(error));
    }
    // PostgreSQL's text and jsonb cannot hold U+0000: a record carrying one would fail in every
    // projection, forever. JSON can spell it only as the escape \u0000 (simdjson refuses raw
    // control characters), so the walk runs only when the text contains that sequence.
    if (text.find("\\u0000") != std::string_view::npos) {
        if (auto pointer = find_nul(element, "")) {
            return Problem::invalid("invalid_value", "must not contain the NUL character (U+0000)",
                                    std::move(*pointer));
        }
    }
    return element;
}

Result<simdjson::dom::element> parse(std::string_view text) {
    thread_local simdjson::dom::parser parser;
    return parse(parser, text);
}

Result<boost::json::value> parse_value(std::string_view text) {
    auto parsed = parse(text);
    if (!parsed) return parsed.problem();
    return to_boost(parsed.value());
}

}  // namespace aimi::json
