#pragma once

#include "gateway/gateway_context.hpp"
#include "gateway/http/http_types.hpp"
#include "gateway/router.hpp"

namespace aimi::gateway {

struct Route {
    HandlerFn handler;
    bool is_public = false;  //!< no bearer token needed (health, readiness)
};

//! The route table of the HTTP API (v1).
Router<Route> make_routes();

//! Routes a request, authenticates it, runs its handler, and maps infrastructure exceptions to
//! 503 and anything unexpected to 500 — the only place such exceptions become responses.
class Dispatcher {
  public:
    explicit Dispatcher(GatewayContext& context) : context_(context), routes_(make_routes()) {}
    http::Response operator()(http::Request& request);

  private:
    GatewayContext& context_;
    Router<Route> routes_;
};

//! Response for requests refused by the transport (oversize body, unparsable HTTP, a handler that threw).
http::Response refusal_response(int status, const std::string& code, const std::string& message,
                                const std::string& request_id);

}  // namespace aimi::gateway
