#pragma once

#include <string>
#include <vector>

#include <map>
#include <set>

#include "projections/derived/fact_projection.hpp"
#include "projections/goals_graph/user_model.hpp"
#include "projections/versioned_cache.hpp"

namespace aimi::goals_graph {

//! The goals-graph read model (migrations/0008_goals_graph.sql) from the facts: goals and
//! dependencies as the API shows them, the derived blocked flag (from the decider's goal.blocked /
//! goal.unblocked facts, never recomputed here), and each goal's status history. Rows the facts
//! touch are loaded, changed in memory in fact order and written back, so any batching gives the
//! same rows; an erasure removes all of the user's rows. Per user it also keeps the whole graph
//! (UserModel, cached between batches) to precompute each goal's plan level, critical path,
//! bottleneck counts (domain/goals/graph_metrics.hpp) and a compact snapshot of the ordering
//! edges, so no query walks the graph from the rows.
class GoalsGraphProjection final : public FactProjection {
  public:
    static constexpr const char* kName = "goals_graph";
    static std::vector<std::string> tables() {
        return {"goals_graph_goals",  "goals_graph_dependencies", "goals_graph_history",
                "goals_graph_users",  "goals_graph_tasks",        "goals_graph_problems",
                "goals_graph_habits", "goals_graph_links"};
    }
    const std::string& name() const override { return name_; }
    void apply(pqxx::dbtransaction& tx, std::span<const facts::Fact> facts) override;
    void committed() override { models_.commit(); }
    void abandoned() override { models_.abandon(); }

  private:
    //! The whole graphs of the users these facts touch: cached (at the version goals_graph_users
    //! holds) or loaded from the rows.
    void load_models(pqxx::dbtransaction& tx, std::span<const facts::Fact> facts,
                     std::map<std::string, UserModel>& models, std::map<std::string, std::int64_t>& versions);
    //! Recomputes their metrics, writes the changed ones and each user's snapshot and version.
    void write_metrics(pqxx::dbtransaction& tx, const std::set<std::string>& erased,
                       std::map<std::string, UserModel>& models, const std::map<std::string, std::int64_t>& versions);

    std::string name_ = kName;
    VersionedCache<UserModel> models_{256};
};

}  // namespace aimi::goals_graph
