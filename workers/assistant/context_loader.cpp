#include "workers/assistant/context_loader.hpp"

#include <functional>
#include <future>
#include <map>

#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include "domain/json/text_of.hpp"
#include "domain/schedule/calendar_time.hpp"
#include "gateway/goals_read_model.hpp"
#include "gateway/memory_read_model.hpp"
#include "gateway/memory_recall.hpp"
#include "gateway/read_model.hpp"
#include "gateway/schedule_read_model.hpp"
#include "gateway/search_read_model.hpp"
#include "projections/goals_graph/goals_graph_projection.hpp"
#include "projections/memory/memory_projection.hpp"
#include "projections/memory/vectors_projection.hpp"
#include "projections/message_search/message_search_projection.hpp"
#include "projections/pg/connection.hpp"
#include "projections/pg/statement.hpp"
#include "projections/reminder_queue/reminder_queue_projection.hpp"
#include "projections/schedule/schedule_projection.hpp"
#include "projections/serving_schemas.hpp"

namespace aimi::assistant_worker {

namespace {

namespace bj = boost::json;
using json::text_of;

// The session's window before the message, newest first (the builder keeps what fits).
const pg::Statement kWindow{"assistant.window", R"sql(
SELECT seq, role, content FROM messages
WHERE session_id = $1::uuid AND user_id = $2::uuid AND seq < $3 ORDER BY seq DESC LIMIT $4)sql"};

}  // namespace

std::string local_text(Timestamp t, const date::time_zone* zone) {
    const auto at = std::chrono::floor<std::chrono::seconds>(t);
    return zone ? schedule::format_local(schedule::to_local(at, *zone), false) : format_timestamp(t);
}

void use_schema(pqxx::dbtransaction& tx, const std::string& main_schema, const std::string& projection) {
    const auto schema = projection.empty() ? main_schema : serving_schema(tx, main_schema, projection);
    tx.exec("SET LOCAL search_path TO " + tx.quote_name(schema));
}

namespace {

//! The schema serving each read model, looked up once per turn.
struct Serving {
    std::string main;
    std::map<std::string, std::string> schemas;
    std::string of(const std::string& projection) const {
        const auto it = schemas.find(projection);
        return it == schemas.end() ? main : it->second;
    }
    void use(pqxx::dbtransaction& tx, const std::string& projection) const {
        tx.exec("SET LOCAL search_path TO " + tx.quote_name(of(projection)));
    }
};

//! Active goals (unblocked first, then by priority) and open tasks.
void read_goals(pqxx::dbtransaction& tx, const Serving& serving, const TriggerMessage& m, assistant::Context& c) {
    serving.use(tx, goals_graph::GoalsGraphProjection::kName);
    gateway::goals_read_model::GoalFilter goals;
    goals.status = "active";
    goals.limit = 50;
    for (const auto& v : gateway::goals_read_model::list_goals(tx, m.user_id, goals)) {
        const auto& g = v.as_object();
        assistant::GoalView view{text_of(g, "id"), text_of(g, "title"), text_of(g, "status")};
        view.blocked = g.contains("blocked") && g.at("blocked").is_bool() && g.at("blocked").get_bool();
        view.deadline = json::optional_text_of(g, "deadline");
        if (const auto* p = g.if_contains("priority"); p && p->is_int64())
            view.priority = static_cast<int>(p->get_int64());
        c.goals.push_back(std::move(view));
    }
    // Unblocked before blocked, then by priority: what the person can act on first.
    std::stable_sort(c.goals.begin(), c.goals.end(), [](const auto& a, const auto& b) {
        return std::pair(a.blocked, a.priority) < std::pair(b.blocked, b.priority);
    });
    gateway::goals_read_model::EntityFilter tasks;
    tasks.status = "open";
    tasks.limit = 50;
    for (const auto& v : gateway::goals_read_model::list_entities(tx, "task", m.user_id, tasks)) {
        const auto& t = v.as_object();
        c.tasks.push_back(
            {text_of(t, "id"), text_of(t, "title"), text_of(t, "status"), json::optional_text_of(t, "due_date")});
    }
}

//! The next 7 days' occurrences and the scheduled reminders; their local times are filled in
//! once the user's zone is known (load_context).
void read_schedule(pqxx::dbtransaction& tx, const Serving& serving, const TriggerMessage& m, assistant::Context& c) {
    serving.use(tx, schedule::ScheduleProjection::kName);
    const auto now = std::chrono::floor<std::chrono::seconds>(m.posted_at);
    const auto page = gateway::schedule_read_model::occurrences(tx, m.user_id, now, now + std::chrono::days(7), 20);
    for (const auto& v : page.items) {
        const auto& o = v.as_object();
        const auto start = parse_timestamp(text_of(o, "starts_at")).value_or(m.posted_at);
        const bool all_day = o.at("all_day").as_bool();
        c.upcoming.push_back({text_of(o, "calendar_event_id"), text_of(o, "title"),
                              all_day ? text_of(o, "start_local") : std::string(), start, all_day,
                              !o.at("occurrence").is_null()});
    }
    serving.use(tx, schedule::ReminderQueueProjection::kName);
    for (const auto& v :
         gateway::schedule_read_model::list_reminders(tx, m.user_id, {.status = "scheduled", .limit = 10})) {
        const auto& r = v.as_object();
        c.reminders.push_back(
            {text_of(r, "title"), parse_timestamp(text_of(r, "trigger_at")).value_or(m.posted_at), ""});
    }
}

//! The latest summary and mood, and the memories recalled for the message.
void read_memory(pqxx::dbtransaction& tx, const Serving& serving, const TriggerMessage& m,
                 gateway::MemoryRecall* recall, int memories, assistant::Context& c) {
    serving.use(tx, memory::MemoryProjection::kName);
    auto state = gateway::memory_read_model::summary_and_mood(tx, m.user_id, format_timestamp(m.posted_at));
    if (state.summary && !state.summary->empty()) c.user_state = std::move(state.summary);
    c.recent_mood = state.mood;

    if (!recall || memories <= 0) return;
    std::vector<gateway::search_read_model::Hit> hits;
    serving.use(tx, message_search::MessageSearchProjection::kName);
    if (gateway::search_read_model::has_terms(tx, m.user_id, m.content)) {
        gateway::search_read_model::Query text;
        text.user_id = m.user_id;
        text.text = m.content;
        text.limit = static_cast<int>(gateway::MemoryRecall::kCandidates);
        text.rank = gateway::search_read_model::Query::Rank::frequency;
        text.snippets = false;  // the context shows a memory's text, not highlighted fragments
        hits = gateway::search_read_model::search(tx, text);
    }
    serving.use(tx, memory::VectorsProjection::kName);
    try {
        gateway::MemoryRecall::Query query;
        query.user_id = m.user_id;
        query.text = m.content;
        query.limit = memories + 1;  // the message itself may be among them
        for (const auto& v : recall->search(tx, serving.of(memory::VectorsProjection::kName), query, hits).items) {
            const auto& item = v.as_object();
            if (text_of(item, "source_id") == m.message_id) continue;
            const auto& scores = item.at("scores").as_object();
            c.memories.push_back({text_of(item, "kind"), text_of(item, "snippet"),
                                  parse_timestamp(text_of(item, "occurred_at")).value_or(m.posted_at),
                                  scores.at("fused").to_number<double>()});
            if (static_cast<int>(c.memories.size()) >= memories) break;
        }
    } catch (const aimi::memory::ProviderError& e) {
        spdlog::warn("recall for a turn of user {} failed; answering without memories: {}", m.user_id, e.what());
    }
}

using Section = std::function<void(pqxx::dbtransaction&, assistant::Context&)>;

//! Runs `section` in a read transaction of its own on a connection of `readers`.
assistant::Context read_apart(pg::ConnectionPool& readers, const Section& section) {
    auto lease = readers.acquire();
    try {
        pqxx::read_transaction tx(*lease);
        assistant::Context part;
        section(tx, part);
        return part;
    } catch (const pqxx::broken_connection&) {
        lease.discard();
        throw;
    }
}

template <class T>
void move_into(std::vector<T>& to, std::vector<T>& from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}  // namespace

assistant::Context load_context(pqxx::dbtransaction& tx, const std::string& main_schema, const TriggerMessage& m,
                                gateway::MemoryRecall* recall, int memories, pg::ConnectionPool* readers) {
    const Serving serving{main_schema, load_serving_schemas(tx, main_schema)};
    const std::vector<Section> sections{
        [&](auto& t, auto& c) { read_goals(t, serving, m, c); },
        [&](auto& t, auto& c) { read_schedule(t, serving, m, c); },
        [&](auto& t, auto& c) { read_memory(t, serving, m, recall, memories, c); },
    };
    // The read models are independent (each at its own progress), so with `readers` they are read
    // at once, each in a transaction of its own, while `tx` reads the user and the window.
    std::vector<std::future<assistant::Context>> parts;
    if (readers)
        for (const auto& section : sections)
            parts.push_back(std::async(std::launch::async, read_apart, std::ref(*readers), std::cref(section)));

    assistant::Context c;
    c.user_id = m.user_id;
    c.now = m.posted_at;
    use_schema(tx, main_schema, "");
    if (auto user = gateway::read_model::find_user(tx, m.user_id)) {
        c.user_name = user->display_name;
        c.time_zone = user->time_zone;
        c.locale = user->locale;
    }
    const auto* zone = schedule::find_zone(c.time_zone);
    if (!zone) {
        c.time_zone = "UTC";
        zone = schedule::find_zone("UTC");
    }
    c.local_now = local_text(c.now, zone);
    for (const auto& row : pg::exec(tx, kWindow, m.session_id, m.user_id, m.seq, 30))
        c.recent_messages.push_back({row[0].as<std::int64_t>(), row[1].as<std::string>(), row[2].as<std::string>()});
    std::reverse(c.recent_messages.begin(), c.recent_messages.end());

    if (!readers) {
        for (const auto& section : sections) section(tx, c);
    } else {
        std::exception_ptr failure;
        for (auto& part : parts) {
            try {
                auto p = part.get();
                move_into(c.goals, p.goals);
                move_into(c.tasks, p.tasks);
                move_into(c.upcoming, p.upcoming);
                move_into(c.reminders, p.reminders);
                move_into(c.memories, p.memories);
                if (p.user_state) c.user_state = std::move(p.user_state);
                if (p.recent_mood) c.recent_mood = p.recent_mood;
            } catch (...) {
                if (!failure) failure = std::current_exception();  // the others are still waited for
            }
        }
        if (failure) std::rethrow_exception(failure);
    }
    for (auto& e : c.upcoming)
        if (!e.all_day) e.local_start = local_text(e.start, zone);
    for (auto& r : c.reminders) r.local_trigger = local_text(r.trigger_at, zone);
    return c;
}

}  // namespace aimi::assistant_worker
