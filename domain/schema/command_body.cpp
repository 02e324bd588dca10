#include "domain/schema/command_body.hpp"

#include "domain/json/parse.hpp"
#include "domain/json/text_scan.hpp"
#include "domain/schema/schema.hpp"

namespace aimi::schema {

Result<simdjson::dom::element> parse_command_body(std::string_view body, std::string_view schema_name) {
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return Problem::invalid("malformed_json", "request body is empty; a JSON object is required");
    auto parsed = json::parse(body);
    if (!parsed) return parsed.problem();
    if (auto twice = json::find_duplicate_key(parsed.value()))
        return Problem::invalid("duplicate_field", "appears more than once in its object", std::move(*twice));
    // Number precision and nesting depth: what passes is stored and read back unchanged.
    if (auto p = json::audit_text(body)) return *p;
    if (auto p = validate(get(schema_name), parsed.value())) return *p;
    return parsed.value();
}

}  // namespace aimi::schema
