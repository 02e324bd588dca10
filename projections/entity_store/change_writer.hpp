#pragma once

#include <span>
#include <string>

#include "domain/conversation/entity_store_state.hpp"
#include "projections/log_record.hpp"

namespace pqxx {
class dbtransaction;
}

namespace aimi::entity_store {

//! Writes the fold's changes with one multi-row statement per table (jsonb_to_recordset), in
//! foreign-key order. `positions[i]` is the record of `state.outcomes[i]`.
void write_changes(pqxx::dbtransaction& tx, const conversation::EntityStoreState& state,
                   std::span<const LogRecord* const> positions);

}  // namespace aimi::entity_store
