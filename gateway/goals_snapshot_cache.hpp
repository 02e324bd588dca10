#pragma once

#include <memory>
#include <string>

#include "projections/goals_graph/user_model.hpp"

namespace pqxx {
class dbtransaction;
}

namespace aimi::gateway {

//! Parsed goals-graph snapshots (goals_graph_users) per (serving schema, user), valid while the
//! projection's version for the user is unchanged: a query checks the version (one small row)
//! and parses the snapshot only after it changed. Thread-safe; the least recently used users go
//! beyond the capacity.
class GoalsSnapshotCache {
  public:
    explicit GoalsSnapshotCache(std::size_t capacity = 64) : capacity_(capacity) {}
    //! The user's snapshot as the transaction sees it; null when the user has no goals graph.
    std::shared_ptr<const goals_graph::SnapshotGraph> get(pqxx::dbtransaction& tx, const std::string& schema,
                                                          const std::string& user_id);
    static GoalsSnapshotCache& shared();

  private:
    struct Entry;
    struct State;
    std::size_t capacity_;
    std::shared_ptr<State> state_ = make_state();
    static std::shared_ptr<State> make_state();
};

}  // namespace aimi::gateway
