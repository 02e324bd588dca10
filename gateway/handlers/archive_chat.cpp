#include "domain/uuid.hpp"
#include "gateway/command_pipeline.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"

namespace aimi::gateway::handlers {

//! POST /v1/chats/{chat_id}/archive — idempotent: archiving an archived chat returns it.
Reply archive_chat(const Call& call) {
    auto chat_id = path_uuid(call, "chat_id");
    if (!chat_id) return fail(call, chat_id.problem());
    if (auto p = require_json(call)) return fail(call, *p);
    if (auto p = conversation::check_empty_body(call.request.body)) return fail(call, *p);
    const conversation::ArchiveChat command{chat_id.value()};
    return execute_command(call,
                           {.chat_id = chat_id.value(),
                            .success_status = 200,
                            .decide = [command](const auto& context) { return conversation::decide(context, command); },
                            .noop_resource_type = "chat",
                            .noop_resource_id = chat_id.value()});
}

}  // namespace aimi::gateway::handlers
