#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/goals/graph.hpp"
#include "domain/goals/model.hpp"

namespace aimi::goals {

//! One user's goals and typed dependencies, with the ordering edges kept as a Dag. The decider
//! keeps one per user (its decision state) and the goals-graph read model rebuilds one to answer
//! graph queries. Every mutation can be undone back to a mark(), so a rejected batch leaves no trace.
class GoalGraph {
  public:
    const GoalNode* goal(const std::string& id) const;
    const Dependency* dependency(const std::string& id) const;
    //! The dependency between two goals, in either direction (at most one exists).
    const Dependency* between(const std::string& a, const std::string& b) const;
    const std::map<std::string, GoalNode>& goals() const { return goals_; }
    const std::map<std::string, Dependency>& dependencies() const { return dependencies_; }
    const Dag& dag() const { return dag_; }

    void put_goal(GoalNode goal);  //!< adds or replaces
    void set_status(const std::string& id, GoalStatus status);
    void put_dependency(Dependency dependency);  //!< adds or replaces (type changes move it in or out of the Dag)
    void remove_dependency(const std::string& id);

    const EntityNode* entity(const std::string& id) const;
    void put_entity(EntityNode entity);  //!< adds or replaces
    const std::map<std::string, EntityNode>& entities() const { return entities_; }
    const Link* link(const std::string& id) const;
    const Link* same_link(const Link& link) const;  //!< one with the same ends and type
    void put_link(Link link);
    void remove_link(const std::string& id);

    //! Active, with at least one active parent over a requires or blocks dependency.
    bool blocked(const std::string& id) const;
    //! Its active parents over requires/blocks dependencies, sorted.
    std::vector<std::string> blocking_parents(const std::string& id) const;
    //! Goals it holds back over requires/blocks dependencies (any status), sorted.
    std::vector<std::string> held_back(const std::string& id) const;
    //! Dependency ids touching the goal, as parent or as dependent.
    std::vector<std::string> dependencies_of(const std::string& id) const;

    std::size_t mark() const { return undo_.size(); }
    void undo_to(std::size_t mark);
    void forget_undo() { undo_.clear(); }

  private:
    void link(const Dependency& d);
    void unlink(const Dependency& d);

    std::map<std::string, GoalNode> goals_;
    std::map<std::string, Dependency> dependencies_;
    std::map<std::string, std::vector<std::string>> by_goal_;  //!< goal -> dependency ids touching it
    std::map<std::string, EntityNode> entities_;
    std::map<std::string, Link> links_;
    Dag dag_;
    std::vector<std::function<void()>> undo_;
};

}  // namespace aimi::goals
