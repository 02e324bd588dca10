#pragma once

#include <boost/json/value.hpp>

namespace simdjson::dom {
class element;
}

namespace aimi::json {

//! Copies a parsed simdjson element into a Boost.JSON value (for free-form objects such as
//! settings and metadata, which the domain keeps and later writes back out).
boost::json::value to_boost(const simdjson::dom::element& element);

}  // namespace aimi::json
