#include "gateway/read_model.hpp"

#include <pqxx/pqxx>

#include "domain/json/parse.hpp"

namespace aimi::gateway::read_model {

namespace {

#define AIMI_US(column) "floor(extract(epoch from " column ") * 1000000)::bigint"

constexpr const char* kUserColumns = "id::text, email, display_name, role, time_zone, locale, settings::text, " AIMI_US(
    "created_at") ", " AIMI_US("updated_at");
constexpr const char* kDeviceColumns =
    "id::text, user_id::text, token, platform, locale, time_zone, is_active, " AIMI_US("registered_at") ", " AIMI_US(
        "last_seen_at");
constexpr const char* kChatColumns =
    "id::text, user_id::text, title, model, settings::text, last_seq, archived, " AIMI_US("archived_at") ", " AIMI_US(
        "created_at") ", " AIMI_US("last_active_at");
constexpr const char* kSessionColumns = "id::text, user_id::text, chat_id::text, " AIMI_US("started_at") ", " AIMI_US(
    "last_activity_at") ", " AIMI_US("ended_at") ", end_reason, message_count";
constexpr const char* kMessageColumns =
    "id::text, user_id::text, chat_id::text, session_id::text, seq, role, content, metadata::text, source, "
    "client_msg_id, request_id, " AIMI_US("created_at");
constexpr const char* kOutcomeColumns =
    "batch_id::text, user_id::text, outcome, code, message, duplicate_of::text, request_hash, resource_type, "
    "coalesce(resource_id::text, ''), stream_version, partition, \"offset\"";

#undef AIMI_US

std::string sql(const char* columns, const char* rest) {
    return std::string("SELECT ") + columns + " " + rest;
}

std::optional<std::string> opt_text(const pqxx::field& f) {
    if (f.is_null()) return std::nullopt;
    return f.as<std::string>();
}
Timestamp ts(const pqxx::field& f) {
    return from_micros(f.as<std::int64_t>());
}
std::optional<Timestamp> opt_ts(const pqxx::field& f) {
    if (f.is_null()) return std::nullopt;
    return ts(f);
}
boost::json::object object(const pqxx::field& f) {
    auto parsed = json::parse_value(f.c_str());
    if (!parsed || !parsed.value().is_object()) return {};
    return std::move(parsed.value().as_object());
}

User user_from(const pqxx::row& r) {
    return User{r[0].as<std::string>(),
                opt_text(r[1]),
                r[2].as<std::string>(),
                r[3].as<std::string>(),
                r[4].as<std::string>(),
                r[5].as<std::string>(),
                object(r[6]),
                ts(r[7]),
                ts(r[8])};
}
Device device_from(const pqxx::row& r) {
    return Device{r[0].as<std::string>(),
                  r[1].as<std::string>(),
                  r[2].as<std::string>(),
                  r[3].as<std::string>(),
                  opt_text(r[4]),
                  opt_text(r[5]),
                  r[6].as<bool>(),
                  ts(r[7]),
                  ts(r[8])};
}
Chat chat_from(const pqxx::row& r) {
    return Chat{r[0].as<std::string>(),
                r[1].as<std::string>(),
                r[2].as<std::string>(),
                r[3].as<std::string>(),
                object(r[4]),
                r[5].as<std::int64_t>(),
                r[6].as<bool>(),
                opt_ts(r[7]),
                ts(r[8]),
                ts(r[9])};
}
Session session_from(const pqxx::row& r) {
    return Session{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(), ts(r[3]), ts(r[4]),
                   opt_ts(r[5]),           r[6].as<std::string>(), r[7].as<std::int64_t>()};
}
Message message_from(const pqxx::row& r) {
    return Message{r[0].as<std::string>(),  r[1].as<std::string>(), r[2].as<std::string>(),  r[3].as<std::string>(),
                   r[4].as<std::int64_t>(), r[5].as<std::string>(), r[6].as<std::string>(),  object(r[7]),
                   r[8].as<std::string>(),  opt_text(r[9]),         r[10].as<std::string>(), ts(r[11])};
}
BatchOutcome outcome_from(const pqxx::row& r) {
    return BatchOutcome{r[0].as<std::string>(),  r[1].as<std::string>(),   r[2].as<std::string>(),
                        r[3].as<std::string>(),  r[4].as<std::string>(),   opt_text(r[5]),
                        r[6].as<std::string>(),  r[7].as<std::string>(),   r[8].as<std::string>(),
                        r[9].as<std::int64_t>(), r[10].as<std::int32_t>(), r[11].as<std::int64_t>()};
}

template <class T, class F>
std::optional<T> first(const pqxx::result& rows, F from) {
    if (rows.empty()) return std::nullopt;
    return from(rows[0]);
}
template <class T, class F>
std::vector<T> all(const pqxx::result& rows, F from) {
    std::vector<T> out;
    out.reserve(rows.size());
    for (const auto& row : rows) out.push_back(from(row));
    return out;
}

}  // namespace

std::int64_t stream_version(pqxx::dbtransaction& tx, const std::string& user_id) {
    const auto rows = tx.exec_params("SELECT version FROM user_streams WHERE user_id = $1::uuid", user_id);
    return rows.empty() ? 0 : rows[0][0].as<std::int64_t>();
}

std::optional<User> find_user(pqxx::dbtransaction& tx, const std::string& user_id) {
    return first<User>(tx.exec_params(sql(kUserColumns, "FROM users WHERE id = $1::uuid"), user_id), user_from);
}

std::optional<Device> find_device(pqxx::dbtransaction& tx, const std::string& device_id) {
    return first<Device>(tx.exec_params(sql(kDeviceColumns, "FROM devices WHERE id = $1::uuid"), device_id),
                         device_from);
}

std::vector<Device> list_devices(pqxx::dbtransaction& tx, const std::string& user_id) {
    return all<Device>(
        tx.exec_params(sql(kDeviceColumns, "FROM devices WHERE user_id = $1::uuid ORDER BY registered_at, id"),
                       user_id),
        device_from);
}

std::optional<Chat> find_chat(pqxx::dbtransaction& tx, const std::string& chat_id) {
    return first<Chat>(tx.exec_params(sql(kChatColumns, "FROM chats WHERE id = $1::uuid"), chat_id), chat_from);
}

std::vector<Chat> list_chats(pqxx::dbtransaction& tx, const std::string& user_id, bool include_archived,
                             std::optional<std::string> before_created, int limit) {
    return all<Chat>(tx.exec_params(sql(kChatColumns, R"sql(FROM chats
WHERE user_id = $1::uuid AND ($2 OR NOT archived) AND ($3 = '' OR created_at < $3::timestamptz)
ORDER BY created_at DESC, id DESC LIMIT $4)sql"),
                                    user_id, include_archived, before_created.value_or(""), limit),
                     chat_from);
}

std::optional<Session> open_session(pqxx::dbtransaction& tx, const std::string& chat_id) {
    return first<Session>(
        tx.exec_params(sql(kSessionColumns, "FROM sessions WHERE chat_id = $1::uuid AND ended_at IS NULL"), chat_id),
        session_from);
}

std::optional<Session> find_session(pqxx::dbtransaction& tx, const std::string& session_id) {
    return first<Session>(tx.exec_params(sql(kSessionColumns, "FROM sessions WHERE id = $1::uuid"), session_id),
                          session_from);
}

std::vector<Session> list_sessions(pqxx::dbtransaction& tx, const std::string& chat_id, int limit) {
    return all<Session>(
        tx.exec_params(sql(kSessionColumns, "FROM sessions WHERE chat_id = $1::uuid ORDER BY started_at DESC LIMIT $2"),
                       chat_id, limit),
        session_from);
}

std::optional<Message> find_message(pqxx::dbtransaction& tx, const std::string& message_id) {
    return first<Message>(tx.exec_params(sql(kMessageColumns, "FROM messages WHERE id = $1::uuid"), message_id),
                          message_from);
}

std::vector<Message> list_messages(pqxx::dbtransaction& tx, const std::string& chat_id, std::int64_t after_seq,
                                   int limit) {
    return all<Message>(tx.exec_params(sql(kMessageColumns,
                                           "FROM messages WHERE chat_id = $1::uuid AND seq > $2 ORDER BY seq LIMIT $3"),
                                       chat_id, after_seq, limit),
                        message_from);
}

std::vector<Message> recent_window(pqxx::dbtransaction& tx, const std::string& chat_id, int limit) {
    auto messages = all<Message>(tx.exec_params(sql(kMessageColumns, R"sql(FROM messages
WHERE session_id = (SELECT id FROM sessions WHERE chat_id = $1::uuid ORDER BY started_at DESC LIMIT 1)
ORDER BY seq DESC LIMIT $2)sql"),
                                                chat_id, limit),
                                 message_from);
    std::reverse(messages.begin(), messages.end());
    return messages;
}

std::optional<BatchOutcome> find_outcome(pqxx::dbtransaction& tx, const std::string& batch_id) {
    return first<BatchOutcome>(
        tx.exec_params(sql(kOutcomeColumns, "FROM batch_outcomes WHERE batch_id = $1::uuid"), batch_id), outcome_from);
}

std::optional<BatchOutcome> find_by_idempotency_key(pqxx::dbtransaction& tx, const std::string& user_id,
                                                    const std::string& key) {
    return first<BatchOutcome>(tx.exec_params(sql(kOutcomeColumns, R"sql(FROM batch_outcomes
WHERE user_id = $1::uuid AND idempotency_key = $2 AND outcome IN ('applied', 'rejected'))sql"),
                                              user_id, key),
                               outcome_from);
}

}  // namespace aimi::gateway::read_model
