#pragma once

#include <cstddef>
#include <string>

#include "projections/pg/connection.hpp"

namespace aimi {

namespace kafka {
class EventLogWriter;
}

struct SweepOptions {
    std::string topic;
    std::int64_t idle_timeout_s = 1800;
    std::size_t max_sessions = 500;
    std::string producer;  //!< envelope producer, "session-closer@host/pid"
};

//! One pass: finds open sessions idle past the timeout and appends a guarded session.ended for
//! each (if_last_activity_at = the activity seen, so a message racing the close keeps the
//! session open; the idempotency key makes concurrent closers harmless). Returns how many
//! closes were appended. @throws on database or Kafka errors.
std::size_t sweep_idle_sessions(pqxx::connection& db, kafka::EventLogWriter& log, const SweepOptions& options);

}  // namespace aimi
