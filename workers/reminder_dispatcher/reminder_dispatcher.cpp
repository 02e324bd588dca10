#include "workers/reminder_dispatcher/reminder_dispatcher.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json/object.hpp>
#include <pqxx/pqxx>

#include "domain/events/envelope.hpp"
#include "domain/json/serialize.hpp"
#include "domain/metrics/registry.hpp"
#include "domain/uuid.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/keys/key_store.hpp"
#include "projections/serving_schemas.hpp"
#include "workers/reminder_dispatcher/dispatch_record.hpp"
#include "workers/reminder_dispatcher/http_post.hpp"

namespace aimi::dispatch {

namespace {

namespace bj = boost::json;
using Clock = std::chrono::steady_clock;

// Due now in the owned partitions: scheduled or skipped ones whose chat record is missing, and
// delivered ones of the last day whose webhook or push record is missing (when configured).
constexpr const char* kDue = R"sql(
SELECT q.user_id::text, q.reminder_id, q.calendar_event_id::text, q.occurrence, q.offset_minutes,
       to_char(q.occurrence_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       to_char(q.trigger_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), q.status, q.skip_reason, q.title,
       logged.chat, logged.webhook, logged.push
FROM reminder_queue q
CROSS JOIN LATERAL (SELECT coalesce(bool_or(l.channel = 'chat'), false) AS chat,
                           coalesce(bool_or(l.channel = 'webhook'), false) AS webhook,
                           coalesce(bool_or(l.channel = 'push'), false) AS push
                    FROM reminder_logs l WHERE l.user_id = q.user_id AND l.reminder_id = q.reminder_id) logged
WHERE q."partition" = ANY($1::int[]) AND q.trigger_at <= now()
  AND (q.status = 'scheduled'
       OR (q.status = 'skipped' AND NOT logged.chat)
       OR (q.status = 'sent' AND q.trigger_at > now() - interval '1 day'
           AND (($2 AND NOT logged.webhook) OR ($4 AND NOT logged.push))))
ORDER BY q.trigger_at
LIMIT $3)sql";

//! A PostgreSQL array literal of ids or numbers (passed as a parameter, never into the SQL text).
template <class Range, class Pick>
std::string pg_array(const Range& items, Pick pick) {
    std::string out = "{";
    for (const auto& item : items) {
        const std::string text = pick(item);
        if (text.empty()) continue;
        out += (out.size() > 1 ? "," : "") + text;
    }
    return out + "}";
}

// How long an appended record is trusted to be on its way before the queue must show it.
constexpr std::chrono::seconds kInFlight{30};

metrics::Counter& delivered(const std::string& channel, const std::string& status) {
    return metrics::registry().counter("aimi_reminders_delivered_total",
                                       "Reminder records appended by channel and status",
                                       {{"channel", channel}, {"status", status}});
}

std::string human(const std::string& occurrence) {
    auto text = occurrence;
    std::replace(text.begin(), text.end(), 'T', ' ');
    return text.size() == 19 ? text.substr(0, 16) : text;
}

}  // namespace

struct ReminderDispatcher::Due {
    std::string user_id, reminder_id, calendar_event_id, occurrence;
    int offset_minutes = 0;
    std::string occurrence_at, trigger_at, status;
    std::optional<std::string> skip_reason;
    std::string title;
    bool chat_done = false, webhook_done = false, push_done = false;

    bj::object report(const std::string& channel, const std::string& outcome, int attempts) const {
        return bj::object{{"reminder_id", reminder_id}, {"calendar_event_id", calendar_event_id},
                          {"occurrence", occurrence},   {"offset_minutes", offset_minutes},
                          {"channel", channel},         {"status", outcome},
                          {"attempts", attempts}};
    }
};

ReminderDispatcher::ReminderDispatcher(DispatchOptions options, kafka::EventLogWriter& log, keys::KeyStore& keys,
                                       PushProvider* push)
    : options_(std::move(options)), log_(log), keys_(keys), push_(push) {}

std::size_t ReminderDispatcher::run_once(pqxx::connection& db, const std::set<int>& owned) {
    appended_now_ = 0;
    std::erase_if(appended_, [now = Clock::now()](const auto& entry) { return entry.second < now; });
    if (owned.empty()) return 0;
    std::vector<Due> due;
    {
        pqxx::read_transaction tx(db, "due_reminders");
        const auto schema = serving_schema(tx, options_.main_schema, "reminder_queue");
        tx.exec("SET LOCAL search_path TO " + tx.quote_name(schema));
        const auto partitions = pg_array(owned, [](int p) { return std::to_string(p); });
        for (const auto& row :
             tx.exec_params(kDue, partitions, options_.webhook_url.has_value(), options_.batch, push_ != nullptr))
            due.push_back(Due{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                              row[3].as<std::string>(), row[4].as<int>(), row[5].as<std::string>(),
                              row[6].as<std::string>(), row[7].as<std::string>(),
                              row[8].is_null() ? std::nullopt : std::optional<std::string>(row[8].as<std::string>()),
                              row[9].as<std::string>(), row[10].as<bool>(), row[11].as<bool>(), row[12].as<bool>()});
        tx.commit();
    }
    // Each user's latest open chat and active devices, for the whole pass in one read.
    std::map<std::string, std::string> chats;
    std::map<std::string, std::vector<Device>> devices;
    {
        pqxx::read_transaction tx(db, "reminder_targets");
        const auto chat_users = pg_array(
            due, [](const Due& d) { return !d.chat_done && d.status == "scheduled" ? d.user_id : std::string(); });
        for (const auto& row : tx.exec_params("SELECT DISTINCT ON (user_id) user_id::text, id::text FROM " +
                                                  tx.quote_name(options_.main_schema) +
                                                  ".chats WHERE user_id = ANY($1::uuid[]) AND NOT archived "
                                                  "ORDER BY user_id, last_active_at DESC, id",
                                              chat_users))
            chats[row[0].as<std::string>()] = row[1].as<std::string>();
        if (push_) {
            const auto push_users = pg_array(
                due, [](const Due& d) { return !d.push_done && d.status != "skipped" ? d.user_id : std::string(); });
            for (const auto& row : tx.exec_params("SELECT user_id::text, id::text, token, platform FROM " +
                                                      tx.quote_name(options_.main_schema) +
                                                      ".devices WHERE user_id = ANY($1::uuid[]) AND is_active "
                                                      "ORDER BY user_id, id",
                                                  push_users))
                devices[row[0].as<std::string>()].push_back(
                    Device{row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<std::string>()});
        }
        tx.commit();
    }
    // The chat first, in one pipelined append: it never waits for the outbound channels.
    for (const auto& d : due)
        if (!d.chat_done && (d.status == "scheduled" || d.status == "skipped"))
            deliver_chat(chats.contains(d.user_id) ? std::optional(chats.at(d.user_id)) : std::nullopt, d);
    flush();
    constexpr std::size_t kOutboundFlush = 20;  // records of outbound channels appended as they come
    for (const auto& d : due) {
        if (d.status == "skipped") continue;
        if (options_.webhook_url && !d.webhook_done) deliver_webhook(d);
        if (push_ && !d.push_done) deliver_push(devices[d.user_id], d);
        if (staged_.size() >= kOutboundFlush) flush();
    }
    flush();
    return appended_now_;
}

void ReminderDispatcher::deliver_chat(const std::optional<std::string>& chat, const Due& d) {
    if (d.status == "skipped") {
        auto report = d.report("chat", "skipped", 0);
        report["reason"] = d.skip_reason.value_or("skipped");
        append(d, "chat", {events::ReminderDelivered{std::move(report)}});
        return;
    }
    if (!chat) {
        auto report = d.report("chat", "skipped", 0);
        report["reason"] = "no_chat";
        append(d, "chat", {events::ReminderDelivered{std::move(report)}});
        return;
    }
    events::MessagePosted message;
    message.message_id = new_uuid();
    message.chat_id = *chat;
    message.role = "assistant";
    message.content = fmt::format("Reminder: {} — {}", d.title, human(d.occurrence));
    message.metadata = bj::object{{"reminder_id", d.reminder_id},
                                  {"calendar_event_id", d.calendar_event_id},
                                  {"occurrence", d.occurrence},
                                  {"occurrence_at", d.occurrence_at}};
    message.source = "reminder";
    message.client_msg_id = d.reminder_id;  // the chat keeps one message per reminder, whatever happens
    message.new_session_id = new_uuid();
    message.idle_timeout_seconds = options_.idle_timeout_s;
    auto report = d.report("chat", "sent", 1);
    report["message_id"] = message.message_id;
    append(d, "chat", {std::move(message), events::ReminderDelivered{std::move(report)}});
}

void ReminderDispatcher::deliver_webhook(const Due& d) {
    const bj::object body{{"reminder_id", d.reminder_id},
                          {"user_id", d.user_id},
                          {"calendar_event_id", d.calendar_event_id},
                          {"occurrence", d.occurrence},
                          {"occurrence_at", d.occurrence_at},
                          {"trigger_at", d.trigger_at},
                          {"offset_minutes", d.offset_minutes},
                          {"title", d.title}};
    deliver_with_retries(d, "webhook", [&]() -> std::optional<std::string> {
        const int status = post_json(parse_http_url(*options_.webhook_url), json::serialize(body),
                                     {{"Idempotency-Key", "reminder:" + d.reminder_id}}, options_.http_timeout);
        if (status >= 200 && status < 300) return std::nullopt;
        return "HTTP " + std::to_string(status);
    });
}

void ReminderDispatcher::deliver_push(const std::vector<Device>& devices, const Due& d) {
    std::vector<PushMessage> messages;
    for (const auto& device : devices)
        messages.push_back(PushMessage{device.id, device.token, device.platform, d.title,
                                       "Reminder: " + human(d.occurrence),
                                       "reminder:" + d.reminder_id + ":" + device.id});
    if (messages.empty()) {
        auto report = d.report("push", "skipped", 0);
        report["reason"] = "no_devices";
        append(d, "push", {events::ReminderDelivered{std::move(report)}});
        return;
    }
    // Every device again on a retry: the provider drops the ones it has by their keys.
    deliver_with_retries(d, "push", [&]() -> std::optional<std::string> {
        for (const auto& m : messages) push_->send(m);
        return std::nullopt;
    });
}

void ReminderDispatcher::deliver_with_retries(const Due& d, const std::string& channel,
                                              const std::function<std::optional<std::string>()>& attempt) {
    const auto key = d.user_id + "/" + d.reminder_id + "/" + channel;
    auto& retry = retries_[key];
    if (Clock::now() < retry.next_try) return;
    if (appended_.contains("reminder:" + d.reminder_id + ":" + channel)) return;
    ++retry.attempts;
    std::optional<std::string> failure;
    try {
        failure = attempt();
    } catch (const std::runtime_error& e) {
        failure = e.what();
    }
    if (!failure) {
        if (append(d, channel, {events::ReminderDelivered{d.report(channel, "sent", retry.attempts)}}))
            retries_.erase(key);
        return;
    }
    if (retry.attempts >= options_.max_attempts) {
        spdlog::warn("{} for reminder {} failed {} times, last: {}", channel, d.reminder_id, retry.attempts, *failure);
        auto report = d.report(channel, "failed", retry.attempts);
        report["reason"] = failure->substr(0, 500);
        if (append(d, channel, {events::ReminderDelivered{std::move(report)}})) retries_.erase(key);
        return;
    }
    const auto backoff =
        std::min(options_.backoff_max, options_.backoff_base * (1 << std::min(retry.attempts - 1, 16)));
    retry.next_try = Clock::now() + backoff;
    spdlog::info("{} for reminder {} failed (try {}): {}; next in {} ms", channel, d.reminder_id, retry.attempts,
                 *failure, backoff.count());
}

bool ReminderDispatcher::append(const Due& d, const std::string& channel, std::vector<events::EventData> data) {
    const auto key = "reminder:" + d.reminder_id + ":" + channel;
    if (appended_.contains(key)) return false;
    std::string outcome;
    for (const auto& e : data)
        if (const auto* r = std::get_if<events::ReminderDelivered>(&e))
            outcome = std::string(r->data.at("status").as_string());
    auto record = encode_record({d.user_id, key, "reminder-due", options_.producer, std::move(data)}, keys_);
    if (!record) return false;  // erased: their queue goes with their next fact
    staged_.push_back(std::move(*record));
    staged_keys_.emplace_back(key, channel + "/" + outcome);
    appended_[key] = Clock::now() + kInFlight;
    return true;
}

void ReminderDispatcher::flush() {
    if (staged_.empty()) return;
    auto records = std::move(staged_);
    auto keys = std::move(staged_keys_);
    staged_.clear();
    staged_keys_.clear();
    try {
        // Pipelined, each to its user's partition; one wait for all acknowledgements.
        log_.append_all(options_.events_topic, kafka::EventLogWriter::kPartitionByKey, records);
    } catch (...) {
        // Some may be written: all stay due and are tried again under the same keys.
        for (const auto& [key, what] : keys) appended_.erase(key);
        throw;
    }
    appended_now_ += records.size();
    for (const auto& [key, what] : keys) {
        const auto slash = what.find('/');
        delivered(what.substr(0, slash), what.substr(slash + 1)).add();
    }
}

}  // namespace aimi::dispatch
