#include "domain/goals/goal_graph.hpp"

#include <algorithm>

namespace aimi::goals {

const GoalNode* GoalGraph::goal(const std::string& id) const {
    const auto it = goals_.find(id);
    return it == goals_.end() ? nullptr : &it->second;
}

const Dependency* GoalGraph::dependency(const std::string& id) const {
    const auto it = dependencies_.find(id);
    return it == dependencies_.end() ? nullptr : &it->second;
}

const Dependency* GoalGraph::between(const std::string& a, const std::string& b) const {
    const auto it = by_goal_.find(a);
    if (it == by_goal_.end()) return nullptr;
    for (const auto& id : it->second) {
        const auto& d = dependencies_.at(id);
        if ((d.parent_goal_id == a && d.dependent_goal_id == b) || (d.parent_goal_id == b && d.dependent_goal_id == a))
            return &d;
    }
    return nullptr;
}

void GoalGraph::put_goal(GoalNode goal) {
    const auto id = goal.id;
    if (auto it = goals_.find(id); it != goals_.end()) {
        undo_.push_back([this, old = it->second] { goals_[old.id] = old; });
        it->second = std::move(goal);
    } else {
        undo_.push_back([this, id] { goals_.erase(id); });
        goals_.emplace(id, std::move(goal));
    }
}

void GoalGraph::set_status(const std::string& id, GoalStatus status) {
    auto& g = goals_.at(id);
    undo_.push_back([this, id, old = g.status] { goals_.at(id).status = old; });
    g.status = status;
}

void GoalGraph::link(const Dependency& d) {
    by_goal_[d.parent_goal_id].push_back(d.id);
    by_goal_[d.dependent_goal_id].push_back(d.id);
    if (orders(d.type)) dag_.add(d.parent_goal_id, d.dependent_goal_id);
}

void GoalGraph::unlink(const Dependency& d) {
    for (const auto* goal : {&d.parent_goal_id, &d.dependent_goal_id}) {
        auto& ids = by_goal_[*goal];
        ids.erase(std::remove(ids.begin(), ids.end(), d.id), ids.end());
    }
    if (orders(d.type)) dag_.remove(d.parent_goal_id, d.dependent_goal_id);
}

void GoalGraph::put_dependency(Dependency dependency) {
    if (auto it = dependencies_.find(dependency.id); it != dependencies_.end()) {
        const Dependency old = it->second;
        unlink(old);
        it->second = std::move(dependency);
        link(it->second);
        undo_.push_back([this, old] {
            unlink(dependencies_.at(old.id));
            dependencies_[old.id] = old;
            link(old);
        });
    } else {
        const auto id = dependency.id;
        link(dependency);
        dependencies_.emplace(id, std::move(dependency));
        undo_.push_back([this, id] {
            unlink(dependencies_.at(id));
            dependencies_.erase(id);
        });
    }
}

void GoalGraph::remove_dependency(const std::string& id) {
    const auto it = dependencies_.find(id);
    if (it == dependencies_.end()) return;
    const Dependency old = it->second;
    unlink(old);
    dependencies_.erase(it);
    undo_.push_back([this, old] {
        dependencies_[old.id] = old;
        link(old);
    });
}

std::vector<std::string> GoalGraph::dependencies_of(const std::string& id) const {
    const auto it = by_goal_.find(id);
    return it == by_goal_.end() ? std::vector<std::string>{} : it->second;
}

std::vector<std::string> GoalGraph::blocking_parents(const std::string& id) const {
    std::vector<std::string> out;
    for (const auto& dep_id : dependencies_of(id)) {
        const auto& d = dependencies_.at(dep_id);
        if (d.dependent_goal_id != id || !blocks_until_finished(d.type)) continue;
        if (const auto* parent = goal(d.parent_goal_id); parent && parent->status == GoalStatus::active)
            out.push_back(d.parent_goal_id);
    }
    std::sort(out.begin(), out.end());
    return out;
}

bool GoalGraph::blocked(const std::string& id) const {
    const auto* g = goal(id);
    return g && g->status == GoalStatus::active && !blocking_parents(id).empty();
}

std::vector<std::string> GoalGraph::held_back(const std::string& id) const {
    std::vector<std::string> out;
    for (const auto& dep_id : dependencies_of(id)) {
        const auto& d = dependencies_.at(dep_id);
        if (d.parent_goal_id == id && blocks_until_finished(d.type)) out.push_back(d.dependent_goal_id);
    }
    std::sort(out.begin(), out.end());
    return out;
}

const EntityNode* GoalGraph::entity(const std::string& id) const {
    const auto it = entities_.find(id);
    return it == entities_.end() ? nullptr : &it->second;
}

void GoalGraph::put_entity(EntityNode entity) {
    const auto id = entity.id;
    if (auto it = entities_.find(id); it != entities_.end()) {
        undo_.push_back([this, old = it->second] { entities_[old.id] = old; });
        it->second = std::move(entity);
    } else {
        undo_.push_back([this, id] { entities_.erase(id); });
        entities_.emplace(id, std::move(entity));
    }
}

const Link* GoalGraph::link(const std::string& id) const {
    const auto it = links_.find(id);
    return it == links_.end() ? nullptr : &it->second;
}

const Link* GoalGraph::same_link(const Link& l) const {
    for (const auto& [id, existing] : links_)
        if (existing.from_id == l.from_id && existing.to_id == l.to_id && existing.type == l.type) return &existing;
    return nullptr;
}

void GoalGraph::put_link(Link link) {
    const auto id = link.id;
    undo_.push_back([this, id] { links_.erase(id); });
    links_.emplace(id, std::move(link));
}

void GoalGraph::remove_link(const std::string& id) {
    const auto it = links_.find(id);
    if (it == links_.end()) return;
    undo_.push_back([this, old = it->second] { links_[old.id] = old; });
    links_.erase(it);
}

void GoalGraph::undo_to(std::size_t mark) {
    while (undo_.size() > mark) {
        auto undo = std::move(undo_.back());
        undo_.pop_back();
        undo();
    }
}

}  // namespace aimi::goals
