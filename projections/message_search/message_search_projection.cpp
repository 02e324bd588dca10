#include "projections/message_search/message_search_projection.hpp"

#include <map>
#include <set>

#include <boost/json/array.hpp>
#include <pqxx/pqxx>

#include "domain/json/serialize.hpp"
#include "domain/json/text_of.hpp"
#include "domain/search/text_config.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::message_search {

namespace {

namespace bj = boost::json;
using json::text_of;

const pg::Statement kLoadConfigs{"message_search.load_configs", R"sql(
SELECT user_id::text, text_config::text FROM search_users
WHERE user_id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb)))sql"};

const pg::Statement kUpsertUsers{"message_search.upsert_users", R"sql(
INSERT INTO search_users (user_id, text_config)
SELECT user_id, text_config::regconfig FROM jsonb_to_recordset($1::jsonb) AS r(user_id uuid, text_config text)
ON CONFLICT (user_id) DO UPDATE SET text_config = excluded.text_config)sql"};

const pg::Statement kEraseUsers{"message_search.erase_users", R"sql(
WITH erased AS (SELECT value::uuid AS id FROM jsonb_array_elements_text($1::jsonb)),
     m AS (DELETE FROM search_messages WHERE user_id IN (SELECT id FROM erased))
DELETE FROM search_users WHERE user_id IN (SELECT id FROM erased))sql"};

const pg::Statement kInsertMessages{"message_search.insert_messages", R"sql(
INSERT INTO search_messages (message_id, user_id, chat_id, seq, role, created_at, content, text_config, document)
SELECT message_id, user_id, chat_id, seq, role, created_at, content, text_config::regconfig,
       to_tsvector(text_config::regconfig, content)
FROM jsonb_to_recordset($1::jsonb) AS r(message_id uuid, user_id uuid, chat_id uuid, seq bigint, role text,
                                        created_at timestamptz, content text, text_config text)
ON CONFLICT (message_id) DO NOTHING)sql"};

}  // namespace

void MessageSearchProjection::apply(pqxx::dbtransaction& tx, std::span<const facts::Fact> facts) {
    // Configurations of the users in this batch as stored, then as the facts change them.
    const auto users_json = applied_users_json(facts);
    if (users_json.empty()) return;
    std::map<std::string, std::string> config;
    for (const auto& row : pg::exec(tx, kLoadConfigs, users_json))
        config[row[0].as<std::string>()] = row[1].as<std::string>();

    std::set<std::string> changed_users, erased_users;
    bj::array messages;
    for (const auto& fact : facts) {
        if (!fact.applied()) continue;  // rejected, duplicate, conflict, invalid: nothing happened
        for (const auto& event : fact.events) {
            if (event.type == "user.registered" ||
                (event.type == "user.profile_updated" && event.data.contains("locale"))) {
                config[fact.user_id] = search::text_config_for_locale(text_of(event.data, "locale"));
                changed_users.insert(fact.user_id);
            } else if (event.type == "user.erased") {
                erased_users.insert(fact.user_id);
            } else if (event.type == "message.posted") {
                const auto it = config.find(fact.user_id);
                messages.push_back(bj::object{{"message_id", text_of(event.applied, "resource_id")},
                                              {"user_id", fact.user_id},
                                              {"chat_id", text_of(event.data, "chat_id")},
                                              {"seq", event.applied.at("seq")},
                                              {"role", text_of(event.data, "role")},
                                              {"created_at", format_timestamp(*fact.occurred_at)},
                                              {"content", text_of(event.data, "content")},
                                              {"text_config", it == config.end() ? "simple" : it->second}});
            }
        }
    }
    if (!changed_users.empty()) {
        bj::array rows;
        for (const auto& id : changed_users)
            rows.push_back(bj::object{{"user_id", id}, {"text_config", config.at(id)}});
        pg::exec(tx, kUpsertUsers, json::serialize(rows));
    }
    if (!messages.empty()) pg::exec(tx, kInsertMessages, json::serialize(messages));
    // Last, so that what this batch indexed for them before the erasure goes too.
    if (!erased_users.empty()) {
        bj::array erased;
        for (const auto& id : erased_users) erased.push_back(bj::value(id));
        pg::exec(tx, kEraseUsers, json::serialize(erased));
    }
}

}  // namespace aimi::message_search
