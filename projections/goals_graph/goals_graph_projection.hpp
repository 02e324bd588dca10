#pragma once

#include <string>
#include <vector>

#include "projections/derived/fact_projection.hpp"

namespace aimi::goals_graph {

//! The goals-graph read model (migrations/0008_goals_graph.sql) from the facts: goals and
//! dependencies as the API shows them, the derived blocked flag (from the decider's goal.blocked /
//! goal.unblocked facts, never recomputed here), and each goal's status history. Rows the facts
//! touch are loaded, changed in memory in fact order and written back, so any batching gives the
//! same rows; an erasure removes all of the user's rows.
class GoalsGraphProjection final : public FactProjection {
  public:
    static constexpr const char* kName = "goals_graph";
    static std::vector<std::string> tables() {
        return {"goals_graph_goals", "goals_graph_dependencies", "goals_graph_history"};
    }
    const std::string& name() const override { return name_; }
    void apply(pqxx::dbtransaction& tx, std::span<const facts::Fact> facts) override;

  private:
    std::string name_ = kName;
};

}  // namespace aimi::goals_graph
