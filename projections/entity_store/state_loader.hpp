#pragma once

#include <functional>
#include <optional>

#include "domain/conversation/entity_store_state.hpp"

namespace pqxx {
class dbtransaction;
}

namespace aimi::entity_store {

//! Loads what `plan` names from the entity store tables (one query per table, keys passed as a
//! jsonb array, so a batch of thousands of records costs a handful of round trips).
//! `cached` may supply a user's goals graph folded to the given stream version (nullopt: load it).
using CachedGraph = std::function<std::optional<goals::GoalGraph>(const std::string& user_id, std::int64_t version)>;
conversation::EntityStoreState load_state(pqxx::dbtransaction& tx, const conversation::Prefetch& plan,
                                          const CachedGraph& cached = {});

}  // namespace aimi::entity_store
