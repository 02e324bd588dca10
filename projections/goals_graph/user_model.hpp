#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "domain/goals/graph.hpp"
#include "domain/goals/graph_metrics.hpp"
#include "domain/goals/model.hpp"

namespace aimi::goals_graph {

//! The goals-graph projection's view of one user's whole graph: what the precomputed metrics and
//! the snapshot need (status, estimate, blocked flag, typed edges), nothing personal.
class UserModel {
  public:
    struct Goal {
        goals::GoalStatus status = goals::GoalStatus::active;
        std::int64_t estimated_days = 0;
        bool blocked = false;
        goals::GoalMetrics metrics;  //!< as the rows hold them
    };
    struct Edge {
        std::string parent, dependent;
        goals::DependencyType type = goals::DependencyType::requires_;
    };

    Goal* goal(const std::string& id);
    void put_goal(const std::string& id, Goal goal) { goals_[id] = std::move(goal); }
    void put_edge(const std::string& id, Edge edge);
    void remove_edge(const std::string& id);

    //! Recomputes every goal's metrics; returns the goals whose metrics changed.
    std::vector<std::string> refresh_metrics();
    const std::map<std::string, Goal>& goals() const { return goals_; }

    //! {"ids":[...], "status":"adcx...", "blocked":"01...", "edges":[[p,d],...]}: the ordering
    //! edges as indices into ids (goals_graph_users.snapshot).
    std::string snapshot_json() const;

  private:
    std::map<std::string, Goal> goals_;
    std::map<std::string, Edge> edges_;
    goals::Dag dag_;
};

//! A snapshot parsed back: the ordering Dag and each goal's status and blocked flag.
struct Snapshot {
    goals::Dag dag;
    std::map<std::string, std::pair<std::string, bool>> goals;  //!< id -> (status, blocked)
};
Snapshot parse_snapshot(std::string_view json);

}  // namespace aimi::goals_graph
