#pragma once

#include <string>

#include "gateway/gateway_context.hpp"

// What the gateway counts (Prometheus names; exposed at GET /metrics).
namespace aimi::gateway::gateway_metrics {

//! aimi_http_requests_total{route,method,status}, aimi_http_request_duration_seconds{route,method}.
void observe_request(const std::string& route, const std::string& method, int status, double seconds);

//! aimi_command_outcomes_total{outcome}: applied, duplicate, rejected, conflict (retried), accepted (202).
void count_outcome(const std::string& outcome);

//! aimi_kafka_append_duration_seconds, aimi_kafka_append_errors_total.
void observe_append(double seconds);
void count_append_error();

//! Read at each scrape: aimi_db_pool_connections{state}, aimi_parked_waits, and per projection and
//! partition aimi_projection_lag_records and aimi_projection_applied_offset.
void collect_from(GatewayContext& context);

}  // namespace aimi::gateway::gateway_metrics
