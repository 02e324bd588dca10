// aimi-embedder: embeds the sources without a vector of its model, of the partitions its consumer
// group (on the facts topic) assigns it (docs/memory.md, "Vectors"). Run any number.
#include <thread>

#include <spdlog/spdlog.h>

#include "domain/privacy/data_key.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/keys/key_store.hpp"
#include "projections/pg/connection.hpp"
#include "projections/runtime_settings.hpp"
#include "workers/common/metrics_server.hpp"
#include "workers/common/shutdown.hpp"
#include "workers/embedder/embed_worker.hpp"
#include "workers/providers/provider_factory.hpp"
#include "workers/reminder_dispatcher/partition_ownership.hpp"

int main() {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ embedder[%P] %v");
    try {
        const auto& stop = aimi::install_shutdown_handlers();
        const auto metrics_server = aimi::MetricsServer::from_env();
        const auto settings = aimi::RuntimeSettings::from_env();
        aimi::memory_workers::WorkerOptions options;
        options.events_topic = settings.events_topic;
        options.main_schema = settings.pg_schema;
        options.producer = "embedder@" + settings.instance;
        options.batch = static_cast<int>(aimi::env_int("AIMI_EMBEDDER_BATCH", 64));
        options.backoff_base = std::chrono::milliseconds(aimi::env_int("AIMI_PROVIDER_BACKOFF_MS", 1000));
        options.backoff_max = std::chrono::milliseconds(aimi::env_int("AIMI_PROVIDER_BACKOFF_MAX_MS", 60000));
        const auto interval = std::chrono::milliseconds(aimi::env_int("AIMI_EMBEDDER_INTERVAL_MS", 200));
        const auto embedder = aimi::providers::make_embedder(aimi::providers::configured_embedder());

        aimi::kafka::EventLogWriter log(settings.kafka_bootstrap, settings.kafka_message_timeout,
                                        aimi::kafka::properties_from_env());
        aimi::keys::KeyStore keys(settings.pg_url, aimi::privacy::parse_master_key(settings.master_key_hex));
        aimi::memory_workers::EmbedWorker worker(options, *embedder, log, keys);
        aimi::dispatch::PartitionOwnership ownership(settings.kafka_bootstrap, settings.facts_topic,
                                                     "aimi.embedder." + settings.pg_schema,
                                                     aimi::kafka::properties_from_env());
        spdlog::info("embedding every {} ms with {}/{}", interval.count(), embedder->model().provider,
                     embedder->model().name);
        std::unique_ptr<pqxx::connection> db;
        // A full batch left more to embed: the next pass starts at once.
        bool more = false;
        while (!stop) {
            ownership.poll(more ? 0 : static_cast<int>(interval.count()));
            more = false;
            try {
                if (!db || !db->is_open()) db = aimi::pg::connect(settings.pg_url, settings.pg_schema);
                more = worker.run_once(*db, ownership.owned()) >= static_cast<std::size_t>(options.batch);
            } catch (const std::exception& e) {
                // Nothing was lost: a source stays without a vector until one is applied.
                db.reset();
                spdlog::error("embedding pass failed: {}", e.what());
                std::this_thread::sleep_for(interval);
            }
        }
        ownership.close();
        return 0;
    } catch (const std::exception& e) {
        spdlog::critical("embedder: {}", e.what());
        return 1;
    }
}
