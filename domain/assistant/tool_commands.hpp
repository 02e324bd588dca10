#pragma once

#include <string>
#include <utility>

#include "domain/assistant/chat_provider.hpp"
#include "domain/conversation/decide.hpp"
#include "domain/result.hpp"
#include "domain/time.hpp"

// A write tool call as the command of the HTTP API it stands for (docs/assistant.md, "Tools"): its
// arguments are that command's body, checked by the same decoder and schema, decided by the same
// decide, and re-checked by the fold. A tool call can therefore do nothing an HTTP client of the same
// user could not.
namespace aimi::assistant {

//! True for the tools that change something (and go through decide and the fold).
bool is_write_tool(std::string_view name);
//! True for the tools the orchestrator answers from the read models.
bool is_query_tool(std::string_view name);

//! The events of a write tool call, or the Problem an HTTP client would get for the same body
//! (invalid_input with the JSON pointer of the field; unknown tool: 404 unknown_tool). `now`
//! is the time deadlines are checked against.
Result<conversation::Decision> decide_tool_call(const conversation::DecisionContext& context, const ToolCall& call,
                                                Timestamp now);

//! The resource a decided tool call names, as the fold will report it when it applies the call's
//! first event: {"goal", goal_id}, or for an entity event `<kind>.<verb>` {kind, data.<kind>_id}
//! (task, habit, calendar_event, mental_state). Empty for events that name none.
std::pair<std::string, std::string> decided_resource(const events::EventData& event);

//! The ToolResult content for a refused call: {"code","message","field"}.
boost::json::object problem_content(const Problem& problem);

}  // namespace aimi::assistant
