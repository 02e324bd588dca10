#include "workers/assistant/context_loader.hpp"

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

assistant::Context load_context(pqxx::dbtransaction& tx, const std::string& main_schema, const TriggerMessage& m,
                                gateway::MemoryRecall* recall, int memories) {
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

    use_schema(tx, main_schema, goals_graph::GoalsGraphProjection::kName);
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

    use_schema(tx, main_schema, schedule::ScheduleProjection::kName);
    const auto now = std::chrono::floor<std::chrono::seconds>(c.now);
    const auto page = gateway::schedule_read_model::occurrences(tx, m.user_id, now, now + std::chrono::days(7), 20);
    for (const auto& v : page.items) {
        const auto& o = v.as_object();
        const auto start = parse_timestamp(text_of(o, "starts_at")).value_or(c.now);
        const bool all_day = o.at("all_day").as_bool();
        c.upcoming.push_back({text_of(o, "calendar_event_id"), text_of(o, "title"),
                              all_day ? text_of(o, "start_local") : local_text(start, zone), start, all_day,
                              !o.at("occurrence").is_null()});
    }
    use_schema(tx, main_schema, schedule::ReminderQueueProjection::kName);
    for (const auto& v :
         gateway::schedule_read_model::list_reminders(tx, m.user_id, {.status = "scheduled", .limit = 10})) {
        const auto& r = v.as_object();
        const auto at = parse_timestamp(text_of(r, "trigger_at")).value_or(c.now);
        c.reminders.push_back({text_of(r, "title"), at, local_text(at, zone)});
    }

    use_schema(tx, main_schema, memory::MemoryProjection::kName);
    const auto state = gateway::memory_read_model::user_state(tx, m.user_id);
    if (const auto* s = state.if_contains("last_summary"); s && s->is_object())
        if (auto text = json::optional_text_of(s->get_object(), "text"); text && !text->empty())
            c.user_state = std::move(text);
    if (const auto* trend = state.if_contains("mood_trend"); trend && trend->is_object())
        if (const auto* latest = trend->get_object().if_contains("latest"); latest && latest->is_object())
            if (const auto* mood = latest->get_object().if_contains("mood"); mood && mood->is_int64())
                c.recent_mood = static_cast<int>(mood->get_int64());

    if (recall && memories > 0) {
        std::vector<gateway::search_read_model::Hit> hits;
        use_schema(tx, main_schema, message_search::MessageSearchProjection::kName);
        if (gateway::search_read_model::has_terms(tx, m.user_id, m.content)) {
            gateway::search_read_model::Query text;
            text.user_id = m.user_id;
            text.text = m.content;
            text.limit = static_cast<int>(gateway::MemoryRecall::kCandidates);
            hits = gateway::search_read_model::search(tx, text);
        }
        const auto schema = serving_schema(tx, main_schema, memory::VectorsProjection::kName);
        tx.exec("SET LOCAL search_path TO " + tx.quote_name(schema));
        try {
            gateway::MemoryRecall::Query query;
            query.user_id = m.user_id;
            query.text = m.content;
            query.limit = memories + 1;  // the message itself may be among them
            for (const auto& v : recall->search(tx, schema, query, hits).items) {
                const auto& item = v.as_object();
                if (text_of(item, "source_id") == m.message_id) continue;
                const auto& scores = item.at("scores").as_object();
                c.memories.push_back({text_of(item, "kind"), text_of(item, "snippet"),
                                      parse_timestamp(text_of(item, "occurred_at")).value_or(c.now),
                                      scores.at("fused").to_number<double>()});
                if (static_cast<int>(c.memories.size()) >= memories) break;
            }
        } catch (const aimi::memory::ProviderError& e) {
            spdlog::warn("recall for a turn of user {} failed; answering without memories: {}", m.user_id, e.what());
        }
    }
    return c;
}

}  // namespace aimi::assistant_worker
