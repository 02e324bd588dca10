#include <pqxx/pqxx>

#include "gateway/api_error.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/progress_watcher.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/pg/connection.hpp"
#include "projections/registry.hpp"

namespace aimi::gateway::handlers {

//! Readiness: PostgreSQL answers, Kafka answers, and the entity store is within ready_max_lag
//! records of the intake topic's end (summed over partitions). Every other projection's lag is
//! reported beside it without gating readiness.
Reply ready(const Call& call) {
    namespace bj = boost::json;
    auto& gw = call.gateway;
    bj::object checks;
    bool ok = true;

    try {
        auto lease = gw.pool.acquire();
        pqxx::read_transaction tx(*lease);
        tx.exec("SELECT 1");
        checks["postgres"] = bj::object{{"ok", true}};
    } catch (const std::exception& e) {
        ok = false;
        checks["postgres"] = bj::object{{"ok", false}, {"error", e.what()}};
    }

    const auto timeout = std::chrono::milliseconds(1000);
    if (gw.log.reachable(gw.settings.events_topic, timeout)) {
        checks["kafka"] = bj::object{{"ok", true}};
        // Ends of the intake partitions; every projection's lag is measured against them (derived
        // projections report how far into the intake topic the facts they applied reach).
        std::vector<std::optional<std::int64_t>> ends;
        try {
            const int partitions = gw.log.partition_count(gw.settings.events_topic, timeout);
            for (int p = 0; p < partitions; ++p)
                ends.push_back(gw.log.high_watermark(gw.settings.events_topic, p, timeout));
        } catch (const std::exception&) {
            ends.clear();
        }
        for (const auto& spec : registered_projections()) {
            const auto applied = gw.watcher.snapshot(spec.name);
            std::int64_t lag = 0;
            bool known = !ends.empty();
            for (std::size_t p = 0; p < ends.size(); ++p) {
                if (!ends[p]) {
                    known = false;
                    continue;
                }
                const auto it = applied.find(static_cast<std::int32_t>(p));
                lag += *ends[p] - (it == applied.end() ? 0 : it->second);
            }
            const bool caught_up = known && lag <= gw.ready_max_lag;
            // Only the entity store gates readiness: commands need it; a lagging read model built
            // from facts makes its own queries wait, not the gateway unready.
            if (spec.input == ProjectionSpec::Input::events) ok = ok && caught_up;
            checks["projection_" + spec.name] =
                bj::object{{"ok", caught_up},
                           {"lag", known ? bj::value(lag) : bj::value(nullptr)},
                           {"max_lag", gw.ready_max_lag},
                           {"gates_readiness", spec.input == ProjectionSpec::Input::events}};
        }
    } else {
        ok = false;
        checks["kafka"] = bj::object{{"ok", false}, {"error", "no broker answered within 1 s"}};
    }
    // Requests parked until a projection applies their write (consistency tokens, commands).
    checks["parked_waits"] = bj::object{{"ok", true}, {"count", gw.watcher.pending()}};
    return json_response(ok ? 200 : 503,
                         bj::object{{"status", ok ? "ready" : "not_ready"}, {"checks", std::move(checks)}});
}

}  // namespace aimi::gateway::handlers
