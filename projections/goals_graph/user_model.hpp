#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
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
    void put_goal(const std::string& id, Goal goal);
    void put_edge(const std::string& id, Edge edge);
    void remove_edge(const std::string& id);

    //! Recomputes every goal's metrics; returns the goals whose metrics changed.
    std::vector<std::string> refresh_metrics();
    const std::map<std::string, Goal>& goals() const { return goals_; }

    //! {"ids":[...], "status":"adcx...", "blocked":"01...", "edges":[p0,d0,p1,d1,...]}: the ordering
    //! edges as pairs of indices into ids (goals_graph_users.snapshot).
    std::string snapshot_json() const;

  private:
    std::map<std::string, Goal> goals_;
    std::map<std::string, Edge> edges_;
    goals::Dag dag_;                              //!< ordering edges; every goal has an index
    std::unordered_set<std::uint64_t> blocking_;  //!< (parent, child) indices of requires/blocks edges
};

//! A snapshot parsed back, for the transitive queries: adjacency over dense indices (no string
//! interning), each goal's status and blocked flag.
class SnapshotGraph {
  public:
    struct Reached {
        int index = 0;
        int depth = 0;
    };
    //! Throws std::runtime_error if the text is not a snapshot.
    static SnapshotGraph parse(std::string_view json);

    std::optional<int> index_of(const std::string& goal_id) const;
    const std::string& id(int index) const { return ids_[index]; }
    std::string status(int index) const;
    bool blocked(int index) const { return blocked_[index] == '1'; }
    std::size_t edge_count() const { return edges_; }

    //! Goals before (ancestors) or after (descendants) it, nearest first, ties by id.
    std::vector<Reached> ancestors(int index) const { return reach(index, in_); }
    std::vector<Reached> descendants(int index) const { return reach(index, out_); }

  private:
    std::vector<Reached> reach(int start, const std::vector<std::vector<int>>& next) const;

    std::vector<std::string> ids_;
    std::unordered_map<std::string, int> index_;
    std::string status_, blocked_;
    std::vector<std::vector<int>> in_, out_;
    std::size_t edges_ = 0;
};

}  // namespace aimi::goals_graph
