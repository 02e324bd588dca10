#include "domain/schedule/occurrences.hpp"

#include <algorithm>

#include <date/tz.h>

#include "domain/schedule/calendar_time.hpp"

namespace aimi::schedule {

namespace {

using std::chrono::hours;

// Every zone's offset lies within [-12h, +14h]: a wall-clock time that far around an instant
// brackets it without knowing the zone.
constexpr hours kMaxWest{12}, kMaxEast{14};

LocalSeconds as_local(std::chrono::sys_seconds t) {
    return LocalSeconds{t.time_since_epoch()};
}

}  // namespace

std::vector<Occurrence> occurrences_between(const Timing& timing, const date::time_zone& zone,
                                            std::chrono::sys_seconds from, std::chrono::sys_seconds to,
                                            std::size_t limit) {
    const auto duration = timing.duration();
    const auto anchor = timing.anchor();
    const auto place = [&](LocalSeconds recurrence_id) {
        Occurrence o{recurrence_id, CalendarTime{recurrence_id, anchor.is_date}, std::nullopt, {}, {}, timing.status};
        if (timing.end) o.end = CalendarTime{recurrence_id + duration, anchor.is_date};
        if (const auto it = timing.occurrence_changes.find(recurrence_id); it != timing.occurrence_changes.end()) {
            o.changed = true;
            if (it->second.start) o.start = *it->second.start;
            if (it->second.end)
                o.end = *it->second.end;
            else if (timing.end)
                o.end = CalendarTime{o.start.at + duration, anchor.is_date};
            if (it->second.status) o.status = *it->second.status;
        }
        o.start_utc = resolve(o.start.at, zone);
        o.end_utc =
            o.end ? resolve(o.end->at, zone) : (timing.all_day ? resolve(o.start.at + duration, zone) : o.start_utc);
        return o;
    };
    const auto overlaps = [&](const Occurrence& o) {
        return o.start_utc < to && (o.end_utc > from || (o.end_utc == o.start_utc && o.start_utc >= from));
    };
    // Moved occurrences are looked at on their own: their new time may lie far from the original.
    std::vector<Occurrence> found;
    const auto series = timing.series();
    for (const auto& id : expand(series, as_local(from) - kMaxWest - duration, as_local(to) + kMaxEast, limit + 1)) {
        if (timing.occurrence_changes.contains(id)) continue;
        auto o = place(id);
        if (overlaps(o)) found.push_back(std::move(o));
    }
    for (const auto& [id, change] : timing.occurrence_changes) {
        if (timing.exdates.contains(id)) continue;
        auto o = place(id);
        if (overlaps(o)) found.push_back(std::move(o));
    }
    std::stable_sort(found.begin(), found.end(), [](const Occurrence& a, const Occurrence& b) {
        return a.start_utc != b.start_utc ? a.start_utc < b.start_utc : a.recurrence_id < b.recurrence_id;
    });
    if (found.size() > limit) found.resize(limit);
    return found;
}

TimeRange time_range(const Timing& timing) {
    const auto as_sys = [](LocalSeconds t) { return std::chrono::sys_seconds{t.time_since_epoch()}; };
    auto first = timing.anchor().at;
    auto last_end = last_occurrence(timing.series());
    if (last_end) *last_end += timing.duration();
    for (const auto& [id, change] : timing.occurrence_changes) {
        const auto start = change.start ? change.start->at : id;
        const auto end = change.end ? change.end->at : start + timing.duration();
        first = std::min(first, start);
        if (last_end) *last_end = std::max(*last_end, end);
    }
    TimeRange range{as_sys(first) - kMaxEast, std::nullopt};
    if (last_end) range.end = as_sys(*last_end) + kMaxWest;
    // A single event in a zone of its own is on the time line where that zone puts it, whatever
    // the user's zone becomes: its range starts at its earliest occurrence, exactly as read, so a
    // reader that stops at the first candidate beyond its page does not read 14 h further (most
    // events — reminders, due tasks — are such).
    if (!timing.rrule && timing.time_zone)
        if (const auto* zone = find_zone(*timing.time_zone)) {
            const auto all =
                occurrences_between(timing, *zone, range.start, *range.end, timing.occurrence_changes.size() + 2);
            if (!all.empty()) range.start = all.front().start_utc;  // in the order of their start
        }
    return range;
}

}  // namespace aimi::schedule
