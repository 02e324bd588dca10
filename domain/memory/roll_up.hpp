#pragma once

#include <string>
#include <vector>

#include "domain/time.hpp"

// The calendar periods of roll-up summaries (docs/memory.md, "Summaries"): the local day and the
// ISO week (Monday to Monday) an instant falls in, in the user's time zone, as instants — a day is
// 23 or 25 hours long when the clocks change in it.
namespace aimi::memory {

struct RollUpPeriod {
    std::string kind;        //!< "daily" | "weekly"
    std::string scope;       //!< "daily:2026-03-08", "weekly:2026-03-02" (the Monday)
    std::string local_date;  //!< the day, or the week's Monday
    Timestamp start, end;    //!< [start, end)
};

//! The daily and the weekly period of `at` in `time_zone` (UTC when the zone is unknown).
std::vector<RollUpPeriod> roll_up_periods(Timestamp at, const std::string& time_zone);

}  // namespace aimi::memory
