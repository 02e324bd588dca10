#include "domain/schedule/timing.hpp"

#include <stdexcept>

#include <boost/json/array.hpp>

namespace aimi::schedule {

namespace {

namespace bj = boost::json;
using std::chrono::seconds;

Problem unprocessable(std::string code, std::string message, std::string field) {
    return Problem{ProblemKind::unprocessable, std::move(code), std::move(message), std::move(field)};
}

const bj::value* field_of(const bj::object& data, std::string_view key) {
    return data.if_contains(key);
}

//! A calendar time from a field that passed its schema (format calendar-time); the fold checks
//! again, so a malformed one is a refusal, not a crash.
std::variant<std::optional<CalendarTime>, Problem> time_field(const bj::object& data, std::string_view key) {
    const auto* v = field_of(data, key);
    if (!v || v->is_null()) return std::optional<CalendarTime>{};
    if (v->is_string())
        if (auto t = parse_calendar_time(v->get_string())) return std::optional<CalendarTime>{*t};
    return Problem::invalid("invalid_format", "must be a date (YYYY-MM-DD) or a date-time (YYYY-MM-DDTHH:MM:SS)",
                            "/" + std::string(key));
}

std::optional<std::string> text_field(const bj::object& data, std::string_view key) {
    const auto* v = field_of(data, key);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->get_string());
}

//! Applies the timing fields present in `data` to `t` (null clears end, due, time_zone, rrule).
std::optional<Problem> apply_fields(Timing& t, const bj::object& data) {
    for (auto [key, slot] : {std::pair{"start", &t.start}, std::pair{"end", &t.end}, std::pair{"due", &t.due}}) {
        if (!data.contains(key)) continue;
        auto parsed = time_field(data, key);
        if (auto* p = std::get_if<Problem>(&parsed)) return *p;
        *slot = std::get<std::optional<CalendarTime>>(parsed);
    }
    if (const auto* v = field_of(data, "all_day"); v && v->is_bool()) t.all_day = v->get_bool();
    if (data.contains("time_zone")) t.time_zone = text_field(data, "time_zone");
    if (data.contains("rrule")) t.rrule = text_field(data, "rrule");
    if (const auto* v = field_of(data, "exdates"); v && v->is_array()) {
        t.exdates.clear();
        for (std::size_t i = 0; i < v->get_array().size(); ++i) {
            const auto& item = v->get_array()[i];
            const auto parsed = item.is_string() ? parse_calendar_time(item.get_string()) : std::nullopt;
            if (!parsed)
                return Problem::invalid("invalid_format", "must be a date or a date-time like the event's start",
                                        "/exdates/" + std::to_string(i));
            if (parsed->is_date != t.all_day)
                return unprocessable("all_day_mismatch", "an exdate must be of the same kind as the start",
                                     "/exdates/" + std::to_string(i));
            t.exdates.insert(parsed->at);
        }
    }
    if (auto status = text_field(data, "status")) t.status = *status;
    if (const auto* v = field_of(data, "reminder_offsets_minutes")) {
        if (v->is_array()) {
            std::vector<int> offsets;
            for (const auto& o : v->get_array()) offsets.push_back(static_cast<int>(o.to_number<std::int64_t>()));
            t.reminder_offsets = std::move(offsets);
        } else {
            t.reminder_offsets.reset();
        }
    }
    return std::nullopt;
}

std::optional<Problem> check_kind(const std::optional<CalendarTime>& t, bool all_day, std::string field) {
    if (!t || t->is_date == all_day) return std::nullopt;
    return unprocessable("all_day_mismatch",
                         all_day ? "an all-day event's times are dates (YYYY-MM-DD)"
                                 : "times are date-times (YYYY-MM-DDTHH:MM:SS); for dates set all_day",
                         std::move(field));
}

std::optional<Problem> validate(const Timing& t) {
    if (t.start && t.due) return unprocessable("start_and_due", "give a start or a due, not both", "/due");
    if (!t.start && !t.due) return unprocessable("start_or_due_required", "give a start or a due", "/start");
    if (t.end && !t.start) return unprocessable("end_without_start", "an end needs a start", "/end");
    if (auto p = check_kind(t.start, t.all_day, "/start")) return p;
    if (auto p = check_kind(t.end, t.all_day, "/end")) return p;
    if (auto p = check_kind(t.due, t.all_day, "/due")) return p;
    if (t.end && t.end->at <= t.start->at)
        return unprocessable("end_before_start", "the end must be after the start", "/end");
    if (t.time_zone && !find_zone(*t.time_zone))
        return Problem::invalid("invalid_value", "is not a time zone of the IANA database (e.g. Europe/Berlin)",
                                "/time_zone");
    if (t.rrule)
        if (auto p = check_rrule(*t.rrule, t.anchor(), "/rrule")) return p;
    if (!known_status(t.status)) return Problem::invalid("invalid_value", "unknown status", "/status");
    return std::nullopt;
}

//! Moves the exclusions and occurrence changes at or after `at` from `from` to `to`.
void move_tail(Timing& from, Timing* to, LocalSeconds at) {
    for (auto it = from.exdates.lower_bound(at); it != from.exdates.end();) {
        if (to) to->exdates.insert(*it);
        it = from.exdates.erase(it);
    }
    for (auto it = from.occurrence_changes.lower_bound(at); it != from.occurrence_changes.end();) {
        if (to) to->occurrence_changes.insert(*it);
        it = from.occurrence_changes.erase(it);
    }
}

std::variant<UpdatedTiming, Problem> update_series(const Timing& current, const bj::object& data) {
    Timing t = current;
    if (auto p = apply_fields(t, data)) return *p;
    // A new anchor, rule or kind renumbers the occurrences: old exclusions and changes no longer
    // name any of them (unless the same change lists new exdates).
    if (t.anchor() != current.anchor() || t.rrule != current.rrule || t.all_day != current.all_day) {
        t.occurrence_changes.clear();
        if (!data.contains("exdates")) t.exdates.clear();
    }
    if (!t.rrule) {
        t.exdates.clear();
        t.occurrence_changes.clear();
    }
    if (auto p = validate(t)) return *p;
    return UpdatedTiming{std::move(t), std::nullopt};
}

std::variant<UpdatedTiming, Problem> update_occurrence(const Timing& current, LocalSeconds occurrence,
                                                       const bj::object& data) {
    for (const char* key : {"due", "all_day", "time_zone", "rrule", "exdates", "reminder_offsets_minutes"})
        if (data.contains(key))
            return unprocessable("not_per_occurrence", "this field changes only with scope series or following",
                                 "/" + std::string(key));
    Timing t = current;
    const auto status = text_field(data, "status");
    if (status == "cancelled") {
        t.exdates.insert(occurrence);
        t.occurrence_changes.erase(occurrence);
        return UpdatedTiming{std::move(t), std::nullopt};
    }
    OccurrenceChange change = t.occurrence_changes[occurrence];
    for (auto [key, slot] : {std::pair{"start", &change.start}, std::pair{"end", &change.end}}) {
        if (!data.contains(key)) continue;
        auto parsed = time_field(data, key);
        if (auto* p = std::get_if<Problem>(&parsed)) return *p;
        *slot = std::get<std::optional<CalendarTime>>(parsed);
        if (auto p = check_kind(*slot, t.all_day, "/" + std::string(key))) return *p;
    }
    if (change.end && !t.start) return unprocessable("end_without_start", "an event with a due has no end", "/end");
    const auto start = change.start ? change.start->at : occurrence;
    const auto end = change.end ? change.end->at : start + t.duration();
    if (change.end && end <= start) return unprocessable("end_before_start", "the end must be after the start", "/end");
    if (status) {
        if (!known_status(*status)) return Problem::invalid("invalid_value", "unknown status", "/status");
        change.status = *status;
    }
    t.occurrence_changes[occurrence] = change;
    return UpdatedTiming{std::move(t), std::nullopt};
}

std::variant<UpdatedTiming, Problem> update_following(const Timing& current, LocalSeconds occurrence,
                                                      const bj::object& data) {
    const auto series = current.series();
    Timing before = current;
    before.rrule = truncated_rule(series, occurrence);
    if (text_field(data, "status") == "cancelled") {
        move_tail(before, nullptr, occurrence);
        return UpdatedTiming{std::move(before), std::nullopt};
    }
    Timing after = current;
    after.exdates.clear();
    after.occurrence_changes.clear();
    move_tail(before, &after, occurrence);
    const auto shift = occurrence - current.anchor().at;
    if (after.start) after.start->at += shift;
    if (after.end) after.end->at += shift;
    if (after.due) after.due->at += shift;
    after.rrule = remaining_rule(series, occurrence);
    auto updated = update_series(after, data);
    if (auto* p = std::get_if<Problem>(&updated)) return *p;
    return UpdatedTiming{std::move(before), std::move(std::get<UpdatedTiming>(updated).series)};
}

}  // namespace

bool known_status(std::string_view status) {
    return status == "scheduled" || status == "in_progress" || status == "completed" || status == "cancelled";
}

std::chrono::seconds Timing::duration() const {
    if (start && end) return end->at - start->at;
    if (all_day) return std::chrono::days{1};
    return seconds{0};
}

bj::object to_json(const Timing& t) {
    const auto time = [](const std::optional<CalendarTime>& c) -> bj::value {
        return c ? bj::value(format_calendar_time(*c)) : bj::value(nullptr);
    };
    bj::array exdates;
    for (const auto& at : t.exdates) exdates.push_back(bj::value(format_local(at, t.all_day)));
    bj::array changes;
    for (const auto& [at, c] : t.occurrence_changes) {
        bj::object change{{"occurrence", format_local(at, t.all_day)}};
        if (c.start) change["start"] = format_calendar_time(*c.start);
        if (c.end) change["end"] = format_calendar_time(*c.end);
        if (c.status) change["status"] = *c.status;
        changes.push_back(std::move(change));
    }
    bj::object out{{"start", time(t.start)},
                   {"end", time(t.end)},
                   {"due", time(t.due)},
                   {"all_day", t.all_day},
                   {"time_zone", t.time_zone ? bj::value(*t.time_zone) : bj::value(nullptr)},
                   {"rrule", t.rrule ? bj::value(*t.rrule) : bj::value(nullptr)},
                   {"exdates", std::move(exdates)},
                   {"status", t.status},
                   {"occurrence_changes", std::move(changes)}};
    // Only when set: timings decided before events had offsets of their own read back unchanged.
    if (t.reminder_offsets) {
        bj::array offsets;
        for (const int o : *t.reminder_offsets) offsets.push_back(o);
        out["reminder_offsets_minutes"] = std::move(offsets);
    }
    return out;
}

Timing timing_from_json(const bj::object& json) {
    const auto time = [&](std::string_view key) -> std::optional<CalendarTime> {
        const auto& v = json.at(key);
        if (v.is_null()) return std::nullopt;
        auto t = parse_calendar_time(v.as_string());
        if (!t) throw std::invalid_argument("timing: malformed " + std::string(key));
        return t;
    };
    const auto local = [](const bj::value& v) {
        auto t = parse_calendar_time(v.as_string());
        if (!t) throw std::invalid_argument("timing: malformed occurrence");
        return t->at;
    };
    Timing t;
    t.start = time("start");
    t.end = time("end");
    t.due = time("due");
    t.all_day = json.at("all_day").as_bool();
    if (const auto& z = json.at("time_zone"); z.is_string()) t.time_zone = std::string(z.get_string());
    if (const auto& r = json.at("rrule"); r.is_string()) t.rrule = std::string(r.get_string());
    for (const auto& d : json.at("exdates").as_array()) t.exdates.insert(local(d));
    t.status = std::string(json.at("status").as_string());
    for (const auto& item : json.at("occurrence_changes").as_array()) {
        const auto& c = item.as_object();
        OccurrenceChange change;
        if (const auto* s = c.if_contains("start")) change.start = parse_calendar_time(s->as_string());
        if (const auto* e = c.if_contains("end")) change.end = parse_calendar_time(e->as_string());
        if (const auto* s = c.if_contains("status")) change.status = std::string(s->as_string());
        t.occurrence_changes[local(c.at("occurrence"))] = change;
    }
    if (const auto* offsets = json.if_contains("reminder_offsets_minutes"); offsets && offsets->is_array()) {
        t.reminder_offsets.emplace();
        for (const auto& o : offsets->get_array())
            t.reminder_offsets->push_back(static_cast<int>(o.to_number<std::int64_t>()));
    }
    return t;
}

std::variant<Timing, Problem> create_timing(const bj::object& data) {
    Timing t;
    if (auto p = apply_fields(t, data)) return *p;
    if (auto p = validate(t)) return *p;
    return t;
}

std::variant<UpdatedTiming, Problem> update_timing(const Timing& current, const bj::object& data) {
    const auto scope = text_field(data, "scope").value_or("series");
    if (scope == "series") return update_series(current, data);
    if (!current.rrule) return unprocessable("not_recurring", "the event does not repeat; use scope series", "/scope");
    auto parsed = time_field(data, "occurrence");
    if (auto* p = std::get_if<Problem>(&parsed)) return *p;
    const auto occurrence = std::get<std::optional<CalendarTime>>(parsed);
    if (!occurrence) return Problem::invalid("missing_field", "scope " + scope + " names an occurrence", "/occurrence");
    if (auto p = check_kind(occurrence, current.all_day, "/occurrence")) return *p;
    if (current.exdates.contains(occurrence->at) || !is_occurrence(current.series(), occurrence->at))
        return Problem::not_found("occurrence_not_found", "the series has no such occurrence", "/occurrence");
    if (scope == "occurrence") return update_occurrence(current, occurrence->at, data);
    if (occurrence->at == current.anchor().at) return update_series(current, data);
    return update_following(current, occurrence->at, data);
}

}  // namespace aimi::schedule
