#pragma once

#include <map>
#include <set>
#include <string>

#include "domain/conversation/entity_store_state.hpp"

namespace pqxx {
class dbtransaction;
}

// The goals graph's decision state in the entity store (migrations/0007_goals_decision.sql).
namespace aimi::entity_store {

//! Loads each user's whole graph (goal_nodes, goal_edges) into `graphs`.
void load_goal_graphs(pqxx::dbtransaction& tx, const std::set<std::string>& user_ids,
                      std::map<std::string, goals::GoalGraph>& graphs);

//! Which user each of these messages belongs to (a task's source inbox item).
void load_message_owners(pqxx::dbtransaction& tx, const std::set<std::string>& message_ids,
                         std::map<std::string, std::string>& owners);

//! Upserts the goals and dependencies the fold changed and deletes the removed dependencies.
void write_goal_changes(pqxx::dbtransaction& tx, const conversation::EntityStoreState& state);

}  // namespace aimi::entity_store
