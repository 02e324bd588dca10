#include "workers/assistant/query_tools.hpp"

#include <pqxx/pqxx>

#include "domain/assistant/tool_commands.hpp"
#include "domain/assistant/tools.hpp"
#include "domain/json/text_of.hpp"
#include "domain/schedule/calendar_time.hpp"
#include "domain/uuid.hpp"
#include "gateway/goals_read_model.hpp"
#include "gateway/schedule_read_model.hpp"
#include "projections/goals_graph/goals_graph_projection.hpp"
#include "projections/schedule/schedule_projection.hpp"
#include "workers/assistant/context_loader.hpp"

namespace aimi::assistant_worker {

namespace {

namespace bj = boost::json;
using json::text_of;

assistant::ToolResult refused(const assistant::ToolCall& call, const Problem& problem) {
    return {call.id, call.name, false, assistant::problem_content(problem)};
}

//! A local date argument ("YYYY-MM-DD") as the instant its midnight is in `zone`.
std::optional<std::chrono::sys_seconds> local_midnight(const bj::object& args, std::string_view key,
                                                       const date::time_zone& zone) {
    const auto* v = args.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    const auto day = parse_date(v->get_string());
    if (!day) return std::nullopt;
    return schedule::resolve(schedule::LocalSeconds{day->time_since_epoch()}, zone);
}

assistant::ToolResult list_schedule(pqxx::dbtransaction& tx, const std::string& main_schema,
                                    const assistant::Context& context, const assistant::ToolCall& call) {
    const auto* zone = schedule::find_zone(context.time_zone);
    if (!zone) zone = schedule::find_zone("UTC");
    const auto from = local_midnight(call.arguments, "from", *zone);
    const auto to = local_midnight(call.arguments, "to", *zone);
    if (!from) return refused(call, Problem::invalid("invalid_format", "from must be a date YYYY-MM-DD", "/from"));
    if (!to) return refused(call, Problem::invalid("invalid_format", "to must be a date YYYY-MM-DD", "/to"));
    if (*to <= *from || *to - *from > std::chrono::days(31))
        return refused(call, Problem::invalid("invalid_range", "to must be after from, at most 31 days", "/to"));
    use_schema(tx, main_schema, schedule::ScheduleProjection::kName);
    const auto page = gateway::schedule_read_model::occurrences(tx, context.user_id, *from, *to, 50);
    bj::array items;
    for (const auto& v : page.items) {
        const auto& o = v.as_object();
        const bool all_day = o.at("all_day").as_bool();
        std::string local = text_of(o, "start_local");
        if (!all_day)
            if (const auto at = parse_timestamp(text_of(o, "starts_at"))) local = local_text(*at, zone);
        items.push_back(bj::object{{"calendar_event_id", o.at("calendar_event_id")},
                                   {"title", o.at("title")},
                                   {"local_start", local},
                                   {"all_day", all_day},
                                   {"status", o.at("status")}});
    }
    return {call.id, call.name, true, bj::object{{"occurrences", std::move(items)}, {"more", page.more}}};
}

assistant::ToolResult goal_progress(pqxx::dbtransaction& tx, const std::string& main_schema,
                                    const assistant::Context& context, const assistant::ToolCall& call) {
    const auto* id = call.arguments.if_contains("goal_id");
    if (!id || !id->is_string() || !is_uuid(id->get_string()))
        return refused(call, Problem::invalid("invalid_format", "goal_id must be a uuid", "/goal_id"));
    const auto goal_id = normalize_uuid(id->get_string());
    use_schema(tx, main_schema, goals_graph::GoalsGraphProjection::kName);
    namespace goals = gateway::goals_read_model;
    auto goal = goals::find_goal(tx, context.user_id, goal_id);
    if (!goal) return refused(call, Problem::not_found("goal_not_found", "no such goal", "/goal_id"));
    bj::array prerequisites;
    for (const auto& v : goals::dependencies_of(tx, context.user_id, goal_id)) {
        const auto& d = v.as_object();
        if (text_of(d, "dependent_goal_id") != goal_id) continue;
        if (auto parent = goals::find_goal(tx, context.user_id, text_of(d, "parent_goal_id")))
            prerequisites.push_back(
                bj::object{{"id", parent->at("id")}, {"title", parent->at("title")}, {"status", parent->at("status")}});
    }
    std::int64_t open = 0, done = 0;
    for (const auto& v : goals::links_of(tx, context.user_id, goal_id)) {
        const auto& link = v.as_object();
        const bool from_task = text_of(link, "from_type") == "task";
        const bool to_task = text_of(link, "to_type") == "task";
        if (!from_task && !to_task) continue;
        if (auto task =
                goals::find_entity(tx, "task", context.user_id, text_of(link, from_task ? "from_id" : "to_id"))) {
            if (text_of(*task, "status") == "done")
                ++done;
            else if (text_of(*task, "status") != "archived")
                ++open;
        }
    }
    return {call.id, call.name, true,
            bj::object{{"goal", std::move(*goal)},
                       {"prerequisites", std::move(prerequisites)},
                       {"tasks_open", open},
                       {"tasks_done", done}}};
}

}  // namespace

assistant::ToolResult run_query_tool(pqxx::dbtransaction& tx, const std::string& main_schema,
                                     const assistant::Context& context, const assistant::ToolCall& call) {
    if (call.name == assistant::tools::kListSchedule) return list_schedule(tx, main_schema, context, call);
    if (call.name == assistant::tools::kGoalProgress) return goal_progress(tx, main_schema, context, call);
    return refused(call, Problem::not_found("unknown_tool", "no such tool: " + call.name, "/name"));
}

}  // namespace aimi::assistant_worker
