#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <boost/json/object.hpp>

#include "domain/problem.hpp"
#include "domain/schedule/calendar_time.hpp"
#include "domain/schedule/recurrence.hpp"

// When a calendar event happens, as the decider (the entity-store fold) keeps and decides it:
// the rules for start/end/due, all-day, time zone, RRULE, EXDATE, per-occurrence changes and
// series splits live here, once, and every read model takes the decided result from the fact
// (docs/schedule.md). Personal fields (title, description, location) never enter it.
namespace aimi::schedule {

//! One occurrence moved, re-timed or re-statused (RFC 5545 RECURRENCE-ID overrides).
struct OccurrenceChange {
    std::optional<CalendarTime> start, end;
    std::optional<std::string> status;
    bool operator==(const OccurrenceChange&) const = default;
};

struct Timing {
    std::optional<CalendarTime> start, end, due;  //!< a start (and maybe an end), or a due
    bool all_day = false;
    std::optional<std::string> time_zone;  //!< nullopt: floating, the user's current zone
    std::optional<std::string> rrule;
    std::set<LocalSeconds> exdates;
    std::string status = "scheduled";                             //!< scheduled|in_progress|completed|cancelled
    std::map<LocalSeconds, OccurrenceChange> occurrence_changes;  //!< by recurrence id (original start)
    //! This event's reminder offsets (minutes before each occurrence); nullopt: the user's settings.
    std::optional<std::vector<int>> reminder_offsets;

    CalendarTime anchor() const { return start ? *start : *due; }
    Series series() const { return Series{anchor(), rrule, exdates}; }
    //! end − start of the series (zero for a due or an event without end; a day for all-day).
    std::chrono::seconds duration() const;
    bool operator==(const Timing&) const = default;
};

boost::json::object to_json(const Timing& timing);
//! From to_json's output (the decider's own rows and facts); throws std::invalid_argument.
Timing timing_from_json(const boost::json::object& json);

//! A created event's timing from calendar_event.created data (start|due, end, all_day,
//! time_zone, rrule, exdates, status), or why not (422/400 with the field).
std::variant<Timing, Problem> create_timing(const boost::json::object& data);

//! What calendar_event.updated did: the series' new timing, and for scope "following" with
//! changes the new series that carries them from the occurrence on.
struct UpdatedTiming {
    Timing series;
    std::optional<Timing> following;
};

//! Applies calendar_event.updated data (scope series|occurrence|following, occurrence, and the
//! fields that change) to `current`.
std::variant<UpdatedTiming, Problem> update_timing(const Timing& current, const boost::json::object& data);

//! The status values of an event and of one occurrence.
bool known_status(std::string_view status);

}  // namespace aimi::schedule
