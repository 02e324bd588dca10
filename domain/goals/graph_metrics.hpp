#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/goals/graph.hpp"

namespace aimi::goals {

//! What the goals-graph read model precomputes per goal, so the plan, bottleneck and critical-path
//! queries are index look-ups instead of graph walks in the request path.
struct GoalMetrics {
    int level = 0;                            //!< longest chain of open prerequisites before it (open goals)
    std::int64_t critical_days = 0;           //!< longest chain of open goals ending here, by estimated days
    std::optional<std::string> critical_via;  //!< the prerequisite on that chain
    int would_unblock = 0;                    //!< open goals for which it is the last open blocking prerequisite
    int open_children = 0;                    //!< open goals directly after it (ordering dependencies)
    bool operator==(const GoalMetrics&) const = default;
};

struct GoalFacts {
    bool open = false;  //!< active
    std::int64_t estimated_days = 0;
};

//! Metrics of every goal in `goals`, from the ordering edges (`dag`) and the blocking edges
//! (requires/blocks: parent, dependent), in O(V + E). Every metric depends on a goal's own
//! prerequisites or direct neighbours only, so a change (a new leaf, a status) rewrites few rows;
//! transitive impact (all dependents) is a walk of the snapshot, not a stored count.
std::map<std::string, GoalMetrics> compute_metrics(const Dag& dag, const std::map<std::string, GoalFacts>& goals,
                                                   const std::vector<std::pair<std::string, std::string>>& blocking);

//! The same over the Dag's indices: `facts[i]` for every index (a goal absent from the graph:
//! not open), `blocks(parent, child)` for each ordering edge. critical_via comes back as an index
//! in `via` (-1: none), the rest in the returned metrics (critical_via unset).
std::vector<GoalMetrics> compute_metrics(const Dag& dag, const std::vector<GoalFacts>& facts,
                                         const std::function<bool(int parent, int child)>& blocks,
                                         std::vector<int>& via);

}  // namespace aimi::goals
