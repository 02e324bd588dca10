#pragma once

#include <variant>

#include "domain/events/events.hpp"
#include "domain/goals/apply_event.hpp"
#include "domain/goals/goal_graph.hpp"

namespace aimi::learning {

//! Applies one learning event to its stream's entities (the catalog's, or a user's): all of it,
//! or a Refusal and no change. The rules that need the whole stream are decided here: a unique
//! slug, dense roadmap positions, a template's next version, one thread per (session, tab), one
//! live synopsis per session and its revision. Rows to write back are in `changed_entities`.
std::variant<goals::Applied, goals::Refusal> apply_event(goals::GoalGraph& entities, const events::EventData& event);

//! Maximum items of one synopsis.
inline constexpr std::int64_t kMaxSynopsisItems = 500;

}  // namespace aimi::learning
