#include "gateway/command_pipeline.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"

namespace aimi::gateway::handlers {

//! POST /v1/chats
Reply create_chat(const Call& call) {
    if (auto p = require_json(call)) return fail(call, *p);
    auto command = conversation::decode_create_chat(call.request.body);
    if (!command) return fail(call, command.problem());
    return execute_command(
        call, {.success_status = 201, .decide = [command = std::move(command.value())](const auto& context) {
                   return conversation::decide(context, command);
               }});
}

}  // namespace aimi::gateway::handlers
