#include "domain/json/parse.hpp"

#include <simdjson.h>

#include "domain/json/convert.hpp"

namespace aimi::json {

Result<simdjson::dom::element> parse(simdjson::dom::parser& parser, std::string_view text) {
    simdjson::dom::element element;
    const auto error = parser.parse(text.data(), text.size(), true).get(element);
    if (error) {
        return Problem::invalid("malformed_json",
                                std::string("request body is not valid JSON: ") + simdjson::error_message(error));
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
