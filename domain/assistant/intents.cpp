#include "domain/assistant/intents.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "domain/memory/emotions.hpp"
#include "domain/memory/stop_words.hpp"
#include "domain/memory/utf8.hpp"
#include "domain/text.hpp"

namespace aimi::assistant {
namespace {

using Tokens = std::vector<Token>;
using Mask = std::vector<bool>;
using std::chrono::days;
using std::chrono::sys_days;

constexpr std::size_t kMaxTitle = 500;  // code points, as the command schemas allow
constexpr int kMaxScheduleDays = 31;    // list_schedule's widest window

bool is(const Tokens& t, std::size_t i, std::string_view alternatives) {
    return i < t.size() && match_phrase(t, i, alternatives).has_value();
}

bool any_token(const Tokens& t, std::string_view alternatives) {
    for (std::size_t i = 0; i < t.size(); ++i)
        if (is(t, i, alternatives)) return true;
    return false;
}

//! One past the first of `phrases` found at `at`.
std::optional<std::size_t> match_any(const Tokens& t, std::size_t at, std::initializer_list<std::string_view> phrases) {
    for (const std::string_view phrase : phrases)
        if (const auto end = match_phrase(t, at, phrase)) return end;
    return std::nullopt;
}

void mark(Mask& mask, std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to && i < mask.size(); ++i) mask[i] = true;
}

Mask merge(Mask a, const Mask& b) {
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) a[i] = a[i] || b[i];
    return a;
}

// Words that open a message without meaning anything: "ok, so, please remind me…"
constexpr std::string_view kOpeners =
    "hey|hi|hello|ok|okay|so|please|pls|aimi|and|also|then|well|привет|пожалуйста|слушай|ну|так|а|и|еще|эй|аими";
// Words a title does not start or end with once its command and time are cut out.
constexpr std::string_view kLeadFiller =
    "to|me|please|pls|that|about|for|of|and|then|so|also|i|пожалуйста|мне|что|чтобы|о|об|обо|про|и|а|то|ну";
constexpr std::string_view kTrailFiller =
    "please|pls|пожалуйста|плиз|and|и|to|at|on|in|by|for|from|в|во|на|к|до|с|thanks|thank|спасибо|then|потом|ok|"
    "okay|а";

std::size_t skip_openers(const Tokens& t) {
    std::size_t i = 0;
    while (i < t.size() && is(t, i, kOpeners)) ++i;
    return i;
}

std::u32string code_points(std::string_view text) {
    std::u32string out;
    for (std::size_t i = 0; i < text.size();) {
        const auto [c, length] = memory::decode_utf8(text, i);
        out += c;
        i += length;
    }
    return out;
}

//! Two words are the same word if equal, or if they share a stem: a common prefix of at least
//! three letters that leaves at most two letters of the shorter ("run" ~ "running", "маме" ~ "мама").
bool similar(const std::u32string& a, const std::u32string& b) {
    if (a == b) return true;
    const std::size_t shorter = std::min(a.size(), b.size());
    if (shorter < 3) return false;
    std::size_t common = 0;
    while (common < shorter && a[common] == b[common]) ++common;
    return common >= 3 && common + 2 >= shorter;
}

std::vector<std::u32string> content_words(std::string_view text) {
    std::vector<std::u32string> out;
    for (const Token& token : tokenize(text))
        if (!memory::is_stop_word(token.text) && memory::count_code_points(token.text) >= 2)
            out.push_back(code_points(token.text));
    return out;
}

// ---------------------------------------------------------------------------------------------
// Titles

//! The text of token i, with a "+" or "#" right after it ("C++", "C#").
std::size_t token_end(std::string_view message, const Token& token) {
    std::size_t end = token.end;
    while (end < message.size() && (message[end] == '+' || message[end] == '#')) ++end;
    return end;
}

//! The user's own words left once `removed` tokens are cut: neighbours keep the text between them,
//! words brought together by a cut get one space; filler at either end goes.
std::string build_title(std::string_view message, const Tokens& t, const Mask& removed) {
    std::vector<std::size_t> kept;
    for (std::size_t i = 0; i < t.size(); ++i)
        if (i >= removed.size() || !removed[i]) kept.push_back(i);
    std::size_t first = 0, last = kept.size();
    while (first < last && is(t, kept[first], kLeadFiller)) ++first;
    while (last > first && is(t, kept[last - 1], kTrailFiller)) --last;
    std::string out;
    for (std::size_t k = first; k < last; ++k) {
        const std::size_t i = kept[k];
        if (k > first) {
            const std::size_t previous = kept[k - 1];
            const std::size_t gap_from = token_end(message, t[previous]);
            if (previous + 1 == i && gap_from <= t[i].begin) {
                out += message.substr(gap_from, t[i].begin - gap_from);
            } else {
                out += ' ';
            }
        }
        out += message.substr(t[i].begin, token_end(message, t[i]) - t[i].begin);
    }
    return clean_text(out, kMaxTitle);
}

// ---------------------------------------------------------------------------------------------
// Triggers: each gives the tokens to cut from the title, or nullopt when absent.

std::optional<Mask> reminder_trigger(const Tokens& t) {
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (!is(t, i, "remind|reminder|напомни|напомните|напомнить|напомнишь|напоминание|напоминалку")) continue;
        std::size_t from = i, to = i + 1;
        while (from > 0 && is(t, from - 1,
                              "set|add|create|make|a|an|please|pls|can|could|would|will|you|поставь|поставить|"
                              "создай|добавь|сделай|пожалуйста|можешь|можете|ты"))
            --from;
        while (is(t, to, "me|us|мне|нам")) ++to;
        if (is(t, to, "to|about|that|of|for|о|об|обо|про|что|чтобы")) ++to;
        Mask mask(t.size(), false);
        mark(mask, from, to);
        return mask;
    }
    return std::nullopt;
}

std::optional<Mask> task_trigger(const Tokens& t, std::size_t s) {
    constexpr std::string_view kVerbs = "add|create|make|put|добавь|добавить|создай|создать|запиши|записать|заведи";
    const auto noun_at = [&](std::size_t k) -> std::optional<std::size_t> {
        if (is(t, k, "task|todo|задачу|задача|задачку|задание|туду")) return k + 1;
        if (is(t, k, "to") && is(t, k + 1, "do")) return k + 2;
        return std::nullopt;
    };
    Mask mask(t.size(), false);
    std::size_t k = s;
    const bool verb = is(t, k, kVerbs);
    if (verb) ++k;
    if (is(t, k, "a|an|the|one")) ++k;
    const bool fresh = is(t, k, "new|новая|новую|новое");
    if (fresh) ++k;
    if (const auto end = noun_at(k)) {
        // "task: file taxes", "new task buy milk", "добавь задачу …"; a bare "task …" needs its colon.
        const bool colon = *end < t.size() && t[*end].after_break;
        if (verb || fresh || colon) {
            std::size_t to = *end;
            if (is(t, to, "to|called|named|about|что|чтобы")) ++to;
            mark(mask, s, to);
            return mask;
        }
    }
    if (!verb) return std::nullopt;
    // "add X to my list / tasks / to-do list", "добавь X в список дел / в задачи"
    for (std::size_t j = s + 2; j < t.size(); ++j) {
        const auto end =
            match_any(t, j,
                      {"to my todo list", "to my to do list", "to my task list", "to my tasks", "to my list",
                       "to my todo", "to the list", "to tasks", "в список дел", "в мой список", "в список задач",
                       "в список", "в задачи", "в мои задачи", "в дела"});
        if (end) {
            mark(mask, s, s + 1);
            mark(mask, j, *end);
            return mask;
        }
    }
    return std::nullopt;
}

std::optional<Mask> done_trigger(const Tokens& t, std::size_t s) {
    constexpr std::string_view kDoneVerb =
        "finished|completed|done|сделал|сделала|закончил|закончила|выполнил|выполнила|доделал|доделала";
    constexpr std::string_view kDoneTail =
        "done|complete|completed|finished|off|выполненной|выполненным|выполненную|выполнено|сделанной|сделанным|"
        "сделанную|готовой|готовым";
    Mask mask(t.size(), false);
    const auto cut_nouns = [&](std::size_t k) {
        while (is(t, k, "the|my|task|задачу|задача|мою")) mask[k++] = true;
    };
    // "mark X as done", "check off X", "отметь задачу X выполненной"
    if (is(t, s, "mark|check|tick|cross|отметь|отметить|пометь|пометить|отмечай")) {
        mask[s] = true;
        std::size_t k = s + 1;
        if (is(t, k, "off")) mask[k++] = true;
        cut_nouns(k);
        for (std::size_t j = t.size(); j-- > k;) {
            if (!is(t, j, kDoneTail)) continue;
            std::size_t from = j;
            if (from > k && is(t, from - 1, "as|как")) --from;
            mark(mask, from, j + 1);
            return mask;
        }
        if (is(t, s + 1, "off")) return mask;  // "check off X"
        return std::nullopt;
    }
    // "done: X", "done with X", "finished X", "готово: X", "сделал X"
    if (is(t, s, kDoneVerb) || is(t, s, "готово|сделано|выполнено")) {
        mark(mask, s, s + 1);
        std::size_t k = s + 1;
        if (is(t, k, "with|с|со")) mask[k++] = true;
        cut_nouns(k);
        return mask;
    }
    // "I finished X", "I've just completed X", "I'm done with X", "я сделал X"
    if (is(t, s, "i|i've|ive|я|i'm|im")) {
        std::size_t k = s + 1;
        while (is(t, k, "have|just|already|am|уже|только|что")) ++k;
        if (is(t, k, kDoneVerb)) {
            mark(mask, s, k + 1);
            k += 1;
            if (is(t, k, "with|с|со")) mask[k++] = true;
            cut_nouns(k);
            return mask;
        }
    }
    // "X is done", "X — готово"
    if (t.size() >= 2) {
        const std::size_t last = t.size() - 1;
        if (is(t, last, "done|finished|complete|completed") && is(t, last - 1, "is")) {
            mark(mask, last - 1, last + 1);
            return mask;
        }
        if (is(t, last, "готово|сделано|выполнено") && t[last].after_break) {
            mask[last] = true;
            return mask;
        }
    }
    return std::nullopt;
}

std::optional<Mask> goal_trigger(const Tokens& t, std::size_t s) {
    std::optional<std::size_t> end =
        match_any(t, s,
                  {"my goal is to", "my goal is", "my goal", "my new goal is to", "my new goal is", "new goal",
                   "моя цель это", "моя цель", "моя новая цель", "новая цель", "моей целью будет"});
    if (!end && is(t, s, "set|add|create|поставь|добавь|создай")) {
        std::size_t k = s + 1;
        if (is(t, k, "a|an|new|новую")) ++k;
        if (is(t, k, "goal|цель")) end = k + 1;
    }
    if (!end && is(t, s, "goal|цель") && s + 1 < t.size() && t[s + 1].after_break) end = s + 1;  // "goal: …"
    if (!end) return std::nullopt;
    if (is(t, *end, "to|is|это")) ++*end;
    Mask mask(t.size(), false);
    mark(mask, s, *end);
    return mask;
}

//! "I want to …", "хочу …": at `s`, or anywhere when `anywhere` ("every weekday at 7 I want to …").
std::optional<Mask> wish_trigger(const Tokens& t, std::size_t s, bool anywhere) {
    for (std::size_t at = s; at < t.size(); ++at) {
        const auto end = match_any(
            t, at,
            {"i want to",        "i wanna",        "i'd like to",      "id like to",  "i would like to", "i plan to",
             "i'm planning to",  "im planning to", "i am planning to", "i aim to",    "i hope to",       "i intend to",
             "i really want to", "я очень хочу",   "я хочу",           "хочу",        "я бы хотел",      "я бы хотела",
             "хотел бы",         "хотела бы",      "я хотел бы",       "я хотела бы", "мне хочется",     "хочется",
             "я планирую",       "планирую",       "я мечтаю",         "мечтаю"});
        if (end) {
            Mask mask(t.size(), false);
            mark(mask, at, *end);
            return mask;
        }
        if (!anywhere) break;
    }
    return std::nullopt;
}

std::optional<Mask> habit_word(const Tokens& t, std::size_t s) {
    const auto end = match_any(t, s,
                               {"new habit", "start a habit of", "start a habit", "start the habit of", "habit",
                                "новая привычка", "привычка", "хочу привычку", "заведи привычку", "добавь привычку"});
    if (!end) return std::nullopt;
    Mask mask(t.size(), false);
    std::size_t to = *end;
    if (is(t, to, "to|of")) ++to;
    mark(mask, s, to);
    return mask;
}

bool asks_progress(const Tokens& t, std::size_t s) {
    if (any_token(t, "progress|прогресс|продвигается|продвигаются|продвижение|успехи|успехов")) return true;
    if (match_any(t, s, {"how am i doing", "how am i going", "how'm i doing", "how far am i", "how far along"}))
        return true;
    if (is(t, s, "how's|hows|how") && (any_token(t, "goal|goals") || (any_token(t, "going") && any_token(t, "my"))))
        return true;
    if (match_any(t, s, {"как дела с", "как дела со", "как там", "как идет", "как идут", "как у меня с"})) return true;
    return false;
}

bool asks_schedule(const Tokens& t, std::size_t s) {
    return match_any(t, s,
                     {"what's|whats on",
                      "what is|are on",
                      "what's|whats planned|scheduled|happening",
                      "what is|are planned|scheduled|happening",
                      "what do|did i have",
                      "what have i got",
                      "what's|whats my schedule|agenda|calendar|plan|plans|day|week",
                      "what is|are my schedule|agenda|calendar|plan|plans|day|week",
                      "show|tell|give me my schedule|agenda|calendar|plans|day|week",
                      "show|tell|give my schedule|agenda|calendar|plans",
                      "my schedule|agenda|calendar|plans",
                      "schedule|agenda|calendar|plans",
                      "anything on|planned|scheduled",
                      "do i have anything",
                      "am i free|busy",
                      "any plans|meetings|events",
                      "что у меня",
                      "что на",
                      "что сегодня|завтра|послезавтра",
                      "что в",
                      "какие планы",
                      "какие у меня планы|дела",
                      "планы на",
                      "мои планы",
                      "расписание",
                      "покажи расписание|планы|календарь|дела",
                      "что запланировано",
                      "чем я занят|занята"})
        .has_value();
}

// "mood 7/10", "mood: 3", "energy 3", "настроение 8 из 10", "энергия на 4"
//! A score at k: "7", "7/10", "3/5", "7 out of 10", "8 из 10", scaled to 1..10.
std::optional<int> score_at(const Tokens& t, std::size_t k) {
    if (k >= t.size()) return std::nullopt;
    const std::string& w = t[k].text;
    int n = 0, scale = 10;
    const std::size_t slash = w.find('/');
    const auto number = [](std::string_view s) -> std::optional<int> {
        if (s.empty() || s.size() > 2 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return std::nullopt;
        return std::stoi(std::string(s));
    };
    if (slash != std::string::npos) {
        const auto a = number(std::string_view(w).substr(0, slash));
        const auto b = number(std::string_view(w).substr(slash + 1));
        if (!a || !b) return std::nullopt;
        n = *a, scale = *b;
    } else if (const auto a = number(w)) {
        n = *a;
        if (const auto end = match_any(t, k + 1, {"out of", "из"}); end && number(*end < t.size() ? t[*end].text : ""))
            scale = *number(t[*end].text);
    } else {
        return std::nullopt;
    }
    if ((scale != 10 && scale != 5) || n > scale) return std::nullopt;
    return std::clamp(static_cast<int>(std::lround(n * 10.0 / scale)), 1, 10);
}

struct Scores {
    std::optional<int> mood;
    std::optional<int> energy;
};

Scores explicit_scores(const Tokens& t) {
    Scores scores;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const bool mood = is(t, i, "mood|настроение|настрой");
        const bool energy = is(t, i, "energy|энергия|энергии|энергией");
        if (!mood && !energy) continue;
        std::size_t k = i + 1;
        while (is(t, k, "is|level|at|of|about|на|уровень|сегодня|today|где-то|около")) ++k;
        if (const auto value = score_at(t, k)) {
            auto& slot = mood ? scores.mood : scores.energy;
            if (!slot) slot = value;
        }
    }
    return scores;
}

bool is_greeting(const Tokens& t) {
    constexpr std::string_view kWords =
        "hi|hello|hey|hiya|yo|good|morning|afternoon|evening|day|there|aimi|how|how's|hows|is|it|going|what's|whats|up|"
        "are|you|doing|thanks|thank|thx|ty|so|"
        "much|a|lot|ok|okay|cool|привет|приветик|здравствуй|здравствуйте|добрый|доброе|доброй|день|утро|вечер|ночи|хай|"
        "салют|как|дела|ты|спасибо|благодарю|спс|большое|огромное|аими|тебе|вам";
    if (t.empty() || t.size() > 8) return false;
    for (std::size_t i = 0; i < t.size(); ++i)
        if (!is(t, i, kWords)) return false;
    return true;
}

std::string guess_category(const Tokens& title) {
    struct Category {
        std::string_view name;
        std::string_view words;
    };
    static constexpr std::array<Category, 4> kCategories{{
        {"health",
         "run|runs|running|runner|jog*|marathon*|gym|workout*|exercis*|fitness|health*|sleep*|weight|diet*|yoga|"
         "swim*|walk*|steps|meditat*|stretch*|бег*|пробеж*|полумарафон*|марафон*|зал|спорт*|здоров*|сон|спать|высып*|"
         "вес|похуд*|йог*|плав*|трениров*|зарядк*|медитир*"},
        {"learning",
         "learn*|study*|studi*|course*|language*|spanish|english|french|german|chinese|read|reading|book|books|exam*|"
         "degree|skill*|выучит*|учит*|изуч*|курс*|язык*|испанск*|английск*|немецк*|французск*|книг*|чита*|прочитат*|"
         "экзамен*|навык*"},
        {"finance",
         "money|save|saving*|invest*|budget*|debt*|финанс*|деньг*|денег|накоп*|сэконом*|инвест*|бюджет*|долг*|копит*"},
        {"career",
         "job|jobs|career*|promot*|work|interview*|resume|cv|salary|raise|работ*|карьер*|повышен*|собеседован*|"
         "резюме|зарплат*"},
    }};
    for (const Category& category : kCategories)
        for (std::size_t i = 0; i < title.size(); ++i)
            if (is(title, i, category.words)) return std::string(category.name);
    return "personal";
}

//! The words of the message that may name a goal or a task: not the command's, not stop words.
std::vector<std::string> naming_words(const Tokens& t, const Mask& cut, std::string_view vocabulary) {
    std::vector<std::string> words;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if ((i < cut.size() && cut[i]) || is(t, i, vocabulary) || memory::is_stop_word(t[i].text)) continue;
        if (memory::count_code_points(t[i].text) < 2) continue;
        words.push_back(t[i].text);
    }
    return words;
}

// ---------------------------------------------------------------------------------------------
// Intents

Intent habit_intent(std::string_view message, const Tokens& t, const Recurrence& rec, const Mask& trigger,
                    const Clock& clock) {
    const When when = find_when(t, clock.today, rec.used);
    Intent intent;
    intent.kind = IntentKind::habit;
    intent.title = capitalize_first(build_title(message, t, merge(merge(trigger, rec.used), when.used)));
    intent.rrule = rec.rrule();
    When timing = when;
    if (timing.part == DayPart::none) timing.part = rec.part;
    intent.at = first_occurrence(rec, time_of_day(timing, std::chrono::hours{9}), clock);
    return intent;
}

Intent reminder_intent(std::string_view message, const Tokens& t, const Mask& trigger, const Clock& clock) {
    const When when = find_when(t, clock.today);
    Intent intent;
    intent.kind = IntentKind::reminder;
    intent.title = build_title(message, t, merge(trigger, when.used));
    intent.at = reminder_time(when, clock);
    if (when.relative && when.after.count() > 0)
        intent.instant =
            std::chrono::ceil<std::chrono::minutes>(clock.now + when.after + std::chrono::hours{24 * when.after_days});
    return intent;
}

Intent goal_intent(std::string_view message, const Tokens& t, const Mask& trigger, const Clock& clock) {
    const When when = find_when(t, clock.today);
    Intent intent;
    intent.kind = IntentKind::goal;
    intent.title = capitalize_first(build_title(message, t, merge(trigger, when.used)));
    intent.date = due_day(when);
    intent.category = guess_category(tokenize(intent.title));
    return intent;
}

Intent task_intent(std::string_view message, const Tokens& t, const Mask& trigger, const Clock& clock) {
    const When when = find_when(t, clock.today);
    Intent intent;
    intent.kind = IntentKind::task;
    intent.title = build_title(message, t, merge(trigger, when.used));
    intent.date = due_day(when);
    if (!intent.date && (when.time || when.bare_time || when.relative))
        if (const auto at = reminder_time(when, clock)) intent.date = day_of(*at);
    return intent;
}

Intent schedule_intent(const Tokens& t, const Clock& clock) {
    const When when = find_when(t, clock.today);
    Intent intent;
    intent.kind = IntentKind::schedule;
    const sys_days today = clock.today;
    const sys_days monday = today + days{8 - std::chrono::weekday{today}.iso_encoding()};
    switch (when.period) {
        case Period::week:  // the rest of this ISO week: on a Sunday, just today
            intent.from = today, intent.to = monday;
            return intent;
        case Period::next_week:
            intent.from = monday, intent.to = monday + days{7};
            return intent;
        case Period::month:
        case Period::year:
        case Period::named_month:
            // The tool takes at most 31 days; a month already over ("by May 1990") still asks for
            // a valid window: today.
            intent.from = today;
            intent.to = std::clamp(*when.period_end + days{1}, today + days{1}, today + days{kMaxScheduleDays});
            return intent;
        case Period::none:
            break;
    }
    intent.from = when.day.value_or(today);
    if (when.relative && when.after_days > 0) intent.from = today + days{when.after_days};
    intent.to = intent.from + days{1};
    return intent;
}

Intent check_in_intent(const Scores& scores, const std::optional<memory::ExtractedMentalState>& state) {
    Intent intent;
    intent.kind = IntentKind::check_in;
    intent.mood = scores.mood;
    intent.energy = scores.energy;
    if (state) {
        if (!intent.mood) intent.mood = state->mood;
        if (!intent.energy && state->energy > 0) intent.energy = state->energy;
        intent.emotions = state->emotions;
        if (intent.emotions.size() > 10) intent.emotions.resize(10);
    }
    return intent;
}

}  // namespace

Language language_of(std::string_view message, std::string_view locale) {
    bool letters = false;
    for (std::size_t i = 0; i < message.size();) {
        const auto [c, length] = memory::decode_utf8(message, i);
        if (c >= 0x0400 && c <= 0x04FF) return Language::ru;
        if (memory::is_letter_or_digit(c) && !memory::is_ascii_digit(c)) letters = true;
        i += length;
    }
    if (!letters && (locale.starts_with("ru") || locale.starts_with("RU"))) return Language::ru;
    return Language::en;
}

// The order settles overlaps: explicit scores ("mood 7") first; a reminder with a recurrence is a
// habit; marking done and adding a task before goals ("I finished…", "todo:…"); explicit goals
// ("my goal is…") before questions; mood words before a bare wish ("хочу спать" is a check-in, not
// a goal); a recurrence with mood words and no wish is a check-in ("every day I feel tired").
Intent classify(std::string_view message, const Clock& clock) {
    const Tokens t = tokenize(message);
    if (t.empty()) return Intent{};
    const std::size_t s = skip_openers(t);
    const Scores scores = explicit_scores(t);
    if (scores.mood || scores.energy) return check_in_intent(scores, memory::extract_mental_state(message));

    const auto recurrence = find_recurrence(t);
    if (const auto trigger = reminder_trigger(t)) {
        if (recurrence) return habit_intent(message, t, *recurrence, *trigger, clock);
        return reminder_intent(message, t, *trigger, clock);
    }
    if (const auto trigger = done_trigger(t, s)) {
        Intent intent;
        intent.kind = IntentKind::task_done;
        intent.words = naming_words(t, *trigger, "task|tasks|задачу|задача|задачи|done|готово");
        return intent;
    }
    if (const auto trigger = task_trigger(t, s)) return task_intent(message, t, *trigger, clock);
    if (const auto trigger = goal_trigger(t, s)) {
        if (recurrence) return habit_intent(message, t, *recurrence, *trigger, clock);
        return goal_intent(message, t, *trigger, clock);
    }
    if (asks_progress(t, s)) {
        Intent intent;
        intent.kind = IntentKind::progress;
        intent.words = naming_words(
            t, {},
            "how|how's|hows|how'm|am|doing|going|far|along|progress|goal|goals|прогресс|продвигается|продвигаются|"
            "продвижение|успехи|успехов|как|дела|целью|цель|цели|целей|идет|идут|там|мой|моя|моей|моим|мои|моих");
        return intent;
    }
    if (asks_schedule(t, s)) return schedule_intent(t, clock);

    const auto state = memory::extract_mental_state(message);
    const auto wish = wish_trigger(t, s, false);
    const auto habit = habit_word(t, s);
    if (const auto wish_anywhere = wish_trigger(t, s, true); recurrence && (wish_anywhere || habit || !state)) {
        const Mask trigger = wish_anywhere ? *wish_anywhere : (habit ? *habit : Mask(t.size(), false));
        Intent intent = habit_intent(message, t, *recurrence, trigger, clock);
        if (!intent.title.empty() || wish_anywhere || habit) return intent;
    }
    if (state) return check_in_intent(scores, state);
    if (wish) return goal_intent(message, t, *wish, clock);
    if (is_greeting(t)) {
        Intent intent;
        intent.kind =
            any_token(t, "thanks|thank|thx|ty|спасибо|благодарю|спс") ? IntentKind::thanks : IntentKind::greeting;
        return intent;
    }
    return Intent{};
}

std::optional<std::size_t> best_match(const std::vector<std::string>& words, const std::vector<std::string>& titles) {
    std::vector<std::u32string> query;
    for (const std::string& word : words)
        if (!memory::is_stop_word(word)) query.push_back(code_points(word));
    std::optional<std::size_t> best;
    std::size_t best_score = 0;
    for (std::size_t i = 0; i < titles.size(); ++i) {
        const auto title = content_words(titles[i]);
        std::size_t score = 0;
        for (const auto& q : query)
            if (std::any_of(title.begin(), title.end(), [&](const std::u32string& w) { return similar(q, w); }))
                ++score;
        if (score > best_score) best = i, best_score = score;
    }
    return best;
}

std::string capitalize_first(std::string_view text) {
    if (text.empty()) return std::string(text);
    const auto [c, length] = memory::decode_utf8(text, 0);
    char32_t upper = c;
    if (c >= U'a' && c <= U'z') {
        upper = c - 0x20;
    } else if (c >= 0x0430 && c <= 0x044F) {
        upper = c - 0x20;  // а..я
    } else if (c >= 0x0450 && c <= 0x045F) {
        upper = c - 0x50;  // ѐ..џ, ё among them
    } else if (c >= 0x00E0 && c <= 0x00FE && c != 0x00F7) {
        upper = c - 0x20;
    }
    std::string out;
    append_utf8(out, upper);
    out += text.substr(length);
    return out;
}

std::string clean_text(std::string_view text, std::size_t max_code_points, bool keep_newlines) {
    std::string out;
    out.reserve(text.size());
    bool space = false;
    for (std::size_t i = 0; i < text.size();) {
        const auto [c, length] = memory::decode_utf8(text, i);
        i += length;
        if (c == memory::kReplacementCharacter && length == 1) continue;  // invalid bytes
        const bool whitespace = c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || c == 0x00A0;
        if (keep_newlines) {
            if (c == U'\n' || c == U'\t' || (c >= 0x20 && c != 0x7F && (c < 0x80 || c > 0x9F))) append_utf8(out, c);
            continue;
        }
        if (whitespace) {
            space = !out.empty();
            continue;
        }
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F)) continue;
        if (space) out += ' ';
        space = false;
        append_utf8(out, c);
    }
    out = clip_utf8(out, max_code_points);
    if (!keep_newlines)
        while (!out.empty() && out.back() == ' ') out.pop_back();  // a clip may end on a space
    return out;
}

}  // namespace aimi::assistant
