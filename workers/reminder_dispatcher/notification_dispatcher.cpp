#include "workers/reminder_dispatcher/notification_dispatcher.hpp"

#include <fmt/format.h>
#include <boost/json/object.hpp>
#include <pqxx/pqxx>

#include "domain/events/envelope.hpp"
#include "domain/metrics/registry.hpp"
#include "domain/uuid.hpp"
#include "projections/keys/key_store.hpp"
#include "projections/serving_schemas.hpp"
#include "workers/reminder_dispatcher/dispatch_record.hpp"

namespace aimi::dispatch {

namespace {

namespace bj = boost::json;

constexpr const char* kDueTriggers = R"sql(
SELECT user_id::text, trigger_id, type, goal_id::text, notification_id::text, message,
       to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
FROM notification_triggers
WHERE "partition" = ANY($1::int[]) AND NOT fired AND due_at <= now()
ORDER BY due_at LIMIT $2)sql";

constexpr const char* kDuePending = R"sql(
SELECT user_id::text, notification_id::text, type, message
FROM notifications
WHERE "partition" = ANY($1::int[]) AND status = 'pending' AND scheduled_for <= now()
ORDER BY scheduled_for LIMIT $2)sql";

// How long an appended record is trusted to be on its way before the read model must show it.
constexpr std::chrono::seconds kInFlight{30};

metrics::Counter& appended_counter(const char* what) {
    return metrics::registry().counter("aimi_notification_records_total",
                                       "Notification records appended: triggers fired, notifications sent",
                                       {{"record", what}});
}

}  // namespace

NotificationDispatcher::NotificationDispatcher(DispatchOptions options, kafka::EventLogWriter& log,
                                               keys::KeyStore& keys)
    : options_(std::move(options)), log_(log), keys_(keys), in_flight_(kInFlight) {}

std::size_t NotificationDispatcher::run_once(pqxx::connection& db, const std::set<int>& owned) {
    in_flight_.expire();
    if (owned.empty()) return 0;
    std::string partitions = "{";
    for (const int p : owned) partitions += (partitions.size() > 1 ? "," : "") + std::to_string(p);
    partitions += "}";

    pqxx::read_transaction tx(db, "due_notifications");
    const auto schema = serving_schema(tx, options_.main_schema, "notifications");
    tx.exec("SET LOCAL search_path TO " + tx.quote_name(schema));
    for (const auto& row : tx.exec_params(kDueTriggers, partitions, options_.batch)) {
        bj::object data{{"notification_id", row[4].as<std::string>()},
                        {"type", row[2].as<std::string>()},
                        {"message", row[5].as<std::string>()},
                        {"goal_id", row[3].as<std::string>()},
                        {"scheduled_for", row[6].as<std::string>()},
                        {"source", "system"},
                        {"status", "pending"},
                        {"trigger_id", row[1].as<std::string>()}};
        stage(row[0].as<std::string>(), "notification-trigger:" + row[1].as<std::string>(),
              {events::NotificationCreated{std::move(data)}});
    }
    struct Pending {
        std::string user_id, id, type, message;
    };
    std::vector<Pending> pending;
    for (const auto& row : tx.exec_params(kDuePending, partitions, options_.batch))
        pending.push_back(
            {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<std::string>()});
    std::map<std::string, std::string> chats;
    if (!pending.empty()) {
        std::string users = "{";
        for (const auto& p : pending) users += (users.size() > 1 ? "," : "") + p.user_id;
        users += "}";
        for (const auto& row : tx.exec_params("SELECT DISTINCT ON (user_id) user_id::text, id::text FROM " +
                                                  tx.quote_name(options_.main_schema) +
                                                  ".chats WHERE user_id = ANY($1::uuid[]) AND NOT archived "
                                                  "ORDER BY user_id, last_active_at DESC, id",
                                              users))
            chats[row[0].as<std::string>()] = row[1].as<std::string>();
    }
    tx.commit();

    for (const auto& p : pending) {
        bj::object sent{{"notification_id", p.id}};
        std::vector<events::EventData> data;
        if (const auto chat = chats.find(p.user_id); chat != chats.end()) {
            events::MessagePosted message;
            message.message_id = new_uuid();
            message.chat_id = chat->second;
            message.role = "assistant";
            message.content = p.message;
            message.metadata = bj::object{{"notification_id", p.id}, {"notification_type", p.type}};
            message.source = "notification";
            message.client_msg_id = "notification:" + p.id;  // one message per notification in the chat
            message.new_session_id = new_uuid();
            message.idle_timeout_seconds = options_.idle_timeout_s;
            sent["message_id"] = message.message_id;
            data.push_back(std::move(message));
        }
        data.push_back(events::NotificationSent{std::move(sent)});
        stage(p.user_id, "notification:" + p.id + ":sent", std::move(data));
    }
    const auto appended = in_flight_.flush(log_, options_.events_topic);
    for (const auto& [key, what] : appended) appended_counter(what.c_str()).add();
    return appended.size();
}

void NotificationDispatcher::stage(const std::string& user_id, const std::string& key,
                                   std::vector<events::EventData> data) {
    if (in_flight_.contains(key)) return;
    auto record = encode_record({user_id, key, "notification-due", options_.producer, std::move(data)}, keys_);
    if (!record) return;  // erased
    in_flight_.stage(key, key.starts_with("notification-trigger:") ? "fired" : "sent", std::move(*record));
}

}  // namespace aimi::dispatch
