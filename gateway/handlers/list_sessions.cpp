#include <pqxx/pqxx>

#include "domain/conversation/resource_json.hpp"
#include "gateway/command_pipeline.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"
#include "gateway/read_model.hpp"
#include "projections/pg/connection.hpp"

namespace aimi::gateway::handlers {

//! GET /v1/chats/{chat_id}/sessions?limit=20 — newest first.
Reply list_sessions(const Call& call) {
    auto limit = query_int(call, "limit", 20, 1, 200);
    if (!limit) return fail(call, limit.problem());
    auto chat = readable_chat(call);
    if (!chat) return fail(call, chat.problem());

    auto lease = call.gateway.pool.acquire();
    pqxx::read_transaction tx(*lease);
    boost::json::array items;
    for (const auto& session : read_model::list_sessions(tx, chat->id, static_cast<int>(limit.value())))
        items.push_back(to_json(session));
    return json_response(200, boost::json::object{{"items", std::move(items)}});
}

}  // namespace aimi::gateway::handlers
