#include "domain/goals/commands.hpp"
#include "gateway/command_pipeline.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"
#include "projections/goals_graph/goals_graph_projection.hpp"

// The goals graph's commands. Each proposes one event; the fold decides every rule, and the
// answer (the goal or dependency) comes from the goals-graph read model once it has the fact.
namespace aimi::gateway::handlers {

namespace {

template <class Command>
Reply run(const Call& call, Command command, int status) {
    return execute_command(
        call,
        {.success_status = status,
         .decide = [command = std::move(command)](const auto& context) { return goals::decide(context, command); },
         .wait_for = std::string(goals_graph::GoalsGraphProjection::kName)});
}

Reply change_status(const Call& call, goals::GoalStatus to) {
    auto goal_id = path_uuid(call, "goal_id");
    if (!goal_id) return fail(call, goal_id.problem());
    if (auto p = require_json(call)) return fail(call, *p);
    if (auto p = conversation::check_empty_body(call.request.body)) return fail(call, *p);
    return run(call, goals::ChangeGoalStatus{goal_id.value(), to}, 200);
}

}  // namespace

//! POST /v1/goals
Reply create_goal(const Call& call) {
    if (auto p = require_json(call)) return fail(call, *p);
    auto command = goals::decode_create_goal(call.request.body);
    if (!command) return fail(call, command.problem());
    // The deadline is checked against the time of deciding here, and of applying in the fold.
    return execute_command(call,
                           {.success_status = 201,
                            .decide = [command = std::move(command.value())](
                                          const auto& context) { return goals::decide(context, command, now_utc()); },
                            .wait_for = std::string(goals_graph::GoalsGraphProjection::kName)});
}

//! PATCH /v1/goals/{goal_id}
Reply update_goal(const Call& call) {
    auto goal_id = path_uuid(call, "goal_id");
    if (!goal_id) return fail(call, goal_id.problem());
    if (auto p = require_json(call)) return fail(call, *p);
    auto command = goals::decode_update_goal(goal_id.value(), call.request.body);
    if (!command) return fail(call, command.problem());
    return run(call, std::move(command.value()), 200);
}

Reply complete_goal(const Call& call) {
    return change_status(call, goals::GoalStatus::done);
}
Reply cancel_goal(const Call& call) {
    return change_status(call, goals::GoalStatus::cancelled);
}
Reply archive_goal(const Call& call) {
    return change_status(call, goals::GoalStatus::archived);
}
Reply reopen_goal(const Call& call) {
    return change_status(call, goals::GoalStatus::active);
}

//! POST /v1/goals/{goal_id}/dependencies: the goal depends on the body's parent_goal_id.
Reply add_dependency(const Call& call) {
    auto goal_id = path_uuid(call, "goal_id");
    if (!goal_id) return fail(call, goal_id.problem());
    if (auto p = require_json(call)) return fail(call, *p);
    auto command = goals::decode_add_dependency(goal_id.value(), call.request.body);
    if (!command) return fail(call, command.problem());
    return run(call, std::move(command.value()), 201);
}

//! PATCH /v1/dependencies/{dependency_id}
Reply update_dependency(const Call& call) {
    auto id = path_uuid(call, "dependency_id");
    if (!id) return fail(call, id.problem());
    if (auto p = require_json(call)) return fail(call, *p);
    auto command = goals::decode_update_dependency(id.value(), call.request.body);
    if (!command) return fail(call, command.problem());
    return run(call, std::move(command.value()), 200);
}

//! DELETE /v1/dependencies/{dependency_id}: 204 once removed.
Reply remove_dependency(const Call& call) {
    auto id = path_uuid(call, "dependency_id");
    if (!id) return fail(call, id.problem());
    if (auto p = require_json(call)) return fail(call, *p);
    if (auto p = conversation::check_empty_body(call.request.body)) return fail(call, *p);
    return run(call, goals::RemoveDependency{id.value()}, 204);
}

}  // namespace aimi::gateway::handlers
