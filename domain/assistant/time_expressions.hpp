#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/schedule/calendar_time.hpp"
#include "domain/time.hpp"

// The words of a chat message and the times they name, in English and Russian: "tomorrow at 6pm",
// "in 2 hours", "next Monday 9:00", "через час", "в пятницу в 18:30", "every weekday at 7",
// "каждый день в 10 утра", "by May", "к июню". Pure: every result is resolved against a Clock the
// caller builds from the turn's context, never against the machine's clock.
namespace aimi::assistant {

//! A word of the message: a run of letters and digits, lower case with ё folded to е; "18:00",
//! "2026-12-05", "7/10" and "i'm" stay one word. begin/end locate it in the message (bytes), so a
//! title can be cut from the user's own words.
struct Token {
    std::string text;
    std::size_t begin = 0;
    std::size_t end = 0;
    bool after_break = false;  //!< clause punctuation (. , ; : ! ? — …) stands before it
};

std::vector<Token> tokenize(std::string_view message);

//! True if the words at `at` are `phrase`: words separated by spaces, each a list of alternatives
//! ("a|b"), a trailing * matching by prefix; returns one past the match.
std::optional<std::size_t> match_phrase(const std::vector<Token>& tokens, std::size_t at, std::string_view phrase);

//! Where the turn stands in time. An unknown zone name falls back to UTC (zone_name says so).
struct Clock {
    Timestamp now;
    schedule::LocalSeconds local_now{};
    std::chrono::sys_days today{};  //!< the local date
    const date::time_zone* zone = nullptr;
    std::string zone_name;
};

Clock make_clock(Timestamp now, std::string_view time_zone);

//! True if wall-clock `at` in the clock's zone is an instant after `now` (a time skipped by DST
//! counts as the instant schedule::resolve gives it).
bool is_future(schedule::LocalSeconds at, const Clock& clock);

enum class DayPart { none, morning, afternoon, evening, night };

//! A span that is not one day: "this week", "next week", "this month", "by May", "this year".
enum class Period { none, week, next_week, month, named_month, year };

//! What a message says about when, before it is resolved into one time.
struct When {
    std::optional<std::chrono::sys_days> day;         //!< "tomorrow", "on Friday", "5 декабря"
    std::optional<std::chrono::sys_days> period_end;  //!< the last day of `period`
    Period period = Period::none;
    std::optional<std::chrono::minutes> time;  //!< a clock time whose half of the day is known
    //! "at 7", "в 7:30": an hour 1..11 said without am/pm, so 07:00 or 19:00 (minutes kept apart)
    std::optional<std::chrono::minutes> bare_time;
    DayPart part = DayPart::none;   //!< "in the evening", "утром", "tonight"
    bool relative = false;          //!< "in 2 hours", "через 3 дня"
    std::chrono::seconds after{0};  //!< the hours and minutes of a relative time
    int after_days = 0;             //!< its days and weeks (counted on the calendar)
    std::vector<bool> used;         //!< per token: part of a time expression
};

//! The time expressions of `tokens` (those flagged in `taken` are skipped). `today` resolves
//! named days: a weekday is the next one strictly after today, a date without a year the next one
//! not before today.
When find_when(const std::vector<Token>& tokens, std::chrono::sys_days today, const std::vector<bool>& taken = {});

//! The wall-clock time a reminder is for, or nullopt when `when` names no time at all.
//! * relative hours and minutes are added to the instant `now` (so DST-exact), rounded UP to the
//!   whole minute: a reminder never fires before the duration asked for;
//! * relative days keep the wall clock ("in 2 days" = the same time two dates on), or take the
//!   time given ("in 2 days at 9");
//! * a bare hour (no am/pm) is the first of h:00 / h+12:00 still ahead on its day (or today, then
//!   tomorrow, when no day is named); a day part ("this evening") settles it;
//! * a time without a day is today if still ahead, else tomorrow; a day without a time is 09:00
//!   (or its day part's default: morning 09:00, afternoon 14:00, evening 19:00, night 22:00).
//! The result may lie in the past ("today at 7am" said at noon): callers check is_future.
std::optional<schedule::LocalSeconds> reminder_time(const When& when, const Clock& clock);

//! The time of day of a recurring event: a bare hour as said ("at 7" = 07:00, unless a day part
//! says evening), else the day part's default, else `fallback`.
std::chrono::minutes time_of_day(const When& when, std::chrono::minutes fallback);

//! The last day `when` names for a deadline or a due date: its day, else its period's end.
std::optional<std::chrono::sys_days> due_day(const When& when);

//! A recurrence: "every weekday", "каждый понедельник и четверг", "daily", "по будням".
struct Recurrence {
    std::vector<std::chrono::weekday> days;  //!< Monday first; empty = every day (or weekly)
    bool weekly = false;                     //!< "every week": weekly on the first occurrence's day
    int interval = 1;                        //!< "every other day" = 2
    DayPart part = DayPart::none;            //!< "every morning"
    std::vector<bool> used;

    //! RFC 5545 RRULE without prefix: "FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR".
    std::string rrule() const;
};

std::optional<Recurrence> find_recurrence(const std::vector<Token>& tokens);

//! The first start of `recurrence` at `time` strictly after the clock's local now.
schedule::LocalSeconds first_occurrence(const Recurrence& recurrence, std::chrono::minutes time, const Clock& clock);

//! The local date of `at`.
std::chrono::sys_days day_of(schedule::LocalSeconds at);

}  // namespace aimi::assistant
