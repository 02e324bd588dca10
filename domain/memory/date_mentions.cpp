#include "domain/memory/date_mentions.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

#include "domain/memory/word_patterns.hpp"

namespace aimi::memory {
namespace {

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& list, std::string_view word) {
    return std::find(list.begin(), list.end(), word) != list.end();
}

constexpr std::array<std::string_view, 24> kEnglishMonths = {
    "january",   "february", "march",    "april",    "may",  "june", "july", "august",
    "september", "october",  "november", "december", "jan",  "feb",  "mar",  "apr",
    "jun",       "jul",      "aug",      "sep",      "sept", "oct",  "nov",  "dec",
};
constexpr std::array<std::string_view, 12> kRussianMonthsGenitive = {
    "января", "февраля", "марта",    "апреля",  "мая",    "июня",
    "июля",   "августа", "сентября", "октября", "ноября", "декабря",
};
constexpr std::array<std::string_view, 12> kRussianMonthsNominative = {
    "январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
};
// Words after which a bare month or year is a date: "in March", "since 2019", "до марта".
constexpr std::array<std::string_view, 24> kBeforeMonthOrYear = {
    "in",   "by", "until", "till", "since", "before", "after", "early", "late",  "mid",    "next",     "last",
    "this", "of", "в",     "до",   "с",     "со",     "после", "к",     "конца", "начала", "середины", "весь",
};
constexpr std::array<std::string_view, 4> kEnglishOrdinalSuffixes = {"st", "nd", "rd", "th"};

// The leading ASCII digits of `word` as a number, if it has 1..4 of them and `rest` follows.
std::optional<int> number_then(std::string_view word, std::string_view* rest = nullptr) {
    std::size_t i = 0;
    int value = 0;
    while (i < word.size() && i < 5 && word[i] >= '0' && word[i] <= '9') value = value * 10 + (word[i++] - '0');
    if (i == 0 || i > 4) return std::nullopt;
    if (rest)
        *rest = word.substr(i);
    else if (i != word.size())
        return std::nullopt;
    return value;
}

bool is_day_number(std::string_view word) {
    std::string_view rest;
    const auto n = number_then(word, &rest);
    return n && *n >= 1 && *n <= 31 && (rest.empty() || one_of(kEnglishOrdinalSuffixes, rest) || rest == "го");
}

bool is_year(std::string_view word) {
    const auto n = number_then(word);
    return n && word.size() == 4 && *n >= 1900 && *n <= 2099;
}

// "2024-03-12", "12.03.2024", "12/03/24", "18:00", "6:30pm", "6pm", "11am".
bool is_date_or_time_shape(std::string_view word) {
    std::string_view rest;
    const auto first = number_then(word, &rest);
    if (!first) return false;
    if (rest == "am" || rest == "pm") return *first >= 1 && *first <= 12;
    if (rest.empty() || (rest[0] != '-' && rest[0] != '.' && rest[0] != '/' && rest[0] != ':')) return false;
    const char separator = rest[0];
    std::string_view tail;
    const auto second = number_then(rest.substr(1), &tail);
    if (!second) return false;
    if (separator == ':') {
        const bool two_digits = rest.size() - 1 - tail.size() == 2;
        return two_digits && *first <= 24 && *second <= 59 && (tail.empty() || tail == "am" || tail == "pm");
    }
    if (tail.empty() || tail[0] != separator) return false;
    const auto third = number_then(tail.substr(1));
    if (!third) return false;
    if (separator == '-') return *first >= 1900 && *second >= 1 && *second <= 12 && *third >= 1 && *third <= 31;
    const bool year_last = tail.size() - 1 == 2 || tail.size() - 1 == 4;
    return year_last && *first >= 1 && *first <= 31 && *second >= 1 && *second <= 31 && (*first <= 12 || *second <= 12);
}

// "6.30" or "12.03" or "12/03" only count after a word that sets up a time or a date.
bool is_short_date_or_time(std::string_view word, std::string_view before, std::string_view after) {
    static constexpr std::array<std::string_view, 16> kBefore = {
        "at", "by", "until", "till", "on", "from", "в", "к", "до", "с", "со", "по", "на", "около", "после", "от",
    };
    static constexpr std::array<std::string_view, 6> kAfter = {"am", "pm", "утра", "вечера", "дня", "ночи"};
    std::string_view rest;
    const auto first = number_then(word, &rest);
    if (!first || rest.size() < 2 || (rest[0] != '.' && rest[0] != '/')) return false;
    const auto second = number_then(rest.substr(1));
    if (!second || !(one_of(kBefore, before) || one_of(kAfter, after))) return false;
    const bool time = rest[0] == '.' && rest.size() == 3 && *first <= 23 && *second <= 59;
    const bool date = *first >= 1 && *first <= 31 && *second >= 1 && *second <= 12;
    return time || date;
}

const PatternSet& date_patterns() {
    static const PatternSet kPatterns({
        // English
        "tomorrow|tonight|yesterday|tmrw|tmr|tomorow",
        "monday|tuesday|wednesday|thursday|friday|saturday|sunday",
        "mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays|weekday|weekdays",
        "this|next|last|coming|following week|month|year|weekend|morning|afternoon|evening|night|summer|winter|"
        "spring|autumn",
        "the|this|next|on|at|over weekend|weekends",
        "in|within ?a|an|the ?next|coming ?#|one|two|three|four|five|six|seven|eight|nine|ten|few|couple|several|half "
        "?of|a|an day|days|week|weeks|month|months|year|years|fortnight",  // not minutes: "ran 5k in 25 minutes"
        "minute|minutes|hour|hours|day|days|week|weeks|month|months|year|years ago",
        "noon|midnight|o'clock|oclock",
        "# am|pm",
        "# a|p m",
        "every|each day|morning|evening|night|week|weekend|month|year|afternoon",
        "day after tomorrow",
        // Russian
        "завтра|послезавтра|вчера|позавчера|завтрашний|завтрашнее|завтрашняя|завтрашнего",
        "сегодня вечером|утром|днем|ночью",
        "понедельник|понедельника|понедельнику|понедельникам|вторник|вторника|вторнику|вторникам|четверг|четверга|"
        "четвергу|четвергам|пятница|пятницу|пятницы|пятнице|пятницам|суббота|субботу|субботы|субботе|субботам|"
        "воскресенье|воскресенья|воскресеньям",
        "в|во|на|до|с|со|каждую|эту|следующую|прошлую|ближайшую среду|среды",
        "к среде",
        "по средам",
        "январе|феврале|марте|апреле|мае|июне|июле|августе|сентябре|октябре|ноябре|декабре",
        "на|весь|этот|следующий|прошлый|каждый|до|к январь|февраль|март|апрель|май|июнь|июль|август|сентябрь|"
        "октябрь|ноябрь|декабрь",
        "следующей|этой|прошлой|будущей|ближайшей неделе",
        "следующем|этом|прошлом|будущем месяце|году",
        "следующий|этот|будущий месяц|год",
        "на|в|эти|этих|следующих|прошлых|ближайшие|ближайших выходные|выходных",
        "через ~? ~? минуту|минуты|минут|час|часа|часов|полчаса|день|дня|дней|неделю|недели|недель|месяц|месяца|"
        "месяцев|год|года|лет",
        "минуту|минуты|минут|час|часа|часов|день|дня|дней|неделю|недели|недель|месяц|месяца|месяцев|год|года|лет "
        "назад",
        "каждый|каждую|каждое|каждые день|вечер|утро|неделю|месяц|год|выходные",
        "по утрам|вечерам|выходным|будням|ночам",
        "полдень|полночь",
        "# утра|вечера|ночи",
        "в|к|до|с|после|около # часов|часа|час|дня",
    });
    return kPatterns;
}

bool month_with_day_or_year(const std::vector<Word>& words, std::size_t i) {
    const std::string_view month = words[i].text;
    const std::string_view before = i > 0 ? std::string_view(words[i - 1].text) : "";
    const std::string_view after = i + 1 < words.size() ? std::string_view(words[i + 1].text) : "";
    if (one_of(kEnglishMonths, month)) {
        if (is_day_number(before) || is_day_number(after) || is_year(after)) return true;
        if (before == "of" && i > 1 && is_day_number(words[i - 2].text)) return true;  // the 12th of March
        return month.size() > 3 && one_of(kBeforeMonthOrYear, before);                 // not "may": "this may help"
    }
    if (one_of(kRussianMonthsGenitive, month)) {
        return is_day_number(before) || before.ends_with("ого") || one_of(kBeforeMonthOrYear, before);
    }
    return false;
}

}  // namespace

bool mentions_date_or_time(const std::vector<Word>& words) {
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string_view word = words[i].text;
        const std::string_view before = i > 0 ? std::string_view(words[i - 1].text) : "";
        const std::string_view after = i + 1 < words.size() ? std::string_view(words[i + 1].text) : "";
        if (is_date_or_time_shape(word) || is_short_date_or_time(word, before, after)) return true;
        if (month_with_day_or_year(words, i)) return true;
        if (is_year(word) && (one_of(kBeforeMonthOrYear, before) || after == "году" || after == "года" ||
                              after == "год" || after == "г"))
            return true;
        // "on the 12th", "12 числа".
        const bool ordinal = is_day_number(word) && !number_then(word);
        if (ordinal && (before == "on" || (before == "the" && i > 1 && words[i - 2].text == "on"))) return true;
        if (is_day_number(word) && after == "числа") return true;
        // "at 7", "until 10": an hour after a word that asks for one.
        const auto hour = number_then(word);
        if (hour && *hour <= 24 && (before == "at" || before == "until" || before == "till")) return true;
    }
    return date_patterns().found_in(words);
}

}  // namespace aimi::memory
