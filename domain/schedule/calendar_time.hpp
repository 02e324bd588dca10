#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

// Wall-clock times of the calendar: what a person means by "8:00 on Monday" in a time zone, kept
// as such so that a series stays at 8:00 across DST changes (docs/schedule.md).
namespace aimi::schedule {

using LocalSeconds = std::chrono::local_time<std::chrono::seconds>;

//! A calendar value: a date ("2026-03-08", all-day) or a wall-clock date-time without offset
//! ("2026-03-08T02:30:00"), in the event's time zone.
struct CalendarTime {
    LocalSeconds at{};
    bool is_date = false;
    auto operator<=>(const CalendarTime&) const = default;
};

//! Exactly "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS" (years 1..9999, real days and times); so the
//! text a client sends is the text it reads back.
std::optional<CalendarTime> parse_calendar_time(std::string_view text);
std::string format_calendar_time(const CalendarTime& t);
std::string format_local(LocalSeconds at, bool is_date);

//! The zone of the IANA tz database, or nullptr if it has none of that name.
const date::time_zone* find_zone(std::string_view name);

//! The instant a wall-clock time stands for in `zone`, as RFC 5545 (3.3.5) resolves it: a time
//! that occurs twice (fall back) is the first of the two; a time skipped by a DST gap (spring
//! forward) is read with the offset before the gap, so 02:30 on a day New York springs forward
//! is 03:30 EDT (07:30Z).
//! Beyond 2037 (where the tz files' explicit transitions end) the offset is that of the same
//! wall-clock time 28·k years earlier — exact while the zone's current rules hold, up to 2099.
std::chrono::sys_seconds resolve(LocalSeconds at, const date::time_zone& zone);

//! The wall-clock time in `zone` at instant `t` (the same rule beyond 2037).
LocalSeconds to_local(std::chrono::sys_seconds t, const date::time_zone& zone);

}  // namespace aimi::schedule
