#include "gateway/command_pipeline.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"

namespace aimi::gateway::handlers {

//! POST /v1/chats/{chat_id}/messages — seq and session are assigned in stream order; a repeated
//! (source, client_msg_id) returns the first message.
Reply post_message(const Call& call) {
    auto chat_id = path_uuid(call, "chat_id");
    if (!chat_id) return fail(call, chat_id.problem());
    if (auto p = require_json(call)) return fail(call, *p);
    auto command = conversation::decode_post_message(chat_id.value(), call.request.body);
    if (!command) return fail(call, command.problem());
    return execute_command(call, {.chat_id = chat_id.value(),
                                  .success_status = 201,
                                  .decide = [command = std::move(command.value())](const auto& context) {
                                      return conversation::decide(context, command);
                                  }});
}

}  // namespace aimi::gateway::handlers
