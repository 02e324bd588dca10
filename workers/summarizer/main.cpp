// aimi-summarizer: makes the due summaries of the partitions its consumer group (on the facts
// topic) assigns it (docs/memory.md, "Summaries"). Run any number: the group spreads the partitions.
#include <spdlog/spdlog.h>

#include "domain/privacy/data_key.hpp"
#include "projections/kafka/consumer_groups.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/keys/key_store.hpp"
#include "workers/common/metrics_server.hpp"
#include "workers/common/partitioned_loop.hpp"
#include "workers/common/shutdown.hpp"
#include "workers/providers/provider_factory.hpp"
#include "workers/summarizer/summary_worker.hpp"

int main() {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ summarizer[%P] %v");
    try {
        const auto& stop = aimi::install_shutdown_handlers();
        const auto metrics_server = aimi::MetricsServer::from_env();
        const auto settings = aimi::RuntimeSettings::from_env();
        auto options = aimi::memory_workers::worker_options(settings, "summarizer", "AIMI_SUMMARIZER_BATCH", 16);
        options.lookahead = std::chrono::seconds(aimi::env_int("AIMI_SUMMARIZER_LOOKAHEAD_S", 0));
        const auto interval = std::chrono::milliseconds(aimi::env_int("AIMI_SUMMARIZER_INTERVAL_MS", 1000));
        const auto generator = aimi::providers::make_text_generator(aimi::providers::configured_text_generator());
        aimi::kafka::EventLogWriter log(settings.kafka_bootstrap, settings.kafka_message_timeout,
                                        aimi::kafka::properties_from_env());
        aimi::keys::KeyStore keys(settings.pg_url, aimi::privacy::parse_master_key(settings.master_key_hex));
        aimi::memory_workers::SummaryWorker worker(options, *generator, log, keys);
        spdlog::info("summarizing every {} ms with {}/{}", interval.count(), generator->model().provider,
                     generator->model().name);
        aimi::run_partitioned(settings, aimi::kafka::worker_group_id("summarizer", settings.pg_schema), interval, stop,
                              [&](pqxx::connection& db, const std::set<int>& owned) {
                                  worker.run_once(db, owned);
                                  return false;
                              });
        return 0;
    } catch (const std::exception& e) {
        spdlog::critical("summarizer: {}", e.what());
        return 1;
    }
}
