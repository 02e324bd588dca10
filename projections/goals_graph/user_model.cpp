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

void UserModel::put_edge(const std::string& id, Edge edge) {
    remove_edge(id);
    if (goals::orders(edge.type)) dag_.add(edge.parent, edge.dependent);
    edges_[id] = std::move(edge);
}

void UserModel::remove_edge(const std::string& id) {
    const auto it = edges_.find(id);
    if (it == edges_.end()) return;
    if (goals::orders(it->second.type)) dag_.remove(it->second.parent, it->second.dependent);
    edges_.erase(it);
}

std::vector<std::string> UserModel::refresh_metrics() {
    std::map<std::string, goals::GoalFacts> facts;
    for (const auto& [id, g] : goals_) facts[id] = goals::GoalFacts{g.status == goals::GoalStatus::active, g.estimated_days};
    std::vector<std::pair<std::string, std::string>> blocking;
    for (const auto& [id, e] : edges_)
        if (goals::blocks_until_finished(e.type)) blocking.emplace_back(e.parent, e.dependent);
    auto metrics = goals::compute_metrics(dag_, facts, blocking);
    std::vector<std::string> changed;
    for (auto& [id, g] : goals_) {
        auto& m = metrics[id];
        if (m == g.metrics) continue;
        g.metrics = std::move(m);
        changed.push_back(id);
    }
    return changed;
}

std::string UserModel::snapshot_json() const {
    boost::json::array ids, edges;
    std::string status, blocked;
    ids.reserve(goals_.size());
    std::map<std::string, int> index;
    for (const auto& [id, g] : goals_) {
        index[id] = static_cast<int>(ids.size());
        ids.push_back(boost::json::value(id));
        status += status_letter(g.status);
        blocked += g.blocked ? '1' : '0';
    }
    for (const auto& [id, e] : edges_) {
        if (!goals::orders(e.type)) continue;
        const auto p = index.find(e.parent), d = index.find(e.dependent);
        if (p == index.end() || d == index.end()) continue;
        edges.push_back(boost::json::array{p->second, d->second});
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
    for (simdjson::dom::element id : id_array) out.ids_.emplace_back(id.get_string().value());
    out.status_ = std::string(doc["status"].get_string().value());
    out.blocked_ = std::string(doc["blocked"].get_string().value());
    const auto n = out.ids_.size();
    if (out.status_.size() != n || out.blocked_.size() != n) throw std::runtime_error("goals snapshot is inconsistent");
    out.in_.resize(n);
    out.out_.resize(n);
    const simdjson::dom::array edges = doc["edges"].get_array().value();
    for (simdjson::dom::element edge : edges) {
        const simdjson::dom::array pair = edge.get_array().value();
        const auto parent = pair.at(0).get_uint64().value(), dependent = pair.at(1).get_uint64().value();
        if (parent >= n || dependent >= n) throw std::runtime_error("goals snapshot names an unknown goal");
        out.out_[parent].push_back(static_cast<int>(dependent));
        out.in_[dependent].push_back(static_cast<int>(parent));
        ++out.edges_;
    }
    return out;
}

std::optional<int> SnapshotGraph::index_of(const std::string& goal_id) const {
    // ids are sorted (the model's map order): binary search instead of an index map.
    const auto it = std::lower_bound(ids_.begin(), ids_.end(), goal_id);
    if (it == ids_.end() || *it != goal_id) return std::nullopt;
    return static_cast<int>(it - ids_.begin());
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
    // Breadth first gives depth order; within a depth, indices follow the sorted ids.
    std::sort(out.begin(), out.end(),
              [](const Reached& a, const Reached& b) { return std::tie(a.depth, a.index) < std::tie(b.depth, b.index); });
    return out;
}

}  // namespace aimi::goals_graph
