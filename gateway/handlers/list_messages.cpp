#include <pqxx/pqxx>

#include "domain/conversation/resource_json.hpp"
#include "gateway/command_pipeline.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"
#include "gateway/read_model.hpp"
#include "projections/pg/connection.hpp"

namespace aimi::gateway::handlers {

//! GET /v1/chats/{chat_id}/messages?after_seq=0&limit=50 — ascending by seq; next_cursor is the
//! after_seq of the next page (null on the last page).
Reply list_messages(const Call& call) {
    auto after = query_int(call, "after_seq", 0, 0, INT64_MAX);
    if (!after) return fail(call, after.problem());
    auto limit = query_int(call, "limit", 50, 1, 500);
    if (!limit) return fail(call, limit.problem());
    auto chat = readable_chat(call);
    if (!chat) return fail(call, chat.problem());

    auto lease = call.gateway.pool.acquire();
    pqxx::read_transaction tx(*lease);
    const auto messages = read_model::list_messages(tx, chat->id, after.value(), static_cast<int>(limit.value()));
    boost::json::array items;
    for (const auto& message : messages) items.push_back(to_json(message));
    boost::json::value next = nullptr;
    if (static_cast<std::int64_t>(messages.size()) == limit.value()) next = std::to_string(messages.back().seq);
    return json_response(200, boost::json::object{{"items", std::move(items)}, {"next_cursor", next}});
}

}  // namespace aimi::gateway::handlers
