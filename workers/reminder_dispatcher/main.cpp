// aimi-reminder-dispatcher: delivers due reminders of the partitions its consumer group assigns it
// (docs/schedule.md, "Dispatch"). Run any number: the group spreads the partitions over them.
#include <thread>

#include <spdlog/spdlog.h>

#include "domain/privacy/data_key.hpp"
#include "projections/kafka/consumer_groups.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/keys/key_store.hpp"
#include "projections/pg/connection.hpp"
#include "projections/runtime_settings.hpp"
#include "workers/common/metrics_server.hpp"
#include "workers/common/shutdown.hpp"
#include "workers/reminder_dispatcher/http_post.hpp"
#include "workers/reminder_dispatcher/notification_dispatcher.hpp"
#include "workers/reminder_dispatcher/partition_ownership.hpp"
#include "workers/reminder_dispatcher/reminder_dispatcher.hpp"

int main() {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ reminder-dispatcher[%P] %v");
    try {
        const auto& stop = aimi::install_shutdown_handlers();
        const auto metrics_server = aimi::MetricsServer::from_env();
        const auto settings = aimi::RuntimeSettings::from_env();
        aimi::dispatch::DispatchOptions options;
        options.events_topic = settings.events_topic;
        options.main_schema = settings.pg_schema;
        options.producer = "reminder-dispatcher@" + settings.instance;
        options.idle_timeout_s = settings.session_idle_timeout_s;
        if (auto url = aimi::env_or("AIMI_WEBHOOK_URL", ""); !url.empty()) {
            aimi::dispatch::parse_http_url(url);  // refuse a malformed one at start
            options.webhook_url = url;
        }
        options.max_attempts = static_cast<int>(aimi::env_int("AIMI_DELIVERY_MAX_ATTEMPTS", 8));
        options.backoff_base = std::chrono::milliseconds(aimi::env_int("AIMI_DELIVERY_BACKOFF_MS", 1000));
        options.backoff_max = std::chrono::milliseconds(aimi::env_int("AIMI_DELIVERY_BACKOFF_MAX_MS", 60000));
        const auto interval = std::chrono::milliseconds(aimi::env_int("AIMI_DISPATCH_INTERVAL_MS", 200));

        aimi::kafka::EventLogWriter log(settings.kafka_bootstrap, settings.kafka_message_timeout,
                                        aimi::kafka::properties_from_env());
        aimi::keys::KeyStore keys(settings.pg_url, aimi::privacy::parse_master_key(settings.master_key_hex));
        std::unique_ptr<aimi::dispatch::PushProvider> push;
        if (auto url = aimi::env_or("AIMI_PUSH_URL", ""); !url.empty())
            push = std::make_unique<aimi::dispatch::HttpPushProvider>(url, options.http_timeout);
        aimi::dispatch::ReminderDispatcher dispatcher(options, log, keys, push.get());
        aimi::dispatch::NotificationDispatcher notifier(options, log, keys);
        aimi::dispatch::PartitionOwnership ownership(
            settings.kafka_bootstrap, settings.facts_topic,
            aimi::kafka::worker_group_id("reminder-dispatcher", settings.pg_schema),
            aimi::kafka::properties_from_env());
        spdlog::info("dispatching reminders every {} ms; webhook {}; push {}", interval.count(),
                     options.webhook_url.value_or("off"), push ? "on" : "off");
        std::unique_ptr<pqxx::connection> db;
        // A pass that filled its batch left more due: the next one starts at once. Otherwise the
        // loop waits for the interval, or less when a reminder falls due sooner, so a reminder is
        // stamped right when it is due rather than up to an interval after it.
        bool more_due = false;
        auto wait = interval;
        while (!stop) {
            ownership.poll(more_due ? 0 : static_cast<int>(wait.count()));
            more_due = false;
            wait = interval;
            try {
                if (!db || !db->is_open()) db = aimi::pg::connect(settings.pg_url, settings.pg_schema);
                const auto appended =
                    dispatcher.run_once(*db, ownership.owned()) + notifier.run_once(*db, ownership.owned());
                more_due = appended >= static_cast<std::size_t>(options.batch);
                if (const auto next = dispatcher.next_due_in()) wait = std::min(wait, *next);
            } catch (const std::exception& e) {
                // Nothing was lost: what was not appended is still due and is tried again.
                db.reset();
                spdlog::error("dispatch pass failed: {}", e.what());
                std::this_thread::sleep_for(interval);
            }
        }
        ownership.close();
        return 0;
    } catch (const std::exception& e) {
        spdlog::critical("reminder-dispatcher: {}", e.what());
        return 1;
    }
}
