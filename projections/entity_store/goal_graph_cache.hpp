#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "domain/goals/goal_graph.hpp"

namespace aimi::entity_store {

//! The decider's goals graphs kept between batches, so a user with 10k goals is not loaded from
//! goal_nodes/goal_edges for every command. An entry is valid for the stream version it was
//! folded to: the graph is a function of the stream's applied prefix, and the stream version
//! names that prefix. Entries enter only after their transaction commits (stage, then commit), so
//! a rolled-back or split batch never leaves a graph the database does not hold.
class GoalGraphCache {
  public:
    explicit GoalGraphCache(std::size_t capacity) : capacity_(capacity) {}

    //! The cached graph if it was folded to exactly `stream_version` (moved out; put it back with
    //! stage + commit).
    std::optional<goals::GoalGraph> take(const std::string& user_id, std::int64_t stream_version);
    void stage(const std::string& user_id, std::int64_t stream_version, goals::GoalGraph graph);
    void commit();   //!< the staged graphs' transaction committed
    void abandon();  //!< it did not (or may not have): forget them
    std::size_t size() const { return entries_.size(); }

  private:
    struct Entry {
        std::int64_t version = 0;
        goals::GoalGraph graph;
        std::uint64_t used = 0;
    };
    std::size_t capacity_;
    std::uint64_t clock_ = 0;
    std::map<std::string, Entry> entries_;
    std::map<std::string, Entry> staged_;
};

}  // namespace aimi::entity_store
