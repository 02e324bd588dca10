#include "domain/json/parse.hpp"

#include <stdexcept>

#include <algorithm>
#include <vector>

#include <simdjson.h>

#include "domain/json/convert.hpp"
#include "domain/json/pointer.hpp"
#include "domain/json/text_scan.hpp"

namespace aimi::json {

namespace {

using simdjson::dom::element;

constexpr std::string_view kNul{"\0", 1};

//! Visits `value` and everything inside it, depth first, each with its JSON pointer; returns the
//! first answer `check` gives.
template <class Check>
std::optional<std::string> find_first(const element& value, const std::string& pointer, const Check& check) {
    if (auto found = check(value, pointer)) return found;
    if (value.is_array()) {
        std::size_t index = 0;
        const simdjson::dom::array array = value.get_array().value_unsafe();
        for (auto item : array)
            if (auto found = find_first(item, pointer + "/" + std::to_string(index++), check)) return found;
    } else if (value.is_object()) {
        const simdjson::dom::object object = value.get_object().value_unsafe();
        for (auto [key, member] : object)
            if (auto found = find_first(member, pointer_append(pointer, key), check)) return found;
    }
    return std::nullopt;
}

//! The pointer of a string holding U+0000, or of a member whose name holds it (spelled as the
//! JSON escape, so the pointer itself stays printable text).
std::optional<std::string> nul_here(const element& value, const std::string& pointer) {
    if (value.is_string()) {
        if (value.get_string().value_unsafe().find(kNul) == std::string_view::npos) return std::nullopt;
        return pointer.empty() ? "/" : pointer;
    }
    if (!value.is_object()) return std::nullopt;
    const simdjson::dom::object object = value.get_object().value_unsafe();
    for (auto [key, member] : object) {
        if (key.find(kNul) == std::string_view::npos) continue;
        std::string printable;
        for (char c : key) {
            if (c == '\0')
                printable += "\\u0000";
            else
                printable += c;
        }
        return pointer_append(pointer, printable);
    }
    return std::nullopt;
}

//! The pointer of a name this object holds twice.
std::optional<std::string> duplicate_here(const element& value, const std::string& pointer) {
    if (!value.is_object()) return std::nullopt;
    const simdjson::dom::object object = value.get_object().value_unsafe();
    std::vector<std::string_view> keys;
    keys.reserve(object.size());
    for (auto [key, member] : object) keys.push_back(key);
    std::sort(keys.begin(), keys.end());
    if (const auto twice = std::adjacent_find(keys.begin(), keys.end()); twice != keys.end())
        return pointer_append(pointer, *twice);
    return std::nullopt;
}

}  // namespace

std::optional<std::string> find_duplicate_key(const element& value) {
    return find_first(value, "", duplicate_here);
}

Result<simdjson::dom::element> parse(simdjson::dom::parser& parser, std::string_view text) {
    element element;
    auto error = parser.parse(text.data(), text.size(), true).get(element);
    if (error) {
        // simdjson says what went wrong but not where; the streaming scan finds the value (a
        // number beyond 64 bits, a lone surrogate, ...) and names its pointer.
        if (auto located = audit_text(text, simdjson::DEFAULT_MAX_DEPTH)) return std::move(*located);
        // Valid JSON whose numbers all keep their value: simdjson refused an integer literal beyond
        // 64 bits that is a double (JavaScript writes 1e20 as 100000000000000000000).
        if (error == simdjson::NUMBER_ERROR) error = parser.parse(respell_wide_integers(text)).get(element);
        if (error)
            return Problem::invalid("malformed_json",
                                    std::string("request body is not valid JSON: ") + simdjson::error_message(error));
    }
    // PostgreSQL's text and jsonb cannot hold U+0000: a record carrying one would fail in every
    // projection, forever. JSON can spell it only as the escape \u0000 (simdjson refuses raw
    // control characters), so the walk runs only when the text contains that sequence.
    if (text.find("\\u0000") != std::string_view::npos) {
        if (auto pointer = find_first(element, "", nul_here)) {
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
    // simdjson refuses integers beyond 64 bits, which is how PostgreSQL prints large doubles.
    if (!parsed) return parse_exact(text);
    return to_boost(parsed.value());
}

boost::json::value parse_stored(std::string_view text) {
    auto parsed = parse_value(text);
    if (!parsed) throw std::runtime_error("stored JSON does not parse: " + parsed.problem().message);
    return std::move(parsed.value());
}

boost::json::object parse_stored_object(std::string_view text) {
    auto value = parse_stored(text);
    if (!value.is_object()) throw std::runtime_error("stored jsonb is not an object: " + std::string(text));
    return std::move(value.as_object());
}

}  // namespace aimi::json
