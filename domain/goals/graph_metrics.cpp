#include "domain/goals/graph_metrics.hpp"

#include <algorithm>
#include <set>

namespace aimi::goals {

std::vector<GoalMetrics> compute_metrics(const Dag& dag, const std::vector<GoalFacts>& facts,
                                         const std::function<bool(int parent, int child)>& blocks,
                                         std::vector<int>& via) {
    const auto n = dag.node_count();
    const auto open = [&](int i) { return static_cast<std::size_t>(i) < facts.size() && facts[i].open; };

    std::vector<int> indegree(n, 0), order;
    order.reserve(n);
    for (std::size_t i = 0; i < n; ++i) indegree[i] = static_cast<int>(dag.parents_at(static_cast<int>(i)).size());
    for (std::size_t i = 0; i < n; ++i)
        if (indegree[i] == 0) order.push_back(static_cast<int>(i));
    for (std::size_t head = 0; head < order.size(); ++head)
        for (const int c : dag.children_at(order[head]))
            if (--indegree[c] == 0) order.push_back(c);

    std::vector<GoalMetrics> out(n);
    via.assign(n, -1);
    std::vector<int> open_blockers(n, 0), last_blocker(n, -1);
    for (const int i : order) {
        auto& m = out[i];
        for (const int c : dag.children_at(i)) m.open_children += open(c);
        if (!open(i)) continue;
        int from = -1;
        for (const int p : dag.parents_at(i)) {
            if (!open(p)) continue;
            m.level = std::max(m.level, out[p].level + 1);
            if (from < 0 || out[p].critical_days > out[from].critical_days ||
                (out[p].critical_days == out[from].critical_days && dag.id_at(p) < dag.id_at(from)))
                from = p;
            if (blocks(p, i)) {
                ++open_blockers[i];
                last_blocker[i] = p;
            }
        }
        m.critical_days = facts[i].estimated_days + (from < 0 ? 0 : out[from].critical_days);
        via[i] = from;
    }
    for (std::size_t i = 0; i < n; ++i)
        if (open_blockers[i] == 1) ++out[last_blocker[i]].would_unblock;
    return out;
}

std::map<std::string, GoalMetrics> compute_metrics(const Dag& dag, const std::map<std::string, GoalFacts>& goals,
                                                   const std::vector<std::pair<std::string, std::string>>& blocking) {
    std::vector<GoalFacts> facts(dag.node_count());
    for (std::size_t i = 0; i < facts.size(); ++i)
        if (auto it = goals.find(dag.id_at(static_cast<int>(i))); it != goals.end()) facts[i] = it->second;
    std::set<std::pair<int, int>> blocking_edges;
    for (const auto& [parent, dependent] : blocking)
        blocking_edges.emplace(dag.index_of(parent), dag.index_of(dependent));
    std::vector<int> via;
    const auto by_index = compute_metrics(
        dag, facts,
        [&](int p, int c) {
            return blocking_edges.contains({p, c});
        },
        via);
    std::map<std::string, GoalMetrics> out;
    for (const auto& [id, f] : goals) out[id].critical_days = f.open ? f.estimated_days : 0;
    for (std::size_t i = 0; i < by_index.size(); ++i) {
        const auto& id = dag.id_at(static_cast<int>(i));
        if (!goals.contains(id)) continue;
        out[id] = by_index[i];
        if (via[i] >= 0) out[id].critical_via = dag.id_at(via[i]);
    }
    return out;
}

}  // namespace aimi::goals
