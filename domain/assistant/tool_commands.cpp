#include "domain/assistant/tool_commands.hpp"

#include <array>

#include "domain/assistant/tools.hpp"
#include "domain/goals/commands.hpp"
#include "domain/json/serialize.hpp"
#include "domain/uuid.hpp"

namespace aimi::assistant {

namespace {

namespace bj = boost::json;

constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kCreateKinds{{
    {tools::kCreateCalendarEvent, "calendar_event"},
    {tools::kCreateTask, "task"},
    {tools::kCreateHabit, "habit"},
    {tools::kRecordMentalState, "mental_state"},
}};

}  // namespace

bool is_write_tool(std::string_view name) {
    for (const auto& [tool, kind] : kCreateKinds)
        if (tool == name) return true;
    return name == tools::kCreateGoal || name == tools::kUpdateTask;
}

bool is_query_tool(std::string_view name) {
    return name == tools::kListSchedule || name == tools::kGoalProgress;
}

Result<conversation::Decision> decide_tool_call(const conversation::DecisionContext& context, const ToolCall& call,
                                                Timestamp now) {
    // The arguments go through the body decoder as text, exactly as an HTTP body would.
    for (const auto& [tool, kind] : kCreateKinds)
        if (tool == call.name) {
            auto command = goals::decode_create_entity(std::string(kind), json::serialize(call.arguments));
            if (!command) return command.problem();
            return goals::decide(context, command.value());
        }
    if (call.name == tools::kCreateGoal) {
        auto command = goals::decode_create_goal(json::serialize(call.arguments));
        if (!command) return command.problem();
        return goals::decide(context, command.value(), now);
    }
    if (call.name == tools::kUpdateTask) {
        auto body = call.arguments;
        const auto* id = body.if_contains("task_id");
        if (!id || !id->is_string())
            return Problem::invalid("missing_field", "task_id (the task's uuid) is required", "/task_id");
        if (!is_uuid(id->get_string())) return Problem::invalid("invalid_format", "must be a uuid", "/task_id");
        const auto task_id = normalize_uuid(id->get_string());
        body.erase("task_id");
        auto command = goals::decode_update_entity("task", task_id, json::serialize(body));
        if (!command) return command.problem();
        return goals::decide(context, command.value());
    }
    return Problem::not_found("unknown_tool", "no such tool: " + call.name, "/name");
}

std::pair<std::string, std::string> decided_resource(const events::EventData& event) {
    return std::visit(
        [](const auto& e) -> std::pair<std::string, std::string> {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, events::GoalCreated>) {
                return {"goal", e.goal_id};
            } else if constexpr (requires { e.data; }) {
                const std::string_view type = T::kType;
                std::string kind(type.substr(0, type.find('.')));
                const auto* id = e.data.if_contains(kind + "_id");
                if (!id || !id->is_string()) return {};
                return {std::move(kind), std::string(id->get_string())};
            } else {
                return {};
            }
        },
        event);
}

bj::object problem_content(const Problem& problem) {
    bj::object out{{"code", problem.code}, {"message", problem.message}};
    if (!problem.field.empty()) out["field"] = problem.field;
    return out;
}

}  // namespace aimi::assistant
