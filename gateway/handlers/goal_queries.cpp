#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include "domain/goals/graph.hpp"
#include "domain/goals/model.hpp"
#include "domain/time.hpp"
#include "domain/uuid.hpp"
#include "gateway/goal_graph_dot.hpp"
#include "gateway/goal_graph_svg.hpp"
#include "gateway/goals_read_model.hpp"
#include "gateway/goals_snapshot_cache.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"
#include "gateway/progress_watcher.hpp"
#include "projections/goals_graph/goals_graph_projection.hpp"
#include "projections/goals_graph/user_model.hpp"
#include "projections/pg/connection.hpp"

// Reads of the goals-graph read model: goals, lists, history, and the graph queries.
namespace aimi::gateway::handlers {

namespace {

namespace bj = boost::json;
using goals_read_model::Graph;

Problem no_goal() {
    return Problem::not_found("goal_not_found", "no such goal", "goal_id");
}

bj::array reached_json(const std::vector<goals_graph::SnapshotGraph::Reached>& reached,
                       const goals_graph::SnapshotGraph& graph) {
    bj::array out;
    out.reserve(reached.size());
    for (const auto& r : reached)
        out.push_back(bj::object{{"goal_id", graph.id(r.index)},
                                 {"depth", r.depth},
                                 {"status", graph.status(r.index)},
                                 {"blocked", graph.blocked(r.index)}});
    return out;
}

}  // namespace

//! GET /v1/goals/{goal_id}: the goal, its prerequisites (transitive, with depth) and its
//! dependents (what it holds up), from the projection's snapshot, and its direct dependencies.
//! ?limit=500 caps each list (nearest first); *_total says how many there are in all.
Reply get_goal(const Call& call) {
    auto goal_id = path_uuid(call, "goal_id");
    if (!goal_id) return fail(call, goal_id.problem());
    auto limit = query_int(call, "limit", 500, 0, 100000);
    if (!limit) return fail(call, limit.problem());
    return read_serving(call, goals_graph::GoalsGraphProjection::kName, [&](pqxx::dbtransaction& tx) -> Reply {
        auto goal = goals_read_model::find_goal(tx, call.principal.user_id, goal_id.value());
        if (!goal) return fail(call, no_goal());
        bj::array prerequisites, dependents;
        std::size_t prerequisites_total = 0, dependents_total = 0;
        const auto cap = [&](std::vector<goals_graph::SnapshotGraph::Reached> reached, std::size_t& total) {
            total = reached.size();
            if (reached.size() > static_cast<std::size_t>(limit.value())) reached.resize(limit.value());
            return reached;
        };
        const auto schema = call.gateway.watcher.serving_schema(goals_graph::GoalsGraphProjection::kName);
        if (const auto graph = GoalsSnapshotCache::shared().get(tx, schema, call.principal.user_id))
            if (const auto index = graph->index_of(goal_id.value())) {
                prerequisites = reached_json(cap(graph->ancestors(*index), prerequisites_total), *graph);
                dependents = reached_json(cap(graph->descendants(*index), dependents_total), *graph);
            }
        (*goal)["prerequisites"] = std::move(prerequisites);
        (*goal)["prerequisites_total"] = prerequisites_total;
        (*goal)["dependents"] = std::move(dependents);
        (*goal)["dependents_total"] = dependents_total;
        (*goal)["dependencies"] = goals_read_model::dependencies_of(tx, call.principal.user_id, goal_id.value());
        return json_response(200, *goal);
    });
}

//! GET /v1/goals?status=&category=&due_after=&due_before=&limit=&after=<cursor>
Reply list_goals(const Call& call) {
    const auto& query = call.request.query;
    goals_read_model::GoalFilter filter;
    if (const auto it = query.find("status"); it != query.end()) {
        if (it->second != "blocked" && !goals::goal_status(it->second))
            return fail(call,
                        Problem::invalid("invalid_query", "status must be active, blocked, done, cancelled or archived",
                                         "status"));
        filter.status = it->second;
    }
    if (const auto it = query.find("category"); it != query.end()) {
        if (std::find(goals::kCategories.begin(), goals::kCategories.end(), it->second) == goals::kCategories.end())
            return fail(call, Problem::invalid("invalid_query", "unknown category", "category"));
        filter.category = it->second;
    }
    if (auto p = query_date_range(call, filter.due_after, filter.due_before)) return fail(call, *p);
    if (auto p = query_page(call, filter.limit, filter.after)) return fail(call, *p);
    return read_serving(call, goals_graph::GoalsGraphProjection::kName, [&](pqxx::dbtransaction& tx) -> Reply {
        auto items = goals_read_model::list_goals(tx, call.principal.user_id, filter);
        auto next = next_created_cursor(items, filter.limit);
        return json_response(200, bj::object{{"items", std::move(items)}, {"next_cursor", next}});
    });
}

//! GET /v1/goals/{goal_id}/history: every status change and blocked/unblocked fact, in order.
Reply goal_history(const Call& call) {
    auto goal_id = path_uuid(call, "goal_id");
    if (!goal_id) return fail(call, goal_id.problem());
    return read_serving(call, goals_graph::GoalsGraphProjection::kName, [&](pqxx::dbtransaction& tx) -> Reply {
        if (!goals_read_model::find_goal(tx, call.principal.user_id, goal_id.value())) return fail(call, no_goal());
        return json_response(
            200, bj::object{{"goal_id", goal_id.value()},
                            {"items", goals_read_model::history(tx, call.principal.user_id, "goal", goal_id.value())}});
    });
}

//! GET /v1/goals/{goal_id}/critical-path: the longest chain of open prerequisites ending at the
//! goal by estimated duration, as the projection precomputed it (a finished goal: just itself).
Reply critical_path(const Call& call) {
    auto goal_id = path_uuid(call, "goal_id");
    if (!goal_id) return fail(call, goal_id.problem());
    return read_serving(call, goals_graph::GoalsGraphProjection::kName, [&](pqxx::dbtransaction& tx) -> Reply {
        auto path = goals_read_model::critical_path(tx, call.principal.user_id, goal_id.value());
        if (!path) return fail(call, no_goal());
        return json_response(200, *path);
    });
}

//! GET /v1/goals/plan?limit=200&after=<cursor>: the active goals in an order that respects every
//! ordering dependency (by level: the longest chain of open prerequisites); then priority 1
//! first, earlier deadline.
Reply goal_plan(const Call& call) {
    auto limit = query_int(call, "limit", 200, 1, 1000);
    if (!limit) return fail(call, limit.problem());
    std::optional<goals_read_model::PlanCursor> after;
    if (const auto it = call.request.query.find("after"); it != call.request.query.end()) {
        after = goals_read_model::parse_plan_cursor(it->second);
        if (!after)
            return fail(call, Problem::invalid("invalid_query", "after must be a cursor from next_cursor", "after"));
    }
    return read_serving(call, goals_graph::GoalsGraphProjection::kName, [&](pqxx::dbtransaction& tx) -> Reply {
        auto page = goals_read_model::plan(tx, call.principal.user_id, after, static_cast<int>(limit.value()));
        return json_response(
            200, bj::object{{"items", std::move(page.items)},
                            {"next_cursor", page.next_cursor ? bj::value(*page.next_cursor) : bj::value(nullptr)}});
    });
}

//! GET /v1/goals/bottlenecks?limit=10: active goals whose completion would unblock the most
//! goals at once, then those holding up the most open goals downstream.
Reply goal_bottlenecks(const Call& call) {
    auto limit = query_int(call, "limit", 10, 1, 200);
    if (!limit) return fail(call, limit.problem());
    return read_serving(call, goals_graph::GoalsGraphProjection::kName, [&](pqxx::dbtransaction& tx) -> Reply {
        return json_response(200,
                             bj::object{{"items", goals_read_model::bottlenecks(tx, call.principal.user_id,
                                                                                static_cast<int>(limit.value()))}});
    });
}

//! GET /v1/goals/graph?format=json|dot|svg: every goal and dependency, for clients that draw it.
Reply goal_graph(const Call& call) {
    std::string format = "json";
    if (const auto it = call.request.query.find("format"); it != call.request.query.end()) {
        if (it->second != "json" && it->second != "dot" && it->second != "svg")
            return fail(call, Problem::invalid("invalid_query", "format must be json, dot or svg", "format"));
        format = it->second;
    }
    return read_serving(call, goals_graph::GoalsGraphProjection::kName, [&](pqxx::dbtransaction& tx) -> Reply {
        const auto graph = goals_read_model::load_graph(tx, call.principal.user_id);
        if (format == "svg") {
            http::Response response;
            response.content_type = "image/svg+xml";
            response.body = goal_graph_svg(graph);
            return response;
        }
        if (format == "dot") {
            http::Response response;
            response.content_type = "text/vnd.graphviz; charset=utf-8";
            response.body = goal_graph_dot(graph);
            return response;
        }
        bj::array nodes, edges;
        for (const auto& [id, g] : graph.goals)
            nodes.push_back(bj::object{{"id", id},
                                       {"title", g.title},
                                       {"status", g.status},
                                       {"blocked", g.blocked},
                                       {"category", g.category},
                                       {"priority", g.priority}});
        for (const auto& e : graph.edges)
            edges.push_back(bj::object{{"id", e.id},
                                       {"parent_goal_id", e.parent},
                                       {"dependent_goal_id", e.dependent},
                                       {"type", e.type},
                                       {"strength", e.strength}});
        return json_response(200, bj::object{{"nodes", std::move(nodes)}, {"edges", std::move(edges)}});
    });
}

}  // namespace aimi::gateway::handlers
