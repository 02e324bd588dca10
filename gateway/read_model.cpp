#include "gateway/read_model.hpp"

#include "domain/json/parse.hpp"

#include <pqxx/pqxx>

#include "projections/entity_store/entity_rows.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::gateway::read_model {

namespace rows = entity_store::rows;

namespace {

constexpr const char* kOutcomeColumns =
    "batch_id::text, user_id::text, outcome, code, message, duplicate_of::text, request_hash, resource_type, "
    "coalesce(resource_id::text, ''), stream_version, partition, \"offset\", details::text";

using rows::kChatColumns;
using rows::kDeviceColumns;
using rows::kMessageColumns;
using rows::kSessionColumns;
using rows::kUserColumns;

std::optional<std::string> opt_text(const pqxx::field& f) {
    if (f.is_null()) return std::nullopt;
    return f.as<std::string>();
}

BatchOutcome outcome_from(const pqxx::row& r) {
    return BatchOutcome{r[0].as<std::string>(),
                        r[1].as<std::string>(),
                        r[2].as<std::string>(),
                        r[3].as<std::string>(),
                        r[4].as<std::string>(),
                        opt_text(r[5]),
                        r[6].as<std::string>(),
                        r[7].as<std::string>(),
                        r[8].as<std::string>(),
                        r[9].as<std::int64_t>(),
                        r[10].as<std::int32_t>(),
                        r[11].as<std::int64_t>(),
                        json::parse_stored_object(r[12].as<std::string>())};
}

template <class T, class F>
std::optional<T> first(const pqxx::result& result, F from) {
    if (result.empty()) return std::nullopt;
    return from(result[0]);
}
template <class T, class F>
std::vector<T> all(const pqxx::result& result, F from) {
    std::vector<T> out;
    out.reserve(result.size());
    for (const auto& row : result) out.push_back(from(row));
    return out;
}

}  // namespace

// Each query is a named statement, prepared once per connection (projections/pg/statement.hpp).

std::int64_t stream_version(pqxx::dbtransaction& tx, const std::string& user_id) {
    static const pg::Statement query{"read_model.stream_version",
                                     "SELECT version FROM user_streams WHERE user_id = $1::uuid"};
    const auto rows = pg::exec(tx, query, user_id);
    return rows.empty() ? 0 : rows[0][0].as<std::int64_t>();
}

std::optional<User> find_user(pqxx::dbtransaction& tx, const std::string& user_id) {
    static const pg::Statement query{"read_model.find_user",
                                     rows::select(kUserColumns, "FROM users WHERE id = $1::uuid")};
    return first<User>(pg::exec(tx, query, user_id), rows::user);
}

std::optional<Device> find_device(pqxx::dbtransaction& tx, const std::string& device_id) {
    static const pg::Statement query{"read_model.find_device",
                                     rows::select(kDeviceColumns, "FROM devices WHERE id = $1::uuid")};
    return first<Device>(pg::exec(tx, query, device_id), rows::device);
}

std::vector<Device> list_devices(pqxx::dbtransaction& tx, const std::string& user_id) {
    static const pg::Statement query{
        "read_model.list_devices",
        rows::select(kDeviceColumns, "FROM devices WHERE user_id = $1::uuid ORDER BY registered_at, id")};
    return all<Device>(pg::exec(tx, query, user_id), rows::device);
}

std::optional<Chat> find_chat(pqxx::dbtransaction& tx, const std::string& chat_id) {
    static const pg::Statement query{"read_model.find_chat",
                                     rows::select(kChatColumns, "FROM chats WHERE id = $1::uuid")};
    return first<Chat>(pg::exec(tx, query, chat_id), rows::chat);
}

std::vector<Chat> list_chats(pqxx::dbtransaction& tx, const std::string& user_id, bool include_archived,
                             const std::optional<ChatCursor>& before, int limit) {
    static const pg::Statement query{"read_model.list_chats", rows::select(kChatColumns, R"sql(FROM chats
WHERE user_id = $1::uuid AND ($2 OR NOT archived)
  AND ($3 = '' OR (created_at, id) < ($3::timestamptz, $4::uuid))
ORDER BY created_at DESC, id DESC LIMIT $5)sql")};
    return all<Chat>(pg::exec(tx, query, user_id, include_archived, before ? before->created_at : "",
                              before ? before->id : "00000000-0000-0000-0000-000000000000", limit),
                     rows::chat);
}

std::optional<Session> open_session(pqxx::dbtransaction& tx, const std::string& chat_id) {
    static const pg::Statement query{
        "read_model.open_session",
        rows::select(kSessionColumns, "FROM sessions WHERE chat_id = $1::uuid AND ended_at IS NULL")};
    return first<Session>(pg::exec(tx, query, chat_id), rows::session);
}

std::optional<Session> find_session(pqxx::dbtransaction& tx, const std::string& session_id) {
    static const pg::Statement query{"read_model.find_session",
                                     rows::select(kSessionColumns, "FROM sessions WHERE id = $1::uuid")};
    return first<Session>(pg::exec(tx, query, session_id), rows::session);
}

std::vector<Session> list_sessions(pqxx::dbtransaction& tx, const std::string& chat_id, int limit) {
    static const pg::Statement query{
        "read_model.list_sessions",
        rows::select(kSessionColumns, "FROM sessions WHERE chat_id = $1::uuid ORDER BY started_at DESC LIMIT $2")};
    return all<Session>(pg::exec(tx, query, chat_id, limit), rows::session);
}

std::optional<Message> find_message(pqxx::dbtransaction& tx, const std::string& message_id) {
    static const pg::Statement query{"read_model.find_message",
                                     rows::select(kMessageColumns, "FROM messages WHERE id = $1::uuid")};
    return first<Message>(pg::exec(tx, query, message_id), rows::message);
}

std::vector<Message> list_messages(pqxx::dbtransaction& tx, const std::string& chat_id, std::int64_t after_seq,
                                   int limit) {
    static const pg::Statement query{
        "read_model.list_messages",
        rows::select(kMessageColumns, "FROM messages WHERE chat_id = $1::uuid AND seq > $2 ORDER BY seq LIMIT $3")};
    return all<Message>(pg::exec(tx, query, chat_id, after_seq, limit), rows::message);
}

std::vector<Message> recent_window(pqxx::dbtransaction& tx, const std::string& chat_id, int limit) {
    static const pg::Statement query{"read_model.recent_window", rows::select(kMessageColumns, R"sql(FROM messages
WHERE session_id = (SELECT id FROM sessions WHERE chat_id = $1::uuid ORDER BY started_at DESC LIMIT 1)
ORDER BY seq DESC LIMIT $2)sql")};
    auto messages = all<Message>(pg::exec(tx, query, chat_id, limit), rows::message);
    std::reverse(messages.begin(), messages.end());
    return messages;
}

std::optional<BatchOutcome> find_outcome(pqxx::dbtransaction& tx, const std::string& batch_id) {
    static const pg::Statement query{"read_model.find_outcome",
                                     rows::select(kOutcomeColumns, "FROM batch_outcomes WHERE batch_id = $1::uuid")};
    return first<BatchOutcome>(pg::exec(tx, query, batch_id), outcome_from);
}

std::optional<BatchOutcome> find_by_idempotency_key(pqxx::dbtransaction& tx, const std::string& user_id,
                                                    const std::string& key) {
    static const pg::Statement query{"read_model.find_by_idempotency_key",
                                     rows::select(kOutcomeColumns, R"sql(FROM batch_outcomes
WHERE user_id = $1::uuid AND idempotency_key = $2 AND outcome IN ('applied', 'rejected'))sql")};
    return first<BatchOutcome>(pg::exec(tx, query, user_id, key), outcome_from);
}

std::optional<BatchOutcome> find_any_by_idempotency_key(pqxx::dbtransaction& tx, const std::string& user_id,
                                                        const std::string& key) {
    static const pg::Statement query{"read_model.find_any_by_idempotency_key",
                                     rows::select(kOutcomeColumns, R"sql(FROM batch_outcomes
WHERE user_id = $1::uuid AND idempotency_key = $2
ORDER BY outcome IN ('applied', 'rejected') DESC LIMIT 1)sql")};
    return first<BatchOutcome>(pg::exec(tx, query, user_id, key), outcome_from);
}

}  // namespace aimi::gateway::read_model
