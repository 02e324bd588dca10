#pragma once

#include "domain/conversation/entity_store_state.hpp"

namespace pqxx {
class dbtransaction;
}

namespace aimi::entity_store {

//! Loads what `plan` names from the entity store tables (one query per table, keys passed as a
//! jsonb array, so a batch of thousands of records costs a handful of round trips).
conversation::EntityStoreState load_state(pqxx::dbtransaction& tx, const conversation::Prefetch& plan);

}  // namespace aimi::entity_store
