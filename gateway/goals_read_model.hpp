#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace pqxx {
class dbtransaction;
}

// Queries over the goals-graph read model (migrations/0008_goals_graph.sql). Callers point the
// transaction at the projection's serving schema first. Every query takes the owner.
namespace aimi::gateway::goals_read_model {

//! A goal or dependency as the API shows it (docs/goals.md), by resource type.
std::optional<boost::json::object> resource(pqxx::dbtransaction& tx, const std::string& user_id,
                                            const std::string& type, const std::string& id);
std::optional<boost::json::object> find_goal(pqxx::dbtransaction& tx, const std::string& user_id,
                                             const std::string& goal_id);

struct GoalFilter {
    std::optional<std::string> status;  //!< active | blocked | done | cancelled | archived
    std::optional<std::string> category;
    std::optional<std::string> due_after, due_before;          //!< deadline range, inclusive (dates)
    std::optional<std::pair<std::string, std::string>> after;  //!< cursor: (created_at, goal_id)
    int limit = 50;
};
//! Oldest first; at most limit goals.
boost::json::array list_goals(pqxx::dbtransaction& tx, const std::string& user_id, const GoalFilter& filter);

//! Status changes (and, for goals, blocked/unblocked) of a goal, task or problem, in stream order.
boost::json::array history(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& entity_type,
                           const std::string& id);
boost::json::array dependencies_of(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& goal_id);

//! Where a plan page ends: the last goal's sort key.
struct PlanCursor {
    int level = 0;
    int priority = 3;
    std::string deadline;  //!< a date, or "infinity" for none
    std::string goal_id;
};
struct PlanPage {
    boost::json::array items;
    std::optional<std::string> next_cursor;
};
//! A task or problem as the API shows it (`id`, its fields, times in UTC "Z" form).
std::optional<boost::json::object> find_entity(pqxx::dbtransaction& tx, const std::string& kind,
                                               const std::string& user_id, const std::string& id);
struct EntityFilter {
    std::optional<std::string> status;
    std::optional<std::string> due_after, due_before;          //!< tasks: due_date range, inclusive
    std::optional<std::pair<std::string, std::string>> after;  //!< cursor: (created_at, id)
    int limit = 50;
};
//! The links that start or end at a goal, task or problem, oldest first.
boost::json::array links_of(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& entity_id);
//! Oldest first.
boost::json::array list_entities(pqxx::dbtransaction& tx, const std::string& kind, const std::string& user_id,
                                 const EntityFilter& filter);

//! The active goals in plan order (level, priority, deadline, id) with their level, a page at a time.
PlanPage plan(pqxx::dbtransaction& tx, const std::string& user_id, const std::optional<PlanCursor>& after, int limit);
std::optional<PlanCursor> parse_plan_cursor(const std::string& text);
//! Active goals holding others up, most unblocking first.
boost::json::array bottlenecks(pqxx::dbtransaction& tx, const std::string& user_id, int limit);
//! The precomputed critical chain ending at the goal: {total_days, goals: [...]} (nullopt: no goal).
std::optional<boost::json::object> critical_path(pqxx::dbtransaction& tx, const std::string& user_id,
                                                 const std::string& goal_id);
//! The projection's snapshot of the user's ordering edges (goals_graph_users), if any.
std::optional<std::string> snapshot(pqxx::dbtransaction& tx, const std::string& user_id);

//! One user's goals and dependencies, for the graph export (JSON or DOT): the goals' summaries and every dependency.
struct Graph {
    struct Goal {
        std::string title, status, category;
        bool blocked = false;
        int priority = 3;
        std::optional<std::int64_t> estimated_days;
        std::optional<std::string> deadline;
        std::int64_t critical_days = 0;           //!< the longest chain of open prerequisites ending here
        std::optional<std::string> critical_via;  //!< the goal before this one on that chain
    };
    struct Edge {
        std::string id, parent, dependent, type;
        int strength = 1;
    };
    std::map<std::string, Goal> goals;
    std::vector<Edge> edges;
};
Graph load_graph(pqxx::dbtransaction& tx, const std::string& user_id);

}  // namespace aimi::gateway::goals_read_model
