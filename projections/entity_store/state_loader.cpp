#include "projections/entity_store/state_loader.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <pqxx/pqxx>

#include "domain/json/parse.hpp"

namespace aimi::entity_store {

namespace {

using namespace conversation;
namespace bj = boost::json;

// Timestamps travel as epoch microseconds: exact, and no text parsing on the hot path.
#define AIMI_US(column) "floor(extract(epoch from " column ") * 1000000)::bigint"

constexpr const char* kLoadStreams = R"sql(
SELECT user_id::text, version FROM user_streams
WHERE user_id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb)))sql";

constexpr const char* kLoadUsers =
    "SELECT id::text, email, display_name, role, time_zone, locale, settings::text, " AIMI_US(
        "created_at") ", " AIMI_US("updated_at") R"sql( FROM users
WHERE id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb)))sql";

constexpr const char* kLoadChats =
    "SELECT id::text, user_id::text, title, model, settings::text, last_seq, archived, " AIMI_US(
        "archived_at") ", " AIMI_US("created_at") ", " AIMI_US("last_active_at") R"sql( FROM chats
WHERE id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb)))sql";

constexpr const char* kLoadSessions =
    "SELECT id::text, user_id::text, chat_id::text, " AIMI_US("started_at") ", " AIMI_US(
        "last_activity_at") ", " AIMI_US("ended_at") R"sql(, end_reason, message_count FROM sessions
WHERE id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb))
   OR (ended_at IS NULL AND chat_id IN (SELECT value::uuid FROM jsonb_array_elements_text($2::jsonb))))sql";

constexpr const char* kLoadTakenKeys = R"sql(
SELECT b.user_id::text, b.idempotency_key, b.batch_id::text, b.request_hash, b.outcome, b.code, b.message,
       b.resource_type, coalesce(b.resource_id::text, '')
FROM batch_outcomes b
JOIN jsonb_to_recordset($1::jsonb) AS k(u uuid, k text) ON b.user_id = k.u AND b.idempotency_key = k.k
WHERE b.outcome IN ('applied', 'rejected'))sql";

constexpr const char* kLoadInbox = R"sql(
SELECT m.user_id::text, m.source, m.client_msg_id, m.id::text, m.batch_id::text
FROM messages m
JOIN jsonb_to_recordset($1::jsonb) AS k(u uuid, s text, c text)
  ON m.user_id = k.u AND m.source = k.s AND m.client_msg_id = k.c)sql";

constexpr const char* kLoadDevices =
    "SELECT d.id::text, d.user_id::text, d.token, d.platform, d.locale, d.time_zone, d.is_active, " AIMI_US(
        "d.registered_at") ", " AIMI_US("d.last_seen_at") R"sql( FROM devices d
JOIN jsonb_to_recordset($1::jsonb) AS k(u uuid, t text) ON d.user_id = k.u AND d.token = k.t)sql";

#undef AIMI_US

template <class Set>
std::string ids_json(const Set& ids) {
    bj::array out;
    for (const auto& id : ids) out.emplace_back(id);
    return bj::serialize(out);
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
bj::object json_object(const pqxx::field& f) {
    auto parsed = json::parse_value(f.c_str());
    if (!parsed || !parsed.value().is_object())
        throw std::runtime_error("stored jsonb is not an object: " + std::string(f.c_str()));
    return std::move(parsed.value().as_object());
}

}  // namespace

EntityStoreState load_state(pqxx::dbtransaction& tx, const Prefetch& plan) {
    EntityStoreState state;
    const std::string user_ids = ids_json(plan.user_ids);
    for (const auto& row : tx.exec_params(kLoadStreams, user_ids))
        state.stream_versions[row[0].as<std::string>()] = row[1].as<std::int64_t>();

    for (const auto& row : tx.exec_params(kLoadUsers, user_ids)) {
        User user{row[0].as<std::string>(),
                  opt_text(row[1]),
                  row[2].as<std::string>(),
                  row[3].as<std::string>(),
                  row[4].as<std::string>(),
                  row[5].as<std::string>(),
                  json_object(row[6]),
                  ts(row[7]),
                  ts(row[8])};
        state.users.emplace(user.id, std::move(user));
    }

    if (!plan.chat_ids.empty()) {
        for (const auto& row : tx.exec_params(kLoadChats, ids_json(plan.chat_ids))) {
            Chat chat{row[0].as<std::string>(),
                      row[1].as<std::string>(),
                      row[2].as<std::string>(),
                      row[3].as<std::string>(),
                      json_object(row[4]),
                      row[5].as<std::int64_t>(),
                      row[6].as<bool>(),
                      opt_ts(row[7]),
                      ts(row[8]),
                      ts(row[9])};
            state.chats.emplace(chat.id, std::move(chat));
        }
    }

    if (!plan.session_ids.empty() || !plan.chat_ids.empty()) {
        for (const auto& row : tx.exec_params(kLoadSessions, ids_json(plan.session_ids), ids_json(plan.chat_ids))) {
            Session session{
                row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(), ts(row[3]), ts(row[4]),
                opt_ts(row[5]),           row[6].as<std::string>(), row[7].as<std::int64_t>()};
            if (session.open()) state.open_session_by_chat[session.chat_id] = session.id;
            state.sessions.emplace(session.id, std::move(session));
        }
    }

    bj::array keys;
    for (const auto& [user, key] : plan.idempotency_keys) keys.push_back(bj::object{{"u", user}, {"k", key}});
    for (const auto& row : tx.exec_params(kLoadTakenKeys, bj::serialize(keys))) {
        const std::string kind = row[4].as<std::string>();
        state.taken_keys[{row[0].as<std::string>(), row[1].as<std::string>()}] =
            TakenKey{row[2].as<std::string>(),
                     row[3].as<std::string>(),
                     kind == "rejected" ? Outcome::Kind::rejected : Outcome::Kind::applied,
                     row[5].as<std::string>(),
                     row[6].as<std::string>(),
                     row[7].as<std::string>(),
                     row[8].as<std::string>()};
    }

    if (!plan.inbox_keys.empty()) {
        bj::array inbox;
        for (const auto& [user, source, client_msg_id] : plan.inbox_keys)
            inbox.push_back(bj::object{{"u", user}, {"s", source}, {"c", client_msg_id}});
        for (const auto& row : tx.exec_params(kLoadInbox, bj::serialize(inbox)))
            state.inbox[{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()}] =
                InboxEntry{row[3].as<std::string>(), row[4].as<std::string>()};
    }

    if (!plan.device_tokens.empty()) {
        bj::array tokens;
        for (const auto& [user, token] : plan.device_tokens) tokens.push_back(bj::object{{"u", user}, {"t", token}});
        for (const auto& row : tx.exec_params(kLoadDevices, bj::serialize(tokens))) {
            Device device{row[0].as<std::string>(),
                          row[1].as<std::string>(),
                          row[2].as<std::string>(),
                          row[3].as<std::string>(),
                          opt_text(row[4]),
                          opt_text(row[5]),
                          row[6].as<bool>(),
                          ts(row[7]),
                          ts(row[8])};
            state.device_by_token[{device.user_id, device.token}] = device.id;
            state.devices.emplace(device.id, std::move(device));
        }
    }
    return state;
}

}  // namespace aimi::entity_store
