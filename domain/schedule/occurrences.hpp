#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "domain/schedule/timing.hpp"

// A series' occurrences placed on the time line of a zone, per-occurrence changes applied.
namespace aimi::schedule {

struct Occurrence {
    LocalSeconds recurrence_id;  //!< the original start: the occurrence's name within its series
    CalendarTime start;          //!< wall clock, as changed for this occurrence
    std::optional<CalendarTime> end;
    std::chrono::sys_seconds start_utc, end_utc;  //!< end_utc == start_utc when it has no end
    std::string status;
    bool changed = false;  //!< moved or re-statused on its own
};

//! The occurrences overlapping [from, to) (an occurrence without end: starting in it), in the
//! order of their start, at most `limit`. All-day occurrences span their dates from midnight.
std::vector<Occurrence> occurrences_between(const Timing& timing, const date::time_zone& zone,
                                            std::chrono::sys_seconds from, std::chrono::sys_seconds to,
                                            std::size_t limit);

//! An interval of the time line holding every occurrence of the series in any zone (wall clock
//! −14h … +12h around them); `end` nullopt when the series never ends. A single event with a
//! zone of its own starts exactly at its earliest occurrence. Read models index it to pick a
//! window's candidates without knowing zones.
struct TimeRange {
    std::chrono::sys_seconds start;
    std::optional<std::chrono::sys_seconds> end;
};
TimeRange time_range(const Timing& timing);

}  // namespace aimi::schedule
