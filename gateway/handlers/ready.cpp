#include <pqxx/pqxx>

#include "gateway/api_error.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/progress_watcher.hpp"
#include "projections/entity_store/entity_store_projection.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/pg/connection.hpp"

namespace aimi::gateway::handlers {

//! Readiness: PostgreSQL answers, Kafka answers, and the entity store is within
//! ready_max_lag records of the topic's end on every partition.
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
        std::int64_t lag = 0;
        bool known = true;
        const auto applied = gw.watcher.snapshot(std::string(entity_store::EntityStoreProjection::kName));
        try {
            const int partitions = gw.log.partition_count(gw.settings.events_topic, timeout);
            for (int p = 0; p < partitions; ++p) {
                const auto end = gw.log.high_watermark(gw.settings.events_topic, p, timeout);
                if (!end) {
                    known = false;
                    continue;
                }
                const auto it = applied.find(p);
                lag += *end - (it == applied.end() ? 0 : it->second);
            }
        } catch (const std::exception&) {
            known = false;
        }
        const bool caught_up = known && lag <= gw.ready_max_lag;
        ok = ok && caught_up;
        checks["projection_entity_store"] = bj::object{
            {"ok", caught_up}, {"lag", known ? bj::value(lag) : bj::value(nullptr)}, {"max_lag", gw.ready_max_lag}};
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
