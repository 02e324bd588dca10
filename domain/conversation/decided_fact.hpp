#pragma once

#include <string>

#include "domain/conversation/entity_store_state.hpp"
#include "domain/events/envelope.hpp"
#include "domain/facts/fact.hpp"

namespace aimi::conversation {

//! The fact of a batch the fold just decided: its outcome, and for an applied batch its events as
//! applied and the resource's state. Call right after fold(state, batch), before the next batch
//! changes the state. Pure and deterministic, so a replay decides identical facts.
facts::Fact decided_fact(const events::EventBatch& batch, const Outcome& outcome, const EntityStoreState& state,
                         facts::Origin origin);

//! The fact of a record that never reached the fold (undecodable, or refused by the read model):
//! outcome "invalid", code "dead_lettered", so that every intake position has its fact.
facts::Fact invalid_fact(facts::Origin origin, std::string key, std::string error);

}  // namespace aimi::conversation
