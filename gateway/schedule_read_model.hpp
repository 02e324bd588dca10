#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace pqxx {
class dbtransaction;
}

// Queries over the schedule read model (migrations/0010_schedule.sql). Callers point the
// transaction at the projection's serving schema first. Every query takes the owner.
namespace aimi::gateway::schedule_read_model {

//! A calendar event as the API shows it (docs/schedule.md).
std::optional<boost::json::object> find_event(pqxx::dbtransaction& tx, const std::string& user_id,
                                              const std::string& id);

struct EventFilter {
    std::optional<std::string> status, type;
    std::optional<std::pair<std::string, std::string>> after;  //!< cursor: (created_at, id)
    int limit = 50;
};
//! Oldest first; at most limit events.
boost::json::array list_events(pqxx::dbtransaction& tx, const std::string& user_id, const EventFilter& filter);

//! The occurrences of the user's events overlapping [from, to), in start order, at most `limit`;
//! `more` tells whether the window held more. Cancelled series are left out.
struct OccurrencePage {
    boost::json::array items;
    bool more = false;
};
OccurrencePage occurrences(pqxx::dbtransaction& tx, const std::string& user_id, std::chrono::sys_seconds from,
                           std::chrono::sys_seconds to, std::size_t limit);

//! Which reminders to list; every filter is optional.
struct ReminderFilter {
    std::optional<std::string> status;
    std::optional<std::string> calendar_event_id;
    std::optional<std::string> from, to;  //!< trigger_at in [from, to), normalized RFC 3339
    int limit = 100;
};

//! The user's reminder queue (projection reminder_queue) in trigger order, filtered, at most `limit`.
boost::json::array list_reminders(pqxx::dbtransaction& tx, const std::string& user_id, const ReminderFilter& filter);

//! All of the user's events as an iCalendar document (text/calendar).
std::string icalendar(pqxx::dbtransaction& tx, const std::string& user_id);

}  // namespace aimi::gateway::schedule_read_model
