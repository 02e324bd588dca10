#pragma once

#include <string>
#include <utility>
#include <vector>

namespace aimi::gateway {

//! The OpenAPI 3.1 description of the HTTP API (gateway/openapi/openapi.v1.json, compiled in),
//! with components.schemas filled from schemas/commands/*.json (the request bodies). Built once.
const std::string& openapi_document();

//! Its operations as (METHOD, path template): what a test holds against the route table.
std::vector<std::pair<std::string, std::string>> openapi_operations();

}  // namespace aimi::gateway
