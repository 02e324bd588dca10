#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/conversation/model.hpp"

namespace pqxx {
class dbtransaction;
}

namespace aimi::gateway {

//! A batch's outcome as the entity store recorded it (see batch_outcomes).
struct BatchOutcome {
    std::string batch_id;
    std::string user_id;
    std::string outcome;  //!< applied | duplicate | conflict | rejected
    std::string code;
    std::string message;
    std::optional<std::string> duplicate_of;
    std::string request_hash;
    std::string resource_type;
    std::string resource_id;
    std::int64_t stream_version = 0;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    boost::json::object details;  //!< a rejection's goals, path or dependencies
};

//! Named, parameterized queries over the entity store. Every chat-scoped lookup takes the owner,
//! so another user's ids behave exactly like unknown ones.
namespace read_model {

using namespace conversation;

std::int64_t stream_version(pqxx::dbtransaction& tx, const std::string& user_id);
std::optional<User> find_user(pqxx::dbtransaction& tx, const std::string& user_id);
std::optional<Device> find_device(pqxx::dbtransaction& tx, const std::string& device_id);
std::vector<Device> list_devices(pqxx::dbtransaction& tx, const std::string& user_id);
std::optional<Chat> find_chat(pqxx::dbtransaction& tx, const std::string& chat_id);
//! Where a page of chats ends: the last chat's creation time and id (ids break ties).
struct ChatCursor {
    std::string created_at;  //!< RFC 3339
    std::string id;
};
//! The user's chats newest first, strictly after `before` in that order.
std::vector<Chat> list_chats(pqxx::dbtransaction& tx, const std::string& user_id, bool include_archived,
                             const std::optional<ChatCursor>& before, int limit);
std::optional<Session> open_session(pqxx::dbtransaction& tx, const std::string& chat_id);
std::optional<Session> find_session(pqxx::dbtransaction& tx, const std::string& session_id);
std::vector<Session> list_sessions(pqxx::dbtransaction& tx, const std::string& chat_id, int limit);
std::optional<Message> find_message(pqxx::dbtransaction& tx, const std::string& message_id);
//! Messages with seq > after_seq, ascending.
std::vector<Message> list_messages(pqxx::dbtransaction& tx, const std::string& chat_id, std::int64_t after_seq,
                                   int limit);
//! The last `limit` messages of the chat's latest session, ascending (the assistant's window).
std::vector<Message> recent_window(pqxx::dbtransaction& tx, const std::string& chat_id, int limit);

std::optional<BatchOutcome> find_outcome(pqxx::dbtransaction& tx, const std::string& batch_id);
//! The batch that first used (user, idempotency key): applied or rejected.
std::optional<BatchOutcome> find_by_idempotency_key(pqxx::dbtransaction& tx, const std::string& user_id,
                                                    const std::string& key);
//! Like find_by_idempotency_key, but when no batch under `key` applied or was rejected, a duplicate
//! under it: a record refused because what it posts exists already (its message's client_msg_id).
std::optional<BatchOutcome> find_any_by_idempotency_key(pqxx::dbtransaction& tx, const std::string& user_id,
                                                        const std::string& key);

}  // namespace read_model
}  // namespace aimi::gateway
