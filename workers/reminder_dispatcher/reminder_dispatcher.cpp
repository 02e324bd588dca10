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
#include "workers/reminder_dispatcher/in_flight_appends.hpp"

namespace aimi::dispatch {

namespace {

namespace bj = boost::json;
using Clock = std::chrono::steady_clock;

// The columns of a due reminder, with what its logs already hold per channel (point look-ups).
const std::string kDueColumns = R"sql(
SELECT q.user_id::text, q.reminder_id, q.calendar_event_id::text, q.occurrence, q.offset_minutes,
       to_char(q.occurrence_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       to_char(q.trigger_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), q.status, q.skip_reason, q.title,
       EXISTS (SELECT 1 FROM reminder_logs l WHERE l.user_id = q.user_id AND l.reminder_id = q.reminder_id
                                               AND l.channel = 'chat'),
       EXISTS (SELECT 1 FROM reminder_logs l WHERE l.user_id = q.user_id AND l.reminder_id = q.reminder_id
                                               AND l.channel = 'webhook'),
       EXISTS (SELECT 1 FROM reminder_logs l WHERE l.user_id = q.user_id AND l.reminder_id = q.reminder_id
                                               AND l.channel = 'push')
FROM reminder_queue q )sql";

// Scheduled and due in the owned partitions, in trigger order after a cursor (the partial index
// reminder_queue_due_order walks them): a pass pages past what it has in flight instead of
// reading it again (the queue shows a delivery only once the projections applied it).
const std::string kDueScheduled = kDueColumns + R"sql(
WHERE q.status = 'scheduled' AND q.trigger_at <= now() AND q."partition" = ANY($1::int[])
  AND ($2::timestamptz IS NULL OR (q.trigger_at, q.user_id, q.reminder_id) > ($2::timestamptz, $3::uuid, $4::text))
ORDER BY q.trigger_at, q.user_id, q.reminder_id
LIMIT $5)sql";

// Skipped at planning (quiet hours) and not yet logged in the chat.
const std::string kDueSkipped = kDueColumns + R"sql(
WHERE q.status = 'skipped' AND q.trigger_at <= now() AND q."partition" = ANY($1::int[])
  AND NOT EXISTS (SELECT 1 FROM reminder_logs l WHERE l.user_id = q.user_id AND l.reminder_id = q.reminder_id
                                                  AND l.channel = 'chat')
ORDER BY q.trigger_at LIMIT $2)sql";

// Sent in the last day, its webhook or push record missing (only when those are configured).
const std::string kDueOutbound = kDueColumns + R"sql(
WHERE q.status = 'sent' AND q.trigger_at <= now() AND q.trigger_at > now() - interval '1 day'
  AND q."partition" = ANY($1::int[])
  AND (($2 AND NOT EXISTS (SELECT 1 FROM reminder_logs l WHERE l.user_id = q.user_id
                                  AND l.reminder_id = q.reminder_id AND l.channel = 'webhook'))
       OR ($3 AND NOT EXISTS (SELECT 1 FROM reminder_logs l WHERE l.user_id = q.user_id
                                  AND l.reminder_id = q.reminder_id AND l.channel = 'push')))
ORDER BY q.trigger_at LIMIT $4)sql";

// Milliseconds until the next scheduled reminder of the owned partitions is due (the partial
// index reminder_queue_due walks trigger times in order), measured on the database's clock.
const std::string kNextDue = R"sql(
SELECT ceil(extract(epoch FROM (min(q.trigger_at) - clock_timestamp())) * 1000)::bigint
FROM reminder_queue q
WHERE q.status = 'scheduled' AND q.trigger_at > now() AND q."partition" = ANY($1::int[]))sql";

// Rows one pass may page through past reminders in flight before it stops for this time.
constexpr int kMaxScanned = 20000;
// How often the skipped reminders (which stay in the queue once logged) are looked at.
constexpr std::chrono::seconds kSkippedEvery{5};
// How often paging starts over from the first due reminder (what came due behind the cursor: a
// re-plan applied late, a record in flight for longer than kInFlight).
constexpr std::chrono::seconds kRescanEvery{30};
// Rows the look behind the cursor reads at most per pass.
constexpr int kBehindBudget = 2000;

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

// How long an appended record counts as in flight. Acknowledged means in the log for good, so it is
// appended again only if the queue still shows it due this long after (a record the fold refused,
// or a read model rebuilt behind); a shorter time re-appended thousands of records the projections
// had simply not reached yet when 100k came due at once (docs/benchmarks.md, phase i).
constexpr std::chrono::minutes kInFlight{10};

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
    : options_(std::move(options)), log_(log), keys_(keys), push_(push), in_flight_(kInFlight) {}

std::size_t ReminderDispatcher::run_once(pqxx::connection& db, const std::set<int>& owned) {
    appended_now_ = 0;
    next_due_in_.reset();
    in_flight_.expire();
    if (owned.empty()) return 0;
    std::vector<Due> due = fetch_due(db, owned);
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
        if (in_flight_.staged_count() >= kOutboundFlush) flush();
    }
    flush();
    return appended_now_;
}

std::vector<ReminderDispatcher::Due> ReminderDispatcher::fetch_due(pqxx::connection& db, const std::set<int>& owned) {
    std::vector<Due> due;
    std::set<std::string> taken;  // the paging and the look behind it may meet
    const auto take = [&](const pqxx::result& rows) {
        for (const auto& row : rows) {
            Due d{row[0].as<std::string>(),
                  row[1].as<std::string>(),
                  row[2].as<std::string>(),
                  row[3].as<std::string>(),
                  row[4].as<int>(),
                  row[5].as<std::string>(),
                  row[6].as<std::string>(),
                  row[7].as<std::string>(),
                  row[8].is_null() ? std::nullopt : std::optional<std::string>(row[8].as<std::string>()),
                  row[9].as<std::string>(),
                  row[10].as<bool>(),
                  row[11].as<bool>(),
                  row[12].as<bool>()};
            const bool in_flight = in_flight_.contains("reminder:" + d.reminder_id + ":chat");
            if ((!in_flight || d.status == "sent") && taken.insert(d.status + d.user_id + d.reminder_id).second)
                due.push_back(std::move(d));
        }
    };
    pqxx::read_transaction tx(db, "due_reminders");
    const auto schema = serving_schema(tx, options_.main_schema, "reminder_queue");
    tx.exec("SET LOCAL search_path TO " + tx.quote_name(schema));
    const auto partitions = pg_array(owned, [](int p) { return std::to_string(p); });
    if (partitions != owned_partitions_) {  // another assignment: from the first due reminder
        owned_partitions_ = partitions;
        cursor_.reset();
        behind_.reset();
        looking_behind_ = false;
    }
    // Pages on from `from` while the batch is short and fewer than `budget` rows were read; true
    // when it reached the last due reminder.
    const auto page = [&](std::optional<Cursor>& from, int budget) {
        for (int scanned = 0; static_cast<int>(due.size()) < options_.batch && scanned < budget;) {
            const auto rows =
                tx.exec_params(kDueScheduled, partitions, from ? std::optional(from->trigger_at) : std::nullopt,
                               from ? std::optional(from->user_id) : std::nullopt,
                               from ? std::optional(from->reminder_id) : std::nullopt, options_.batch);
            take(rows);
            scanned += static_cast<int>(rows.size());
            if (!rows.empty()) {
                const auto& last = rows[rows.size() - 1];
                from = Cursor{last[6].as<std::string>(), last[0].as<std::string>(), last[1].as<std::string>()};
            }
            if (static_cast<int>(rows.size()) < options_.batch) return true;
        }
        return false;
    };
    // New work first: what comes due next sorts after what was read, so paging on from the last
    // pass never reads the records in flight again.
    page(cursor_, kMaxScanned);
    // Now and then, and with a small budget per pass so new work never waits behind it, a second
    // cursor walks from the first due reminder (what came due behind the first one, a record in
    // flight for longer than kInFlight).
    if (!looking_behind_ && Clock::now() >= next_rescan_) {
        looking_behind_ = true;
        behind_.reset();
    }
    if (looking_behind_ && page(behind_, kBehindBudget)) {
        looking_behind_ = false;
        next_rescan_ = Clock::now() + kRescanEvery;
    }
    if (Clock::now() >= next_skipped_sweep_) {
        take(tx.exec_params(kDueSkipped, partitions, options_.batch));
        next_skipped_sweep_ = Clock::now() + kSkippedEvery;
    }
    if (options_.webhook_url || push_)
        take(tx.exec_params(kDueOutbound, partitions, options_.webhook_url.has_value(), push_ != nullptr,
                            options_.batch));
    if (const auto next = tx.exec_params1(kNextDue, partitions); !next[0].is_null())
        next_due_in_ = std::chrono::milliseconds(std::max<std::int64_t>(0, next[0].as<std::int64_t>()));
    tx.commit();
    return due;
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
    if (in_flight_.contains("reminder:" + d.reminder_id + ":" + channel)) return;
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
    if (in_flight_.contains(key)) return false;
    std::string outcome;
    for (const auto& e : data)
        if (const auto* r = std::get_if<events::ReminderDelivered>(&e))
            outcome = std::string(r->data.at("status").as_string());
    auto record = encode_record({d.user_id, key, "reminder-due", options_.producer, std::move(data)}, keys_);
    if (!record) return false;  // erased: their queue goes with their next fact
    in_flight_.stage(key, channel + "/" + outcome, std::move(*record));
    return true;
}

void ReminderDispatcher::flush() {
    const auto appended = in_flight_.flush(log_, options_.events_topic);
    appended_now_ += appended.size();
    for (const auto& [key, what] : appended) {
        const auto slash = what.find('/');
        delivered(what.substr(0, slash), what.substr(slash + 1)).add();
    }
}

}  // namespace aimi::dispatch
