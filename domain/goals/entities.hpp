#pragma once

#include <string_view>

// Habits and typed links (seed 002): the rules that are not about the goals DAG.
namespace aimi::goals {

//! Which ends a link type takes (kinds "goal", "task", "problem"): supports_goal ends at a goal
//! from a task or problem, addresses_problem ends at a problem from a task or goal, depends_on
//! and blocks join tasks and goals, related joins any two.
bool link_allowed(std::string_view link_type, std::string_view from_kind, std::string_view to_kind);

//! True if `rule` is an RFC 5545 recurrence rule libical accepts, with a FREQ, e.g. "FREQ=DAILY"
//! or "FREQ=WEEKLY;BYDAY=MO,WE,FR".
bool valid_rrule(std::string_view rule);

}  // namespace aimi::goals
