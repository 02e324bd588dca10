#pragma once

#include <string_view>

// The tools the assistant may call (docs/assistant.md). Write tools take the body of the HTTP
// command of the same meaning and go through its decoder, its decide and the fold; query tools
// read the read models. Arguments, as JSON:
//
//   create_calendar_event  calendar_event.create.v1 body   (POST /v1/calendar-events)
//   create_goal            goal.create.v1 body             (POST /v1/goals)
//   create_task            task.create.v1 body             (POST /v1/tasks)
//   create_habit           habit.create.v1 body            (POST /v1/habits)
//   record_mental_state    mental_state.create.v1 body     (POST /v1/mental-states)
//   update_task            {"task_id": uuid, ...task.update.v1 body}   (PATCH /v1/tasks/{id})
//   list_schedule          {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}  local dates, `to` exclusive
//                          → {"occurrences": [{"calendar_event_id","title","local_start","all_day"}]}
//   goal_progress          {"goal_id": uuid}
//                          → {"goal": {...goal resource}, "prerequisites": [{"id","title","status"}],
//                             "tasks_open": n, "tasks_done": n}
namespace aimi::assistant::tools {

inline constexpr std::string_view kCreateCalendarEvent = "create_calendar_event";
inline constexpr std::string_view kCreateGoal = "create_goal";
inline constexpr std::string_view kCreateTask = "create_task";
inline constexpr std::string_view kCreateHabit = "create_habit";
inline constexpr std::string_view kRecordMentalState = "record_mental_state";
inline constexpr std::string_view kUpdateTask = "update_task";
inline constexpr std::string_view kListSchedule = "list_schedule";
inline constexpr std::string_view kGoalProgress = "goal_progress";

}  // namespace aimi::assistant::tools
