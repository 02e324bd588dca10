// aimi-embedder: embeds the sources without a vector of its model, of the partitions its consumer
// group (on the facts topic) assigns it (docs/memory.md, "Vectors"). Run any number.
#include <spdlog/spdlog.h>

#include "domain/privacy/data_key.hpp"
#include "projections/kafka/consumer_groups.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/keys/key_store.hpp"
#include "workers/common/metrics_server.hpp"
#include "workers/common/partitioned_loop.hpp"
#include "workers/common/shutdown.hpp"
#include "workers/embedder/embed_worker.hpp"
#include "workers/providers/provider_factory.hpp"

int main() {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ embedder[%P] %v");
    try {
        const auto& stop = aimi::install_shutdown_handlers();
        const auto metrics_server = aimi::MetricsServer::from_env();
        const auto settings = aimi::RuntimeSettings::from_env();
        const auto options = aimi::memory_workers::worker_options(settings, "embedder", "AIMI_EMBEDDER_BATCH", 64);
        const auto interval = std::chrono::milliseconds(aimi::env_int("AIMI_EMBEDDER_INTERVAL_MS", 200));
        const auto embedder = aimi::providers::make_embedder(aimi::providers::configured_embedder());
        aimi::kafka::EventLogWriter log(settings.kafka_bootstrap, settings.kafka_message_timeout,
                                        aimi::kafka::properties_from_env());
        aimi::keys::KeyStore keys(settings.pg_url, aimi::privacy::parse_master_key(settings.master_key_hex));
        aimi::memory_workers::EmbedWorker worker(options, *embedder, log, keys);
        spdlog::info("embedding every {} ms with {}/{}", interval.count(), embedder->model().provider,
                     embedder->model().name);
        // A full batch left more to embed.
        aimi::run_partitioned(settings, aimi::kafka::worker_group_id("embedder", settings.pg_schema), interval, stop,
                              [&](pqxx::connection& db, const std::set<int>& owned) {
                                  return worker.run_once(db, owned) >= static_cast<std::size_t>(options.batch);
                              });
        return 0;
    } catch (const std::exception& e) {
        spdlog::critical("embedder: {}", e.what());
        return 1;
    }
}
