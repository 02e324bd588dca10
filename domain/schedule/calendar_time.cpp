#include "domain/schedule/calendar_time.hpp"

#include <stdexcept>

#include <date/tz.h>
#include <fmt/format.h>

#include "domain/time.hpp"

namespace aimi::schedule {

namespace {

bool digits(std::string_view text, std::size_t from, std::size_t count, int& out) {
    out = 0;
    for (std::size_t i = from; i < from + count; ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        out = out * 10 + (text[i] - '0');
    }
    return true;
}

// The tz database's files list transitions up to 2037 and give a rule for the years after, which
// date/tz does not read (it would keep 2037's last offset forever: New York on EST all summer).
// Between 1901 and 2099 the calendar repeats every 28 years — 10 227 days, same weekdays, same
// leap days — so a later time takes the offset of its twin 28·k years earlier.
constexpr int kLastListedYear = 2037;
constexpr std::chrono::days kCalendarCycle{10227};

std::chrono::days twin_shift(std::chrono::sys_days day) {
    const int year = static_cast<int>(std::chrono::year_month_day{day}.year());
    if (year <= kLastListedYear) return std::chrono::days{0};
    return kCalendarCycle * ((year - kLastListedYear + 27) / 28);
}

}  // namespace

std::optional<CalendarTime> parse_calendar_time(std::string_view text) {
    if (text.size() != 10 && text.size() != 19) return std::nullopt;
    const auto day = parse_date(text.substr(0, 10));
    if (!day) return std::nullopt;
    const LocalSeconds midnight{std::chrono::seconds{day->time_since_epoch()}};
    if (text.size() == 10) return CalendarTime{midnight, true};
    int h = 0, m = 0, s = 0;
    if (text[10] != 'T' || text[13] != ':' || text[16] != ':' || !digits(text, 11, 2, h) || !digits(text, 14, 2, m) ||
        !digits(text, 17, 2, s) || h > 23 || m > 59 || s > 59)
        return std::nullopt;
    return CalendarTime{midnight + std::chrono::hours{h} + std::chrono::minutes{m} + std::chrono::seconds{s}, false};
}

std::string format_local(LocalSeconds at, bool is_date) {
    const auto day = std::chrono::floor<std::chrono::days>(at);
    const std::chrono::year_month_day ymd{std::chrono::sys_days{day.time_since_epoch()}};
    const auto date = fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                                  static_cast<unsigned>(ymd.day()));
    if (is_date) return date;
    const std::chrono::hh_mm_ss hms{at - day};
    return fmt::format("{}T{:02}:{:02}:{:02}", date, hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::string format_calendar_time(const CalendarTime& t) {
    return format_local(t.at, t.is_date);
}

const date::time_zone* find_zone(std::string_view name) {
    try {
        return date::locate_zone(name);
    } catch (const std::runtime_error&) {
        return nullptr;
    }
}

std::chrono::sys_seconds resolve(LocalSeconds at, const date::time_zone& zone) {
    const auto shift = twin_shift(std::chrono::sys_days{std::chrono::floor<std::chrono::days>(at).time_since_epoch()});
    const date::local_seconds local{at.time_since_epoch() - shift};
    // unique: the one offset; ambiguous: `first` is the earlier instant's (the offset before
    // the change); nonexistent: `first` is the offset before the gap. One rule for all three.
    const auto info = zone.get_info(local);
    return std::chrono::sys_seconds{at.time_since_epoch() - info.first.offset};
}

LocalSeconds to_local(std::chrono::sys_seconds t, const date::time_zone& zone) {
    const auto shift = twin_shift(std::chrono::floor<std::chrono::days>(t));
    return LocalSeconds{t.time_since_epoch() + zone.get_info(t - shift).offset};
}

}  // namespace aimi::schedule
