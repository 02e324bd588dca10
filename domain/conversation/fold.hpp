#pragma once

#include <span>

#include "domain/conversation/entity_store_state.hpp"
#include "domain/events/envelope.hpp"

namespace aimi::conversation {

//! Everything fold() will look up for these batches.
Prefetch plan_prefetch(std::span<const events::EventBatch> batches);

//! Folds one batch into the state, all or nothing, and appends its Outcome. Deterministic: the
//! same state and batch always give the same result, so replays rebuild identical read models.
//! Rules, in order: a used idempotency key -> duplicate (repeats the first outcome); a known
//! (source, client_msg_id) -> duplicate of that message; expected_version != stream version ->
//! conflict (nothing changes, the gateway retries); an event that breaks an invariant ->
//! rejected (nothing changes); otherwise applied and the stream version grows by one per event.
void fold(EntityStoreState& state, const events::EventBatch& batch);

}  // namespace aimi::conversation
