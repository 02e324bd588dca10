#include <boost/json/array.hpp>

#include "domain/goals/commands.hpp"

namespace aimi::goals {

using conversation::Decision;
using conversation::DecisionContext;

namespace {

std::optional<Problem> check_deadline(const std::optional<std::string>& deadline, Timestamp created_at) {
    if (deadline_allowed(deadline, created_at)) return std::nullopt;
    return Problem{ProblemKind::unprocessable, "deadline_before_creation",
                   "the deadline is before the day the goal was created", "/deadline"};
}

//! Defaults made explicit, so the event says all the fold decided on; a change of the following
//! occurrences gets the id of the series that will carry it.
Result<Decision> decide_calendar_event(const DecisionContext& context, const EntityCommand& c) {
    auto data = c.fields;
    if (!c.id) {
        data["calendar_event_id"] = context.new_id();
        for (auto [key, value] : {std::pair<const char*, boost::json::value>{"type", "personal"},
                                  {"priority", 3},
                                  {"source", "user"},
                                  {"all_day", false},
                                  {"status", "scheduled"}})
            if (!data.contains(key)) data[key] = value;
        return Decision{{events::CalendarEventCreated{std::move(data)}}, false};
    }
    data["calendar_event_id"] = *c.id;
    if (!data.contains("scope")) data["scope"] = "series";
    if (data["scope"] == "following") data["new_calendar_event_id"] = context.new_id();
    return Decision{{events::CalendarEventUpdated{std::move(data)}}, false};
}

}  // namespace

std::chrono::sys_days earliest_deadline(Timestamp created_at) {
    return std::chrono::floor<std::chrono::days>(created_at - std::chrono::hours{12});
}

bool deadline_allowed(const std::optional<std::string>& deadline, Timestamp created_at) {
    if (!deadline) return true;
    const auto day = parse_date(*deadline);
    return day && *day >= earliest_deadline(created_at);
}

Result<Decision> decide(const DecisionContext& context, const CreateGoal& c, Timestamp now) {
    if (auto p = check_deadline(c.deadline, now)) return *p;
    return Decision{{events::GoalCreated{context.new_id(), c.title, c.description, c.category, c.priority, c.deadline,
                                         c.estimated_days, c.metadata, c.allow_duplicate}},
                    false};
}

Result<Decision> decide(const DecisionContext&, const UpdateGoal& c) {
    // A new deadline is checked against the goal's creation by the fold, which knows it.
    return Decision{{events::GoalUpdated{c.goal_id, c.title, c.description, c.category, c.priority, c.deadline,
                                         c.estimated_days, c.metadata_patch}},
                    false};
}

Result<Decision> decide(const DecisionContext&, const ChangeGoalStatus& c) {
    switch (c.to) {
        case GoalStatus::done:
            return Decision{{events::GoalCompleted{c.goal_id}}, false};
        case GoalStatus::cancelled:
            return Decision{{events::GoalCancelled{c.goal_id}}, false};
        case GoalStatus::archived:
            return Decision{{events::GoalArchived{c.goal_id}}, false};
        case GoalStatus::active:
            return Decision{{events::GoalReopened{c.goal_id}}, false};
    }
    return Problem::invalid("invalid_status", "unknown status");
}

Result<Decision> decide(const DecisionContext& context, const AddDependency& c) {
    return Decision{
        {events::DependencyAdded{context.new_id(), c.parent_goal_id, c.dependent_goal_id, c.type, c.strength, c.notes}},
        false};
}

Result<Decision> decide(const DecisionContext&, const UpdateDependency& c) {
    return Decision{{events::DependencyUpdated{c.dependency_id, c.type, c.strength, c.notes}}, false};
}

Result<Decision> decide(const DecisionContext& context, const EntityCommand& c) {
    auto data = c.fields;
    const auto id_key = c.kind + "_id";
    if (c.kind == "link") {
        if (c.id) return Decision{{events::LinkRemoved{{{id_key, *c.id}}}}, false};
        data[id_key] = context.new_id();
        return Decision{{events::LinkAdded{std::move(data)}}, false};
    }
    if (c.kind == "calendar_event") return decide_calendar_event(context, c);
    if (c.kind == "notification") {
        if (c.id) return Decision{{events::NotificationDismissed{{{id_key, *c.id}}}}, false};
        data[id_key] = context.new_id();
        data["status"] = "pending";
        if (!data.contains("source")) data["source"] = "user";
        return Decision{{events::NotificationCreated{std::move(data)}}, false};
    }
    if (c.kind == "mental_state") {  // a check-in
        data[id_key] = context.new_id();
        data["source"] = "check_in";
        if (!data.contains("emotions")) data["emotions"] = boost::json::array{};
        return Decision{{events::MentalStateRecorded{std::move(data)}}, false};
    }
    if (c.kind == "memory_item") return Decision{{events::MemoryForgotten{{{"item_id", *c.id}}}}, false};
    if (!c.id) {
        data[id_key] = context.new_id();
        if (!data.contains("status")) data["status"] = c.kind == "task" ? "open" : "active";
        if (c.kind == "habit" && !data.contains("intensity")) data["intensity"] = 3;
        if (c.kind == "task") return Decision{{events::TaskCreated{std::move(data)}}, false};
        if (c.kind == "habit") return Decision{{events::HabitCreated{std::move(data)}}, false};
        return Decision{{events::ProblemCreated{std::move(data)}}, false};
    }
    data[id_key] = *c.id;
    if (c.kind == "task") return Decision{{events::TaskUpdated{std::move(data)}}, false};
    if (c.kind == "habit") return Decision{{events::HabitUpdated{std::move(data)}}, false};
    return Decision{{events::ProblemUpdated{std::move(data)}}, false};
}

Result<Decision> decide(const DecisionContext&, const RemoveDependency& c) {
    return Decision{{events::DependencyRemoved{c.dependency_id}}, false};
}

}  // namespace aimi::goals
