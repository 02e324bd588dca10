#include "domain/conversation/resource_json.hpp"
#include "gateway/command_pipeline.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"

namespace aimi::gateway::handlers {

//! GET /v1/chats/{chat_id}
Reply get_chat(const Call& call) {
    auto chat = readable_chat(call);
    if (!chat) return fail(call, chat.problem());
    return json_response(200, to_json(chat.value()));
}

}  // namespace aimi::gateway::handlers
