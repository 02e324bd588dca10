#include "workers/session_closer/idle_session_sweep.hpp"

#include <fmt/format.h>
#include <pqxx/pqxx>

#include "domain/events/envelope.hpp"
#include "domain/uuid.hpp"
#include "projections/kafka/event_log_writer.hpp"

namespace aimi {

namespace {
constexpr const char* kFindIdle = R"sql(
SELECT user_id::text, chat_id::text, id::text, floor(extract(epoch from last_activity_at) * 1000000)::bigint
FROM sessions
WHERE ended_at IS NULL AND last_activity_at < now() - make_interval(secs => $1)
ORDER BY last_activity_at
LIMIT $2)sql";
}

std::size_t sweep_idle_sessions(pqxx::connection& db, kafka::EventLogWriter& log, const SweepOptions& options) {
    pqxx::read_transaction tx(db, "find_idle_sessions");
    const auto rows = tx.exec_params(kFindIdle, static_cast<double>(options.idle_timeout_s),
                                     static_cast<std::int64_t>(options.max_sessions));
    tx.commit();

    for (const auto& row : rows) {
        const auto user_id = row[0].as<std::string>();
        const auto session_id = row[2].as<std::string>();
        const auto last_activity = from_micros(row[3].as<std::int64_t>());
        events::EventBatch batch;
        batch.batch_id = new_uuid();
        batch.user_id = user_id;
        batch.occurred_at = now_utc();
        batch.request_id = batch.batch_id;
        batch.idempotency_key = fmt::format("idle-close:{}:{}", session_id, to_micros(last_activity));
        batch.causation_id = "idle-timeout";
        batch.producer = options.producer;
        batch.events.push_back(events::Event{
            new_uuid(), events::SessionEnded{row[1].as<std::string>(), session_id, "idle_timeout", last_activity}});
        log.append(options.topic, user_id, events::encode(batch));
    }
    return rows.size();
}

}  // namespace aimi
