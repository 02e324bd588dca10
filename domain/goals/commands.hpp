#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "domain/conversation/decide.hpp"
#include "domain/goals/model.hpp"
#include "domain/result.hpp"
#include "domain/time.hpp"

// The goals graph's commands, decoded from request bodies that passed their schema
// (schemas/commands/goal.*.json, dependency.*.json), and what each proposes.
namespace aimi::goals {

struct CreateGoal {
    std::string title;
    std::optional<std::string> description;
    std::string category = "other";
    int priority = 3;
    std::optional<std::string> deadline;
    std::optional<std::int64_t> estimated_days;
    boost::json::object metadata;
    bool allow_duplicate = false;
};

struct UpdateGoal {
    std::string goal_id;
    std::optional<std::string> title;
    std::optional<std::optional<std::string>> description;
    std::optional<std::string> category;
    std::optional<int> priority;
    std::optional<std::optional<std::string>> deadline;
    std::optional<std::optional<std::int64_t>> estimated_days;
    std::optional<boost::json::object> metadata_patch;
};

//! complete, cancel, archive, reopen
struct ChangeGoalStatus {
    std::string goal_id;
    GoalStatus to = GoalStatus::done;
};

struct AddDependency {
    std::string dependent_goal_id;
    std::string parent_goal_id;
    std::string type = "requires";
    int strength = 1;
    std::optional<std::string> notes;
};

struct UpdateDependency {
    std::string dependency_id;
    std::optional<std::string> type;
    std::optional<int> strength;
    std::optional<std::optional<std::string>> notes;
};

struct RemoveDependency {
    std::string dependency_id;
};

//! Create or update a task, problem or habit, add or remove a link: the body's fields as its
//! schema checked them (a habit's frequency also as an RRULE, a link's ends as distinct).
struct EntityCommand {
    std::string kind;               //!< "task" | "problem" | "habit" | "link" | "calendar_event" | "notification" |
                                    //!< "mental_state" | "memory_item"
    std::optional<std::string> id;  //!< update: the task, problem or habit; a link: the one to remove
    boost::json::object fields;
};

Result<CreateGoal> decode_create_goal(std::string_view body);
Result<EntityCommand> decode_create_entity(const std::string& kind, std::string_view body);
Result<EntityCommand> decode_update_entity(const std::string& kind, std::string_view id, std::string_view body);
//! POST /v1/calendar-events/{id}/cancel|complete: an optional body naming the scope and occurrence.
Result<EntityCommand> decode_calendar_status(std::string_view id, std::string_view body, std::string_view status);
//! POST /v1/notifications/{id}/dismiss (no body).
EntityCommand dismiss_notification(std::string_view id);
//! DELETE /v1/memory/items/{id}: forget a summary or a mental state (docs/memory.md).
EntityCommand forget_memory_item(std::string_view id);
Result<UpdateGoal> decode_update_goal(std::string_view goal_id, std::string_view body);
Result<AddDependency> decode_add_dependency(std::string_view goal_id, std::string_view body);
Result<UpdateDependency> decode_update_dependency(std::string_view dependency_id, std::string_view body);

//! The earliest deadline a goal created at `created_at` may have: the calendar day it is then
//! in UTC-12, the earliest day on Earth (the decider does not depend on time-zone data).
std::chrono::sys_days earliest_deadline(Timestamp created_at);
//! True if there is no deadline, or it is a date not before earliest_deadline(created_at).
bool deadline_allowed(const std::optional<std::string>& deadline, Timestamp created_at);

// Each proposes one event with ids from context.new_id; the fold decides every graph rule.
// `now` checks deadlines before anything is appended (the fold checks them again).
Result<conversation::Decision> decide(const conversation::DecisionContext& context, const CreateGoal& command,
                                      Timestamp now);
Result<conversation::Decision> decide(const conversation::DecisionContext& context, const UpdateGoal& command);
Result<conversation::Decision> decide(const conversation::DecisionContext& context, const ChangeGoalStatus& command);
Result<conversation::Decision> decide(const conversation::DecisionContext& context, const AddDependency& command);
Result<conversation::Decision> decide(const conversation::DecisionContext& context, const UpdateDependency& command);
Result<conversation::Decision> decide(const conversation::DecisionContext& context, const RemoveDependency& command);
//! task.created|updated, problem.created|updated; a new one gets an id and its default status.
Result<conversation::Decision> decide(const conversation::DecisionContext& context, const EntityCommand& command);

}  // namespace aimi::goals
