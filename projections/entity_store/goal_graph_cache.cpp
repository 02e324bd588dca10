#include "projections/entity_store/goal_graph_cache.hpp"

#include <algorithm>

namespace aimi::entity_store {

std::optional<goals::GoalGraph> GoalGraphCache::take(const std::string& user_id, std::int64_t stream_version) {
    const auto it = entries_.find(user_id);
    if (it == entries_.end()) return std::nullopt;
    std::optional<goals::GoalGraph> out;
    if (it->second.version == stream_version) out = std::move(it->second.graph);
    entries_.erase(it);
    return out;
}

void GoalGraphCache::stage(const std::string& user_id, std::int64_t stream_version, goals::GoalGraph graph) {
    graph.forget_undo();
    staged_[user_id] = Entry{stream_version, std::move(graph), 0};
}

void GoalGraphCache::commit() {
    for (auto& [user, entry] : staged_) {
        entry.used = ++clock_;
        entries_[user] = std::move(entry);
    }
    staged_.clear();
    while (entries_.size() > capacity_) {
        const auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
            return a.second.used < b.second.used;
        });
        entries_.erase(oldest);
    }
}

void GoalGraphCache::abandon() {
    staged_.clear();
}

}  // namespace aimi::entity_store
