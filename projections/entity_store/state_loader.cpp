#include "projections/entity_store/state_loader.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <pqxx/pqxx>

#include "domain/json/parse.hpp"
#include "domain/json/serialize.hpp"
#include "projections/entity_store/entity_rows.hpp"
#include "projections/entity_store/goal_rows.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::entity_store {

namespace {

using namespace conversation;
namespace bj = boost::json;

using rows::select;

// Keys travel as one jsonb array (or record set) per query, whatever the batch size.
const pg::Statement kLoadStreams{"entity_store.load_streams", R"sql(
SELECT user_id::text, version FROM user_streams
WHERE user_id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb)))sql"};

const pg::Statement kUsersByIds{
    "entity_store.load_users",
    select(rows::kUserColumns,
           "FROM users WHERE id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb))")};
const pg::Statement kChatsByIds{
    "entity_store.load_chats",
    select(rows::kChatColumns,
           "FROM chats WHERE id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb))")};
// Two index lookups: with OR between them the planner scans every session.
const pg::Statement kSessionsByIdsOrOpenInChats{
    "entity_store.load_sessions",
    select(rows::kSessionColumns,
           "FROM sessions WHERE id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb))") +
        " UNION " + select(rows::kSessionColumns, R"sql(FROM sessions WHERE ended_at IS NULL
  AND chat_id IN (SELECT value::uuid FROM jsonb_array_elements_text($2::jsonb)))sql")};
// By (user, token) for re-registration, and by id so that an id already taken (by anyone) is
// refused by the fold instead of overwriting that device.
const pg::Statement kDevicesByTokensOrIds{"entity_store.load_devices", select(rows::kDeviceColumns, R"sql(FROM devices
WHERE (user_id, token) IN (SELECT k.u, k.t FROM jsonb_to_recordset($1::jsonb) AS k(u uuid, t text))
   OR id IN (SELECT value::uuid FROM jsonb_array_elements_text($2::jsonb)))sql")};

// Key lookups go through LATERAL ... LIMIT 1, which keeps each one an index probe: joined to a
// record set the planner cannot size (it assumes 100 rows), they became hash joins over the
// whole table, a scan of every user's outcomes and messages for each record decided.
const pg::Statement kLoadTakenKeys{"entity_store.load_taken_keys", R"sql(
SELECT b.user_id::text, b.idempotency_key, b.batch_id::text, b.request_hash, b.outcome, b.code, b.message,
       b.resource_type, coalesce(b.resource_id::text, ''), b.details::text
FROM jsonb_to_recordset($1::jsonb) AS k(u uuid, k text)
CROSS JOIN LATERAL (
    SELECT * FROM batch_outcomes o
    WHERE o.user_id = k.u AND o.idempotency_key = k.k AND o.outcome IN ('applied', 'rejected') LIMIT 1) b)sql"};

const pg::Statement kLoadInbox{"entity_store.load_inbox", R"sql(
SELECT m.user_id::text, m.source, m.client_msg_id, m.id::text, m.batch_id::text
FROM jsonb_to_recordset($1::jsonb) AS k(u uuid, s text, c text)
CROSS JOIN LATERAL (
    SELECT * FROM messages x
    WHERE x.user_id = k.u AND x.source = k.s AND x.client_msg_id = k.c LIMIT 1) m)sql"};

template <class Set>
std::string ids_json(const Set& ids) {
    bj::array out;
    for (const auto& id : ids) out.emplace_back(id);
    return json::serialize(out);
}

}  // namespace

EntityStoreState load_state(pqxx::dbtransaction& tx, const Prefetch& plan, const CachedGraph& cached) {
    EntityStoreState state;
    const std::string user_ids = ids_json(plan.user_ids);
    for (const auto& row : pg::exec(tx, kLoadStreams, user_ids))
        state.stream_versions[row[0].as<std::string>()] = row[1].as<std::int64_t>();

    for (const auto& row : pg::exec(tx, kUsersByIds, user_ids)) {
        auto user = rows::user(row);
        state.users.emplace(user.id, std::move(user));
    }

    if (!plan.chat_ids.empty()) {
        for (const auto& row : pg::exec(tx, kChatsByIds, ids_json(plan.chat_ids))) {
            auto chat = rows::chat(row);
            state.chats.emplace(chat.id, std::move(chat));
        }
    }

    if (!plan.session_ids.empty() || !plan.chat_ids.empty()) {
        for (const auto& row :
             pg::exec(tx, kSessionsByIdsOrOpenInChats, ids_json(plan.session_ids), ids_json(plan.chat_ids))) {
            auto session = rows::session(row);
            if (session.open()) state.open_session_by_chat[session.chat_id] = session.id;
            state.sessions.emplace(session.id, std::move(session));
        }
    }

    bj::array keys;
    for (const auto& [user, key] : plan.idempotency_keys) keys.push_back(bj::object{{"u", user}, {"k", key}});
    for (const auto& row : pg::exec(tx, kLoadTakenKeys, json::serialize(keys))) {
        const std::string kind = row[4].as<std::string>();
        state.taken_keys[{row[0].as<std::string>(), row[1].as<std::string>()}] =
            TakenKey{row[2].as<std::string>(),
                     row[3].as<std::string>(),
                     kind == "rejected" ? Outcome::Kind::rejected : Outcome::Kind::applied,
                     row[5].as<std::string>(),
                     row[6].as<std::string>(),
                     row[7].as<std::string>(),
                     row[8].as<std::string>(),
                     json::parse_stored_object(row[9].as<std::string>())};
    }

    if (!plan.inbox_keys.empty()) {
        bj::array inbox;
        for (const auto& [user, source, client_msg_id] : plan.inbox_keys)
            inbox.push_back(bj::object{{"u", user}, {"s", source}, {"c", client_msg_id}});
        for (const auto& row : pg::exec(tx, kLoadInbox, json::serialize(inbox)))
            state.inbox[{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()}] =
                InboxEntry{row[3].as<std::string>(), row[4].as<std::string>()};
    }

    if (!plan.device_tokens.empty()) {
        bj::array tokens;
        for (const auto& [user, token] : plan.device_tokens) tokens.push_back(bj::object{{"u", user}, {"t", token}});
        for (const auto& row :
             pg::exec(tx, kDevicesByTokensOrIds, json::serialize(tokens), ids_json(plan.device_ids))) {
            auto device = rows::device(row);
            state.device_by_token[{device.user_id, device.token}] = device.id;
            state.devices.emplace(device.id, std::move(device));
        }
    }
    std::set<std::string> to_load;
    for (const auto& user : plan.goal_users) {
        const auto version = state.stream_versions.contains(user) ? state.stream_versions.at(user) : 0;
        if (auto graph = cached ? cached(user, version) : std::nullopt)
            state.goal_graphs.emplace(user, std::move(*graph));
        else
            to_load.insert(user);
    }
    if (!to_load.empty()) load_goal_graphs(tx, to_load, state.goal_graphs);
    if (!plan.message_ids.empty()) load_message_owners(tx, plan.message_ids, state.message_owner);
    return state;
}

}  // namespace aimi::entity_store
