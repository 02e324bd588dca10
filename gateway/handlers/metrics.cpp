#include "domain/metrics/registry.hpp"
#include "gateway/handlers/handlers.hpp"

namespace aimi::gateway::handlers {

//! GET /metrics — Prometheus text format (gateway_metrics.hpp says what is in it). No token, like
//! /health: keep the port off the public network, or put the path behind the balancer's rules.
Reply metrics(const Call&) {
    http::Response response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = metrics::registry().render();
    return response;
}

}  // namespace aimi::gateway::handlers
