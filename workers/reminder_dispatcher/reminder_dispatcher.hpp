#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "domain/events/events.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "workers/reminder_dispatcher/in_flight_appends.hpp"
#include "workers/reminder_dispatcher/push_provider.hpp"

namespace aimi::keys {
class KeyStore;
}

// Delivers due reminders (docs/schedule.md, "Dispatch"): for each one of the partitions it owns,
// the chat record (an assistant message in the user's latest chat and reminder.delivered, in one
// record) and, when configured, the webhook and push to the user's devices (POSTs with
// Idempotency-Key, retried with backoff, failed for good after N tries, then a record too). Every record's idempotency
// key is reminder:<reminder id>:<channel>, so a crash, a retry or two owners during a rebalance never apply one twice;
// the webhook receiver gets the same key on every try.
namespace aimi::dispatch {

struct DispatchOptions {
    std::string events_topic;
    std::string main_schema;  //!< where the entity store (chats) and serving_schemas are
    std::string producer;     //!< envelope producer, e.g. reminder-dispatcher@host/pid
    std::int64_t idle_timeout_s = 1800;
    std::optional<std::string> webhook_url;  //!< AIMI_WEBHOOK_URL
    bool push = false;                       //!< a push provider is configured (AIMI_PUSH_URL)
    int max_attempts = 8;                    //!< AIMI_DELIVERY_MAX_ATTEMPTS (webhook, push)
    std::chrono::milliseconds backoff_base{1000}, backoff_max{60000};
    std::chrono::milliseconds http_timeout{5000};
    int batch = 500;
};

class ReminderDispatcher {
  public:
    //! `push` (may be null: no push channel) delivers to the user's registered devices.
    ReminderDispatcher(DispatchOptions options, kafka::EventLogWriter& log, keys::KeyStore& keys,
                       PushProvider* push = nullptr);

    //! One pass over what is due in `owned` partitions; returns the records appended.
    std::size_t run_once(pqxx::connection& db, const std::set<int>& owned);

    //! After a pass: how long until the next scheduled reminder of the owned partitions falls due
    //! (as the database's clock sees it), or nullopt when none is planned. The loop sleeps no
    //! longer than that, so a reminder is not left waiting for the end of a fixed interval.
    std::optional<std::chrono::milliseconds> next_due_in() const { return next_due_in_; }

  private:
    struct Due;
    //! Reads what is due: the scheduled reminders not in flight (paging on from cursor_), now
    //! and then the skipped ones, and the sent ones whose outbound channels are missing.
    std::vector<Due> fetch_due(pqxx::connection& db, const std::set<int>& owned);
    struct Device {
        std::string id, token, platform;
    };
    void deliver_chat(const std::optional<std::string>& chat, const Due& due);
    void deliver_webhook(const Due& due);
    void deliver_push(const std::vector<Device>& devices, const Due& due);
    //! One try on an outbound channel: `attempt` returns the failure, or nullopt when delivered.
    //! Tries again after a backoff, and records the channel failed after the last try.
    void deliver_with_retries(const Due& due, const std::string& channel,
                              const std::function<std::optional<std::string>()>& attempt);
    //! Stages one record for the reminder on `channel`; false if one was appended very recently.
    bool append(const Due& due, const std::string& channel, std::vector<events::EventData> events);
    //! Appends the staged records (pipelined) and waits for every acknowledgement.
    void flush();

    struct Retry {
        int attempts = 0;
        std::chrono::steady_clock::time_point next_try{};
    };
    DispatchOptions options_;
    std::optional<std::chrono::milliseconds> next_due_in_;
    kafka::EventLogWriter& log_;
    keys::KeyStore& keys_;
    PushProvider* push_;
    std::map<std::string, Retry> retries_;  //!< webhook tries, by reminder
    std::size_t appended_now_ = 0;
    struct Cursor {
        std::string trigger_at, user_id, reminder_id;
    };
    std::optional<Cursor> cursor_;  //!< where paging through the scheduled reminders goes on
    std::optional<Cursor> behind_;  //!< the look behind it, from the first due reminder
    bool looking_behind_ = false;
    std::string owned_partitions_;
    std::chrono::steady_clock::time_point next_skipped_sweep_{}, next_rescan_{};
    InFlightAppends in_flight_;  //!< labels: channel/status
};

}  // namespace aimi::dispatch
