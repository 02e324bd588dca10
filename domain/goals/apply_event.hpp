#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/json/object.hpp>

#include "domain/events/events.hpp"
#include "domain/goals/goal_graph.hpp"
#include "domain/goals/rules.hpp"
#include "domain/time.hpp"

namespace aimi::goals {

//! What a goals event did to its user's graph: the resource it touched, the values decided for
//! its fact, the rows to write back, and the derived events (goal.blocked / goal.unblocked).
struct Applied {
    std::string resource_type;  //!< "goal" | "dependency" | "task" | ... | "calendar_event"
    std::string resource_id;
    boost::json::object assigned;
    std::vector<std::string> changed_goals;  //!< decision rows to upsert
    std::optional<std::string> changed_dependency;
    std::optional<std::string> removed_dependency;
    std::vector<std::string> changed_entities;  //!< tasks, problems, habits, calendar events
    std::optional<std::string> changed_link, removed_link;
    std::vector<events::EventData> derived;
};

template <class T>
inline constexpr bool is_goal_event =
    std::is_same_v<T, events::GoalCreated> || std::is_same_v<T, events::GoalUpdated> ||
    std::is_same_v<T, events::GoalCompleted> || std::is_same_v<T, events::GoalCancelled> ||
    std::is_same_v<T, events::GoalArchived> || std::is_same_v<T, events::GoalReopened> ||
    std::is_same_v<T, events::DependencyAdded> || std::is_same_v<T, events::DependencyUpdated> ||
    std::is_same_v<T, events::DependencyRemoved> || std::is_same_v<T, events::TaskCreated> ||
    std::is_same_v<T, events::TaskUpdated> || std::is_same_v<T, events::ProblemCreated> ||
    std::is_same_v<T, events::ProblemUpdated> || std::is_same_v<T, events::HabitCreated> ||
    std::is_same_v<T, events::HabitUpdated> || std::is_same_v<T, events::LinkAdded> ||
    std::is_same_v<T, events::LinkRemoved> || std::is_same_v<T, events::CalendarEventCreated> ||
    std::is_same_v<T, events::CalendarEventUpdated> || std::is_same_v<T, events::ReminderDelivered> ||
    std::is_same_v<T, events::NotificationCreated> || std::is_same_v<T, events::NotificationSent> ||
    std::is_same_v<T, events::NotificationDismissed> || std::is_same_v<T, events::MentalStateRecorded> ||
    std::is_same_v<T, events::SummaryCreated> || std::is_same_v<T, events::MemoryEmbedded> ||
    std::is_same_v<T, events::PromptRunRecorded> || std::is_same_v<T, events::MemoryForgotten>;

//! Applies one proposed goals event at time `at` to the user's graph: all of it, or a Refusal
//! and no change. Deterministic, like the rest of the fold.
std::variant<Applied, Refusal> apply_event(GoalGraph& graph, const events::EventData& event, Timestamp at);

}  // namespace aimi::goals
