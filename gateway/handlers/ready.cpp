#include <pqxx/pqxx>

#include "gateway/api_error.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/progress_watcher.hpp"
#include "gateway/projection_lag.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/pg/connection.hpp"

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
        for (const auto& lag : projection_lags(gw)) {
            const bool known = !lag.partitions.empty();
            const bool caught_up = known && lag.total() <= gw.ready_max_lag;
            // Only the entity store gates readiness: commands need it; a lagging read model built
            // from facts makes its own queries wait, not the gateway unready.
            if (lag.gates_readiness) ok = ok && caught_up;
            checks["projection_" + lag.projection] =
                bj::object{{"ok", caught_up},
                           {"lag", known ? bj::value(lag.total()) : bj::value(nullptr)},
                           {"max_lag", gw.ready_max_lag},
                           {"gates_readiness", lag.gates_readiness}};
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
