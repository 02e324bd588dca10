#include <algorithm>
#include <array>
#include <span>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include "domain/goals/commands.hpp"
#include "domain/time.hpp"
#include "domain/uuid.hpp"
#include "gateway/command_pipeline.hpp"
#include "gateway/goals_read_model.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"
#include "projections/goals_graph/goals_graph_projection.hpp"
#include "projections/pg/connection.hpp"

// Tasks, problems, habits and links (seed 002): one set of handlers for every kind. Commands through the write
// path like goals (the fold checks ids, archived entities and a task's source inbox item); reads
// from the goals-graph read model.
namespace aimi::gateway::handlers {

namespace {

namespace bj = boost::json;

constexpr std::array<std::string_view, 4> kTaskStatuses{"open", "blocked", "done", "archived"};
constexpr std::array<std::string_view, 4> kProblemStatuses{"active", "monitoring", "resolved", "archived"};
constexpr std::array<std::string_view, 2> kHabitStatuses{"active", "archived"};

Reply run(const Call& call, goals::EntityCommand command, int status) {
    return execute_command(
        call,
        {.success_status = status,
         .decide = [command = std::move(command)](const auto& context) { return goals::decide(context, command); },
         .wait_for = std::string(goals_graph::GoalsGraphProjection::kName)});
}

Reply create(const Call& call, const std::string& kind) {
    if (auto p = require_json(call)) return fail(call, *p);
    auto command = goals::decode_create_entity(kind, call.request.body);
    if (!command) return fail(call, command.problem());
    return run(call, std::move(command.value()), 201);
}

Reply update(const Call& call, const std::string& kind) {
    auto id = path_uuid(call, kind + "_id");
    if (!id) return fail(call, id.problem());
    if (auto p = require_json(call)) return fail(call, *p);
    auto command = goals::decode_update_entity(kind, id.value(), call.request.body);
    if (!command) return fail(call, command.problem());
    return run(call, std::move(command.value()), 200);
}

Problem not_found(const std::string& kind) {
    return Problem::not_found(kind + "_not_found", "no such " + kind, kind + "_id");
}

Reply get(const Call& call, const std::string& kind) {
    auto id = path_uuid(call, kind + "_id");
    if (!id) return fail(call, id.problem());
    return read_serving(call, goals_graph::GoalsGraphProjection::kName, [&](pqxx::dbtransaction& tx) -> Reply {
        auto entity = goals_read_model::find_entity(tx, kind, call.principal.user_id, id.value());
        if (!entity) return fail(call, not_found(kind));
        return json_response(200, *entity);
    });
}

Reply history(const Call& call, const std::string& kind) {
    auto id = path_uuid(call, kind + "_id");
    if (!id) return fail(call, id.problem());
    return read_serving(call, goals_graph::GoalsGraphProjection::kName, [&](pqxx::dbtransaction& tx) -> Reply {
        if (!goals_read_model::find_entity(tx, kind, call.principal.user_id, id.value()))
            return fail(call, not_found(kind));
        return json_response(
            200, bj::object{{kind + "_id", id.value()},
                            {"items", goals_read_model::history(tx, call.principal.user_id, kind, id.value())}});
    });
}

//! ?status=&limit=&after=<cursor> (tasks also due_after, due_before); oldest first.
Reply list(const Call& call, const std::string& kind) {
    const auto& query = call.request.query;
    goals_read_model::EntityFilter filter;
    if (const auto it = query.find("status"); it != query.end()) {
        const auto allowed = kind == "task"      ? std::span<const std::string_view>(kTaskStatuses)
                             : kind == "problem" ? std::span<const std::string_view>(kProblemStatuses)
                                                 : std::span<const std::string_view>(kHabitStatuses);
        if (std::find(allowed.begin(), allowed.end(), it->second) == allowed.end())
            return fail(call, Problem::invalid("invalid_query", "unknown status", "status"));
        filter.status = it->second;
    }
    if (kind == "task")
        if (auto p = query_date_range(call, filter.due_after, filter.due_before)) return fail(call, *p);
    if (auto p = query_page(call, filter.limit, filter.after)) return fail(call, *p);
    return read_serving(call, goals_graph::GoalsGraphProjection::kName, [&](pqxx::dbtransaction& tx) -> Reply {
        auto items = goals_read_model::list_entities(tx, kind, call.principal.user_id, filter);
        auto next = next_created_cursor(items, filter.limit);
        return json_response(200, bj::object{{"items", std::move(items)}, {"next_cursor", next}});
    });
}

}  // namespace

Reply create_task(const Call& call) {
    return create(call, "task");
}
Reply update_task(const Call& call) {
    return update(call, "task");
}
Reply get_task(const Call& call) {
    return get(call, "task");
}
Reply list_tasks(const Call& call) {
    return list(call, "task");
}
Reply task_history(const Call& call) {
    return history(call, "task");
}
Reply create_problem(const Call& call) {
    return create(call, "problem");
}
Reply update_problem(const Call& call) {
    return update(call, "problem");
}
Reply get_problem(const Call& call) {
    return get(call, "problem");
}
Reply list_problems(const Call& call) {
    return list(call, "problem");
}
Reply problem_history(const Call& call) {
    return history(call, "problem");
}
Reply create_habit(const Call& call) {
    return create(call, "habit");
}
Reply update_habit(const Call& call) {
    return update(call, "habit");
}
Reply get_habit(const Call& call) {
    return get(call, "habit");
}
Reply list_habits(const Call& call) {
    return list(call, "habit");
}

//! POST /v1/links
Reply add_link(const Call& call) {
    return create(call, "link");
}

//! DELETE /v1/links/{link_id}: 204 once removed.
Reply remove_link(const Call& call) {
    auto id = path_uuid(call, "link_id");
    if (!id) return fail(call, id.problem());
    if (auto p = require_json(call)) return fail(call, *p);
    if (auto p = conversation::check_empty_body(call.request.body)) return fail(call, *p);
    return run(call, goals::EntityCommand{"link", id.value(), {}}, 204);
}

//! GET /v1/links?entity_id=: the links that start or end at a goal, task or problem.
Reply list_links(const Call& call) {
    const auto it = call.request.query.find("entity_id");
    if (it == call.request.query.end() || !is_uuid(it->second))
        return fail(call, Problem::invalid("invalid_query", "entity_id (a UUID) is required", "entity_id"));
    const auto entity_id = normalize_uuid(it->second);
    return read_serving(call, goals_graph::GoalsGraphProjection::kName, [&](pqxx::dbtransaction& tx) -> Reply {
        return json_response(200,
                             bj::object{{"items", goals_read_model::links_of(tx, call.principal.user_id, entity_id)}});
    });
}

}  // namespace aimi::gateway::handlers
