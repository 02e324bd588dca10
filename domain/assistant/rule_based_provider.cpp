#include "domain/assistant/rule_based_provider.hpp"

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "domain/assistant/intents.hpp"
#include "domain/assistant/reply_text.hpp"
#include "domain/assistant/time_expressions.hpp"
#include "domain/assistant/tools.hpp"
#include "domain/memory/words.hpp"
#include "domain/schedule/calendar_time.hpp"
#include "domain/time.hpp"

namespace aimi::assistant {
namespace {

namespace bj = boost::json;

constexpr std::size_t kMaxNote = 2000;           // mental_state.create.v1 note
constexpr std::size_t kMaxRefusalMessage = 300;  // of a tool's refusal, quoted in a reply
constexpr std::size_t kMaxName = 60;             // of the user's name in a greeting
constexpr std::size_t kMaxTitle = 500;           // of a title read back from a tool's result

//! What one turn knows, and the words of the context it read (for usage).
struct Turn {
    const Context& context;
    std::string_view message;
    Language language;
    Clock clock;
    std::int64_t context_words = 0;

    int this_year() const { return static_cast<int>(std::chrono::year_month_day{clock.today}.year()); }
    void read(std::string_view text) { context_words += static_cast<std::int64_t>(memory::count_words(text)); }
};

ProviderAnswer text_answer(std::string text) {
    ProviderAnswer answer;
    answer.text = std::move(text);
    return answer;
}

ProviderAnswer calls_answer(std::vector<std::pair<std::string_view, bj::object>> calls) {
    ProviderAnswer answer;
    for (std::size_t i = 0; i < calls.size(); ++i)
        answer.tool_calls.push_back(
            ToolCall{"call_" + std::to_string(i + 1), std::string(calls[i].first), std::move(calls[i].second)});
    return answer;
}

//! [0]: remind at the event's time itself.
bj::array at_the_time() {
    bj::array offsets;
    offsets.emplace_back(0);
    return offsets;
}

std::string text_of(const bj::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::optional<std::int64_t> integer_of(const bj::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v && v->is_int64()) return v->get_int64();
    if (v && v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
    return std::nullopt;
}

const bj::object* object_of(const bj::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_object() ? &v->get_object() : nullptr;
}

const bj::array* array_of(const bj::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_array() ? &v->get_array() : nullptr;
}

// ---------------------------------------------------------------------------------------------
// First call: the message → tool calls, or a reply when nothing can be done

ProviderAnswer progress_answer(const Intent& intent, Turn& turn) {
    std::vector<std::string> titles, active;
    for (const GoalView& goal : turn.context.goals) {
        turn.read(goal.title);
        titles.push_back(goal.title);
        if (goal.status == "active") active.push_back(goal.title);
    }
    if (const auto match = intent.words.empty() ? std::nullopt : best_match(intent.words, titles))
        return calls_answer({{tools::kGoalProgress, bj::object{{"goal_id", turn.context.goals[*match].id}}}});
    return text_answer(reply::no_goal_match(active, turn.language));
}

ProviderAnswer task_done_answer(const Intent& intent, Turn& turn) {
    std::vector<const TaskView*> open;
    std::vector<std::string> titles;
    for (const TaskView& task : turn.context.tasks) {
        if (task.status == "done" || task.status == "archived") continue;
        turn.read(task.title);
        open.push_back(&task);
        titles.push_back(task.title);
    }
    if (const auto match = intent.words.empty() ? std::nullopt : best_match(intent.words, titles))
        return calls_answer({{tools::kUpdateTask, bj::object{{"task_id", open[*match]->id}, {"status", "done"}}}});
    return text_answer(reply::no_task_match(titles, turn.language));
}

ProviderAnswer first_answer(Turn& turn) {
    const Intent intent = classify(turn.message, turn.clock);
    const Language language = turn.language;
    switch (intent.kind) {
        case IntentKind::reminder: {
            if (intent.title.empty()) return text_answer(reply::reminder_needs_what(language));
            if (!intent.at) return text_answer(reply::reminder_needs_time(intent.title, language));
            if (!is_future(*intent.at, turn.clock))
                return text_answer(reply::reminder_passed(
                    intent.title, reply::moment_text(*intent.at, language, turn.this_year()), language));
            // No time_zone: the event floats with the user's zone, as the wall clock they said. A
            // time "in 2 hours" is an instant instead: due in UTC, which names every instant (a
            // local wall clock cannot name the second 02:30 of a fall-back night).
            bj::object args{{"title", intent.title},
                            {"due", schedule::format_local(*intent.at, false)},
                            {"type", "follow_up"},
                            {"source", "assistant"},
                            {"reminder_offsets_minutes", at_the_time()}};
            if (intent.instant) {
                const auto utc = std::chrono::floor<std::chrono::seconds>(*intent.instant);
                args["due"] = schedule::format_local(schedule::LocalSeconds{utc.time_since_epoch()}, false);
                args["time_zone"] = "UTC";
            }
            return calls_answer({{tools::kCreateCalendarEvent, std::move(args)}});
        }
        case IntentKind::habit: {
            if (intent.title.empty() || !intent.at) return text_answer(reply::habit_needs_what(language));
            return calls_answer(
                {{tools::kCreateHabit, bj::object{{"name", intent.title}, {"frequency", intent.rrule}}},
                 {tools::kCreateCalendarEvent, bj::object{{"title", intent.title},
                                                          {"start", schedule::format_local(*intent.at, false)},
                                                          {"rrule", intent.rrule},
                                                          {"type", "personal"},
                                                          {"source", "assistant"},
                                                          {"reminder_offsets_minutes", at_the_time()}}}});
        }
        case IntentKind::goal: {
            if (intent.title.empty()) return text_answer(reply::goal_needs_what(language));
            bj::object args{{"title", intent.title}, {"category", intent.category}};
            if (intent.date) args["deadline"] = format_date(*intent.date);
            return calls_answer({{tools::kCreateGoal, std::move(args)}});
        }
        case IntentKind::task: {
            if (intent.title.empty()) return text_answer(reply::task_needs_what(language));
            bj::object args{{"title", intent.title}};
            if (intent.date) args["due_date"] = format_date(*intent.date);
            return calls_answer({{tools::kCreateTask, std::move(args)}});
        }
        case IntentKind::check_in: {
            // "energy 3" says nothing of mood: the latest check-in's mood stands, else neutral.
            if (!intent.mood && turn.context.recent_mood) turn.context_words += 1;
            const int mood = std::clamp(intent.mood.value_or(turn.context.recent_mood.value_or(5)), 1, 10);
            bj::object args{{"mood", mood}};
            if (intent.energy) args["energy"] = std::clamp(*intent.energy, 1, 10);
            if (!intent.emotions.empty()) {
                bj::array emotions;
                for (const std::string& e : intent.emotions) emotions.emplace_back(e);
                args["emotions"] = std::move(emotions);
            }
            if (auto note = clean_text(turn.message, kMaxNote, true); !note.empty()) args["note"] = std::move(note);
            return calls_answer({{tools::kRecordMentalState, std::move(args)}});
        }
        case IntentKind::schedule:
            return calls_answer({{tools::kListSchedule,
                                  bj::object{{"from", format_date(intent.from)}, {"to", format_date(intent.to)}}}});
        case IntentKind::progress:
            return progress_answer(intent, turn);
        case IntentKind::task_done:
            return task_done_answer(intent, turn);
        case IntentKind::greeting:
            turn.read(turn.context.user_name);
            return text_answer(reply::greeting(clean_text(turn.context.user_name, kMaxName), language));
        case IntentKind::thanks:
            return text_answer(reply::thanks(language));
        case IntentKind::fallback:
            break;
    }
    return text_answer(reply::fallback(language));
}

// ---------------------------------------------------------------------------------------------
// Second call: the tools' results → the reply

struct Outcome {
    const ToolCall* call;
    const ToolResult* result;  //!< nullptr when the orchestrator sent none
    bool ok() const { return result && result->ok; }
    std::string code() const { return result ? text_of(result->content, "code") : "no_result"; }
    std::string message() const {
        return result ? clean_text(text_of(result->content, "message"), kMaxRefusalMessage) : std::string();
    }
};

std::string refusal(const Outcome& o, Language language) {
    return reply::failed(o.call->name, o.code(), o.message(), language);
}

//! The wall clock of `key` in the user's zone (an event due in UTC, the assistant's relative
//! reminders, is converted).
std::optional<schedule::LocalSeconds> local_time(const bj::object& args, std::string_view key, const Turn& turn) {
    const auto t = schedule::parse_calendar_time(text_of(args, key));
    if (!t) return std::nullopt;
    if (text_of(args, "time_zone") == "UTC" && turn.clock.zone && !t->is_date)
        return schedule::to_local(std::chrono::sys_seconds{t->at.time_since_epoch()}, *turn.clock.zone);
    return t->at;
}

std::optional<std::string> date_text(const std::string& text, const Turn& turn, bool with_year) {
    const auto day = parse_date(text);
    if (!day) return std::nullopt;
    return reply::day_text(*day, turn.language, turn.this_year(), with_year);
}

std::string habit_reply(const Outcome& habit, const Outcome* event, const Turn& turn) {
    const Language language = turn.language;
    const std::string name = text_of(habit.call->arguments, "name");
    const std::string rule = reply::recurrence_text(text_of(habit.call->arguments, "frequency"), language);
    const auto start = event ? local_time(event->call->arguments, "start", turn) : std::nullopt;
    const std::string time = start ? reply::clock_text(*start) : std::string();
    if (habit.ok() && event && event->ok() && start) {
        std::string zone = text_of(event->result->content, "effective_time_zone");
        return reply::habit_set(name, rule, time, reply::moment_text(*start, language, turn.this_year()),
                                zone.empty() ? turn.clock.zone_name : zone, language);
    }
    if (habit.ok() && event)
        return reply::habit_without_event(name, reply::failure_text(event->code(), event->message()), language);
    if (habit.ok()) return reply::habit_without_event(name, "", language);
    if (event && event->ok() && start)
        return reply::event_without_habit(name, rule, time, reply::failure_text(habit.code(), habit.message()),
                                          language);
    return refusal(habit, language);
}

std::string outcome_reply(const Outcome& o, const Turn& turn) {
    const Language language = turn.language;
    if (!o.ok()) return refusal(o, language);
    const bj::object& args = o.call->arguments;
    const bj::object& content = o.result->content;
    const std::string& name = o.call->name;
    if (name == tools::kCreateCalendarEvent) {
        auto at = local_time(args, "due", turn);
        if (!at) at = local_time(args, "start", turn);
        const std::string when = at ? reply::moment_text(*at, language, turn.this_year()) : std::string("?");
        const std::string zone = text_of(content, "effective_time_zone");
        return reply::reminder_set(text_of(args, "title"), when, zone.empty() ? turn.clock.zone_name : zone, language);
    }
    if (name == tools::kCreateGoal) {
        std::vector<std::string> similar;
        if (const auto* list = array_of(content, "similar_goals"))
            for (const auto& item : *list)
                if (item.is_object())
                    if (auto title = text_of(item.get_object(), "title"); !title.empty()) similar.push_back(title);
        return reply::goal_created(text_of(args, "title"), date_text(text_of(args, "deadline"), turn, true),
                                   text_of(args, "category"), similar, language);
    }
    if (name == tools::kCreateTask)
        return reply::task_added(text_of(args, "title"), date_text(text_of(args, "due_date"), turn, false), language);
    if (name == tools::kRecordMentalState) {
        std::vector<std::string> emotions;
        if (const auto* list = array_of(args, "emotions"))
            for (const auto& e : *list)
                if (e.is_string()) emotions.emplace_back(e.get_string());
        const auto energy = integer_of(args, "energy");
        return reply::check_in(static_cast<int>(integer_of(args, "mood").value_or(5)),
                               energy ? std::optional<int>(static_cast<int>(*energy)) : std::nullopt, emotions,
                               language);
    }
    if (name == tools::kUpdateTask) {
        const std::string id = text_of(args, "task_id");
        std::string title = text_of(content, "title");
        for (const TaskView& task : turn.context.tasks)
            if (task.id == id) title = task.title;
        return reply::task_done(clean_text(title, kMaxTitle), language);
    }
    if (name == tools::kListSchedule) {
        std::vector<reply::Occurrence> occurrences;
        if (const auto* list = array_of(content, "occurrences"))
            for (const auto& item : *list) {
                if (!item.is_object()) continue;
                const auto& occurrence = item.get_object();
                const auto* all_day = occurrence.if_contains("all_day");
                occurrences.push_back({clean_text(text_of(occurrence, "title"), kMaxTitle),
                                       text_of(occurrence, "local_start"),
                                       all_day && all_day->is_bool() && all_day->get_bool()});
            }
        const auto from = parse_date(text_of(args, "from")).value_or(turn.clock.today);
        const auto to = parse_date(text_of(args, "to")).value_or(from + std::chrono::days{1});
        return reply::schedule(occurrences, from, to, turn.clock.today, language);
    }
    if (name == tools::kGoalProgress) {
        reply::Progress p;
        if (const auto* goal = object_of(content, "goal")) {
            p.title = clean_text(text_of(*goal, "title"), kMaxTitle);
            p.status = text_of(*goal, "status");
            p.deadline = date_text(text_of(*goal, "deadline"), turn, true);
        }
        if (const auto* list = array_of(content, "prerequisites"))
            for (const auto& item : *list)
                if (item.is_object() && text_of(item.get_object(), "status") != "done")
                    p.waiting_on.push_back(clean_text(text_of(item.get_object(), "title"), kMaxTitle));
        if (p.title.empty())
            for (const GoalView& goal : turn.context.goals)
                if (goal.id == text_of(args, "goal_id")) p.title = clean_text(goal.title, kMaxTitle);
        p.tasks_open = integer_of(content, "tasks_open").value_or(0);
        p.tasks_done = integer_of(content, "tasks_done").value_or(0);
        return reply::progress(p, language);
    }
    return language == Language::ru ? "Готово." : "Done.";
}

std::string results_answer(const std::vector<Step>& steps, Turn& turn) {
    std::vector<Outcome> outcomes;
    for (const Step& step : steps)
        for (const ToolCall& call : step.calls) {
            const auto found = std::find_if(step.results.begin(), step.results.end(),
                                            [&](const ToolResult& r) { return r.call_id == call.id; });
            outcomes.push_back({&call, found == step.results.end() ? nullptr : &*found});
            if (found != step.results.end()) turn.read(bj::serialize(found->content));
        }
    const auto named = [&](std::string_view name) -> const Outcome* {
        for (const Outcome& o : outcomes)
            if (o.call->name == name) return &o;
        return nullptr;
    };
    if (const Outcome* habit = named(tools::kCreateHabit))
        return habit_reply(*habit, named(tools::kCreateCalendarEvent), turn);
    std::string text;
    for (const Outcome& o : outcomes) {
        if (!text.empty()) text += ' ';
        text += outcome_reply(o, turn);
    }
    return text.empty() ? reply::fallback(turn.language) : text;
}

std::int64_t words_of(std::string_view text) {
    return static_cast<std::int64_t>(memory::count_words(text));
}

}  // namespace

RuleBasedProvider::RuleBasedProvider() : model_{"rules", "aimi-rules", "1"}, prompt_version_("rules-v1") {}

ProviderAnswer RuleBasedProvider::respond(const TurnRequest& request) {
    Turn turn{request.context, request.message, language_of(request.message, request.context.locale),
              make_clock(request.context.now, request.context.time_zone)};
    ProviderAnswer answer =
        request.steps.empty() ? first_answer(turn) : text_answer(results_answer(request.steps, turn));
    // Rough and deterministic: words in (the message and the context read), words out.
    answer.usage.tokens_in = words_of(request.message) + turn.context_words;
    if (answer.tool_calls.empty()) {
        answer.usage.tokens_out = words_of(answer.text);
    } else {
        for (const ToolCall& call : answer.tool_calls)
            answer.usage.tokens_out += 1 + words_of(bj::serialize(call.arguments));
    }
    return answer;
}

}  // namespace aimi::assistant
