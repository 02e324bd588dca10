#include <pqxx/pqxx>

#include "domain/assistant/turn_keys.hpp"
#include "domain/json/parse.hpp"
#include "domain/json/text_of.hpp"
#include "gateway/api_error.hpp"
#include "gateway/command_pipeline.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"
#include "gateway/progress_watcher.hpp"
#include "gateway/read_model.hpp"
#include "projections/entity_store/entity_store_projection.hpp"
#include "projections/pg/connection.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::gateway::handlers {

namespace {

namespace bj = boost::json;
using Clock = std::chrono::steady_clock;

const pg::Statement kMessagePartition{"post_message.partition", R"sql(
SELECT o.partition FROM messages m JOIN batch_outcomes o ON o.batch_id = m.batch_id WHERE m.id = $1::uuid)sql"};

//! The posted message with the assistant's reply to it (docs/assistant.md, "Waiting for the
//! reply"): looked up by the reply's id each time the entity store applies something
//! on the user's partition, without holding a thread, until `deadline`; `reply` is null if it did
//! not come in time.
Reply await_reply(const Call& call, bj::object message, int status, Clock::time_point deadline) {
    const auto message_id = json::text_of(message, "id");
    std::int32_t partition = 0;
    {
        auto lease = call.gateway.pool.acquire();
        pqxx::read_transaction tx(*lease);
        // One reply per message, in whichever record the assistant appended it.
        if (auto reply =
                read_resource(tx, "message", assistant::reply_message_id(call.principal.user_id, message_id))) {
            message["reply"] = std::move(*reply);
            return json_response(status, message);
        }
        // Its own record refused: none will come.
        if (read_model::find_by_idempotency_key(tx, call.principal.user_id, assistant::reply_key(message_id))) {
            message["reply"] = nullptr;
            return json_response(status, message);
        }
        const auto rows = pg::exec(tx, kMessagePartition, message_id);
        if (!rows.empty()) partition = rows[0][0].as<std::int32_t>();
    }
    const std::string projection = entity_store::EntityStoreProjection::kName;
    const auto next = call.gateway.watcher.snapshot(projection);
    const auto it = next.find(partition);
    if (Clock::now() >= deadline || it == next.end()) {
        message["reply"] = nullptr;
        return json_response(status, message);
    }
    // The next record the entity store applies on the partition may be the reply: look again then.
    return Continuation{projection, partition, it->second, deadline,
                        [call, message = std::move(message), status, deadline](bool) mutable {
                            return await_reply(call, std::move(message), status, deadline);
                        }};
}

//! Passes `reply` through; once it is the posted user message, waits for the assistant's answer.
Reply with_reply(const Call& call, Reply reply, Clock::time_point deadline) {
    if (auto* waiting = std::get_if<Continuation>(&reply.value)) {
        waiting->resume = [call, resume = std::move(waiting->resume), deadline](bool applied) {
            return with_reply(call, resume(applied), deadline);
        };
        return reply;
    }
    auto* response = std::get_if<http::Response>(&reply.value);
    if (!response || (response->status != 200 && response->status != 201)) return reply;
    auto message = json::parse_stored_object(response->body);
    if (json::text_of(message, "role") != "user") return reply;
    return await_reply(call, std::move(message), response->status, deadline);
}

}  // namespace

//! POST /v1/chats/{chat_id}/messages — seq and session are assigned in stream order; a repeated
//! (source, client_msg_id) returns the first message. ?wait_for_reply=<ms> (1–30000) answers with
//! the assistant's reply too, as `reply`.
Reply post_message(const Call& call) {
    auto chat_id = path_uuid(call, "chat_id");
    if (!chat_id) return fail(call, chat_id.problem());
    auto wait = query_int(call, "wait_for_reply", 0, 1, 30000);
    if (!wait) return fail(call, wait.problem());
    if (auto p = require_json(call)) return fail(call, *p);
    auto command = conversation::decode_post_message(chat_id.value(), call.request.body);
    if (!command) return fail(call, command.problem());
    auto reply = execute_command(call, {.chat_id = chat_id.value(),
                                        .success_status = 201,
                                        .decide = [command = std::move(command.value())](const auto& context) {
                                            return conversation::decide(context, command);
                                        }});
    if (wait.value() == 0) return reply;
    return with_reply(call, std::move(reply), Clock::now() + std::chrono::milliseconds(wait.value()));
}

}  // namespace aimi::gateway::handlers
