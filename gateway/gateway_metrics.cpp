#include "gateway/gateway_metrics.hpp"

#include "domain/metrics/registry.hpp"
#include "gateway/progress_watcher.hpp"
#include "gateway/projection_lag.hpp"
#include "projections/pg/connection.hpp"

namespace aimi::gateway::gateway_metrics {

namespace {
metrics::Registry& r() {
    return metrics::registry();
}
}  // namespace

void observe_request(const std::string& route, const std::string& method, int status, double seconds) {
    r().counter("aimi_http_requests_total", "HTTP requests answered, by route pattern, method and status",
                {{"route", route}, {"method", method}, {"status", std::to_string(status)}})
        .add();
    r().histogram("aimi_http_request_duration_seconds", "From routing to the answer (parked waits included)",
                  {{"route", route}, {"method", method}})
        .observe(seconds);
}

void count_outcome(const std::string& outcome) {
    r().counter("aimi_command_outcomes_total", "How commands ended: applied, duplicate, rejected, conflict, accepted",
                {{"outcome", outcome}})
        .add();
}

void observe_append(double seconds) {
    r().histogram("aimi_kafka_append_duration_seconds", "One record appended and acknowledged (acks=all)")
        .observe(seconds);
}

void count_append_error() {
    r().counter("aimi_kafka_append_errors_total", "Appends the broker did not acknowledge").add();
}

void collect_from(GatewayContext& context) {
    r().on_collect([&context] {
        const auto pool = context.pool.stats();
        const auto g = [](const char* state) -> metrics::Gauge& {
            return r().gauge("aimi_db_pool_connections", "PostgreSQL connections of the gateway's pool by state",
                             {{"state", state}});
        };
        g("in_use").set(static_cast<double>(pool.open - pool.idle));
        g("idle").set(static_cast<double>(pool.idle));
        g("max").set(static_cast<double>(pool.size));
        r().gauge("aimi_db_pool_waiting", "Handler threads waiting for a pooled connection")
            .set(static_cast<double>(pool.waiting));
        r().gauge("aimi_parked_waits", "Requests parked until a projection applies their write")
            .set(static_cast<double>(context.watcher.pending()));
        for (const auto& lag : projection_lags(context))
            for (const auto& p : lag.partitions) {
                const metrics::Labels labels{{"projection", lag.projection},
                                             {"partition", std::to_string(p.partition)}};
                r().gauge("aimi_projection_lag_records",
                          "Intake records not yet applied by the projection (partition end - applied)", labels)
                    .set(static_cast<double>(p.end - p.applied));
                r().gauge("aimi_projection_applied_offset", "Next intake offset the projection will apply", labels)
                    .set(static_cast<double>(p.applied));
            }
    });
}

}  // namespace aimi::gateway::gateway_metrics
