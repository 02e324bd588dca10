#include "domain/goals/graph.hpp"

#include <algorithm>
#include <queue>
#include <tuple>

namespace aimi::goals {

int Dag::find(const std::string& id) const {
    const auto it = index_.find(id);
    return it == index_.end() ? -1 : it->second;
}

int Dag::intern(const std::string& id) {
    const auto [it, inserted] = index_.try_emplace(id, static_cast<int>(ids_.size()));
    if (inserted) {
        ids_.push_back(id);
        out_.emplace_back();
        in_.emplace_back();
    }
    return it->second;
}

void Dag::add(const std::string& parent, const std::string& dependent) {
    const int p = intern(parent);
    const int d = intern(dependent);
    if (std::find(out_[p].begin(), out_[p].end(), d) != out_[p].end()) return;
    out_[p].push_back(d);
    in_[d].push_back(p);
    ++edges_;
}

void Dag::remove(const std::string& parent, const std::string& dependent) {
    const int p = find(parent);
    const int d = find(dependent);
    if (p < 0 || d < 0) return;
    const auto it = std::find(out_[p].begin(), out_[p].end(), d);
    if (it == out_[p].end()) return;
    out_[p].erase(it);
    in_[d].erase(std::find(in_[d].begin(), in_[d].end(), p));
    --edges_;
}

bool Dag::has(const std::string& parent, const std::string& dependent) const {
    const int p = find(parent);
    const int d = find(dependent);
    return p >= 0 && d >= 0 && std::find(out_[p].begin(), out_[p].end(), d) != out_[p].end();
}

std::uint32_t Dag::new_epoch() const {
    if (mark_.size() < ids_.size()) {
        mark_.resize(ids_.size(), 0);
    }
    if (++epoch_ == 0) {  // wrapped: old marks could collide
        std::fill(mark_.begin(), mark_.end(), 0);
        epoch_ = 1;
    }
    return epoch_;
}

std::vector<int> Dag::path(int from, int to, bool skip_direct) const {
    // Breadth first: the shortest path, the clearest one to show.
    const auto epoch = new_epoch();
    std::vector<int> parent(ids_.size(), -1);
    std::vector<int> queue{from};
    mark_[from] = epoch;
    for (std::size_t head = 0; head < queue.size(); ++head) {
        const int node = queue[head];
        for (const int next : out_[node]) {
            if (skip_direct && node == from && next == to) continue;
            if (mark_[next] == epoch) continue;
            mark_[next] = epoch;
            parent[next] = node;
            if (next == to) {
                std::vector<int> out{to};
                for (int at = node; at != from; at = parent[at]) out.push_back(at);
                out.push_back(from);
                std::reverse(out.begin(), out.end());
                return out;
            }
            queue.push_back(next);
        }
    }
    return {};
}

void Dag::mark_reachable(int start, const std::vector<std::vector<int>>& next, std::vector<int>& order) const {
    order.assign(1, start);
    mark_[start] = epoch_;
    for (std::size_t head = 0; head < order.size(); ++head)
        for (const int n : next[order[head]])
            if (mark_[n] != epoch_) {
                mark_[n] = epoch_;
                order.push_back(n);
            }
}

std::vector<std::string> Dag::names(const std::vector<int>& nodes) const {
    std::vector<std::string> out;
    out.reserve(nodes.size());
    for (const int n : nodes) out.push_back(ids_[n]);
    return out;
}

std::optional<EdgeRefusal> Dag::check_add(const std::string& parent, const std::string& dependent) const {
    if (parent == dependent) return EdgeRefusal{"self_dependency", "a goal cannot depend on itself", {parent}, {}};
    const int p = find(parent);
    const int d = find(dependent);
    if (p < 0 || d < 0) return std::nullopt;  // a goal without edges closes nothing
    // The dependent already comes before the parent: the edge would close a cycle.
    if (auto cycle = path(d, p, false); !cycle.empty()) {
        cycle.push_back(d);
        return EdgeRefusal{"dependency_cycle", "the dependency would close a cycle", names(cycle), {}};
    }
    // The parent already comes before the dependent along a longer path: redundant.
    if (auto implied = path(p, d, true); !implied.empty())
        return EdgeRefusal{
            "redundant_dependency", "the dependency is already implied by a longer path", names(implied), {}};
    // Existing X -> Y with X ->* parent and dependent ->* Y would become implied.
    new_epoch();
    std::vector<int> upstream;
    mark_reachable(p, in_, upstream);
    new_epoch();
    std::vector<int> downstream;
    mark_reachable(d, out_, downstream);
    std::vector<std::pair<std::string, std::string>> redundant;
    for (const int x : upstream)
        for (const int y : out_[x])
            if (mark_[y] == epoch_) redundant.emplace_back(ids_[x], ids_[y]);
    if (redundant.empty()) return std::nullopt;
    std::sort(redundant.begin(), redundant.end());
    return EdgeRefusal{"makes_redundant",
                       "the dependency would make existing dependencies redundant; remove them first",
                       {parent, dependent},
                       std::move(redundant)};
}

std::vector<Reached> Dag::reach(const std::string& start, const std::vector<std::vector<int>>& next) const {
    const int s = find(start);
    if (s < 0) return {};
    const auto epoch = new_epoch();
    std::vector<std::pair<int, int>> queue{{s, 0}};
    mark_[s] = epoch;
    for (std::size_t head = 0; head < queue.size(); ++head) {
        const auto [node, depth] = queue[head];
        for (const int n : next[node])
            if (mark_[n] != epoch) {
                mark_[n] = epoch;
                queue.emplace_back(n, depth + 1);
            }
    }
    std::vector<Reached> out;
    out.reserve(queue.size() - 1);
    for (std::size_t i = 1; i < queue.size(); ++i) out.push_back(Reached{ids_[queue[i].first], queue[i].second});
    std::sort(out.begin(), out.end(),
              [](const Reached& a, const Reached& b) { return std::tie(a.depth, a.id) < std::tie(b.depth, b.id); });
    return out;
}

std::vector<Reached> Dag::ancestors(const std::string& goal) const {
    return reach(goal, in_);
}

std::vector<Reached> Dag::descendants(const std::string& goal) const {
    return reach(goal, out_);
}

std::vector<std::string> Dag::parents(const std::string& goal) const {
    const int g = find(goal);
    if (g < 0) return {};
    auto out = names(in_[g]);
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> Dag::children(const std::string& goal) const {
    const int g = find(goal);
    if (g < 0) return {};
    auto out = names(out_[g]);
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> Dag::topological(const std::vector<std::string>& nodes,
                                          const std::unordered_map<std::string, std::int64_t>& rank) const {
    // Kahn's algorithm over indices; goals without edges are not interned and are ready at once.
    std::vector<char> wanted(ids_.size(), 0);
    std::vector<int> indegree(ids_.size(), 0);
    std::vector<std::string> loose;
    for (const auto& n : nodes) {
        const int i = find(n);
        if (i < 0)
            loose.push_back(n);
        else
            wanted[i] = 1;
    }
    for (std::size_t i = 0; i < ids_.size(); ++i)
        if (wanted[i])
            for (const int c : out_[i]) indegree[c] += wanted[c];
    const auto rank_of = [&](const std::string& id) {
        const auto it = rank.find(id);
        return it == rank.end() ? std::int64_t{0} : it->second;
    };
    using Ready = std::tuple<std::int64_t, std::string, int>;  // rank, id, index (-1: loose)
    std::priority_queue<Ready, std::vector<Ready>, std::greater<>> ready;
    for (std::size_t i = 0; i < ids_.size(); ++i)
        if (wanted[i] && indegree[i] == 0) ready.emplace(rank_of(ids_[i]), ids_[i], static_cast<int>(i));
    for (const auto& n : loose) ready.emplace(rank_of(n), n, -1);
    std::vector<std::string> out;
    out.reserve(nodes.size());
    while (!ready.empty()) {
        auto [r, id, i] = ready.top();
        ready.pop();
        out.push_back(std::move(id));
        if (i < 0) continue;
        for (const int c : out_[i])
            if (wanted[c] && --indegree[c] == 0) ready.emplace(rank_of(ids_[c]), ids_[c], c);
    }
    return out;
}

CriticalPath critical_path(const Dag& dag, const std::string& target,
                           const std::unordered_map<std::string, std::int64_t>& duration_days,
                           const std::function<bool(const std::string&)>& included) {
    const int t = dag.index_of(target);
    const auto days_of = [&](const std::string& id) {
        const auto it = duration_days.find(id);
        return it == duration_days.end() ? std::int64_t{0} : it->second;
    };
    if (t < 0) return CriticalPath{{target}, days_of(target)};
    // The target's ancestors that count, found backwards; then longest paths in topological order.
    const auto n = dag.node_count();
    std::vector<char> in_scope(n, 0);
    std::vector<int> scope{t};
    in_scope[t] = 1;
    for (std::size_t head = 0; head < scope.size(); ++head)
        for (const int p : dag.parents_at(scope[head]))
            if (!in_scope[p]) {
                in_scope[p] = 1;
                if (included(dag.id_at(p))) scope.push_back(p);
            }
    std::fill(in_scope.begin(), in_scope.end(), 0);
    for (const int i : scope) in_scope[i] = 1;
    // Note: an excluded goal cuts the walk there; its own ancestors count only through others.
    std::vector<int> indegree(n, 0);
    for (const int i : scope)
        for (const int p : dag.parents_at(i)) indegree[i] += in_scope[p];
    std::vector<int> order;
    order.reserve(scope.size());
    for (const int i : scope)
        if (indegree[i] == 0) order.push_back(i);
    for (std::size_t head = 0; head < order.size(); ++head)
        for (const int c : dag.children_at(order[head]))
            if (in_scope[c] && --indegree[c] == 0) order.push_back(c);
    std::vector<std::int64_t> best(n, 0);
    std::vector<int> via(n, -1);
    for (const int i : order) {
        std::int64_t longest = -1;
        int from = -1;
        for (const int p : dag.parents_at(i)) {
            if (!in_scope[p]) continue;
            // Ties go to the smaller id: the same graph gives the same path.
            if (best[p] > longest || (best[p] == longest && dag.id_at(p) < dag.id_at(from))) {
                longest = best[p];
                from = p;
            }
        }
        best[i] = std::max<std::int64_t>(longest, 0) + days_of(dag.id_at(i));
        via[i] = from;
    }
    CriticalPath result;
    result.total_days = best[t];
    for (int at = t; at >= 0; at = via[at]) result.goals.push_back(dag.id_at(at));
    std::reverse(result.goals.begin(), result.goals.end());
    return result;
}

}  // namespace aimi::goals
