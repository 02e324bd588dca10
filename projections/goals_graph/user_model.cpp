#include "projections/goals_graph/user_model.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>

#include <simdjson.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "domain/json/parse.hpp"
#include "domain/json/serialize.hpp"

namespace aimi::goals_graph {

namespace {

char status_letter(goals::GoalStatus s) {
    switch (s) {
        case goals::GoalStatus::active:
            return 'a';
        case goals::GoalStatus::done:
            return 'd';
        case goals::GoalStatus::cancelled:
            return 'c';
        case goals::GoalStatus::archived:
            return 'x';
    }
    return 'a';
}

std::string status_of_letter(char c) {
    switch (c) {
        case 'd':
            return "done";
        case 'c':
            return "cancelled";
        case 'x':
            return "archived";
        default:
            return "active";
    }
}

}  // namespace

UserModel::Goal* UserModel::goal(const std::string& id) {
    const auto it = goals_.find(id);
    return it == goals_.end() ? nullptr : &it->second;
}

void UserModel::put_goal(const std::string& id, Goal goal) {
    dag_.touch(id);
    goals_[id] = std::move(goal);
}

namespace {
std::uint64_t edge_key(int parent, int child) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(parent)) << 32) | static_cast<std::uint32_t>(child);
}
}  // namespace

void UserModel::put_edge(const std::string& id, Edge edge) {
    remove_edge(id);
    if (goals::orders(edge.type)) {
        dag_.add(edge.parent, edge.dependent);
        if (goals::blocks_until_finished(edge.type))
            blocking_.insert(edge_key(dag_.index_of(edge.parent), dag_.index_of(edge.dependent)));
    }
    edges_[id] = std::move(edge);
}

void UserModel::remove_edge(const std::string& id) {
    const auto it = edges_.find(id);
    if (it == edges_.end()) return;
    const auto& e = it->second;
    if (goals::orders(e.type)) {
        dag_.remove(e.parent, e.dependent);
        blocking_.erase(edge_key(dag_.index_of(e.parent), dag_.index_of(e.dependent)));
    }
    edges_.erase(it);
}

std::vector<std::string> UserModel::refresh_metrics() {
    const auto n = dag_.node_count();
    std::vector<Goal*> by_index(n, nullptr);
    std::vector<goals::GoalFacts> facts(n);
    for (std::size_t i = 0; i < n; ++i)
        if (auto* g = goal(dag_.id_at(static_cast<int>(i)))) {
            by_index[i] = g;
            facts[i] = goals::GoalFacts{g->status == goals::GoalStatus::active, g->estimated_days};
        }
    std::vector<int> via;
    auto metrics = goals::compute_metrics(
        dag_, facts, [this](int p, int c) { return blocking_.contains(edge_key(p, c)); }, via);
    std::vector<std::string> changed;
    for (std::size_t i = 0; i < n; ++i) {
        if (!by_index[i]) continue;
        auto& m = metrics[i];
        if (via[i] >= 0) m.critical_via = dag_.id_at(via[i]);
        if (m == by_index[i]->metrics) continue;
        by_index[i]->metrics = std::move(m);
        changed.push_back(dag_.id_at(static_cast<int>(i)));
    }
    std::sort(changed.begin(), changed.end());
    return changed;
}

std::string UserModel::snapshot_json() const {
    // Goals in the Dag's index order (every goal is in it), edges as a flat list of index pairs.
    const auto n = dag_.node_count();
    boost::json::array ids, edges;
    ids.reserve(n);
    edges.reserve(dag_.edge_count() * 2);
    std::string status(n, 'a'), blocked(n, '0');
    for (std::size_t i = 0; i < n; ++i) {
        const auto& id = dag_.id_at(static_cast<int>(i));
        ids.push_back(boost::json::value(id));
        if (const auto it = goals_.find(id); it != goals_.end()) {
            status[i] = status_letter(it->second.status);
            blocked[i] = it->second.blocked ? '1' : '0';
        }
        for (const int c : dag_.children_at(static_cast<int>(i))) {
            edges.push_back(static_cast<std::int64_t>(i));
            edges.push_back(static_cast<std::int64_t>(c));
        }
    }
    return json::serialize(boost::json::object{
        {"ids", std::move(ids)}, {"status", status}, {"blocked", blocked}, {"edges", std::move(edges)}});
}

SnapshotGraph SnapshotGraph::parse(std::string_view text) {
    simdjson::dom::parser parser;
    auto parsed = json::parse(parser, text);
    if (!parsed) throw std::runtime_error("goals snapshot does not parse: " + parsed.problem().message);
    const simdjson::dom::element doc = parsed.value();
    SnapshotGraph out;
    // Named arrays: a range-for over a temporary simdjson result crashes with this simdjson.
    const simdjson::dom::array id_array = doc["ids"].get_array().value();
    for (simdjson::dom::element id : id_array) {
        out.index_.emplace(std::string(id.get_string().value()), static_cast<int>(out.ids_.size()));
        out.ids_.emplace_back(id.get_string().value());
    }
    out.status_ = std::string(doc["status"].get_string().value());
    out.blocked_ = std::string(doc["blocked"].get_string().value());
    const auto n = out.ids_.size();
    if (out.status_.size() != n || out.blocked_.size() != n) throw std::runtime_error("goals snapshot is inconsistent");
    out.in_.resize(n);
    out.out_.resize(n);
    const simdjson::dom::array edges = doc["edges"].get_array().value();
    std::optional<std::uint64_t> parent;
    for (simdjson::dom::element value : edges) {
        const auto index = value.get_uint64().value();
        if (index >= n) throw std::runtime_error("goals snapshot names an unknown goal");
        if (!parent) {
            parent = index;
            continue;
        }
        out.out_[*parent].push_back(static_cast<int>(index));
        out.in_[index].push_back(static_cast<int>(*parent));
        ++out.edges_;
        parent.reset();
    }
    if (parent) throw std::runtime_error("goals snapshot has an odd edge list");
    return out;
}

std::optional<int> SnapshotGraph::index_of(const std::string& goal_id) const {
    const auto it = index_.find(goal_id);
    if (it == index_.end()) return std::nullopt;
    return it->second;
}

std::string SnapshotGraph::status(int index) const {
    return status_of_letter(status_[index]);
}

std::vector<SnapshotGraph::Reached> SnapshotGraph::reach(int start, const std::vector<std::vector<int>>& next) const {
    std::vector<int> depth(ids_.size(), -1);
    std::vector<Reached> out;
    std::vector<int> queue{start};
    depth[start] = 0;
    for (std::size_t head = 0; head < queue.size(); ++head)
        for (const int n : next[queue[head]])
            if (depth[n] < 0) {
                depth[n] = depth[queue[head]] + 1;
                queue.push_back(n);
                out.push_back(Reached{n, depth[n]});
            }
    // Nearest first; within a depth, by id.
    std::sort(out.begin(), out.end(), [this](const Reached& a, const Reached& b) {
        return a.depth != b.depth ? a.depth < b.depth : ids_[a.index] < ids_[b.index];
    });
    return out;
}

}  // namespace aimi::goals_graph
