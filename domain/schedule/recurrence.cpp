#include "domain/schedule/recurrence.hpp"

#include <cstdlib>
#include <memory>

#include "domain/schedule/ical_time.hpp"

namespace aimi::schedule {

namespace {

using std::chrono::days;
using std::chrono::floor;

//! libical reports a bad rule through its per-thread error number and FREQ=NONE.
std::optional<icalrecurrencetype> parse(std::string_view rule) {
    if (rule.empty() || rule.size() > 500 || rule.find("FREQ=") == std::string_view::npos) return std::nullopt;
    const std::string text(rule);
    icalerror_clear_errno();
    icalrecurrencetype parsed = icalrecurrencetype_from_string(text.c_str());
    const bool ok = icalerrno == ICAL_NO_ERROR && parsed.freq != ICAL_NO_RECURRENCE;
    icalerror_clear_errno();
    if (!ok) return std::nullopt;
    // UNTIL is read as wall-clock time in the event's zone, like every other time of the series.
    parsed.until.zone = nullptr;
    return parsed;
}

std::string to_text(icalrecurrencetype rule) {
    char* text = icalrecurrencetype_as_string_r(&rule);
    std::string out = text ? text : "";
    std::free(text);
    return out;
}

struct IteratorFree {
    void operator()(icalrecur_iterator* it) const { icalrecur_iterator_free(it); }
};
using Iterator = std::unique_ptr<icalrecur_iterator, IteratorFree>;

//! Calls `visit(start)` for each occurrence from the anchor on until it returns false.
template <class Visit>
void each_occurrence(const Series& series, std::optional<LocalSeconds> skip_to, Visit&& visit) {
    if (!series.rrule) {
        visit(series.anchor.at);
        return;
    }
    const auto rule = parse(*series.rrule);
    if (!rule) return;
    Iterator it{icalrecur_iterator_new(*rule, to_ical(series.anchor.at, series.anchor.is_date))};
    if (!it) return;
    // Without COUNT, libical can start at the window instead of walking from the anchor.
    if (skip_to && rule->count == 0 && *skip_to > series.anchor.at)
        icalrecur_iterator_set_start(it.get(), to_ical(*skip_to, series.anchor.is_date));
    for (icaltimetype next = icalrecur_iterator_next(it.get()); !icaltime_is_null_time(next);
         next = icalrecur_iterator_next(it.get()))
        if (!visit(from_ical(next))) return;
}

}  // namespace

bool parses_as_rrule(std::string_view rule) {
    return parse(rule).has_value();
}

std::optional<Problem> check_rrule(std::string_view text, const CalendarTime& anchor, std::string field) {
    const auto rule = parse(text);
    if (!rule)
        return Problem{ProblemKind::unprocessable, "invalid_rrule",
                       "must be an RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=MO,WE", std::move(field)};
    if (rule->freq == ICAL_SECONDLY_RECURRENCE || rule->freq == ICAL_MINUTELY_RECURRENCE)
        return Problem{ProblemKind::unprocessable, "rrule_too_frequent",
                       "SECONDLY and MINUTELY rules are not supported; the finest is HOURLY", std::move(field)};
    if (rule->count > kMaxCount)
        return Problem{ProblemKind::unprocessable, "rrule_too_many_occurrences",
                       "COUNT may be at most " + std::to_string(kMaxCount) +
                           "; for a series without end leave out COUNT and UNTIL",
                       std::move(field)};
    if (!icaltime_is_null_time(rule->until) && from_ical(rule->until) < anchor.at)
        return Problem{ProblemKind::unprocessable, "rrule_no_occurrences", "UNTIL is before the event's start",
                       std::move(field)};
    return std::nullopt;
}

std::vector<LocalSeconds> expand(const Series& series, LocalSeconds from, LocalSeconds to, std::size_t limit) {
    std::vector<LocalSeconds> out;
    if (limit == 0) return out;
    each_occurrence(series, from, [&](LocalSeconds start) {
        if (start >= to) return false;
        if (start >= from && !series.exdates.contains(start)) out.push_back(start);
        return out.size() < limit;
    });
    return out;
}

std::optional<LocalSeconds> last_occurrence(const Series& series) {
    if (!series.rrule) return series.anchor.at;
    const auto rule = parse(*series.rrule);
    if (!rule) return series.anchor.at;
    if (rule->count == 0 && icaltime_is_null_time(rule->until)) return std::nullopt;
    std::optional<LocalSeconds> last;
    each_occurrence(series, std::nullopt, [&](LocalSeconds start) {
        last = start;
        return true;
    });
    return last.value_or(series.anchor.at);
}

bool is_occurrence(const Series& series, LocalSeconds at) {
    bool found = false;
    each_occurrence(series, at, [&](LocalSeconds start) {
        found = start == at;
        return start < at;
    });
    return found;
}

int occurrences_before(const Series& series, LocalSeconds at) {
    int count = 0;
    each_occurrence(series, std::nullopt, [&](LocalSeconds start) {
        if (start >= at) return false;
        ++count;
        return true;
    });
    return count;
}

int rule_count(std::string_view text) {
    const auto rule = parse(text);
    return rule ? rule->count : 0;
}

std::string truncated_rule(const Series& series, LocalSeconds at) {
    auto rule = *parse(*series.rrule);
    if (rule.count > 0) {
        rule.count = occurrences_before(series, at);
    } else {
        rule.until =
            to_ical(series.anchor.is_date ? at - days{1} : at - std::chrono::seconds{1}, series.anchor.is_date);
    }
    return to_text(rule);
}

std::string remaining_rule(const Series& series, LocalSeconds at) {
    auto rule = *parse(*series.rrule);
    if (rule.count > 0) rule.count -= occurrences_before(series, at);
    return to_text(rule);
}

icaltimetype to_ical(LocalSeconds at, bool is_date) {
    const auto day = std::chrono::floor<std::chrono::days>(at);
    const std::chrono::year_month_day ymd{std::chrono::sys_days{day.time_since_epoch()}};
    const std::chrono::hh_mm_ss hms{at - day};
    icaltimetype t = icaltime_null_time();
    t.year = static_cast<int>(ymd.year());
    t.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
    t.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
    t.is_date = is_date ? 1 : 0;
    if (!is_date) {
        t.hour = static_cast<int>(hms.hours().count());
        t.minute = static_cast<int>(hms.minutes().count());
        t.second = static_cast<int>(hms.seconds().count());
    }
    t.zone = nullptr;  // floating: rules are expanded on the wall clock
    return t;
}

LocalSeconds from_ical(const icaltimetype& t) {
    const std::chrono::year_month_day ymd{std::chrono::year{t.year}, std::chrono::month{static_cast<unsigned>(t.month)},
                                          std::chrono::day{static_cast<unsigned>(t.day)}};
    const std::chrono::local_days day{std::chrono::sys_days{ymd}.time_since_epoch()};
    return LocalSeconds{day} + std::chrono::hours{t.is_date ? 0 : t.hour} +
           std::chrono::minutes{t.is_date ? 0 : t.minute} + std::chrono::seconds{t.is_date ? 0 : t.second};
}

}  // namespace aimi::schedule
