#include "domain/schedule/reminders.hpp"

#include <date/tz.h>

#include "domain/schedule/occurrences.hpp"

namespace aimi::schedule {

namespace {

namespace bj = boost::json;
using std::chrono::minutes;
using std::chrono::sys_seconds;

constexpr int kMaxOffsetMinutes = 30 * 24 * 60;
constexpr std::size_t kMaxOffsets = 10;

//! "HH:MM" -> minutes of the day.
std::optional<int> clock_minutes(const bj::value& v) {
    if (!v.is_string()) return std::nullopt;
    const auto t = parse_calendar_time("2000-01-01T" + std::string(v.get_string()) + ":00");
    if (!t || v.get_string().size() != 5) return std::nullopt;
    return static_cast<int>(
        std::chrono::duration_cast<minutes>(t->at - std::chrono::floor<std::chrono::days>(t->at)).count());
}

const bj::object* reminders_of(const bj::object& settings) {
    const auto* r = settings.if_contains("reminders");
    return r && r->is_object() ? &r->get_object() : nullptr;
}

//! The first instant at or after `t` whose local time of day in `zone` is `minute`.
sys_seconds next_local_minute(sys_seconds t, int minute, const date::time_zone& zone) {
    auto day = std::chrono::floor<std::chrono::days>(to_local(t, zone));
    for (int i = 0; i < 3; ++i, day += std::chrono::days{1}) {
        const auto candidate = resolve(LocalSeconds{day} + minutes{minute}, zone);
        if (candidate >= t) return candidate;
    }
    return t;
}

bool in_quiet_hours(sys_seconds t, std::pair<int, int> quiet, const date::time_zone& zone) {
    const auto local = to_local(t, zone);
    const int minute = static_cast<int>(
        std::chrono::duration_cast<minutes>(local - std::chrono::floor<std::chrono::days>(local)).count());
    const auto [start, end] = quiet;
    if (start == end) return false;
    return start < end ? (minute >= start && minute < end) : (minute >= start || minute < end);
}

}  // namespace

ReminderSettings reminder_settings(const bj::object& user_settings) {
    ReminderSettings s;
    const auto* r = reminders_of(user_settings);
    if (!r) return s;
    if (const auto* offsets = r->if_contains("offsets_minutes"); offsets && offsets->is_array()) {
        s.offsets_minutes.clear();
        for (const auto& o : offsets->get_array())
            if (o.is_int64()) s.offsets_minutes.push_back(static_cast<int>(o.get_int64()));
    }
    if (const auto* quiet = r->if_contains("quiet_hours"); quiet && quiet->is_object()) {
        const auto start =
            clock_minutes(quiet->get_object().contains("start") ? quiet->get_object().at("start") : nullptr);
        const auto end = clock_minutes(quiet->get_object().contains("end") ? quiet->get_object().at("end") : nullptr);
        if (start && end) s.quiet_hours = std::pair{*start, *end};
    }
    return s;
}

std::optional<Problem> check_reminder_settings(const bj::object& user_settings) {
    const auto* value = user_settings.if_contains("reminders");
    if (!value || value->is_null()) return std::nullopt;
    if (!value->is_object()) return Problem::invalid("invalid_type", "must be an object", "/settings/reminders");
    const auto& r = value->get_object();
    for (const auto& [key, v] : r)
        if (key != "offsets_minutes" && key != "quiet_hours")
            return Problem::invalid("unknown_field", "reminders take offsets_minutes and quiet_hours",
                                    "/settings/reminders/" + std::string(key));
    if (const auto* offsets = r.if_contains("offsets_minutes"); offsets && !offsets->is_null()) {
        const std::string field = "/settings/reminders/offsets_minutes";
        if (!offsets->is_array()) return Problem::invalid("invalid_type", "must be an array of minutes", field);
        if (offsets->get_array().size() > kMaxOffsets)
            return Problem::invalid("too_many_items", "at most 10 offsets", field);
        for (std::size_t i = 0; i < offsets->get_array().size(); ++i) {
            const auto& o = offsets->get_array()[i];
            if (!o.is_int64() || o.get_int64() < 0 || o.get_int64() > kMaxOffsetMinutes)
                return Problem::invalid("out_of_range", "an offset is 0 to 43200 minutes (30 days) before",
                                        field + "/" + std::to_string(i));
        }
    }
    if (const auto* quiet = r.if_contains("quiet_hours"); quiet && !quiet->is_null()) {
        const std::string field = "/settings/reminders/quiet_hours";
        if (!quiet->is_object()) return Problem::invalid("invalid_type", "must be {\"start\", \"end\"}", field);
        for (const char* key : {"start", "end"}) {
            const auto* v = quiet->get_object().if_contains(key);
            if (!v || !clock_minutes(*v))
                return Problem::invalid("invalid_format", "must be a time of day HH:MM", field + "/" + key);
        }
        for (const auto& [key, v] : quiet->get_object())
            if (key != "start" && key != "end")
                return Problem::invalid("unknown_field", "quiet hours take start and end",
                                        field + "/" + std::string(key));
    }
    return std::nullopt;
}

std::vector<PlannedReminder> plan_reminders(const std::string& calendar_event_id, const Timing& timing,
                                            const date::time_zone& zone, const ReminderSettings& settings,
                                            sys_seconds after) {
    std::vector<PlannedReminder> out;
    if (timing.status == "cancelled" || timing.status == "completed") return out;
    // The next occurrence starting after `after`: look ahead in growing windows from the later
    // of `after` and the series' start (a yearly rule may be a year away; a finished one has none).
    const auto range = time_range(timing);
    if (range.end && *range.end <= after) return out;
    const auto from = std::max(after, range.start);
    std::optional<Occurrence> next;
    for (auto horizon = std::chrono::days{7}; !next && horizon <= std::chrono::days{366 * 8}; horizon *= 4) {
        for (auto& o : occurrences_between(timing, zone, from, from + horizon, 64))
            if (o.start_utc > after && o.status != "cancelled" && o.status != "completed") {
                next = std::move(o);
                break;
            }
    }
    if (!next) return out;
    const auto occurrence = format_local(next->recurrence_id, next->start.is_date);
    for (const int offset : settings.offsets_minutes) {
        PlannedReminder r{calendar_event_id + "/" + occurrence + "/" + std::to_string(offset),
                          occurrence,
                          offset,
                          next->start_utc,
                          next->start_utc - minutes{offset},
                          "scheduled",
                          std::nullopt};
        if (settings.quiet_hours && in_quiet_hours(r.trigger_at, *settings.quiet_hours, zone)) {
            const auto moved = next_local_minute(r.trigger_at, settings.quiet_hours->second, zone);
            if (moved < r.occurrence_at) {
                r.trigger_at = moved;
            } else {  // kept at its time, to say which one was skipped
                r.status = "skipped";
                r.skip_reason = "quiet_hours";
            }
        }
        if (r.status == "scheduled" && r.trigger_at <= after) {
            r.status = "skipped";
            r.skip_reason = "past";
        }
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace aimi::schedule
