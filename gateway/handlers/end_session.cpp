#include "gateway/command_pipeline.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"

namespace aimi::gateway::handlers {

//! POST /v1/chats/{chat_id}/sessions/current/end — ends the open session (409 if none).
Reply end_session(const Call& call) {
    auto chat_id = path_uuid(call, "chat_id");
    if (!chat_id) return fail(call, chat_id.problem());
    if (auto p = require_json(call)) return fail(call, *p);
    if (auto p = conversation::check_empty_body(call.request.body)) return fail(call, *p);
    const conversation::EndSession command{chat_id.value(), std::nullopt, "user", std::nullopt};
    return execute_command(
        call, {.chat_id = chat_id.value(), .success_status = 200, .decide = [command](const auto& context) {
                   return conversation::decide(context, command);
               }});
}

}  // namespace aimi::gateway::handlers
