#include "domain/memory/roll_up.hpp"

#include <date/date.h>
#include <date/tz.h>

#include "domain/schedule/calendar_time.hpp"

namespace aimi::memory {

namespace {

std::string format_day(date::local_days day) {
    return date::format("%F", day);
}

//! Midnight of `day` in `zone`, resolved as the schedule resolves wall-clock times (a midnight
//! skipped by a DST gap is the first instant after it).
Timestamp midnight(date::local_days day, const date::time_zone& zone) {
    return std::chrono::time_point_cast<Timestamp::duration>(
        schedule::resolve(schedule::LocalSeconds(day.time_since_epoch()), zone));
}

}  // namespace

std::vector<RollUpPeriod> roll_up_periods(Timestamp at, const std::string& time_zone) {
    const auto* zone = schedule::find_zone(time_zone);
    if (!zone) zone = schedule::find_zone("UTC");
    const auto local = schedule::to_local(std::chrono::floor<std::chrono::seconds>(at), *zone);
    const auto day = date::floor<date::days>(date::local_seconds(local.time_since_epoch()));
    const date::local_days today{day.time_since_epoch()};
    const auto monday = today - (date::weekday(today) - date::Monday);
    return {{"daily", "daily:" + format_day(today), format_day(today), midnight(today, *zone),
             midnight(today + date::days{1}, *zone)},
            {"weekly", "weekly:" + format_day(monday), format_day(monday), midnight(monday, *zone),
             midnight(monday + date::days{7}, *zone)}};
}

}  // namespace aimi::memory
