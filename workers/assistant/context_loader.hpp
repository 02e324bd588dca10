#pragma once

#include <string>

#include "domain/assistant/context.hpp"

namespace pqxx {
class dbtransaction;
}
namespace date {
class time_zone;
}
namespace aimi::gateway {
class MemoryRecall;
}
namespace aimi::pg {
class ConnectionPool;
}

// Reads what a turn knows from the read models, each from the schema serving it (docs/assistant.md,
// "Context"): the user, the session's recent messages, active goals, open tasks, the week's
// occurrences, scheduled reminders, recalled memories, the latest summary and mood.
namespace aimi::assistant_worker {

//! The user message a turn answers, as its fact says.
struct TriggerMessage {
    std::string user_id;
    std::string chat_id;
    std::string message_id;
    std::string session_id;
    std::int64_t seq = 0;
    std::string content;
    Timestamp posted_at;
};

//! The snapshot for `message`. Recall is skipped (no memories) when `recall` is null or its
//! embedding provider fails: a turn never waits on memory. With `readers`, the goals, the schedule
//! and memory are read at once, each on a connection of that pool in a read transaction of its
//! own, while `tx` reads the user and the recent messages; without, all in `tx`, one after another.
assistant::Context load_context(pqxx::dbtransaction& tx, const std::string& main_schema, const TriggerMessage& message,
                                gateway::MemoryRecall* recall, int memories, pg::ConnectionPool* readers = nullptr);

//! "YYYY-MM-DDTHH:MM:SS": the wall clock at `t` in `zone` (UTC in RFC 3339 when there is none).
std::string local_text(Timestamp t, const date::time_zone* zone);

//! Points `tx` at the schema serving `projection`.
void use_schema(pqxx::dbtransaction& tx, const std::string& main_schema, const std::string& projection);

}  // namespace aimi::assistant_worker
