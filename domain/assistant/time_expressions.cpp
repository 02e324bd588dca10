#include "domain/assistant/time_expressions.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include <date/tz.h>

#include "domain/memory/utf8.hpp"
#include "domain/memory/words.hpp"
#include "domain/text.hpp"

namespace aimi::assistant {

using schedule::LocalSeconds;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::weekday;

namespace {

// ---------------------------------------------------------------------------------------------
// Words

//! One of `alternatives` ("a|b|c*"): a trailing * matches by prefix.
bool word_is(std::string_view word, std::string_view alternatives) {
    if (word.empty()) return false;
    while (true) {
        const std::size_t bar = alternatives.find('|');
        const std::string_view alternative = alternatives.substr(0, bar);
        if (!alternative.empty() && alternative.back() == '*') {
            if (word.starts_with(alternative.substr(0, alternative.size() - 1))) return true;
        } else if (word == alternative) {
            return true;
        }
        if (bar == std::string_view::npos) return false;
        alternatives.remove_prefix(bar + 1);
    }
}

bool all_digits(std::string_view w) {
    return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
}

//! Leading ASCII digits of `w` as a number (at most `max_digits` of them), and how many there were.
std::pair<int, std::size_t> leading_number(std::string_view w, std::size_t max_digits) {
    int value = 0;
    std::size_t n = 0;
    while (n < w.size() && n < max_digits && w[n] >= '0' && w[n] <= '9') value = value * 10 + (w[n++] - '0');
    return {value, n};
}

//! "7", "07", "seven", "семь": a number up to 59 written in digits or as one word.
std::optional<int> small_number(std::string_view w) {
    if (all_digits(w) && w.size() <= 2) return leading_number(w, 2).first;
    static constexpr std::array<std::pair<std::string_view, int>, 37> kWords{{
        {"one", 1},          {"two", 2},         {"three", 3},       {"four", 4},      {"five", 5},      {"six", 6},
        {"seven", 7},        {"eight", 8},       {"nine", 9},        {"ten", 10},      {"eleven", 11},   {"twelve", 12},
        {"fifteen", 15},     {"twenty", 20},     {"thirty", 30},     {"forty", 40},    {"fifty", 50},    {"один", 1},
        {"одна", 1},         {"одну", 1},        {"два", 2},         {"две", 2},       {"три", 3},       {"четыре", 4},
        {"пять", 5},         {"шесть", 6},       {"семь", 7},        {"восемь", 8},    {"девять", 9},    {"десять", 10},
        {"одиннадцать", 11}, {"двенадцать", 12}, {"пятнадцать", 15}, {"двадцать", 20}, {"тридцать", 30}, {"сорок", 40},
        {"пятьдесят", 50},
    }};
    for (const auto& [word, value] : kWords)
        if (w == word) return value;
    return std::nullopt;
}

struct DayName {
    weekday day;
    bool abbreviation = false;  // "mon", "пн": only after a preposition or "every"
};

std::optional<DayName> weekday_of(std::string_view w) {
    struct Entry {
        std::string_view forms;
        unsigned day;  // c_encoding: Sunday 0
        bool abbreviation;
    };
    static constexpr std::array<Entry, 21> kDays{{
        {"monday|mondays", 1, false},
        {"tuesday|tuesdays", 2, false},
        {"wednesday|wednesdays", 3, false},
        {"thursday|thursdays", 4, false},
        {"friday|fridays", 5, false},
        {"saturday|saturdays", 6, false},
        {"sunday|sundays", 0, false},
        {"понедельник|понедельника|понедельнику|понедельникам|понедельники", 1, false},
        {"вторник|вторника|вторнику|вторникам|вторники", 2, false},
        {"среда|среду|среды|среде|средам", 3, false},
        {"четверг|четверга|четвергу|четвергам|четверги", 4, false},
        {"пятница|пятницу|пятницы|пятнице|пятницам", 5, false},
        {"суббота|субботу|субботы|субботе|субботам", 6, false},
        {"воскресенье|воскресенья|воскресенью|воскресеньям", 0, false},
        {"mon|пн", 1, true},
        {"tue|tues|вт", 2, true},
        {"wed|ср", 3, true},
        {"thu|thur|thurs|чт", 4, true},
        {"fri|пт", 5, true},
        {"sat|сб", 6, true},
        {"sun|вс", 0, true},
    }};
    for (const Entry& e : kDays)
        if (word_is(w, e.forms)) return DayName{weekday{e.day}, e.abbreviation};
    return std::nullopt;
}

//! 1..12 for English and Russian month names (any case of the Russian ones) and abbreviations.
std::optional<unsigned> month_of(std::string_view w) {
    static constexpr std::array<std::string_view, 12> kMonths{{
        "january|jan|январь|января|январю|январе|янв",
        "february|feb|февраль|февраля|февралю|феврале|фев|февр",
        "march|mar|март|марта|марту|марте|мар",
        "april|apr|апрель|апреля|апрелю|апреле|апр",
        "may|май|мая|маю|мае",
        "june|jun|июнь|июня|июню|июне|июн",
        "july|jul|июль|июля|июлю|июле|июл",
        "august|aug|август|августа|августу|августе|авг",
        "september|sep|sept|сентябрь|сентября|сентябрю|сентябре|сен|сент",
        "october|oct|октябрь|октября|октябрю|октябре|окт",
        "november|nov|ноябрь|ноября|ноябрю|ноябре|ноя|нояб",
        "december|dec|декабрь|декабря|декабрю|декабре|дек",
    }};
    for (unsigned m = 0; m < kMonths.size(); ++m)
        if (word_is(w, kMonths[m])) return m + 1;
    return std::nullopt;
}

std::optional<sys_days> make_date(int y, unsigned m, unsigned d) {
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
    if (!ymd.ok()) return std::nullopt;
    return sys_days{ymd};
}

int year_of(sys_days day) {
    return static_cast<int>(std::chrono::year_month_day{day}.year());
}

unsigned month_number(sys_days day) {
    return static_cast<unsigned>(std::chrono::year_month_day{day}.month());
}

sys_days last_day_of(int y, unsigned m) {
    return sys_days{
        std::chrono::year_month_day_last{std::chrono::year{y}, std::chrono::month_day_last{std::chrono::month{m}}}};
}

//! The date (month, day) next falls on, today included; a 29 February waits for a leap year.
std::optional<sys_days> next_date(unsigned m, unsigned d, sys_days today) {
    for (int y = year_of(today); y < year_of(today) + 9; ++y)
        if (const auto date = make_date(y, m, d); date && *date >= today) return date;
    return std::nullopt;
}

//! The next `day` strictly after today: "on Monday" said on a Monday is a week away.
sys_days next_weekday(weekday day, sys_days today) {
    const unsigned ahead = (day.c_encoding() + 7 - weekday{today}.c_encoding()) % 7;
    return today + days{ahead == 0 ? 7 : ahead};
}

//! Sunday of today's ISO week (today itself on a Sunday).
sys_days week_end(sys_days today) {
    return today + days{7 - weekday{today}.iso_encoding()};
}

minutes default_time(DayPart part) {
    switch (part) {
        case DayPart::morning:
            return hours{9};
        case DayPart::afternoon:
            return hours{14};
        case DayPart::evening:
            return hours{19};
        case DayPart::night:
            return hours{22};
        case DayPart::none:
            break;
    }
    return hours{9};
}

bool is_pm_part(DayPart part) {
    return part == DayPart::afternoon || part == DayPart::evening || part == DayPart::night;
}

std::optional<DayPart> part_of(std::string_view w) {
    if (word_is(w, "morning|утро|утром")) return DayPart::morning;
    if (word_is(w, "afternoon|днем")) return DayPart::afternoon;
    if (word_is(w, "evening|вечер|вечером")) return DayPart::evening;
    if (word_is(w, "night|ночь|ночью")) return DayPart::night;
    return std::nullopt;
}

//! A clock time written as one word: "18:00", "6:30pm", "6pm", "7.30" (only after "at"/"в").
struct ClockWord {
    int hour = 0;
    int minute = 0;
    int meridiem = 0;           // 0: none, 1: am, 2: pm
    bool digits_only = false;   // "7": a number, not yet known to be a time
    bool leading_zero = false;  // "07:30": the 24-hour clock
};

std::optional<ClockWord> clock_word(std::string_view w, bool after_preposition) {
    ClockWord c;
    const auto [hour, hour_digits] = leading_number(w, 2);
    if (hour_digits == 0) return std::nullopt;
    c.hour = hour;
    c.leading_zero = hour_digits == 2 && w[0] == '0';
    std::string_view rest = w.substr(hour_digits);
    if (!rest.empty() && (rest[0] == ':' || (rest[0] == '.' && after_preposition))) {
        const auto [minute, minute_digits] = leading_number(rest.substr(1), 2);
        if (minute_digits != 2 || minute > 59) return std::nullopt;
        c.minute = minute;
        rest.remove_prefix(3);
    } else if (rest.empty()) {
        c.digits_only = true;
    }
    if (rest == "am" || rest == "a") {
        c.meridiem = 1;
    } else if (rest == "pm" || rest == "p") {
        c.meridiem = 2;
    } else if (!rest.empty()) {
        return std::nullopt;
    }
    if (c.hour > 23 || (c.meridiem != 0 && (c.hour < 1 || c.hour > 12))) return std::nullopt;
    return c;
}

// Words after a number that make it a count, not an hour: "в 2 раза", "в 2026 году".
constexpr std::string_view kNotHours =
    "раз|раза|года|году|год|лет|times|percent|people|человек|км|kg|кг|минут|минуты|минуту|minutes|minute|"
    "hours|days|day|дней|дня|недели|недель|weeks|week|books|книг|книги|kilometers|km*|miles|pages|страниц*";

// ---------------------------------------------------------------------------------------------
// Parsing When

class WhenParser {
  public:
    WhenParser(const std::vector<Token>& tokens, sys_days today, const std::vector<bool>& taken)
        : tokens_(tokens), today_(today), taken_(taken) {}

    When run() {
        when_.used.assign(tokens_.size(), false);
        for (std::size_t i = 0; i < tokens_.size();) {
            std::optional<std::size_t> end;
            if (free(i)) {
                end = relative(i);
                if (!end) end = date_words(i);
                if (!end) end = clock_time(i);
                if (!end) end = day_part(i);
            }
            if (end && *end > i) {
                std::fill(when_.used.begin() + static_cast<std::ptrdiff_t>(i),
                          when_.used.begin() + static_cast<std::ptrdiff_t>(*end), true);
                i = *end;
            } else {
                ++i;
            }
        }
        return std::move(when_);
    }

  private:
    bool free(std::size_t i) const { return i < tokens_.size() && !(i < taken_.size() && taken_[i]); }
    //! The word at i, or "" past the end or where a token is taken.
    std::string_view word(std::size_t i) const { return free(i) ? std::string_view(tokens_[i].text) : ""; }
    bool is(std::size_t i, std::string_view alternatives) const { return word_is(word(i), alternatives); }

    void set_day(sys_days day) {
        if (!when_.day) when_.day = day;
    }
    void set_part(DayPart part) {
        if (when_.part == DayPart::none) when_.part = part;
    }
    void set_period(Period period, sys_days end) {
        if (when_.period != Period::none) return;
        when_.period = period;
        when_.period_end = end;
    }

    // "in 2 hours", "in an hour and 30 minutes", "within half an hour", "2h from now",
    // "через час", "через 2 часа 30 минут", "через полчаса".
    std::optional<std::size_t> relative(std::size_t i) {
        std::size_t j = i;
        bool bare_unit = false;  // "через час": a unit alone counts one
        if (is(j, "in|within|after")) {
            ++j;
        } else if (is(j, "через")) {
            ++j;
            bare_unit = true;
        } else if (const auto first = amount_unit(i, false); !first || !is(first->end, "from")) {
            return std::nullopt;  // without a preposition: "2 hours from now"
        }
        seconds total{0};
        int total_days = 0, pairs = 0;
        while (const auto found = amount_unit(j, bare_unit && pairs == 0)) {
            total += found->duration;
            total_days += found->days;
            j = found->end;
            ++pairs;
            if (is(j, "and|и") && amount_unit(j + 1, false)) ++j;
        }
        if (pairs == 0) return std::nullopt;
        if (is(j, "from") && is(j + 1, "now")) j += 2;
        if (!when_.relative) {
            when_.relative = true;
            when_.after = total;
            when_.after_days = total_days;
        }
        return j;
    }

    struct Amount {
        std::size_t end;
        seconds duration{0};
        int days = 0;
    };

    std::optional<Amount> amount_unit(std::size_t j, bool bare_unit) const {
        const std::string_view w = word(j);
        if (w.empty()) return std::nullopt;
        if (w == "полчаса") return Amount{j + 1, minutes{30}};
        if (w == "half" && is(j + 1, "an|a") && is(j + 2, "hour")) return Amount{j + 3, minutes{30}};
        // "2h", "30min", "15m", "1hr", "2ч"
        if (const auto [n, digits] = leading_number(w, 4); digits > 0 && digits < w.size()) {
            const std::string_view unit = w.substr(digits);
            if (word_is(unit, "h|hr|hrs|ч")) return Amount{j + 1, hours{n}};
            if (word_is(unit, "m|min|mins|мин")) return Amount{j + 1, minutes{n}};
            if (word_is(unit, "d")) return Amount{j + 1, seconds{0}, n};
            return std::nullopt;
        }
        double amount = 0;
        std::size_t k = j;
        if (w == "a" || w == "an") {
            if (is(j + 1, "couple") && is(j + 2, "of")) {
                amount = 2, k = j + 3;
            } else if (is(j + 1, "few")) {
                amount = 3, k = j + 2;
            } else {
                amount = 1, k = j + 1;
            }
        } else if (word_is(w, "пару|пара|couple")) {
            amount = 2, k = j + (is(j + 1, "of") ? 2 : 1);
        } else if (word_is(w, "полтора|полторы")) {
            amount = 1.5, k = j + 1;
        } else if (const auto n = all_digits(w) && w.size() <= 4 ? std::optional<int>(leading_number(w, 4).first)
                                                                 : small_number(w)) {
            amount = *n, k = j + 1;
        } else if (bare_unit) {
            amount = 1, k = j;
        } else {
            return std::nullopt;
        }
        const std::string_view unit = word(k);
        if (word_is(unit, "minute|minutes|min|mins|минута|минуту|минуты|минут|мин"))
            return Amount{k + 1, seconds{static_cast<long>(amount * 60)}};
        if (word_is(unit, "hour|hours|hr|hrs|h|час|часа|часов|ч"))
            return Amount{k + 1, seconds{static_cast<long>(amount * 3600)}};
        if (word_is(unit, "day|days|день|дня|дней|сутки|суток"))
            return Amount{k + 1, seconds{0}, static_cast<int>(amount)};
        if (word_is(unit, "week|weeks|неделю|недели|недель|неделя"))
            return Amount{k + 1, seconds{0}, static_cast<int>(amount) * 7};
        return std::nullopt;
    }

    std::optional<std::size_t> date_words(std::size_t i) {
        std::size_t j = i;
        const bool preposition = is(j, "on|by|until|till|before|due|for|in|в|во|на|к|до|from");
        if (preposition) ++j;
        if (const auto end = date_at(j, preposition, preposition ? word(i) : "")) return end;
        return std::nullopt;
    }

    std::optional<std::size_t> date_at(std::size_t j, bool preposition, std::string_view prep) {
        const std::string_view w = word(j);
        if (w.empty()) return std::nullopt;
        if (word_is(w, "today|сегодня|сегодняшний")) return set_day(today_), j + 1;
        if (w == "tonight") return set_day(today_), set_part(DayPart::evening), j + 1;
        if (word_is(w, "tomorrow|tmrw|tmr|завтра|завтрашний")) return set_day(today_ + days{1}), j + 1;
        if (w == "послезавтра") return set_day(today_ + days{2}), j + 1;
        if (const auto end = match_phrase(tokens_, j, "the day after tomorrow"); end && free(j))
            return set_day(today_ + days{2}), *end;
        if (const auto end = match_phrase(tokens_, j, "day after tomorrow"); end && free(j))
            return set_day(today_ + days{2}), *end;
        // "next Monday", "this Friday", "в следующий понедельник": strictly after today too.
        if (is(j,
               "next|this|coming|following|следующий|следующую|следующее|ближайший|ближайшую|ближайшее|этот|эту|это")) {
            if (const auto day = weekday_of(word(j + 1))) return set_day(next_weekday(day->day, today_)), j + 2;
            if (is(j + 1, "week|неделе|неделю|недели")) {
                if (is(j, "next|following|следующий|следующую|следующее"))
                    return set_period(Period::next_week, week_end(today_) + days{7}), j + 2;
                if (is(j, "this|эту|этой")) return set_period(Period::week, week_end(today_)), j + 2;
            }
        }
        if (is(j, "следующей") && is(j + 1, "неделе|недели"))
            return set_period(Period::next_week, week_end(today_) + days{7}), j + 2;
        if (is(j, "этой") && is(j + 1, "неделе")) return set_period(Period::week, week_end(today_)), j + 2;
        if (is(j, "this|этом|этот") && is(j + 1, "month|месяце|месяц"))
            return set_period(Period::month, last_day_of(year_of(today_), month_number(today_))), j + 2;
        if (is(j, "this|этом|этот") && is(j + 1, "year|году|год"))
            return set_period(Period::year, last_day_of(year_of(today_), 12)), j + 2;
        if (const auto end = end_of(j)) return end;
        if (const auto day = weekday_of(w); day && (!day->abbreviation || preposition))
            return set_day(next_weekday(day->day, today_)), j + 1;
        // 2026-12-05, 05.12.2026, and 5.12 after a preposition
        if (const auto date = parse_date(w)) return set_day(*date), j + 1;
        if (const auto date = dotted_date(w, preposition)) return set_day(*date), j + 1;
        if (const auto end = month_and_day(j)) return end;
        // "by May", "к маю", "до мая", "в мае": the month's last day, the next May not yet over.
        if (const auto month = month_of(w);
            month && preposition && word_is(prep, "by|until|till|before|in|к|до|в|for")) {
            std::size_t end = j + 1;
            int y = year_of(today_);
            if (const auto year = year_word(end)) {
                y = *year;
                end = *after_year(end);
            } else if (last_day_of(y, *month) < today_) {
                ++y;
            }
            return set_period(Period::named_month, last_day_of(y, *month)), end;
        }
        return std::nullopt;
    }

    // "end of the week/month/year", "the end of May", "конец/конца/концу года/месяца/недели/мая"
    std::optional<std::size_t> end_of(std::size_t j) {
        std::size_t k = j;
        if (is(k, "the")) ++k;
        if (is(k, "end") && is(k + 1, "of")) {
            k += 2;
            if (is(k, "the|this")) ++k;
        } else if (is(k, "конец|конца|концу")) {
            k += 1;
            if (is(k, "этого|этой")) ++k;
        } else if (is(k, "year") && is(k + 1, "end")) {
            return set_period(Period::year, last_day_of(year_of(today_), 12)), k + 2;
        } else {
            return std::nullopt;
        }
        if (is(k, "week|недели")) return set_period(Period::week, week_end(today_)), k + 1;
        if (is(k, "month|месяца"))
            return set_period(Period::month, last_day_of(year_of(today_), month_number(today_))), k + 1;
        if (is(k, "year|года")) return set_period(Period::year, last_day_of(year_of(today_), 12)), k + 1;
        if (const auto month = month_of(word(k))) {
            int y = year_of(today_);
            if (last_day_of(y, *month) < today_) ++y;
            return set_period(Period::named_month, last_day_of(y, *month)), k + 1;
        }
        return std::nullopt;
    }

    std::optional<int> year_word(std::size_t k) const {
        const std::string_view w = word(k);
        if (w.size() != 4 || !all_digits(w)) return std::nullopt;
        const int y = leading_number(w, 4).first;
        if (y < 1970 || y > 2200) return std::nullopt;
        return y;
    }
    //! One past a year word and its "года"/"г"/"year".
    std::optional<std::size_t> after_year(std::size_t k) const {
        if (!year_word(k)) return std::nullopt;
        return is(k + 1, "года|году|г") ? k + 2 : k + 1;
    }

    std::optional<sys_days> dotted_date(std::string_view w, bool preposition) const {
        const auto [d, d_digits] = leading_number(w, 2);
        if (d_digits == 0 || d_digits >= w.size() || w[d_digits] != '.') return std::nullopt;
        const std::string_view rest = w.substr(d_digits + 1);
        const auto [m, m_digits] = leading_number(rest, 2);
        if (m_digits == 0) return std::nullopt;
        if (m_digits == rest.size()) {
            if (!preposition) return std::nullopt;  // "7.5" is a number, "on 7.5" a date
            if (m < 1 || m > 12 || d < 1) return std::nullopt;
            return next_date(static_cast<unsigned>(m), static_cast<unsigned>(d), today_);
        }
        if (rest[m_digits] != '.') return std::nullopt;
        const std::string_view y = rest.substr(m_digits + 1);
        if (y.size() != 4 || !all_digits(y) || m < 1 || m > 12 || d < 1) return std::nullopt;
        return make_date(leading_number(y, 4).first, static_cast<unsigned>(m), static_cast<unsigned>(d));
    }

    //! "5", "05", "5th", "1st": a day of the month.
    static std::optional<unsigned> day_number(std::string_view w) {
        const auto [d, digits] = leading_number(w, 2);
        if (digits == 0 || d < 1 || d > 31) return std::nullopt;
        const std::string_view suffix = w.substr(digits);
        if (!suffix.empty() && !word_is(suffix, "st|nd|rd|th")) return std::nullopt;
        return static_cast<unsigned>(d);
    }

    // "Dec 5", "December 5th, 2026", "5 December", "the 5th of December", "5 декабря 2026 года", "5-го
    // декабря"; and a day of the month alone: "the 1st", "1-го числа" (the next one, today included)
    std::optional<std::size_t> month_and_day(std::size_t j) {
        std::optional<unsigned> month, day;
        std::size_t k = j;
        const bool the = is(k, "the");
        if (the) ++k;
        if (const auto m = month_of(word(k)); m && !the && day_number(word(k + 1))) {
            month = m, day = day_number(word(k + 1)), k += 2;
        } else if (const auto d = day_number(word(k))) {
            std::size_t n = k + 1;
            if (is(n, "го|е|of")) ++n;
            if (const auto m2 = month_of(word(n))) {
                month = m2, day = d, k = n + 1;
            } else if ((the && !all_digits(word(k))) || is(n, "числа")) {
                return day_of_month(*d, is(n, "числа") ? n + 1 : k + 1);
            }
        }
        if (!month) return std::nullopt;
        std::optional<sys_days> date;
        if (const auto end = after_year(k)) {
            date = make_date(*year_word(k), *month, *day);
            k = *end;
        } else {
            date = next_date(*month, *day, today_);
        }
        if (!date) return std::nullopt;
        set_day(*date);
        return k;
    }

    std::optional<std::size_t> day_of_month(unsigned d, std::size_t end) {
        const std::chrono::year_month_day ymd{today_};
        for (int ahead = 0; ahead < 12; ++ahead) {
            const auto month = ymd.year() / ymd.month() + std::chrono::months{ahead};
            const std::chrono::year_month_day candidate{month / std::chrono::day{d}};
            if (candidate.ok() && sys_days{candidate} >= today_) return set_day(sys_days{candidate}), end;
        }
        return std::nullopt;
    }

    // "at 6pm", "at 18:00", "6:30 pm", "at 7", "at noon", "в 9 утра", "в 18:30", "в 7 часов вечера"
    std::optional<std::size_t> clock_time(std::size_t i) {
        std::size_t j = i;
        const bool preposition = is(j, "at|@|в|во|к|around|около|by");
        if (preposition) ++j;
        const std::string_view w = word(j);
        if (word_is(w, "noon|midday|полдень")) return set_time(hours{12}), j + 1;
        if (word_is(w, "midnight|полночь")) return set_time(hours{0}), j + 1;
        auto clock = clock_word(w, preposition);
        std::optional<int> spelled;
        if (!clock && preposition && (spelled = small_number(w)) && *spelled <= 23) {
            clock = ClockWord{*spelled, 0, 0, true, false};
        }
        if (!clock) return std::nullopt;
        std::size_t k = j + 1;
        if (clock->meridiem == 0) {
            if (is(k, "am") || (is(k, "a") && is(k + 1, "m"))) {
                clock->meridiem = 1, k += is(k, "am") ? 1 : 2;
            } else if (is(k, "pm") || (is(k, "p") && is(k + 1, "m"))) {
                clock->meridiem = 2, k += is(k, "pm") ? 1 : 2;
            }
            if (clock->meridiem != 0 && (clock->hour < 1 || clock->hour > 12)) return std::nullopt;
        }
        if (is(k, "o'clock|oclock|час|часа|часов|ч")) ++k;
        std::optional<DayPart> qualifier;
        if (is(k, "утра")) {
            qualifier = DayPart::morning, ++k;
        } else if (is(k, "дня")) {
            qualifier = DayPart::afternoon, ++k;
        } else if (is(k, "вечера")) {
            qualifier = DayPart::evening, ++k;
        } else if (is(k, "ночи")) {
            qualifier = DayPart::night, ++k;
        } else if (is(k, "in") && is(k + 1, "the") && part_of(word(k + 2)) && word(k + 2) != "night") {
            qualifier = part_of(word(k + 2)), k += 3;
        } else if (is(k, "at") && is(k + 1, "night")) {
            qualifier = DayPart::night, k += 2;
        } else if (is(k, "tonight")) {
            qualifier = DayPart::evening, set_day(today_), ++k;
        }
        // A lone number is a time only after "at"/"в" or with am/pm or a day part after it.
        const bool marked = clock->meridiem != 0 || qualifier.has_value() || k > j + 1;
        if (clock->digits_only && !preposition && !marked) return std::nullopt;
        if (clock->digits_only && !marked && (is(j + 1, kNotHours) || month_of(word(j + 1)))) return std::nullopt;
        const int h = clock->hour;
        const minutes m{clock->minute};
        if (clock->meridiem != 0) {
            set_time(hours{h % 12 + (clock->meridiem == 2 ? 12 : 0)} + m);
        } else if (qualifier) {
            set_time(hours{qualified_hour(h, *qualifier)} + m);
        } else if (h == 0 || h >= 12 || clock->leading_zero) {
            set_time(hours{h} + m);  // the 24-hour clock; "at 12" is noon
        } else if (!when_.time && !when_.bare_time) {
            when_.bare_time = hours{h} + m;
        }
        return k;
    }

    static int qualified_hour(int h, DayPart part) {
        switch (part) {
            case DayPart::morning:
                return h == 12 ? 0 : h;
            case DayPart::afternoon:  // "в 12 дня" = 12:00, "в 3 дня" = 15:00
                return h >= 1 && h <= 11 ? h + 12 : h;
            case DayPart::evening:
                return h >= 1 && h <= 11 ? h + 12 : (h == 12 ? 0 : h);
            case DayPart::night:  // "в 11 ночи" = 23:00, "в 3 ночи" = 03:00
                return h >= 6 && h <= 11 ? h + 12 : (h == 12 ? 0 : h);
            case DayPart::none:
                break;
        }
        return h;
    }

    void set_time(minutes t) {
        if (!when_.time) when_.time = t;
    }

    // "this evening", "in the morning", "at night", "tomorrow morning", "утром", "вечером"
    std::optional<std::size_t> day_part(std::size_t i) {
        if (is(i, "this|этим|этой|сегодня") && part_of(word(i + 1)))
            return set_day(today_), set_part(*part_of(word(i + 1))), i + 2;
        if (is(i, "in") && is(i + 1, "the") && is(i + 2, "morning|afternoon|evening"))
            return set_part(*part_of(word(i + 2))), i + 3;
        if (is(i, "at") && is(i + 1, "night")) return set_part(DayPart::night), i + 2;
        if (is(i, "утром|днем|вечером|ночью")) return set_part(*part_of(word(i))), i + 1;
        if (is(i, "с") && is(i + 1, "утра")) return set_part(DayPart::morning), i + 2;
        // "tomorrow morning", "Monday evening": a part right after a day said
        if (i > 0 && when_.used[i - 1] && is(i, "morning|afternoon|evening|night"))
            return set_part(*part_of(word(i))), i + 1;
        return std::nullopt;
    }

    const std::vector<Token>& tokens_;
    sys_days today_;
    const std::vector<bool>& taken_;
    When when_;
};

// ---------------------------------------------------------------------------------------------
// Recurrence

class RecurrenceParser {
  public:
    explicit RecurrenceParser(const std::vector<Token>& tokens) : tokens_(tokens) {}

    std::optional<Recurrence> run() {
        for (std::size_t i = 0; i < tokens_.size(); ++i) {
            Recurrence r;
            if (const auto end = at(i, r)) {
                r.used.assign(tokens_.size(), false);
                std::fill(r.used.begin() + static_cast<std::ptrdiff_t>(i),
                          r.used.begin() + static_cast<std::ptrdiff_t>(*end), true);
                std::sort(r.days.begin(), r.days.end(),
                          [](weekday a, weekday b) { return a.iso_encoding() < b.iso_encoding(); });
                r.days.erase(std::unique(r.days.begin(), r.days.end()), r.days.end());
                return r;
            }
        }
        return std::nullopt;
    }

  private:
    std::string_view word(std::size_t i) const { return i < tokens_.size() ? std::string_view(tokens_[i].text) : ""; }
    bool is(std::size_t i, std::string_view alternatives) const { return word_is(word(i), alternatives); }

    static std::vector<weekday> weekdays() {
        return {std::chrono::Monday, std::chrono::Tuesday, std::chrono::Wednesday, std::chrono::Thursday,
                std::chrono::Friday};
    }
    static std::vector<weekday> weekend() { return {std::chrono::Saturday, std::chrono::Sunday}; }

    //! "Monday and Thursday", "mon, wed, fri", "понедельникам и средам": one past the list.
    std::optional<std::size_t> day_list(std::size_t k, Recurrence& r) const {
        std::size_t end = k;
        while (true) {
            const auto day = weekday_of(word(end));
            if (!day) break;
            r.days.push_back(day->day);
            ++end;
            if (is(end, "and|и") && weekday_of(word(end + 1))) ++end;
        }
        if (end == k) return std::nullopt;
        return end;
    }

    std::optional<std::size_t> at(std::size_t i, Recurrence& r) const {
        // English
        if (is(i, "every|each")) {
            std::size_t k = i + 1;
            if (is(k, "single")) ++k;
            if (is(k, "other") && is(k + 1, "day")) return r.interval = 2, k + 2;
            if (is(k, "day")) return k + 1;
            if (const auto part = part_of(word(k)); part && is(k, "morning|afternoon|evening|night"))
                return r.part = *part, k + 1;
            if (is(k, "weekday|weekdays|workday|workdays")) return r.days = weekdays(), k + 1;
            if (is(k, "work|working|business") && is(k + 1, "day")) return r.days = weekdays(), k + 2;
            if (is(k, "weekend")) return r.days = weekend(), k + 1;
            if (is(k, "week")) return r.weekly = true, k + 1;
            return day_list(k, r);
        }
        if (is(i, "daily|everyday")) return i + 1;
        if (is(i, "weekly")) return r.weekly = true, i + 1;
        if (is(i, "on") && is(i + 1, "weekdays")) return r.days = weekdays(), i + 2;
        if (is(i, "on") && is(i + 1, "weekends")) return r.days = weekend(), i + 2;
        if (is(i, "weekdays")) return r.days = weekdays(), i + 1;
        if (is(i, "weekends")) return r.days = weekend(), i + 1;
        // "on Mondays", "Mondays and Thursdays": plural weekday names
        if (const std::size_t k = is(i, "on") ? i + 1 : i;
            is(k, "mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays"))
            return day_list(k, r);
        // Russian
        if (is(i, "каждый|каждое|каждую|каждые|каждым")) {
            const std::size_t k = i + 1;
            if (is(k, "день")) return k + 1;
            if (is(k, "будний|рабочий") && is(k + 1, "день")) return r.days = weekdays(), k + 2;
            if (is(k, "будние|рабочие") && is(k + 1, "дни")) return r.days = weekdays(), k + 2;
            if (is(k, "утро")) return r.part = DayPart::morning, k + 1;
            if (is(k, "вечер")) return r.part = DayPart::evening, k + 1;
            if (is(k, "ночь")) return r.part = DayPart::night, k + 1;
            if (is(k, "выходные")) return r.days = weekend(), k + 1;
            if (is(k, "неделю")) return r.weekly = true, k + 1;
            return day_list(k, r);
        }
        if (is(i, "ежедневно|ежедневный|ежедневная|ежедневное")) return i + 1;
        if (is(i, "еженедельно")) return r.weekly = true, i + 1;
        if (is(i, "по")) {
            const std::size_t k = i + 1;
            if (is(k, "будням")) return r.days = weekdays(), k + 1;
            if (is(k, "будним|рабочим") && is(k + 1, "дням")) return r.days = weekdays(), k + 2;
            if (is(k, "выходным")) return r.days = weekend(), k + 1;
            if (is(k, "утрам")) return r.part = DayPart::morning, k + 1;
            if (is(k, "вечерам")) return r.part = DayPart::evening, k + 1;
            if (is(k, "ночам")) return r.part = DayPart::night, k + 1;
            if (is(k, "понедельникам|вторникам|средам|четвергам|пятницам|субботам|воскресеньям")) return day_list(k, r);
        }
        if (is(i, "в") && is(i + 1, "будни")) return r.days = weekdays(), i + 2;
        if (is(i, "в") && is(i + 1, "будние|рабочие") && is(i + 2, "дни")) return r.days = weekdays(), i + 3;
        return std::nullopt;
    }

    const std::vector<Token>& tokens_;
};

std::string_view rrule_day(weekday day) {
    static constexpr std::array<std::string_view, 7> kCodes{"SU", "MO", "TU", "WE", "TH", "FR", "SA"};
    return kCodes[day.c_encoding()];
}

LocalSeconds local_of(std::chrono::sys_seconds t, const Clock& clock) {
    return clock.zone ? schedule::to_local(t, *clock.zone) : LocalSeconds{t.time_since_epoch()};
}

LocalSeconds at_day(sys_days day, minutes time) {
    return LocalSeconds{day.time_since_epoch() + time};
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::vector<Token> tokenize(std::string_view text) {
    std::vector<Token> tokens;
    for (auto& w : memory::split_words(text, {.join_apostrophes = true, .join_numbers = true}))
        tokens.push_back(Token{std::move(w.text), w.begin, w.end, w.after_break});
    return tokens;
}

std::optional<std::size_t> match_phrase(const std::vector<Token>& tokens, std::size_t at, std::string_view phrase) {
    std::size_t i = at;
    while (!phrase.empty()) {
        const std::size_t space = phrase.find(' ');
        const std::string_view element = phrase.substr(0, space);
        if (i >= tokens.size() || !word_is(tokens[i].text, element)) return std::nullopt;
        ++i;
        if (space == std::string_view::npos) break;
        phrase.remove_prefix(space + 1);
    }
    return i;
}

Clock make_clock(Timestamp now, std::string_view time_zone) {
    Clock clock;
    clock.now = now;
    clock.zone = schedule::find_zone(time_zone);
    clock.zone_name = std::string(time_zone);
    if (!clock.zone) {
        clock.zone = schedule::find_zone("UTC");
        clock.zone_name = "UTC";
    }
    clock.local_now = local_of(std::chrono::floor<seconds>(now), clock);
    clock.today = day_of(clock.local_now);
    return clock;
}

bool is_future(LocalSeconds at, const Clock& clock) {
    const std::chrono::sys_seconds instant =
        clock.zone ? schedule::resolve(at, *clock.zone) : std::chrono::sys_seconds{at.time_since_epoch()};
    return Timestamp{instant} > clock.now;
}

sys_days day_of(LocalSeconds at) {
    return sys_days{std::chrono::floor<days>(at).time_since_epoch()};
}

When find_when(const std::vector<Token>& tokens, sys_days today, const std::vector<bool>& taken) {
    return WhenParser(tokens, today, taken).run();
}

std::optional<LocalSeconds> reminder_time(const When& when, const Clock& clock) {
    const minutes now_time = std::chrono::ceil<minutes>(clock.local_now - at_day(clock.today, minutes{0}));
    if (when.relative && when.after.count() == 0 && when.after_days > 0) {
        // Whole days count on the calendar: "in 2 days" is the same wall-clock time two dates on.
        const sys_days day = clock.today + days{when.after_days};
        if (!when.time && !when.bare_time && when.part == DayPart::none) return at_day(day, now_time);
        When fixed = when;
        fixed.relative = false;
        fixed.day = day;
        return reminder_time(fixed, clock);
    }
    if (when.relative) {
        // Hours and minutes count on the time line; rounding up keeps the reminder from firing
        // before the duration asked for ("in 2 minutes" at 10:00:37 is 10:03:00, not 10:02:00).
        const auto target = clock.now + when.after + hours{24 * when.after_days};
        return local_of(std::chrono::ceil<minutes>(target), clock);
    }
    std::optional<sys_days> day = when.day;
    if (!day && when.period == Period::next_week) day = week_end(clock.today) + days{1};
    if (!day) day = when.period_end;
    std::optional<minutes> time = when.time;
    if (!time && when.bare_time && when.part != DayPart::none)
        time = *when.bare_time + (is_pm_part(when.part) ? hours{12} : hours{0});
    if (!time && !when.bare_time && when.part != DayPart::none) time = default_time(when.part);
    if (!day && !time && !when.bare_time) return std::nullopt;
    if (time) {
        if (day) return at_day(*day, *time);
        const LocalSeconds today_at = at_day(clock.today, *time);
        return today_at > clock.local_now ? today_at : at_day(clock.today + days{1}, *time);
    }
    if (when.bare_time) {
        // 07:00 or 19:00: whichever comes first and is still ahead.
        const std::vector<sys_days> candidates =
            day ? std::vector<sys_days>{*day} : std::vector<sys_days>{clock.today, clock.today + days{1}};
        for (const sys_days d : candidates)
            for (const minutes t : {*when.bare_time, *when.bare_time + hours{12}})
                if (at_day(d, t) > clock.local_now) return at_day(d, t);
        return at_day(candidates.back(), *when.bare_time);
    }
    return at_day(*day, hours{9});
}

minutes time_of_day(const When& when, minutes fallback) {
    if (when.time) return *when.time;
    if (when.bare_time) return *when.bare_time + (is_pm_part(when.part) ? hours{12} : hours{0});
    if (when.part != DayPart::none) return default_time(when.part);
    return fallback;
}

std::optional<sys_days> due_day(const When& when) {
    if (when.day) return when.day;
    return when.period_end;
}

std::string Recurrence::rrule() const {
    if (days.empty() || days.size() == 7) {
        if (weekly && days.empty()) return "FREQ=WEEKLY";
        return interval > 1 ? "FREQ=DAILY;INTERVAL=" + std::to_string(interval) : "FREQ=DAILY";
    }
    std::string rule = "FREQ=WEEKLY;BYDAY=";
    for (std::size_t i = 0; i < days.size(); ++i) {
        if (i > 0) rule += ',';
        rule += rrule_day(days[i]);
    }
    return rule;
}

std::optional<Recurrence> find_recurrence(const std::vector<Token>& tokens) {
    return RecurrenceParser(tokens).run();
}

LocalSeconds first_occurrence(const Recurrence& recurrence, minutes time, const Clock& clock) {
    for (int k = 0; k < 15; ++k) {
        const sys_days day = clock.today + days{k};
        const bool matches = recurrence.days.empty() || std::find(recurrence.days.begin(), recurrence.days.end(),
                                                                  weekday{day}) != recurrence.days.end();
        if (matches && at_day(day, time) > clock.local_now) return at_day(day, time);
    }
    return at_day(clock.today + days{1}, time);
}

}  // namespace aimi::assistant
