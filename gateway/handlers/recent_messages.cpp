#include <pqxx/pqxx>

#include "domain/conversation/resource_json.hpp"
#include "gateway/command_pipeline.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"
#include "gateway/read_model.hpp"
#include "projections/pg/connection.hpp"

namespace aimi::gateway::handlers {

//! GET /v1/chats/{chat_id}/messages/recent?limit=30 — the latest session's last messages,
//! oldest first: the context window the assistant reads.
Reply recent_messages(const Call& call) {
    auto limit = query_int(call, "limit", 30, 1, 200);
    if (!limit) return fail(call, limit.problem());
    auto chat = readable_chat(call);
    if (!chat) return fail(call, chat.problem());

    auto lease = call.gateway.pool.acquire();
    pqxx::read_transaction tx(*lease);
    boost::json::array items;
    std::string session_id;
    for (const auto& message : read_model::recent_window(tx, chat->id, static_cast<int>(limit.value()))) {
        session_id = message.session_id;
        items.push_back(to_json(message));
    }
    return json_response(200, boost::json::object{{"session_id", session_id.empty() ? boost::json::value(nullptr)
                                                                                    : boost::json::value(session_id)},
                                                  {"items", std::move(items)}});
}

}  // namespace aimi::gateway::handlers
