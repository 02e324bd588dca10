#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include "domain/goals/commands.hpp"
#include "domain/json/parse.hpp"
#include "domain/json/serialize.hpp"
#include "gateway/command_pipeline.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"
#include "gateway/memory_recall.hpp"
#include "gateway/progress_watcher.hpp"
#include "projections/goals_graph/goals_graph_projection.hpp"
#include "projections/pg/connection.hpp"

// The goals graph's commands. Each proposes one event; the fold decides every rule, and the
// answer (the goal or dependency) comes from the goals-graph read model once it has the fact.
namespace aimi::gateway::handlers {

namespace {

namespace boj = boost::json;

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

//! Active or done goals of the caller (the 200 newest) that mean about the same as `goal`
//! (docs/memory.md, "Similar goals"): cosine of "title. description" at least
//! AIMI_DUPLICATE_GOAL_SIMILARITY. Advisory — the embedding provider may be down, and two gateways
//! may race — so it is found here and returned with the created goal; the fold refuses exact
//! duplicates by itself.
boj::array similar_goals(const Call& call, const goals::CreateGoal& goal) {
    boj::array similar;
    if (!call.gateway.recall) return similar;
    const auto text_of = [](const std::string& title, const std::optional<std::string>& description) {
        return description && !description->empty() ? title + ". " + *description : title;
    };
    std::vector<std::string> ids, titles, texts;
    {
        auto lease = call.gateway.pool.acquire();
        pqxx::read_transaction tx(*lease);
        use_serving_schema(tx, call, goals_graph::GoalsGraphProjection::kName);
        for (const auto& row : tx.exec_params("SELECT goal_id::text, title, description FROM goals_graph_goals "
                                              "WHERE user_id = $1::uuid AND status IN ('active', 'done') "
                                              "ORDER BY created_at DESC, goal_id LIMIT 200",
                                              call.principal.user_id)) {
            ids.push_back(row[0].as<std::string>());
            titles.push_back(row[1].as<std::string>());
            texts.push_back(
                text_of(titles.back(), row[2].is_null() ? std::nullopt : std::optional(row[2].as<std::string>())));
        }
    }
    if (ids.empty()) return similar;
    std::vector<float> scores;
    try {
        scores =
            call.gateway.recall->similarities(call.principal.user_id, text_of(goal.title, goal.description), texts);
    } catch (const memory::ProviderError& e) {
        spdlog::warn("duplicate-goal check skipped: the embedding provider did not answer: {}", e.what());
        return similar;
    }
    for (std::size_t i = 0; i < ids.size(); ++i)
        if (scores[i] >= call.gateway.duplicate_goal_similarity)
            similar.push_back(boj::object{{"goal_id", ids[i]}, {"title", titles[i]}, {"similarity", scores[i]}});
    return similar;
}

//! The created goal's answer (now, or once its wait ends) with `similar_goals`.
Reply with_similar_goals(Reply reply, boj::array similar) {
    if (auto* response = std::get_if<http::Response>(&reply.value)) {
        if (response->status != 201) return reply;
        auto body = json::parse_stored_object(response->body);
        body["similar_goals"] = std::move(similar);
        response->body = json::serialize(body);
    } else if (auto* wait = std::get_if<Continuation>(&reply.value)) {
        wait->resume = [resume = std::move(wait->resume), similar = std::move(similar)](bool applied) {
            return with_similar_goals(resume(applied), similar);
        };
    }
    return reply;
}

}  // namespace

//! POST /v1/goals[?allow_duplicate=true]
Reply create_goal(const Call& call) {
    if (auto p = require_json(call)) return fail(call, *p);
    auto command = goals::decode_create_goal(call.request.body);
    if (!command) return fail(call, command.problem());
    if (const auto it = call.request.query.find("allow_duplicate"); it != call.request.query.end()) {
        if (it->second != "true" && it->second != "false")
            return fail(call, Problem::invalid("invalid_query", "allow_duplicate is true or false", "allow_duplicate"));
        command.value().allow_duplicate = command.value().allow_duplicate || it->second == "true";
    }
    auto similar = similar_goals(call, command.value());
    // The deadline is checked against the time of deciding here, and of applying in the fold.
    return with_similar_goals(
        execute_command(call,
                        {.success_status = 201,
                         .decide = [command = std::move(command.value())](
                                       const auto& context) { return goals::decide(context, command, now_utc()); },
                         .wait_for = std::string(goals_graph::GoalsGraphProjection::kName)}),
        std::move(similar));
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
