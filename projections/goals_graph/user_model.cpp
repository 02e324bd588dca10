#include "projections/goals_graph/user_model.hpp"

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

Snapshot parse_snapshot(std::string_view text) {
    simdjson::dom::parser parser;
    auto parsed = json::parse(parser, text);
    if (!parsed) throw std::runtime_error("goals snapshot does not parse: " + parsed.problem().message);
    const simdjson::dom::element doc = parsed.value();
    std::vector<std::string> ids;
    const simdjson::dom::array id_array = doc["ids"].get_array().value();
    for (simdjson::dom::element id : id_array) ids.emplace_back(id.get_string().value());
    const std::string_view status = doc["status"].get_string().value();
    const std::string_view blocked = doc["blocked"].get_string().value();
    Snapshot out;
    for (std::size_t i = 0; i < ids.size(); ++i)
        out.goals.emplace(ids[i], std::pair{status_of_letter(i < status.size() ? status[i] : 'a'),
                                            i < blocked.size() && blocked[i] == '1'});
    const simdjson::dom::array edges = doc["edges"].get_array().value();
    for (simdjson::dom::element edge : edges) {
        const simdjson::dom::array pair = edge.get_array().value();
        const std::uint64_t parent = pair.at(0).get_uint64().value(), dependent = pair.at(1).get_uint64().value();
        out.dag.add(ids.at(parent), ids.at(dependent));
    }
    return out;
}

}  // namespace aimi::goals_graph
