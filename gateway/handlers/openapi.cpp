#include "gateway/handlers/handlers.hpp"
#include "gateway/openapi_document.hpp"

namespace aimi::gateway::handlers {

//! GET /v1/openapi.json — the OpenAPI 3.1 description of this API (no token needed).
Reply openapi(const Call&) {
    http::Response response;
    response.body = openapi_document();
    return response;
}

}  // namespace aimi::gateway::handlers
