#include "projections/entity_store/change_writer.hpp"

#include <boost/json/array.hpp>
#include <pqxx/pqxx>

#include "domain/json/serialize.hpp"
#include "projections/entity_store/goal_rows.hpp"
#include "projections/keys/key_store.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::entity_store {

namespace {

using namespace conversation;
namespace bj = boost::json;

const pg::Statement kUpsertUsers{"entity_store.upsert_users", R"sql(
INSERT INTO users (id, email, display_name, role, time_zone, locale, settings, created_at, updated_at, erased_at)
SELECT id, email, display_name, role, time_zone, locale, settings, created_at, updated_at, erased_at
FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, email text, display_name text, role text, time_zone text,
                                        locale text, settings jsonb, created_at timestamptz, updated_at timestamptz,
                                        erased_at timestamptz)
ON CONFLICT (id) DO UPDATE SET email = excluded.email, display_name = excluded.display_name,
    time_zone = excluded.time_zone, locale = excluded.locale, settings = excluded.settings,
    updated_at = excluded.updated_at, erased_at = excluded.erased_at)sql"};

// Erasure: everything personal of the users goes (the users row stays as a blank tombstone);
// request hashes (a hash of the request body) are cleared; their dead letters are dropped.
const pg::Statement kEraseUsers{"entity_store.erase_users", R"sql(
WITH erased AS (SELECT value::uuid AS id FROM jsonb_array_elements_text($1::jsonb)),
     m AS (DELETE FROM messages WHERE user_id IN (SELECT id FROM erased)),
     s AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM erased)),
     d AS (DELETE FROM devices WHERE user_id IN (SELECT id FROM erased)),
     o AS (UPDATE batch_outcomes SET request_hash = '' WHERE user_id IN (SELECT id FROM erased)),
     l AS (DELETE FROM dead_letters WHERE record_key IN (SELECT id::text FROM erased)),
     e AS (DELETE FROM goal_edges WHERE user_id IN (SELECT id FROM erased)),
     t AS (DELETE FROM goal_entities WHERE user_id IN (SELECT id FROM erased)),
     k AS (DELETE FROM goal_links WHERE user_id IN (SELECT id FROM erased)),
     g AS (DELETE FROM goal_nodes WHERE user_id IN (SELECT id FROM erased))
DELETE FROM chats WHERE user_id IN (SELECT id FROM erased))sql"};

const pg::Statement kUpsertStreams{"entity_store.upsert_streams", R"sql(
INSERT INTO user_streams (user_id, version, updated_at)
SELECT user_id, version, now() FROM jsonb_to_recordset($1::jsonb) AS r(user_id uuid, version bigint)
ON CONFLICT (user_id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at)sql"};

const pg::Statement kUpsertDevices{"entity_store.upsert_devices", R"sql(
INSERT INTO devices (id, user_id, token, platform, locale, time_zone, is_active, registered_at, last_seen_at)
SELECT id, user_id, token, platform, locale, time_zone, is_active, registered_at, last_seen_at
FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, user_id uuid, token text, platform text, locale text,
                                        time_zone text, is_active boolean, registered_at timestamptz,
                                        last_seen_at timestamptz)
ON CONFLICT (id) DO UPDATE SET platform = excluded.platform, locale = excluded.locale,
    time_zone = excluded.time_zone, is_active = excluded.is_active, last_seen_at = excluded.last_seen_at)sql"};

const pg::Statement kUpsertChats{"entity_store.upsert_chats", R"sql(
INSERT INTO chats (id, user_id, title, model, settings, last_seq, archived, archived_at, created_at, last_active_at)
SELECT id, user_id, title, model, settings, last_seq, archived, archived_at, created_at, last_active_at
FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, user_id uuid, title text, model text, settings jsonb,
                                        last_seq bigint, archived boolean, archived_at timestamptz,
                                        created_at timestamptz, last_active_at timestamptz)
ON CONFLICT (id) DO UPDATE SET title = excluded.title, settings = excluded.settings, last_seq = excluded.last_seq,
    archived = excluded.archived, archived_at = excluded.archived_at, last_active_at = excluded.last_active_at)sql"};

// Sessions that end are written before the ones that open (rows are ordered by ended_at NULLS
// LAST), so the one-open-session-per-chat index never sees two open rows mid-statement.
const pg::Statement kUpsertSessions{"entity_store.upsert_sessions", R"sql(
INSERT INTO sessions (id, user_id, chat_id, started_at, last_activity_at, ended_at, end_reason, message_count)
SELECT id, user_id, chat_id, started_at, last_activity_at, ended_at, end_reason, message_count
FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, user_id uuid, chat_id uuid, started_at timestamptz,
                                        last_activity_at timestamptz, ended_at timestamptz, end_reason text,
                                        message_count bigint)
ORDER BY ended_at NULLS LAST
ON CONFLICT (id) DO UPDATE SET last_activity_at = excluded.last_activity_at, ended_at = excluded.ended_at,
    end_reason = excluded.end_reason, message_count = excluded.message_count)sql"};

const pg::Statement kInsertMessages{"entity_store.insert_messages", R"sql(
INSERT INTO messages (id, user_id, chat_id, session_id, seq, role, content, metadata, source, client_msg_id,
                      request_id, batch_id, created_at)
SELECT id, user_id, chat_id, session_id, seq, role, content, metadata, source, client_msg_id, request_id, batch_id,
       created_at
FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, user_id uuid, chat_id uuid, session_id uuid, seq bigint,
                                        role text, content text, metadata jsonb, source text, client_msg_id text,
                                        request_id text, batch_id uuid, created_at timestamptz))sql"};

const pg::Statement kInsertOutcomes{"entity_store.insert_outcomes", R"sql(
INSERT INTO batch_outcomes (batch_id, user_id, outcome, code, message, details, duplicate_of, idempotency_key,
                            request_hash, resource_type, resource_id, expected_version, stream_version, topic,
                            partition, "offset", occurred_at)
SELECT batch_id, user_id, outcome, code, message, details, duplicate_of, idempotency_key, request_hash, resource_type,
       resource_id, expected_version, stream_version, topic, partition, "offset", occurred_at
FROM jsonb_to_recordset($1::jsonb) AS r(batch_id uuid, user_id uuid, outcome text, code text, message text,
                                        details jsonb, duplicate_of uuid, idempotency_key text, request_hash text,
                                        resource_type text, resource_id uuid, expected_version bigint,
                                        stream_version bigint, topic text, partition integer, "offset" bigint,
                                        occurred_at timestamptz)
ON CONFLICT (batch_id) DO NOTHING)sql"};

bj::value opt(const std::optional<std::string>& v) {
    return v ? bj::value(*v) : bj::value(nullptr);
}
bj::value opt(const std::optional<Timestamp>& v) {
    return v ? bj::value(format_timestamp(*v)) : bj::value(nullptr);
}
bj::value opt(const std::optional<std::int64_t>& v) {
    return v ? bj::value(*v) : bj::value(nullptr);
}
bj::value id_or_null(const std::string& v) {
    return v.empty() ? bj::value(nullptr) : bj::value(v);
}

void exec_rows(pqxx::dbtransaction& tx, const pg::Statement& statement, const bj::array& rows) {
    if (!rows.empty()) pg::exec(tx, statement, json::serialize(rows));
}

}  // namespace

void write_changes(pqxx::dbtransaction& tx, const EntityStoreState& state,
                   std::span<const LogRecord* const> positions) {
    bj::array users;
    for (const auto& id : state.dirty_users) {
        const User& u = state.users.at(id);
        users.push_back(bj::object{{"id", u.id},
                                   {"email", opt(u.email)},
                                   {"display_name", u.display_name},
                                   {"role", u.role},
                                   {"time_zone", u.time_zone},
                                   {"locale", u.locale},
                                   {"settings", u.settings},
                                   {"created_at", format_timestamp(u.created_at)},
                                   {"updated_at", format_timestamp(u.updated_at)},
                                   {"erased_at", opt(u.erased_at)}});
    }
    exec_rows(tx, kUpsertUsers, users);

    bj::array streams;
    for (const auto& id : state.dirty_streams)
        streams.push_back(bj::object{{"user_id", id}, {"version", state.stream_versions.at(id)}});
    exec_rows(tx, kUpsertStreams, streams);

    bj::array devices;
    for (const auto& id : state.dirty_devices) {
        const Device& d = state.devices.at(id);
        devices.push_back(bj::object{{"id", d.id},
                                     {"user_id", d.user_id},
                                     {"token", d.token},
                                     {"platform", d.platform},
                                     {"locale", opt(d.locale)},
                                     {"time_zone", opt(d.time_zone)},
                                     {"is_active", d.active},
                                     {"registered_at", format_timestamp(d.registered_at)},
                                     {"last_seen_at", format_timestamp(d.last_seen_at)}});
    }
    exec_rows(tx, kUpsertDevices, devices);

    bj::array chats;
    for (const auto& id : state.dirty_chats) {
        const Chat& c = state.chats.at(id);
        chats.push_back(bj::object{{"id", c.id},
                                   {"user_id", c.user_id},
                                   {"title", c.title},
                                   {"model", c.model},
                                   {"settings", c.settings},
                                   {"last_seq", c.last_seq},
                                   {"archived", c.archived},
                                   {"archived_at", opt(c.archived_at)},
                                   {"created_at", format_timestamp(c.created_at)},
                                   {"last_active_at", format_timestamp(c.last_active_at)}});
    }
    exec_rows(tx, kUpsertChats, chats);

    bj::array sessions;
    for (const auto& id : state.dirty_sessions) {
        const Session& s = state.sessions.at(id);
        sessions.push_back(bj::object{{"id", s.id},
                                      {"user_id", s.user_id},
                                      {"chat_id", s.chat_id},
                                      {"started_at", format_timestamp(s.started_at)},
                                      {"last_activity_at", format_timestamp(s.last_activity_at)},
                                      {"ended_at", opt(s.ended_at)},
                                      {"end_reason", s.end_reason},
                                      {"message_count", s.message_count}});
    }
    exec_rows(tx, kUpsertSessions, sessions);

    bj::array messages;
    for (const auto& m : state.new_messages) {
        messages.push_back(bj::object{{"id", m.id},
                                      {"user_id", m.user_id},
                                      {"chat_id", m.chat_id},
                                      {"session_id", m.session_id},
                                      {"seq", m.seq},
                                      {"role", m.role},
                                      {"content", m.content},
                                      {"metadata", m.metadata},
                                      {"source", m.source},
                                      {"client_msg_id", opt(m.client_msg_id)},
                                      {"request_id", m.request_id},
                                      {"batch_id", m.batch_id},
                                      {"created_at", format_timestamp(m.created_at)}});
    }
    exec_rows(tx, kInsertMessages, messages);

    bj::array outcomes;
    for (std::size_t i = 0; i < state.outcomes.size(); ++i) {
        const Outcome& o = state.outcomes[i];
        const LogRecord& at = *positions[i];
        outcomes.push_back(bj::object{{"batch_id", o.batch_id},
                                      {"user_id", o.user_id},
                                      {"outcome", to_string(o.kind)},
                                      {"code", o.code},
                                      {"message", o.message},
                                      {"details", o.details},
                                      {"duplicate_of", opt(o.duplicate_of)},
                                      {"idempotency_key", o.idempotency_key},
                                      {"request_hash", o.request_hash},
                                      {"resource_type", o.resource_type},
                                      {"resource_id", id_or_null(o.resource_id)},
                                      {"expected_version", opt(o.expected_version)},
                                      {"stream_version", o.stream_version},
                                      {"topic", at.topic},
                                      {"partition", at.partition},
                                      {"offset", at.offset},
                                      {"occurred_at", format_timestamp(o.occurred_at)}});
    }
    exec_rows(tx, kInsertOutcomes, outcomes);
    write_goal_changes(tx, state);

    // Last: rows this batch wrote for a user it erases go too; the key goes with the erasure.
    if (!state.erased_users.empty()) {
        bj::array ids;
        std::vector<std::string> users;
        for (const auto& id : state.erased_users) {
            ids.push_back(bj::value(id));
            users.push_back(id);
        }
        pg::exec(tx, kEraseUsers, json::serialize(ids));
        keys::destroy_keys(tx, users);
    }
}

}  // namespace aimi::entity_store
