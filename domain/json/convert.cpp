#include "domain/json/convert.hpp"

#include <simdjson.h>

namespace aimi::json {

boost::json::value to_boost(const simdjson::dom::element& element) {
    using simdjson::dom::element_type;
    switch (element.type()) {
        case element_type::OBJECT: {
            boost::json::object out;
            const simdjson::dom::object object = element.get_object().value_unsafe();
            for (auto field : object) out.emplace(field.key, to_boost(field.value));
            return out;
        }
        case element_type::ARRAY: {
            boost::json::array out;
            const simdjson::dom::array array = element.get_array().value_unsafe();
            for (auto item : array) out.push_back(to_boost(item));
            return out;
        }
        case element_type::STRING:
            return boost::json::string(element.get_string().value_unsafe());
        case element_type::INT64:
            return element.get_int64().value_unsafe();
        case element_type::UINT64:
            return element.get_uint64().value_unsafe();
        case element_type::DOUBLE:
            return element.get_double().value_unsafe();
        case element_type::BOOL:
            return element.get_bool().value_unsafe();
        case element_type::NULL_VALUE:
            return nullptr;
    }
    return nullptr;
}

}  // namespace aimi::json
