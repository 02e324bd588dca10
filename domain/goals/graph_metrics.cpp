#include "domain/goals/graph_metrics.hpp"

#include <algorithm>

namespace aimi::goals {

std::map<std::string, GoalMetrics> compute_metrics(const Dag& dag, const std::map<std::string, GoalFacts>& goals,
                                                   const std::vector<std::pair<std::string, std::string>>& blocking) {
    std::map<std::string, GoalMetrics> out;
    for (const auto& [id, facts] : goals) out[id].critical_days = facts.open ? facts.estimated_days : 0;

    const auto n = dag.node_count();
    std::vector<const GoalFacts*> facts(n, nullptr);
    for (std::size_t i = 0; i < n; ++i)
        if (auto it = goals.find(dag.id_at(static_cast<int>(i))); it != goals.end()) facts[i] = &it->second;
    const auto open = [&](int i) { return facts[i] && facts[i]->open; };

    // Topological order over all of the Dag's nodes.
    std::vector<int> indegree(n, 0), order;
    order.reserve(n);
    for (std::size_t i = 0; i < n; ++i) indegree[i] = static_cast<int>(dag.parents_at(static_cast<int>(i)).size());
    for (std::size_t i = 0; i < n; ++i)
        if (indegree[i] == 0) order.push_back(static_cast<int>(i));
    for (std::size_t head = 0; head < order.size(); ++head)
        for (const int c : dag.children_at(order[head]))
            if (--indegree[c] == 0) order.push_back(c);

    std::vector<int> level(n, 0);
    std::vector<std::int64_t> critical(n, 0);
    std::vector<int> via(n, -1);
    for (const int i : order) {
        if (!open(i)) continue;
        int from = -1;
        for (const int p : dag.parents_at(i)) {
            if (!open(p)) continue;
            level[i] = std::max(level[i], level[p] + 1);
            if (from < 0 || critical[p] > critical[from] ||
                (critical[p] == critical[from] && dag.id_at(p) < dag.id_at(from)))
                from = p;
        }
        critical[i] = facts[i]->estimated_days + (from < 0 ? 0 : critical[from]);
        via[i] = from;
    }

    for (std::size_t i = 0; i < n; ++i) {
        if (!facts[i]) continue;
        auto& m = out[dag.id_at(static_cast<int>(i))];
        m.level = level[i];
        m.critical_days = critical[i];
        if (via[i] >= 0) m.critical_via = dag.id_at(via[i]);
        int children = 0;
        for (const int c : dag.children_at(static_cast<int>(i))) children += open(c);
        m.open_children = children;
    }

    std::map<std::string, std::vector<std::string>> open_blockers;
    for (const auto& [parent, dependent] : blocking) {
        const auto p = goals.find(parent), d = goals.find(dependent);
        if (p != goals.end() && d != goals.end() && p->second.open && d->second.open)
            open_blockers[dependent].push_back(parent);
    }
    for (const auto& [dependent, parents] : open_blockers)
        if (parents.size() == 1) ++out[parents.front()].would_unblock;
    return out;
}

}  // namespace aimi::goals
