#include "domain/goals/graph.hpp"

#include <algorithm>

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

}  // namespace aimi::goals
