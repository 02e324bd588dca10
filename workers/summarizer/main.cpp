// aimi-summarizer: makes the due summaries of the partitions its consumer group (on the facts
// topic) assigns it (docs/memory.md, "Summaries"). Run any number: the group spreads the partitions.
#include <thread>

#include <spdlog/spdlog.h>

#include "domain/privacy/data_key.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/keys/key_store.hpp"
#include "projections/pg/connection.hpp"
#include "projections/runtime_settings.hpp"
#include "workers/common/metrics_server.hpp"
#include "workers/common/shutdown.hpp"
#include "workers/providers/provider_factory.hpp"
#include "workers/reminder_dispatcher/partition_ownership.hpp"
#include "workers/summarizer/summary_worker.hpp"

int main() {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ summarizer[%P] %v");
    try {
        const auto& stop = aimi::install_shutdown_handlers();
        const auto metrics_server = aimi::MetricsServer::from_env();
        const auto settings = aimi::RuntimeSettings::from_env();
        aimi::memory_workers::WorkerOptions options;
        options.events_topic = settings.events_topic;
        options.main_schema = settings.pg_schema;
        options.producer = "summarizer@" + settings.instance;
        options.batch = static_cast<int>(aimi::env_int("AIMI_SUMMARIZER_BATCH", 16));
        options.backoff_base = std::chrono::milliseconds(aimi::env_int("AIMI_PROVIDER_BACKOFF_MS", 1000));
        options.backoff_max = std::chrono::milliseconds(aimi::env_int("AIMI_PROVIDER_BACKOFF_MAX_MS", 60000));
        options.lookahead = std::chrono::seconds(aimi::env_int("AIMI_SUMMARIZER_LOOKAHEAD_S", 0));
        const auto interval = std::chrono::milliseconds(aimi::env_int("AIMI_SUMMARIZER_INTERVAL_MS", 1000));
        const auto generator = aimi::providers::make_text_generator(aimi::providers::configured_text_generator());

        aimi::kafka::EventLogWriter log(settings.kafka_bootstrap, settings.kafka_message_timeout,
                                        aimi::kafka::properties_from_env());
        aimi::keys::KeyStore keys(settings.pg_url, aimi::privacy::parse_master_key(settings.master_key_hex));
        aimi::memory_workers::SummaryWorker worker(options, *generator, log, keys);
        aimi::dispatch::PartitionOwnership ownership(settings.kafka_bootstrap, settings.facts_topic,
                                                     "aimi.summarizer." + settings.pg_schema,
                                                     aimi::kafka::properties_from_env());
        spdlog::info("summarizing every {} ms with {}/{}", interval.count(), generator->model().provider,
                     generator->model().name);
        std::unique_ptr<pqxx::connection> db;
        while (!stop) {
            ownership.poll(static_cast<int>(interval.count()));
            try {
                if (!db || !db->is_open()) db = aimi::pg::connect(settings.pg_url, settings.pg_schema);
                worker.run_once(*db, ownership.owned());
            } catch (const std::exception& e) {
                // Nothing was lost: a job stays due until its summary is applied.
                db.reset();
                spdlog::error("summary pass failed: {}", e.what());
                std::this_thread::sleep_for(interval);
            }
        }
        ownership.close();
        return 0;
    } catch (const std::exception& e) {
        spdlog::critical("summarizer: {}", e.what());
        return 1;
    }
}
