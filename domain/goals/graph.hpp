#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace aimi::goals {

//! Why an ordering edge cannot be added, with the goals to name in the error.
struct EdgeRefusal {
    std::string code;  //!< self_dependency, dependency_cycle, redundant_dependency, makes_redundant
    std::string message;
    std::vector<std::string> path;                                     //!< the cycle, or the existing path
    std::vector<std::pair<std::string, std::string>> redundant_edges;  //!< makes_redundant: (parent, dependent)
};

//! A goal reached from another, and how many edges away (1 = direct).
struct Reached {
    std::string id;
    int depth = 0;
    bool operator==(const Reached&) const = default;
};

//! The ordering edges of one user's goals: parent -> dependent ("comes before"). Kept acyclic and
//! transitively reduced by its owner through check_add(). Ids are interned to dense indices, so
//! a check at 10k goals and 50k edges walks integers, not strings.
//! @warning const queries reuse scratch buffers: one thread at a time per Dag.
class Dag {
  public:
    void add(const std::string& parent, const std::string& dependent);
    //! Gives the goal an index without edges (indices are stable: goals are never forgotten).
    int touch(const std::string& goal) { return intern(goal); }
    void remove(const std::string& parent, const std::string& dependent);
    bool has(const std::string& parent, const std::string& dependent) const;
    std::size_t edge_count() const { return edges_; }

    //! nullopt if parent -> dependent may be added: not a self edge, no cycle (else the path that
    //! would close), not implied by a longer path (else that path), and no existing edge X -> Y
    //! that it would make redundant (X before-or-at parent, Y at-or-after dependent; else those).
    std::optional<EdgeRefusal> check_add(const std::string& parent, const std::string& dependent) const;

    //! Everything `goal` comes after, transitively, nearest first (ties by id).
    std::vector<Reached> ancestors(const std::string& goal) const;
    //! Everything that comes after `goal`, transitively, nearest first (ties by id).
    std::vector<Reached> descendants(const std::string& goal) const;

    // Index-level access for algorithms over the whole graph (indices are dense, 0..node_count()).
    int index_of(const std::string& id) const { return find(id); }
    std::size_t node_count() const { return ids_.size(); }
    const std::string& id_at(int index) const { return ids_[index]; }
    const std::vector<int>& parents_at(int index) const { return in_[index]; }
    const std::vector<int>& children_at(int index) const { return out_[index]; }

  private:
    int find(const std::string& id) const;
    int intern(const std::string& id);
    //! A shortest path from -> to (both included), empty if none; optionally not using the
    //! direct edge from -> to.
    std::vector<int> path(int from, int to, bool skip_direct) const;
    //! Marks (with the current epoch) everything reachable from `start` along `next`.
    void mark_reachable(int start, const std::vector<std::vector<int>>& next, std::vector<int>& order) const;
    std::uint32_t new_epoch() const;
    std::vector<Reached> reach(const std::string& start, const std::vector<std::vector<int>>& next) const;
    std::vector<std::string> names(const std::vector<int>& nodes) const;

    std::unordered_map<std::string, int> index_;
    std::vector<std::string> ids_;
    std::vector<std::vector<int>> out_;  //!< parent -> dependents
    std::vector<std::vector<int>> in_;   //!< dependent -> parents
    std::size_t edges_ = 0;

    mutable std::vector<std::uint32_t> mark_;
    mutable std::uint32_t epoch_ = 0;
};

}  // namespace aimi::goals
