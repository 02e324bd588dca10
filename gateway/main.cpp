// aimi-gateway: the HTTP API. Commands become events on Kafka; queries read PostgreSQL.
#include <fstream>

#include <spdlog/spdlog.h>

#include "gateway/dev_sign_in.hpp"
#include "gateway/dispatcher.hpp"
#include "gateway/gateway_metrics.hpp"
#include "gateway/http/http_server.hpp"
#include "gateway/live/live_feed.hpp"
#include "gateway/memory_recall.hpp"
#include "gateway/progress_watcher.hpp"
#include "gateway/prompt_run_recorder.hpp"
#include "gateway/time_zones.hpp"
#include "projections/kafka/consumer_groups.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/keys/key_store.hpp"
#include "projections/pg/connection.hpp"
#include "projections/runtime_settings.hpp"
#include "workers/common/shutdown.hpp"
#include "workers/providers/provider_factory.hpp"

int main() {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ gateway[%P] %v");
    try {
        const auto& stop = aimi::install_shutdown_handlers();
        auto settings = aimi::RuntimeSettings::from_env();
        if (settings.jwt_secret.size() < 16)
            throw std::invalid_argument("AIMI_JWT_SECRET must be set (at least 16 characters)");
        if (aimi::env_or("AIMI_LOG_REQUESTS", "1") == "0") spdlog::set_level(spdlog::level::warn);
        aimi::gateway::load_time_zones();

        aimi::http::ServerOptions options;
        options.address = aimi::env_or("AIMI_HTTP_ADDRESS", "127.0.0.1");
        options.port = static_cast<std::uint16_t>(aimi::env_int("AIMI_HTTP_PORT", 8080));
        options.handler_threads = static_cast<std::size_t>(aimi::env_int("AIMI_HTTP_WORKERS", 32));
        options.body_limit = static_cast<std::size_t>(aimi::env_int("AIMI_HTTP_BODY_LIMIT", 64 * 1024));
        options.websocket_queue_limit = static_cast<std::size_t>(aimi::env_int("AIMI_LIVE_QUEUE_LIMIT_BYTES", 1 << 20));

        aimi::pg::ConnectionPool pool(settings.pg_url, settings.pg_schema, options.handler_threads);
        aimi::kafka::EventLogWriter log(settings.kafka_bootstrap, settings.kafka_message_timeout,
                                        aimi::kafka::properties_from_env());
        // Learn the topic's partitions now: otherwise the first command waits about a second for
        // librdkafka to fetch them.
        try {
            log.partition_count(settings.events_topic, std::chrono::seconds(5));
        } catch (const std::exception& e) {
            spdlog::warn("kafka not reachable at start ({}); commands answer 503 until it is", e.what());
        }
        aimi::gateway::ProgressWatcher watcher(settings.pg_url, settings.pg_schema, settings.events_topic);
        aimi::keys::KeyStore keys(settings.pg_url, aimi::privacy::parse_master_key(settings.master_key_hex));
        aimi::gateway::GatewayContext context{settings, pool, log, watcher, keys};
        context.command_wait_timeout = std::chrono::milliseconds(aimi::env_int("AIMI_COMMAND_WAIT_TIMEOUT_MS", 10000));
        context.ready_max_lag = aimi::env_int("AIMI_READY_MAX_LAG", 1000);
        context.max_waits_per_user = static_cast<int>(aimi::env_int("AIMI_MAX_WAITS_PER_USER", 16));
        // Recall embeds each query with the model of the user's vectors.
        const auto embedders = aimi::providers::recall_embedders();
        aimi::gateway::PromptRunRecorder prompt_runs(log, keys, settings.events_topic, "gateway@" + settings.instance);
        aimi::gateway::MemoryRecall recall(
            embedders, {.cache_bytes = static_cast<std::size_t>(aimi::env_int("AIMI_RECALL_CACHE_BYTES", 512ll << 20)),
                        .hnsw_min = static_cast<std::size_t>(aimi::env_int("AIMI_RECALL_HNSW_MIN", 20000)),
                        .hnsw_ef = static_cast<std::size_t>(aimi::env_int("AIMI_RECALL_HNSW_EF", 128)),
                        .prompt_runs = &prompt_runs});
        context.recall = &recall;
        context.duplicate_goal_similarity =
            static_cast<float>(std::stod(aimi::env_or("AIMI_DUPLICATE_GOAL_SIMILARITY", "0.85")));
        aimi::kafka::ConsumerGroupInspector groups(settings.kafka_bootstrap, aimi::kafka::properties_from_env());
        context.groups = &groups;
        context.dev_sign_in =
            aimi::gateway::dev_sign_in_enabled(aimi::env_or("AIMI_DEV_SIGN_IN", "0"), options.address);
        if (context.dev_sign_in)
            spdlog::warn("development sign-in is on (AIMI_DEV_SIGN_IN=1): POST /v1/dev/sign-in hands out tokens");
        aimi::gateway::gateway_metrics::collect_from(context);
        aimi::gateway::Dispatcher dispatcher(context);

        aimi::http::Server server(options, std::ref(dispatcher), aimi::gateway::refusal_response);
        const auto port = server.bound_port();
        if (const auto file = aimi::env_or("AIMI_HTTP_PORT_FILE", ""); !file.empty())
            std::ofstream(file) << port << "\n";
        // After the server: the feed goes first, while the server's I/O context still exists.
        aimi::live::LiveFeed live(
            {.bootstrap = settings.kafka_bootstrap,
             .facts_topic = settings.facts_topic,
             .overrides = aimi::kafka::properties_from_env(),
             .max_connections = static_cast<std::size_t>(aimi::env_int("AIMI_LIVE_MAX_CONNECTIONS", 10000)),
             .catch_up_buffer_limit = options.websocket_queue_limit},
            keys);
        context.live = &live;
        spdlog::warn("listening on http://{}:{}", options.address, port);
        server.run(stop);
        // Parked waits refer to the server's connections: drop them before the server goes.
        watcher.shutdown();
        spdlog::warn("stopped");
        return 0;
    } catch (const std::exception& e) {
        spdlog::critical("gateway: {}", e.what());
        return 1;
    }
}
