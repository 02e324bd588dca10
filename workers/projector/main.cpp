// aimi-projector: runs one projection (AIMI_PROJECTION, see projections/registry.cpp) as a
// consumer-group member. Start more instances of the same projection to spread its partitions.
// The entity store decides: it also stages and relays the facts (AIMI_PUBLISH_FACTS, default on).
// A projection built from facts writes to the schema serving it (serving_schemas in
// AIMI_PG_SCHEMA) and follows a switch.
#include <optional>
#include <thread>

#include <spdlog/cfg/env.h>
#include <spdlog/spdlog.h>

#include "projections/facts/fact_relay.hpp"
#include "projections/kafka/consumer_groups.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/keys/key_store.hpp"
#include "projections/registry.hpp"
#include "projections/runtime_settings.hpp"
#include "workers/common/metrics_server.hpp"
#include "workers/common/shutdown.hpp"
#include "workers/projector/follow_serving_schema.hpp"
#include "workers/projector/projector_loop.hpp"

int main() {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ projector[%P] %v");
    spdlog::cfg::load_env_levels();  // SPDLOG_LEVEL=debug shows per-batch timings
    try {
        const auto& stop = aimi::install_shutdown_handlers();
        const auto metrics_server = aimi::MetricsServer::from_env();
        const auto settings = aimi::RuntimeSettings::from_env();
        const std::string name = aimi::env_or("AIMI_PROJECTION", "entity_store");
        const auto& spec = aimi::projection_spec(name);
        const bool decides = spec.input == aimi::ProjectionSpec::Input::events;
        const bool publish_facts = decides && aimi::env_int("AIMI_PUBLISH_FACTS", 1) != 0;
        aimi::keys::KeyStore keys(settings.pg_url, aimi::privacy::parse_master_key(settings.master_key_hex));
        auto projection = aimi::make_projection(name, settings.events_topic, publish_facts, keys);

        aimi::ProjectorOptions options;
        options.pg_url = settings.pg_url;
        options.pg_schema = settings.pg_schema;
        options.bootstrap = settings.kafka_bootstrap;
        options.topic = decides ? settings.events_topic : settings.facts_topic;
        options.group_id =
            aimi::env_or("AIMI_PROJECTOR_GROUP", aimi::kafka::projection_group_id(name, settings.pg_schema));
        options.max_batch = static_cast<std::size_t>(aimi::env_int("AIMI_PROJECTOR_MAX_BATCH", 2000));
        options.linger = std::chrono::milliseconds(aimi::env_int("AIMI_PROJECTOR_LINGER_MS", 0));
        options.overrides = aimi::kafka::properties_from_env();
        // A read model built from facts can be derived again; the decider's commits are acknowledged.
        options.asynchronous_commit = !decides && aimi::env_int("AIMI_PROJECTOR_ASYNC_COMMIT", 1) != 0;

        std::optional<aimi::facts::FactRelay> relay;
        if (publish_facts) {
            // Fact i of intake partition p goes to facts partition p: the counts must match.
            aimi::kafka::EventLogWriter probe(settings.kafka_bootstrap, settings.kafka_message_timeout,
                                              options.overrides);
            // A topic created a moment ago may not be in the broker's metadata yet: ask again.
            const auto count = [&](const std::string& topic) {
                const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
                for (;;) {
                    try {
                        return probe.partition_count(topic, std::chrono::seconds(5));
                    } catch (const std::exception&) {
                        if (std::chrono::steady_clock::now() > deadline || stop) throw;
                        std::this_thread::sleep_for(std::chrono::milliseconds(200));
                    }
                }
            };
            const int events = count(settings.events_topic);
            const int facts = count(settings.facts_topic);
            if (events != facts)
                throw std::invalid_argument(fmt::format("{} has {} partitions but {} has {}: they must match",
                                                        settings.facts_topic, facts, settings.events_topic, events));
            // The relay hands the producer each committed batch's facts at once and waits for
            // them: a linger only delays them (~3 ms per assistant turn at one user; phase k).
            auto relay_properties = options.overrides;
            relay_properties.try_emplace("linger.ms", "0");
            relay.emplace(aimi::facts::RelayOptions{settings.pg_url, settings.pg_schema, settings.kafka_bootstrap,
                                                    settings.facts_topic, settings.kafka_message_timeout,
                                                    std::chrono::milliseconds(500), 2000, relay_properties});
            options.on_committed = [&relay] { relay->wake(); };
            spdlog::info("projector {}: publishing facts to {}", name, settings.facts_topic);
        }
        if (decides) {
            aimi::run_projector(options, *projection, stop);
            return 0;
        }
        // A read model built from facts projects into the schema that serves it, and follows a
        // switch there (aimi-admin rebuild --switch) without a restart.
        aimi::follow_serving_schema(settings.pg_url, settings.pg_schema, name, stop,
                                    [&](const std::string& schema, const std::atomic<bool>& halt) {
                                        auto follow = options;
                                        follow.pg_schema = schema;
                                        follow.group_id = aimi::env_or("AIMI_PROJECTOR_GROUP",
                                                                       aimi::kafka::projection_group_id(name, schema));
                                        aimi::run_projector(follow, *projection, halt);
                                    });
        return 0;
    } catch (const std::exception& e) {
        spdlog::critical("projector: {}", e.what());
        return 1;
    }
}
