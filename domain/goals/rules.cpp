#include "domain/goals/rules.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <boost/json/array.hpp>

namespace aimi::goals {

namespace {

namespace bj = boost::json;

bj::array ids_json(const std::vector<std::string>& ids) {
    bj::array out;
    for (const auto& id : ids) out.push_back(bj::value(id));
    return out;
}

Refusal no_goal(const std::string& id, std::string field) {
    return {"goal_not_found", "no such goal", std::move(field), {{"goal_ids", ids_json({id})}}};
}

Refusal archived(const std::vector<std::string>& ids) {
    return {"goal_archived",
            "archived goals take no changes and no dependencies; reopen them first",
            "",
            {{"goal_ids", ids_json(ids)}}};
}

//! Records blocked states before a change and reports the differences after it.
class BlockedDiff {
  public:
    BlockedDiff(const GoalGraph& graph, std::set<std::string> candidates)
        : graph_(graph), candidates_(std::move(candidates)) {
        for (const auto& id : candidates_) before_[id] = graph_.blocked(id);
    }
    void report(Changes& changes, const std::string& cause_goal, const std::optional<std::string>& cause_dependency) {
        for (const auto& id : candidates_) {
            const auto* g = graph_.goal(id);
            const bool now = graph_.blocked(id);
            if (!g || g->status != GoalStatus::active || now == before_[id]) continue;
            changes.push_back(BlockChange{id, now, cause_goal, cause_dependency,
                                          now ? graph_.blocking_parents(id) : std::vector<std::string>{}});
        }
    }

  private:
    const GoalGraph& graph_;
    std::set<std::string> candidates_;
    std::map<std::string, bool> before_;
};

std::optional<Refusal> check_endpoints(const GoalGraph& graph, const Dependency& d) {
    if (!graph.goal(d.parent_goal_id)) return no_goal(d.parent_goal_id, "/parent_goal_id");
    if (!graph.goal(d.dependent_goal_id)) return no_goal(d.dependent_goal_id, "/dependent_goal_id");
    std::vector<std::string> put_away;
    for (const auto* id : {&d.parent_goal_id, &d.dependent_goal_id})
        if (graph.goal(*id)->status == GoalStatus::archived) put_away.push_back(*id);
    if (!put_away.empty()) return archived(put_away);
    return std::nullopt;
}

std::optional<Refusal> check_order(const GoalGraph& graph, const Dependency& d) {
    const auto refusal = graph.dag().check_add(d.parent_goal_id, d.dependent_goal_id);
    if (!refusal) return std::nullopt;
    Refusal out{refusal->code, refusal->message, "", {}};
    if (refusal->code == "self_dependency") {
        out.field = "/dependent_goal_id";
        out.details["goal_ids"] = ids_json(refusal->path);
    } else if (refusal->code == "makes_redundant") {
        bj::array redundant;
        for (const auto& [parent, dependent] : refusal->redundant_edges) {
            const auto* existing = graph.between(parent, dependent);
            redundant.push_back(bj::object{{"dependency_id", existing ? bj::value(existing->id) : bj::value(nullptr)},
                                           {"parent_goal_id", parent},
                                           {"dependent_goal_id", dependent}});
        }
        out.details["redundant_dependencies"] = std::move(redundant);
        out.details["goal_ids"] = ids_json(refusal->path);
    } else {
        out.details["path"] = ids_json(refusal->path);
    }
    return out;
}

}  // namespace

std::optional<Refusal> create_goal(GoalGraph& graph, GoalNode goal, bool allow_duplicate) {
    if (graph.goal(goal.id)) return Refusal{"goal_exists", "goal id already in use", "", {}};
    if (!allow_duplicate && !goal.title_norm.empty()) {
        for (const auto& [id, existing] : graph.goals()) {
            const bool live = existing.status == GoalStatus::active || existing.status == GoalStatus::done;
            if (live && existing.title_norm == goal.title_norm)
                return Refusal{"duplicate_goal",
                               "a goal with the same title exists; send allow_duplicate: true to create it anyway",
                               "/title",
                               {{"goal_ids", ids_json({id})}}};
        }
    }
    graph.put_goal(std::move(goal));
    return std::nullopt;
}

std::optional<Refusal> check_updatable(const GoalGraph& graph, const std::string& goal_id) {
    const auto* g = graph.goal(goal_id);
    if (!g) return no_goal(goal_id, "");
    if (g->status == GoalStatus::archived) return archived({goal_id});
    return std::nullopt;
}

std::optional<Refusal> change_status(GoalGraph& graph, const std::string& goal_id, GoalStatus to, bool& changed,
                                     Changes& changes) {
    changed = false;
    const auto* g = graph.goal(goal_id);
    if (!g) return no_goal(goal_id, "");
    const GoalStatus from = g->status;
    if (from == to) return std::nullopt;
    const bool allowed = (to == GoalStatus::active) || (to == GoalStatus::archived) ||
                         ((to == GoalStatus::done || to == GoalStatus::cancelled) && from == GoalStatus::active);
    if (!allowed)
        return Refusal{"invalid_transition",
                       fmt::format("a {} goal cannot become {}; reopen it first", to_string(from), to_string(to)),
                       "",
                       {{"goal_ids", ids_json({goal_id})}, {"status", to_string(from)}}};
    if (to == GoalStatus::done) {
        if (const auto parents = graph.blocking_parents(goal_id); !parents.empty())
            return Refusal{"goal_blocked",
                           "the goal waits for prerequisites that are not finished",
                           "",
                           {{"goal_ids", ids_json({goal_id})}, {"blocking_goal_ids", ids_json(parents)}}};
    }
    const auto held = graph.held_back(goal_id);
    std::set<std::string> candidates(held.begin(), held.end());
    candidates.insert(goal_id);
    BlockedDiff diff(graph, std::move(candidates));
    graph.set_status(goal_id, to);
    diff.report(changes, goal_id, std::nullopt);
    changed = true;
    return std::nullopt;
}

std::optional<Refusal> add_dependency(GoalGraph& graph, Dependency dependency, Changes& changes) {
    if (graph.dependency(dependency.id)) return Refusal{"dependency_exists", "dependency id already in use", "", {}};
    if (dependency.parent_goal_id == dependency.dependent_goal_id)
        return Refusal{"self_dependency",
                       "a goal cannot depend on itself",
                       "/dependent_goal_id",
                       {{"goal_ids", ids_json({dependency.parent_goal_id})}}};
    if (auto p = check_endpoints(graph, dependency)) return p;
    if (const auto* existing = graph.between(dependency.parent_goal_id, dependency.dependent_goal_id))
        return Refusal{"dependency_exists",
                       "these goals are already linked; update or remove that dependency",
                       "",
                       {{"dependency_id", existing->id},
                        {"goal_ids", ids_json({dependency.parent_goal_id, dependency.dependent_goal_id})}}};
    if (orders(dependency.type))
        if (auto p = check_order(graph, dependency)) return p;
    BlockedDiff diff(graph, {dependency.dependent_goal_id});
    const auto cause = dependency.parent_goal_id;
    const auto id = dependency.id;
    graph.put_dependency(std::move(dependency));
    diff.report(changes, cause, id);
    return std::nullopt;
}

std::optional<Refusal> update_dependency(GoalGraph& graph, const std::string& dependency_id,
                                         std::optional<DependencyType> type, std::optional<int> strength,
                                         Changes& changes) {
    const auto* existing = graph.dependency(dependency_id);
    if (!existing) return Refusal{"dependency_not_found", "no such dependency", "", {{"dependency_id", dependency_id}}};
    Dependency next = *existing;
    if (type) next.type = *type;
    if (strength) next.strength = *strength;
    if (type && !orders(existing->type) && orders(*type)) {
        if (auto p = check_endpoints(graph, next)) return p;
        if (auto p = check_order(graph, next)) return p;
    }
    BlockedDiff diff(graph, {next.dependent_goal_id});
    const auto cause = next.parent_goal_id;
    graph.put_dependency(std::move(next));
    diff.report(changes, cause, dependency_id);
    return std::nullopt;
}

std::optional<Refusal> remove_dependency(GoalGraph& graph, const std::string& dependency_id, Changes& changes) {
    const auto* existing = graph.dependency(dependency_id);
    if (!existing) return Refusal{"dependency_not_found", "no such dependency", "", {{"dependency_id", dependency_id}}};
    BlockedDiff diff(graph, {existing->dependent_goal_id});
    const auto cause = existing->parent_goal_id;
    graph.remove_dependency(dependency_id);
    diff.report(changes, cause, dependency_id);
    return std::nullopt;
}

}  // namespace aimi::goals
