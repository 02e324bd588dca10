#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "domain/goals/goal_graph.hpp"

// The goals graph's rules as the decider (the entity-store fold) applies them. Each operation
// either refuses (and changes nothing) or changes the graph and reports which goals became
// blocked or unblocked by it. Refusal codes are stable: docs/goals.md.
namespace aimi::goals {

struct Refusal {
    std::string code;
    std::string message;
    std::string field;            //!< JSON pointer into the command body, when one field is at fault
    boost::json::object details;  //!< the goals, path or dependencies to name
};

//! A goal whose blocked state the operation changed (only goals active after it).
struct BlockChange {
    std::string goal_id;
    bool blocked = false;
    std::string caused_by_goal_id;
    std::optional<std::string> caused_by_dependency_id;
    std::vector<std::string> blocking_goal_ids;  //!< when blocked: its active prerequisites
};

using Changes = std::vector<BlockChange>;

//! An exact duplicate (same normalized title, active or done) refuses unless allowed.
std::optional<Refusal> create_goal(GoalGraph& graph, GoalNode goal, bool allow_duplicate);
//! Content changes: the goal must exist and not be archived.
std::optional<Refusal> check_updatable(const GoalGraph& graph, const std::string& goal_id);
//! complete (active -> done, refused while blocked), cancel (active -> cancelled), archive (any
//! -> archived), reopen (done|cancelled|archived -> active). Already there: no change, no refusal.
//! `changed` tells which.
std::optional<Refusal> change_status(GoalGraph& graph, const std::string& goal_id, GoalStatus to, bool& changed,
                                     Changes& changes);
std::optional<Refusal> add_dependency(GoalGraph& graph, Dependency dependency, Changes& changes);
std::optional<Refusal> update_dependency(GoalGraph& graph, const std::string& dependency_id,
                                         std::optional<DependencyType> type, std::optional<int> strength,
                                         Changes& changes);
std::optional<Refusal> remove_dependency(GoalGraph& graph, const std::string& dependency_id, Changes& changes);

}  // namespace aimi::goals
