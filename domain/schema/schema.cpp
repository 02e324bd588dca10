#include "domain/schema/schema.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <simdjson.h>

#include "domain/embedded_file.hpp"
#include "domain/json/pointer.hpp"
#include "domain/schema/formats.hpp"

namespace aimi_schemas {
const std::vector<aimi::EmbeddedFile>& embedded_files();
}

namespace aimi::schema {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

const std::set<std::string_view> kIgnoredKeywords = {"$schema",  "$id",      "title",  "description",
                                                     "examples", "$comment", "default"};

[[noreturn]] void fail(std::string_view name, std::string_view path, std::string_view what) {
    throw std::invalid_argument(fmt::format("schema {} at '{}': {}", name, path, what));
}

const std::set<std::string_view> kTypeNames = {"object", "array", "string", "integer", "number", "boolean", "null"};

void compile_keyword(std::string_view name, const std::string& path, std::string_view key, element value, Node& node);

std::unique_ptr<Node> compile_node(std::string_view name, const std::string& path, element json) {
    if (json.type() != element_type::OBJECT) fail(name, path, "a schema must be an object");
    auto node = std::make_unique<Node>();
    const simdjson::dom::object keywords = json.get_object().value_unsafe();
    for (auto [key, value] : keywords) {
        if (kIgnoredKeywords.contains(key)) continue;
        try {
            compile_keyword(name, path, key, value, *node);
        } catch (const simdjson::simdjson_error& e) {
            fail(name, path, fmt::format("keyword '{}' has a value of the wrong type ({})", key, e.what()));
        }
    }
    for (const auto& r : node->required)
        if (!node->properties.contains(r)) fail(name, path, "required property without a schema: " + r);
    for (const auto& t : node->types)
        if (!kTypeNames.contains(t)) fail(name, path, "unknown type name " + t);
    return node;
}

//! Reads one keyword into `node`. @throws simdjson_error on a value of the wrong JSON type.
void compile_keyword(std::string_view name, const std::string& path, std::string_view key, element value, Node& node) {
    if (key == "type") {
        if (value.is_string()) {
            node.types.emplace_back(value.get_string().value_unsafe());
        } else if (value.is_array()) {
            const simdjson::dom::array types = value.get_array().value_unsafe();
            for (auto t : types) node.types.emplace_back(t.get_string().value());
        } else {
            fail(name, path, "type must be a string or an array");
        }
    } else if (key == "properties") {
        const simdjson::dom::object properties = value.get_object().value();
        for (auto [prop, sub] : properties)
            node.properties.emplace(std::string(prop), compile_node(name, path + "/" + std::string(prop), sub));
    } else if (key == "required") {
        const simdjson::dom::array required = value.get_array().value();
        for (auto r : required) node.required.emplace_back(r.get_string().value());
    } else if (key == "additionalProperties") {
        if (!value.is_bool()) fail(name, path, "only boolean additionalProperties is supported");
        node.additional_properties = value.get_bool().value_unsafe();
    } else if (key == "minLength") {
        node.min_length = value.get_uint64().value();
    } else if (key == "maxLength") {
        node.max_length = value.get_uint64().value();
    } else if (key == "maxItems") {
        node.max_items = value.get_uint64().value();
    } else if (key == "uniqueItems") {
        if (!value.is_bool()) fail(name, path, "uniqueItems must be a boolean");
        node.unique_items = value.get_bool().value_unsafe();
    } else if (key == "maxProperties") {
        node.max_properties = value.get_uint64().value();
    } else if (key == "minimum") {
        node.minimum = value.get_double().value();
    } else if (key == "maximum") {
        node.maximum = value.get_double().value();
    } else if (key == "enum") {
        const simdjson::dom::array values = value.get_array().value();
        for (auto e : values) node.enum_values.emplace_back(e.get_string().value());
    } else if (key == "const") {
        node.const_value = std::string(value.get_string().value());
    } else if (key == "format") {
        node.format = std::string(value.get_string().value());
        if (!is_known_format(node.format)) fail(name, path, "unknown format " + node.format);
    } else if (key == "x-personal") {
        if (!value.is_bool()) fail(name, path, "x-personal must be a boolean");
        node.personal = value.get_bool().value_unsafe();
    } else if (key == "items") {
        node.items = compile_node(name, path + "/items", value);
    } else {
        fail(name, path, fmt::format("unsupported keyword '{}'", key));
    }
}

std::string_view type_name(const element& value) {
    switch (value.type()) {
        case element_type::OBJECT:
            return "object";
        case element_type::ARRAY:
            return "array";
        case element_type::STRING:
            return "string";
        case element_type::INT64:
        case element_type::UINT64:
            return "integer";
        case element_type::DOUBLE:
            return "number";
        case element_type::BOOL:
            return "boolean";
        case element_type::NULL_VALUE:
            return "null";
    }
    return "unknown";
}

bool type_allowed(const Node& node, std::string_view actual) {
    if (node.types.empty()) return true;
    return std::any_of(node.types.begin(), node.types.end(),
                       [&](const std::string& t) { return t == actual || (t == "number" && actual == "integer"); });
}

std::string describe_types(const Node& node) {
    std::string out;
    for (const auto& t : node.types) out += (out.empty() ? "" : " or ") + t;
    return out;
}

std::optional<Problem> check(const Node& node, const element& value, const std::string& pointer) {
    const std::string field = pointer.empty() ? "/" : pointer;
    const auto actual = type_name(value);
    if (!type_allowed(node, actual))
        return Problem::invalid("invalid_type", fmt::format("must be {}, got {}", describe_types(node), actual), field);

    // An enum lists strings: anything else is outside it, whatever types the node allows.
    if (!node.enum_values.empty() && !value.is_string()) {
        return Problem::invalid("invalid_value",
                                fmt::format("must be one of: {}, got {}", fmt::join(node.enum_values, ", "), actual),
                                field);
    }
    if (value.is_string()) {
        const std::string_view text = value.get_string().value_unsafe();
        const auto length = utf8_length(text);
        if (node.min_length && length < *node.min_length)
            return Problem::invalid("too_short", fmt::format("must be at least {} characters", *node.min_length),
                                    field);
        if (node.max_length && length > *node.max_length)
            return Problem::invalid("too_long", fmt::format("must be at most {} characters", *node.max_length), field);
        if (!node.enum_values.empty() &&
            std::find(node.enum_values.begin(), node.enum_values.end(), text) == node.enum_values.end()) {
            return Problem::invalid("invalid_value",
                                    fmt::format("must be one of: {}", fmt::join(node.enum_values, ", ")), field);
        }
        if (node.const_value && text != *node.const_value)
            return Problem::invalid("invalid_value", fmt::format("must be '{}'", *node.const_value), field);
        if (!node.format.empty() && !matches_format(node.format, text))
            return Problem::invalid("invalid_format", fmt::format("must be a valid {}", node.format), field);
    }
    if (actual == "integer" || actual == "number") {
        const double number = value.is_double()  ? value.get_double().value_unsafe()
                              : value.is_int64() ? static_cast<double>(value.get_int64().value_unsafe())
                                                 : static_cast<double>(value.get_uint64().value_unsafe());
        if ((node.minimum && number < *node.minimum) || (node.maximum && number > *node.maximum))
            return Problem::invalid(
                "out_of_range",
                fmt::format("must be between {} and {}", node.minimum.value_or(-1e300), node.maximum.value_or(1e300)),
                field);
    }
    if (value.is_array()) {
        const auto array = value.get_array().value_unsafe();
        if (node.max_items && array.size() > *node.max_items)
            return Problem::invalid("too_many_items", fmt::format("must have at most {} items", *node.max_items),
                                    field);
        if (node.items) {
            std::size_t index = 0;
            for (auto item : array)
                if (auto p = check(*node.items, item, pointer + "/" + std::to_string(index++))) return p;
        }
        if (node.unique_items) {
            // Minified JSON text is a fine identity for the small arrays schemas allow.
            std::set<std::string> seen;
            std::size_t index = 0;
            for (auto item : array)
                if (!seen.insert(simdjson::minify(item)).second)
                    return Problem::invalid("duplicate_item", "must not repeat an item",
                                            pointer + "/" + std::to_string(index));
                else
                    ++index;
        }
    }
    if (value.is_object()) {
        const auto object = value.get_object().value_unsafe();
        if (node.max_properties && object.size() > *node.max_properties)
            return Problem::invalid("too_many_properties",
                                    fmt::format("must have at most {} properties", *node.max_properties), field);
        for (const auto& name : node.required) {
            element ignored;
            if (object.at_key(name).get(ignored))
                return Problem::invalid("missing_field", "is required", json::pointer_append(pointer, name));
        }
        for (auto [key, member] : object) {
            const auto it = node.properties.find(key);
            if (it == node.properties.end()) {
                if (!node.additional_properties)
                    return Problem::invalid("unknown_field", "is not a known field",
                                            json::pointer_append(pointer, key));
                continue;
            }
            if (auto p = check(*it->second, member, json::pointer_append(pointer, key))) return p;
        }
    }
    return std::nullopt;
}

struct Registry {
    std::map<std::string, std::unique_ptr<Node>, std::less<>> schemas;
    Registry() {
        simdjson::dom::parser parser;
        for (const auto& file : aimi_schemas::embedded_files()) {
            element doc;
            if (auto error = parser.parse(file.contents.data(), file.contents.size(), true).get(doc))
                fail(file.name, "", simdjson::error_message(error));
            schemas.emplace(std::string(file.name), compile_node(file.name, "", doc));
        }
    }
};

const Registry& registry() {
    static const Registry instance;
    return instance;
}

}  // namespace

std::unique_ptr<Node> compile(std::string_view name, std::string_view text) {
    simdjson::dom::parser parser;
    element doc;
    if (auto error = parser.parse(text.data(), text.size(), true).get(doc))
        fail(name, "", simdjson::error_message(error));
    return compile_node(name, "", doc);
}

std::optional<Problem> validate(const Node& schema, const element& value) {
    return check(schema, value, "");
}

const Node& get(std::string_view name) {
    const auto& schemas = registry().schemas;
    const auto it = schemas.find(name);
    if (it == schemas.end()) throw std::out_of_range(fmt::format("no schema named '{}'", name));
    return *it->second;
}

std::vector<std::string> personal_properties(const Node& schema) {
    std::vector<std::string> out;
    for (const auto& [name, node] : schema.properties)
        if (node->personal) out.push_back(name);
    return out;
}

std::vector<std::string_view> names() {
    std::vector<std::string_view> out;
    for (const auto& [name, node] : registry().schemas) out.push_back(name);
    return out;
}

}  // namespace aimi::schema
