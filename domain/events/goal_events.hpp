#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

// The goals graph's events (schemas/events/goal.*.json, dependency.*.json). Ids are UUIDs chosen
// by the decider; every rule is checked again by the fold (docs/goals.md).
namespace aimi::events {

//! `deadline` is a calendar date (YYYY-MM-DD); `allow_duplicate` skips the exact-title check.
struct GoalCreated {
    static constexpr std::string_view kType = "goal.created";
    static constexpr int kVersion = 1;
    std::string goal_id;
    std::string title;
    std::optional<std::string> description;
    std::string category;
    int priority = 3;
    std::optional<std::string> deadline;
    std::optional<std::int64_t> estimated_days;
    boost::json::object metadata;
    bool allow_duplicate = false;
};

//! Only the fields present changed; an engaged-but-empty optional clears the field.
struct GoalUpdated {
    static constexpr std::string_view kType = "goal.updated";
    static constexpr int kVersion = 1;
    std::string goal_id;
    std::optional<std::string> title;
    std::optional<std::optional<std::string>> description;
    std::optional<std::string> category;
    std::optional<int> priority;
    std::optional<std::optional<std::string>> deadline;
    std::optional<std::optional<std::int64_t>> estimated_days;
    std::optional<boost::json::object> metadata_patch;  //!< RFC 7386 merge patch
};

//! A status command: complete, cancel, archive, reopen (one event type each).
template <class Tag>
struct GoalTransition {
    static constexpr std::string_view kType = Tag::kType;
    static constexpr int kVersion = 1;
    std::string goal_id;
};
struct CompletedTag {
    static constexpr std::string_view kType = "goal.completed";
};
struct CancelledTag {
    static constexpr std::string_view kType = "goal.cancelled";
};
struct ArchivedTag {
    static constexpr std::string_view kType = "goal.archived";
};
struct ReopenedTag {
    static constexpr std::string_view kType = "goal.reopened";
};
using GoalCompleted = GoalTransition<CompletedTag>;
using GoalCancelled = GoalTransition<CancelledTag>;
using GoalArchived = GoalTransition<ArchivedTag>;
using GoalReopened = GoalTransition<ReopenedTag>;

struct DependencyAdded {
    static constexpr std::string_view kType = "dependency.added";
    static constexpr int kVersion = 1;
    std::string dependency_id;
    std::string parent_goal_id;
    std::string dependent_goal_id;
    std::string type;
    int strength = 1;
    std::optional<std::string> notes;
};

struct DependencyUpdated {
    static constexpr std::string_view kType = "dependency.updated";
    static constexpr int kVersion = 1;
    std::string dependency_id;
    std::optional<std::string> type;
    std::optional<int> strength;
    std::optional<std::optional<std::string>> notes;
};

struct DependencyRemoved {
    static constexpr std::string_view kType = "dependency.removed";
    static constexpr int kVersion = 1;
    std::string dependency_id;
};

//! Tasks, problems, habits and links (seed 002): their data is their schema's JSON as it is; the rules read the
//! few fields they need (domain/goals/apply_event.cpp). One event type per Tag.
template <class Tag>
struct EntityEvent {
    static constexpr std::string_view kType = Tag::kType;
    static constexpr int kVersion = 1;
    boost::json::object data;
};
struct TaskCreatedTag {
    static constexpr std::string_view kType = "task.created";
};
struct TaskUpdatedTag {
    static constexpr std::string_view kType = "task.updated";
};
struct ProblemCreatedTag {
    static constexpr std::string_view kType = "problem.created";
};
struct ProblemUpdatedTag {
    static constexpr std::string_view kType = "problem.updated";
};
struct HabitCreatedTag {
    static constexpr std::string_view kType = "habit.created";
};
struct HabitUpdatedTag {
    static constexpr std::string_view kType = "habit.updated";
};
struct LinkAddedTag {
    static constexpr std::string_view kType = "link.added";
};
struct LinkRemovedTag {
    static constexpr std::string_view kType = "link.removed";
};
//! Calendar events (docs/schedule.md): the fold decides their timing (domain/schedule/timing.hpp).
struct CalendarEventCreatedTag {
    static constexpr std::string_view kType = "calendar_event.created";
};
struct CalendarEventUpdatedTag {
    static constexpr std::string_view kType = "calendar_event.updated";
};
//! A reminder delivered (or skipped, or failed for good) on one channel by the dispatcher; the
//! record's idempotency key (reminder:<id>:<channel>) keeps it single.
struct ReminderDeliveredTag {
    static constexpr std::string_view kType = "reminder.delivered";
};
//! Smart notifications (docs/schedule.md, "Notifications"): pending until sent or dismissed.
struct NotificationCreatedTag {
    static constexpr std::string_view kType = "notification.created";
};
struct NotificationSentTag {
    static constexpr std::string_view kType = "notification.sent";
};
struct NotificationDismissedTag {
    static constexpr std::string_view kType = "notification.dismissed";
};
//! Memory (docs/memory.md): check-ins and extracted mental states, summaries, embeddings, provider
//! calls, forgetting a memory item. Providers' results enter as events, so a replay never calls one.
struct MentalStateRecordedTag {
    static constexpr std::string_view kType = "mental_state.recorded";
};
struct SummaryCreatedTag {
    static constexpr std::string_view kType = "summary.created";
};
struct MemoryEmbeddedTag {
    static constexpr std::string_view kType = "memory.embedded";
};
struct PromptRunRecordedTag {
    static constexpr std::string_view kType = "prompt_run.recorded";
};
struct MemoryForgottenTag {
    static constexpr std::string_view kType = "memory.forgotten";
};
using MentalStateRecorded = EntityEvent<MentalStateRecordedTag>;
using SummaryCreated = EntityEvent<SummaryCreatedTag>;
using MemoryEmbedded = EntityEvent<MemoryEmbeddedTag>;
using PromptRunRecorded = EntityEvent<PromptRunRecordedTag>;
using MemoryForgotten = EntityEvent<MemoryForgottenTag>;
using ReminderDelivered = EntityEvent<ReminderDeliveredTag>;
using NotificationCreated = EntityEvent<NotificationCreatedTag>;
using NotificationSent = EntityEvent<NotificationSentTag>;
using NotificationDismissed = EntityEvent<NotificationDismissedTag>;
using CalendarEventCreated = EntityEvent<CalendarEventCreatedTag>;
using CalendarEventUpdated = EntityEvent<CalendarEventUpdatedTag>;
using HabitCreated = EntityEvent<HabitCreatedTag>;
using HabitUpdated = EntityEvent<HabitUpdatedTag>;
using LinkAdded = EntityEvent<LinkAddedTag>;
using LinkRemoved = EntityEvent<LinkRemovedTag>;
using TaskCreated = EntityEvent<TaskCreatedTag>;
using TaskUpdated = EntityEvent<TaskUpdatedTag>;
using ProblemCreated = EntityEvent<ProblemCreatedTag>;
using ProblemUpdated = EntityEvent<ProblemUpdatedTag>;

// Derived: the fold decides them (never proposed; refused on intake) and publishes them in the
// fact of the batch that caused them, right after the causing event.

struct GoalBlocked {
    static constexpr std::string_view kType = "goal.blocked";
    static constexpr int kVersion = 1;
    std::string goal_id;
    std::string caused_by_goal_id;
    std::optional<std::string> caused_by_dependency_id;
    std::vector<std::string> blocking_goal_ids;
};

struct GoalUnblocked {
    static constexpr std::string_view kType = "goal.unblocked";
    static constexpr int kVersion = 1;
    std::string goal_id;
    std::string caused_by_goal_id;
    std::optional<std::string> caused_by_dependency_id;
};

}  // namespace aimi::events
