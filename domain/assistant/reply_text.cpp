#include "domain/assistant/reply_text.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace aimi::assistant::reply {

using std::chrono::days;
using std::chrono::sys_days;

namespace {

// Patterns are chosen by language at run time, so they are checked by the tests, not the compiler.
template <typename... Args>
std::string format(std::string_view pattern, const Args&... args) {
    return fmt::vformat(pattern, fmt::make_format_args(args...));
}

constexpr std::size_t kMaxListed = 10;       // titles named in a "which one?" reply
constexpr std::size_t kMaxOccurrences = 30;  // occurrences told in a schedule reply

bool ru(Language language) {
    return language == Language::ru;
}

//! "A; B; C", or "A; B; … and 3 more" past `limit`.
std::string listing(const std::vector<std::string>& items, std::size_t limit, Language language) {
    std::string out;
    for (std::size_t i = 0; i < items.size() && i < limit; ++i) {
        if (i > 0) out += "; ";
        out += items[i];
    }
    if (items.size() > limit) out += format(ru(language) ? " и ещё {}" : " and {} more", items.size() - limit);
    return out;
}

std::string_view category_name(std::string_view category, Language language) {
    if (!ru(language)) return category;
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kNames{{
        {"career", "карьера"},
        {"health", "здоровье"},
        {"learning", "обучение"},
        {"finance", "финансы"},
        {"personal", "личное"},
        {"social", "общение"},
        {"creative", "творчество"},
        {"other", "другое"},
    }};
    for (const auto& [name, russian] : kNames)
        if (name == category) return russian;
    return category;
}

std::string failure_detail(std::string_view code, std::string_view message) {
    if (message.empty()) return code.empty() ? std::string() : format("({})", code);
    if (code.empty()) return std::string(message);
    return format("{} ({})", message, code);
}

std::string join_days(const std::vector<std::string>& names, std::string_view and_word) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += i + 1 == names.size() ? format(" {} ", and_word) : ", ";
        out += names[i];
    }
    return out;
}

}  // namespace

std::string day_text(sys_days day, Language language, int this_year, bool with_year) {
    static constexpr std::array<std::string_view, 7> kWeekdaysEn{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr std::array<std::string_view, 7> kWeekdaysRu{"вс", "пн", "вт", "ср", "чт", "пт", "сб"};
    static constexpr std::array<std::string_view, 12> kMonthsEn{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static constexpr std::array<std::string_view, 12> kMonthsRu{"янв.", "февр.", "мар.",  "апр.", "мая",   "июня",
                                                                "июля", "авг.",  "сент.", "окт.", "нояб.", "дек."};
    const std::chrono::year_month_day ymd{day};
    const unsigned wd = std::chrono::weekday{day}.c_encoding();
    const unsigned m = static_cast<unsigned>(ymd.month()) - 1;
    const unsigned d = static_cast<unsigned>(ymd.day());
    const int y = static_cast<int>(ymd.year());
    const bool year = with_year || y != this_year;
    if (ru(language))
        return year ? format("{}, {} {} {} г.", kWeekdaysRu[wd], d, kMonthsRu[m], y)
                    : format("{}, {} {}", kWeekdaysRu[wd], d, kMonthsRu[m]);
    return year ? format("{}, {} {}, {}", kWeekdaysEn[wd], kMonthsEn[m], d, y)
                : format("{}, {} {}", kWeekdaysEn[wd], kMonthsEn[m], d);
}

std::string clock_text(schedule::LocalSeconds at) {
    const auto day = std::chrono::floor<days>(at);
    const std::chrono::hh_mm_ss hms{at - day};
    return format("{:02}:{:02}", hms.hours().count(), hms.minutes().count());
}

std::string moment_text(schedule::LocalSeconds at, Language language, int this_year) {
    const sys_days day{std::chrono::floor<days>(at).time_since_epoch()};
    return format(ru(language) ? "{} в {}" : "{} at {}", day_text(day, language, this_year), clock_text(at));
}

std::string recurrence_text(std::string_view rrule, Language language) {
    const bool r = ru(language);
    if (rrule.find("INTERVAL=2") != std::string_view::npos) return r ? "через день" : "every other day";
    if (rrule.starts_with("FREQ=DAILY")) return r ? "каждый день" : "every day";
    const std::size_t by_day = rrule.find("BYDAY=");
    if (by_day == std::string_view::npos) return r ? "каждую неделю" : "every week";
    const std::string_view list = rrule.substr(by_day + 6, rrule.find(';', by_day) - by_day - 6);
    if (list == "MO,TU,WE,TH,FR") return r ? "по будням" : "every weekday";
    if (list == "SA,SU") return r ? "по выходным" : "every weekend";
    static constexpr std::array<std::string_view, 7> kCodes{"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
    static constexpr std::array<std::string_view, 7> kEn{"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                         "Friday", "Saturday", "Sunday"};
    static constexpr std::array<std::string_view, 7> kRu{"понедельникам", "вторникам", "средам",      "четвергам",
                                                         "пятницам",      "субботам",  "воскресеньям"};
    std::vector<std::string> names;
    for (std::size_t i = 0; i < kCodes.size(); ++i)
        if (list.find(kCodes[i]) != std::string_view::npos) names.emplace_back(r ? kRu[i] : kEn[i]);
    return r ? "по " + join_days(names, "и") : "every " + join_days(names, "and");
}

std::string reminder_set(std::string_view title, std::string_view when, std::string_view zone, Language language) {
    if (ru(language)) return format("Напомню: {} — {} ({}).", title, when, zone);
    return format("I'll remind you to {} on {} ({}).", title, when, zone);
}

std::string reminder_passed(std::string_view title, std::string_view when, Language language) {
    if (ru(language))
        return format(
            "Время {} уже прошло, поэтому напоминание «{}» не создано. Назови время в будущем — например, "
            "«завтра в 9 утра» или «через 2 часа».",
            when, title);
    return format(
        "{} has already passed, so I haven't set a reminder to {}. Tell me a time in the future — for example, "
        "\"tomorrow at 9am\" or \"in 2 hours\".",
        when, title);
}

std::string reminder_needs_time(std::string_view title, Language language) {
    if (ru(language)) return format("Когда напомнить: {}? Например: «завтра в 9 утра» или «через 2 часа».", title);
    return format("When should I remind you to {}? For example: \"tomorrow at 9am\" or \"in 2 hours\".", title);
}

std::string reminder_needs_what(Language language) {
    if (ru(language)) return "О чём и когда напомнить? Например: «напомни завтра в 18:00 позвонить маме».";
    return "What should I remind you about, and when? For example: \"remind me to call mom tomorrow at 6pm\".";
}

std::string habit_set(std::string_view name, std::string_view rule, std::string_view time, std::string_view first,
                      std::string_view zone, Language language) {
    if (ru(language))
        return format("Новая привычка: {} — {} в {}. Первый раз: {} ({}).", name, rule, time, first, zone);
    return format("New habit: {} — {} at {}. First time: {} ({}).", name, rule, time, first, zone);
}

std::string habit_without_event(std::string_view name, std::string_view failure, Language language) {
    if (ru(language))
        return format("Привычка «{}» создана, но добавить её в календарь не получилось: {}.", name, failure);
    return format("I created the habit \"{}\", but couldn't add it to your calendar: {}.", name, failure);
}

std::string event_without_habit(std::string_view name, std::string_view rule, std::string_view time,
                                std::string_view failure, Language language) {
    if (ru(language))
        return format("«{}» теперь в календаре {} в {}, но сохранить привычку не получилось: {}.", name, rule, time,
                      failure);
    return format("\"{}\" is on your calendar {} at {}, but I couldn't save it as a habit: {}.", name, rule, time,
                  failure);
}

std::string habit_needs_what(Language language) {
    if (ru(language)) return "Какую привычку завести? Например: «каждый будний день в 7 медитировать».";
    return "What habit would you like to build? For example: \"every weekday at 7 I want to meditate\".";
}

std::string goal_created(std::string_view title, std::optional<std::string> deadline, std::string_view category,
                         const std::vector<std::string>& similar, Language language) {
    const bool r = ru(language);
    std::string out = deadline ? format(r ? "Новая цель: {} (срок: {}; категория: {})."
                                          : "New goal: {} (deadline: {}; category: {}).",
                                        title, *deadline, category_name(category, language))
                               : format(r ? "Новая цель: {} (категория: {})." : "New goal: {} (category: {}).", title,
                                        category_name(category, language));
    if (!similar.empty())
        out += format(r ? " Похоже на цели, которые уже есть: {}." : " It looks similar to goals you have: {}.",
                      listing(similar, kMaxListed, language));
    return out;
}

std::string goal_needs_what(Language language) {
    if (ru(language)) return "Какую цель поставить? Например: «хочу пробежать полумарафон к маю».";
    return "What goal would you like to set? For example: \"I want to run a half marathon by May\".";
}

std::string task_added(std::string_view title, std::optional<std::string> due, Language language) {
    if (ru(language))
        return due ? format("Задача добавлена: {} (срок: {}).", title, *due) : format("Задача добавлена: {}.", title);
    return due ? format("Added to your tasks: {} (due {}).", title, *due) : format("Added to your tasks: {}.", title);
}

std::string task_needs_what(Language language) {
    if (ru(language)) return "Какую задачу добавить? Например: «добавь задачу купить продукты».";
    return "What should the task be? For example: \"add a task to buy groceries\".";
}

std::string task_done(std::string_view title, Language language) {
    if (ru(language))
        return title.empty() ? "Готово, задача выполнена. Так держать!"
                             : format("Готово, задача выполнена: {}. Так держать!", title);
    return title.empty() ? "Marked as done. Nice work!" : format("Marked as done: {}. Nice work!", title);
}

std::string no_task_match(const std::vector<std::string>& open_titles, Language language) {
    if (open_titles.empty())
        return ru(language) ? "Сейчас у тебя нет открытых задач — отмечать нечего."
                            : "You have no open tasks right now, so there's nothing to mark as done.";
    if (ru(language))
        return format("Не понятно, какую задачу ты имеешь в виду. Открытые задачи: {}. Например: «готово: {}».",
                      listing(open_titles, kMaxListed, language), open_titles.front());
    return format("I couldn't tell which task you mean. Your open tasks: {}. Try \"mark {} as done\".",
                  listing(open_titles, kMaxListed, language), open_titles.front());
}

std::string no_goal_match(const std::vector<std::string>& goal_titles, Language language) {
    if (goal_titles.empty())
        return ru(language)
                   ? "У тебя пока нет активных целей. Расскажи о цели — например, «хочу пробежать полумарафон к маю»."
                   : "You don't have any active goals yet. Tell me one — for example, \"I want to run a half marathon "
                     "by May\".";
    if (ru(language))
        return format("Не понятно, о какой цели речь. Активные цели: {}. Например: «как продвигается {}?»",
                      listing(goal_titles, kMaxListed, language), goal_titles.front());
    return format("I couldn't tell which goal you mean. Your active goals: {}. Try \"how am I doing on {}?\"",
                  listing(goal_titles, kMaxListed, language), goal_titles.front());
}

std::string progress(const Progress& p, Language language) {
    const bool r = ru(language);
    if (p.status == "done") return format(r ? "Цель «{}» достигнута — отлично!" : "{} is done — well done!", p.title);
    if (p.status == "cancelled" || p.status == "archived")
        return format(r ? "Цель «{}»: статус {}." : "{} is {}.", p.title, p.status);
    const std::int64_t total = p.tasks_open + p.tasks_done;
    std::string out = total == 0 ? format(r ? "{}: пока нет связанных задач" : "{}: no tasks linked yet", p.title)
                                 : format(r ? "{}: выполнено задач — {} из {}" : "{}: {} of {} tasks done", p.title,
                                          p.tasks_done, total);
    if (p.deadline) out += format(r ? "; срок: {}" : "; deadline {}", *p.deadline);
    if (!p.waiting_on.empty())
        out += format(r ? "; ждёт: {}" : "; waiting on: {}", listing(p.waiting_on, kMaxListed, language));
    return out + ".";
}

std::string check_in(int mood, std::optional<int> energy, const std::vector<std::string>& emotions, Language language) {
    const auto has = [&](std::initializer_list<std::string_view> names) {
        return std::any_of(emotions.begin(), emotions.end(), [&](const std::string& e) {
            return std::find(names.begin(), names.end(), e) != names.end();
        });
    };
    const bool r = ru(language);
    std::string_view text;
    if (has({"anxiety", "stress", "fear"})) {
        text = r ? "Звучит тревожно. Попробуй минуту медленно подышать — вдох на 4, выдох на 6, — а потом выбери один "
                   "маленький следующий шаг."
                 : "That sounds stressful. Try a minute of slow breathing — in for 4, out for 6 — and then pick one "
                   "small next step.";
    } else if (has({"tiredness"}) || (energy && *energy <= 3)) {
        text = r ? "Звучит утомительно. Если получится, сделай 10-минутный перерыв без экрана или выпей воды и "
                   "потянись."
                 : "That sounds draining. If you can, take a 10-minute break away from screens, or drink some water "
                   "and stretch.";
    } else if (has({"sadness", "loneliness"})) {
        text = r ? "Жаль, что тебе грустно. Может, написать близкому человеку или немного прогуляться?"
                 : "I'm sorry you're feeling down. Maybe message someone you trust, or take a short walk outside?";
    } else if (has({"anger", "frustration"})) {
        text = r ? "Похоже, это раздражает. Короткая пауза перед следующим делом может помочь — хотя бы небольшая "
                   "прогулка."
                 : "That sounds frustrating. A short pause before the next thing can help — even a quick walk.";
    } else if (mood >= 7) {
        text = r ? "Здорово! Какое одно дело хочется сделать, пока такой настрой?"
                 : "Great to hear! What's one thing you'd like to get done while you feel like this?";
    } else if (mood <= 4) {
        text = r ? "Похоже, сейчас непросто. Будь к себе бережнее — одного маленького простого дела сейчас достаточно."
                 : "Sorry it's a tough one. Be gentle with yourself — one small, easy task is enough for now.";
    } else {
        text = r ? "Спасибо, что делишься. Стакан воды и небольшая разминка — хорошая перезагрузка."
                 : "Thanks for checking in. A glass of water and a short stretch are a good reset.";
    }
    const std::string saved =
        energy ? format(r ? "Отметка сохранена: настроение {}/10, энергия {}/10."
                          : "Check-in saved: mood {}/10, energy {}/10.",
                        mood, *energy)
               : format(r ? "Отметка сохранена: настроение {}/10." : "Check-in saved: mood {}/10.", mood);
    return format("{} {}", text, saved);
}

std::string schedule(const std::vector<Occurrence>& occurrences, sys_days from, sys_days to, sys_days today,
                     Language language) {
    const bool r = ru(language);
    const int this_year = static_cast<int>(std::chrono::year_month_day{today}.year());
    const sys_days monday = today + days{8 - std::chrono::weekday{today}.iso_encoding()};
    const bool one_day = to - from == days{1};
    std::string label, empty;
    if (one_day && from == today) {
        label = r ? "Сегодня" : "Today";
        empty = r ? "Сегодня в календаре ничего нет." : "Nothing on your calendar today.";
    } else if (one_day && from == today + days{1}) {
        label = r ? "Завтра" : "Tomorrow";
        empty = r ? "Завтра в календаре ничего нет." : "Nothing on your calendar tomorrow.";
    } else if (one_day) {
        label = day_text(from, language, this_year);
        empty = format(r ? "На {} в календаре ничего нет." : "Nothing on your calendar on {}.", label);
    } else if (from == today && to == monday) {
        label = r ? "На этой неделе" : "This week";
        empty = r ? "До конца недели в календаре ничего нет." : "Nothing on your calendar for the rest of this week.";
    } else if (from == monday && to == monday + days{7}) {
        label = r ? "На следующей неделе" : "Next week";
        empty = r ? "На следующей неделе в календаре ничего нет." : "Nothing on your calendar next week.";
    } else {
        const std::string a = day_text(from, language, this_year), b = day_text(to - days{1}, language, this_year);
        label = format(r ? "С {} по {}" : "{} – {}", a, b);
        empty = format(r ? "С {} по {} в календаре ничего нет." : "Nothing on your calendar from {} to {}.", a, b);
    }
    if (occurrences.empty()) return empty;
    std::vector<std::string> items;
    for (const Occurrence& o : occurrences) {
        const auto at = schedule::parse_calendar_time(o.local_start);
        std::string when;
        if (at && !one_day) {
            const sys_days day{std::chrono::floor<days>(at->at).time_since_epoch()};
            when = day_text(day, language, this_year) + " ";
        }
        if (o.all_day || (at && at->is_date)) {
            when += r ? "весь день:" : "all day:";
        } else if (at) {
            when += clock_text(at->at);
        }
        items.push_back(when.empty() ? o.title : when + " " + o.title);
    }
    return format("{}: {}.", label, listing(items, kMaxOccurrences, language));
}

std::string failed(std::string_view tool, std::string_view code, std::string_view message, Language language) {
    struct Action {
        std::string_view tool, en, ru;
    };
    static constexpr std::array<Action, 8> kActions{{
        {"create_calendar_event", "set the reminder", "создать напоминание"},
        {"create_goal", "create the goal", "создать цель"},
        {"create_task", "add the task", "добавить задачу"},
        {"create_habit", "create the habit", "создать привычку"},
        {"record_mental_state", "save your check-in", "сохранить отметку настроения"},
        {"update_task", "mark the task as done", "отметить задачу выполненной"},
        {"list_schedule", "load your schedule", "загрузить расписание"},
        {"goal_progress", "load that goal's progress", "загрузить прогресс цели"},
    }};
    std::string_view action = ru(language) ? "выполнить это" : "do that";
    for (const Action& a : kActions)
        if (a.tool == tool) action = ru(language) ? a.ru : a.en;
    const bool r = ru(language);
    if (message.empty() && code.empty()) return format(r ? "Не получилось {}." : "Sorry, I couldn't {}.", action);
    if (message.empty()) return format(r ? "Не получилось {} ({})." : "Sorry, I couldn't {} ({}).", action, code);
    return format(r ? "Не получилось {}: {}." : "Sorry, I couldn't {}: {}.", action, failure_detail(code, message));
}

std::string failure_text(std::string_view code, std::string_view message) {
    return failure_detail(code, message);
}

std::string greeting(std::string_view name, Language language) {
    const std::string who = name.empty() ? std::string() : format(", {}", name);
    if (ru(language))
        return format(
            "Привет{}! Я могу ставить напоминания, вести цели, задачи и привычки, отмечать настроение и рассказывать о "
            "планах. Чем помочь?",
            who);
    return format(
        "Hi{}! I can set reminders, keep track of your goals, tasks and habits, note how you feel, and tell you what's "
        "on your schedule. What would you like to do?",
        who);
}

std::string thanks(Language language) {
    return ru(language) ? "Пожалуйста! Чем ещё помочь?" : "You're welcome! Anything else I can help with?";
}

std::string fallback(Language language) {
    if (ru(language))
        return "Не совсем понимаю, чем тут помочь. Я умею ставить напоминания, добавлять цели, задачи и привычки, "
               "отмечать настроение, показывать расписание и прогресс по целям. Например: «напомни завтра в 9 утра "
               "позвонить маме», «хочу выучить испанский к июню» или «что у меня сегодня?»";
    return "I'm not sure how to help with that. I can set reminders, add goals, tasks and habits, record how you feel, "
           "show your schedule and track progress on your goals. Try: \"remind me to call mom tomorrow at 6pm\", \"I "
           "want to run a half marathon by May\" or \"what's on today?\"";
}

}  // namespace aimi::assistant::reply
