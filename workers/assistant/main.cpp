// aimi-assistant: the orchestrator (docs/assistant.md). Reads the facts topic as a member of consumer
// group aimi.assistant.<schema>; each applied user message becomes one turn whose reply and side
// effects are appended under idempotency keys derived from the message. Run any number: the group
// spreads the partitions (users), and a user's messages are answered in order.
#include <thread>

#include <spdlog/spdlog.h>

#include "domain/assistant/rule_based_provider.hpp"
#include "domain/privacy/data_key.hpp"
#include "gateway/memory_recall.hpp"
#include "gateway/prompt_run_recorder.hpp"
#include "projections/kafka/consumer_groups.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/keys/key_store.hpp"
#include "projections/pg/connection.hpp"
#include "workers/assistant/fact_feed.hpp"
#include "workers/assistant/orchestrator.hpp"
#include "workers/assistant/partition_lanes.hpp"
#include "workers/common/memory_worker.hpp"
#include "workers/common/metrics_server.hpp"
#include "workers/common/shutdown.hpp"
#include "workers/providers/openai/openai_chat_provider.hpp"
#include "workers/providers/provider_factory.hpp"

namespace {

std::unique_ptr<aimi::assistant::ChatProvider> make_chat_provider(const std::string& kind) {
    if (kind == "rules") return std::make_unique<aimi::assistant::RuleBasedProvider>();
    if (kind == "openai") return aimi::providers::openai::make_openai_chat_provider();
    throw std::invalid_argument("AIMI_ASSISTANT_PROVIDER: unknown provider '" + kind + "' (rules, openai)");
}

//! Runs the turn of one fact until it is done (or the process stops), then commits it. A failure is
//! tried again with backoff: nothing is lost, and the turn's keys keep its effects single.
void run_to_the_end(const aimi::assistant_worker::FactFeed::Record& record,
                    aimi::assistant_worker::Orchestrator& orchestrator, aimi::keys::KeyStore& keys,
                    aimi::assistant_worker::FactFeed& feed, const std::atomic<bool>& stop) {
    for (int failures = 0; !stop;) {
        try {
            // Most facts hold no message: only those are decoded (and opened with the user's key).
            if (record.value.find("\"message.posted\"") != std::string::npos) {
                auto fact = aimi::facts::decode(record.value, &keys);
                if (fact) {
                    orchestrator.handle(fact.value());
                } else {
                    // Projections dead-letter what does not decode; there is no message to answer.
                    spdlog::warn("fact at {}:{} does not decode ({}); no turn", record.partition, record.offset,
                                 fact.problem().message);
                }
            }
            feed.done(record);
            return;
        } catch (const std::exception& e) {
            const auto delay = aimi::memory_workers::backoff(++failures, std::chrono::milliseconds(200),
                                                             std::chrono::milliseconds(10000));
            spdlog::error("turn for the fact at {}:{} failed (attempt {}; again in {} ms): {}", record.partition,
                          record.offset, failures, delay.count(), e.what());
            std::this_thread::sleep_for(delay);
        }
    }
}

}  // namespace

int main() {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ assistant[%P] %v");
    try {
        const auto& stop = aimi::install_shutdown_handlers();
        const auto metrics_server = aimi::MetricsServer::from_env();
        const auto settings = aimi::RuntimeSettings::from_env();
        aimi::assistant_worker::OrchestratorOptions options;
        options.events_topic = settings.events_topic;
        options.main_schema = settings.pg_schema;
        options.producer = "assistant@" + settings.instance;
        options.idle_timeout_s = settings.session_idle_timeout_s;
        options.max_age = std::chrono::seconds(aimi::env_int("AIMI_ASSISTANT_MAX_AGE_S", 3600));
        options.max_tool_calls = static_cast<int>(aimi::env_int("AIMI_ASSISTANT_MAX_TOOL_CALLS", 5));
        options.budget.total_tokens = static_cast<int>(aimi::env_int("AIMI_ASSISTANT_CONTEXT_TOKENS", 3000));
        options.budget.max_messages = static_cast<int>(aimi::env_int("AIMI_ASSISTANT_WINDOW", 30));
        options.budget.max_memories = static_cast<int>(aimi::env_int("AIMI_ASSISTANT_MEMORIES", 5));
        options.one_record_turns = aimi::env_int("AIMI_ASSISTANT_ONE_RECORD_TURNS", 1) != 0;
        options.pause_before_reply =
            std::chrono::milliseconds(aimi::env_int("AIMI_ASSISTANT_TEST_PAUSE_BEFORE_REPLY_MS", 0));
        const auto provider = make_chat_provider(aimi::env_or("AIMI_ASSISTANT_PROVIDER", "rules"));
        // A model that fails before acting hands the turn to the rules (docs/assistant.md, "Failures").
        aimi::assistant::RuleBasedProvider rules;
        aimi::assistant::ChatProvider* fallback = provider->model().provider == "rules" ? nullptr : &rules;

        // A turn waits for its own record's append, one record per turn: nothing to batch, so no
        // linger (1 ms, the writer's default, measured ~4 ms more per turn at one user; phase k).
        auto producer_properties = aimi::kafka::properties_from_env();
        producer_properties.try_emplace("linger.ms", "0");
        aimi::kafka::EventLogWriter log(settings.kafka_bootstrap, settings.kafka_message_timeout, producer_properties);
        aimi::keys::KeyStore keys(settings.pg_url, aimi::privacy::parse_master_key(settings.master_key_hex));
        // Recall as the gateway does it: the configured embedder, and the hashed one for its vectors.
        std::unique_ptr<aimi::gateway::PromptRunRecorder> prompt_runs;
        std::unique_ptr<aimi::gateway::MemoryRecall> recall;
        if (options.budget.max_memories > 0) {
            const auto embedders = aimi::providers::recall_embedders();
            prompt_runs =
                std::make_unique<aimi::gateway::PromptRunRecorder>(log, keys, settings.events_topic, options.producer);
            recall = std::make_unique<aimi::gateway::MemoryRecall>(
                embedders,
                aimi::gateway::MemoryRecall::Options{
                    .cache_bytes = static_cast<std::size_t>(aimi::env_int("AIMI_RECALL_CACHE_BYTES", 256ll << 20)),
                    .hnsw_min = static_cast<std::size_t>(aimi::env_int("AIMI_RECALL_HNSW_MIN", 20000)),
                    .hnsw_ef = static_cast<std::size_t>(aimi::env_int("AIMI_RECALL_HNSW_EF", 128)),
                    .prompt_runs = prompt_runs.get()});
        }
        aimi::assistant_worker::FactFeed feed(settings.kafka_bootstrap, settings.facts_topic,
                                              aimi::kafka::worker_group_id("assistant", settings.pg_schema),
                                              aimi::kafka::properties_from_env());
        spdlog::info("answering messages with {}/{} (prompt {})", provider->model().provider, provider->model().name,
                     provider->prompt_version());

        // Connections the lanes share to read a turn's context from the read models at once.
        const auto context_readers = static_cast<std::size_t>(aimi::env_int("AIMI_ASSISTANT_CONTEXT_READERS", 6));
        std::unique_ptr<aimi::pg::ConnectionPool> readers;
        if (context_readers > 0)
            readers = std::make_unique<aimi::pg::ConnectionPool>(settings.pg_url, settings.pg_schema, context_readers);

        // The entity store's progress, heard on one connection for all the lanes.
        const aimi::assistant_worker::DeciderProgress decider_progress(settings.pg_url, settings.pg_schema);
        // One lane per partition: its own database connection and orchestrator, its records in order.
        aimi::assistant_worker::PartitionLanes lanes(
            [&]() -> aimi::assistant_worker::PartitionLanes::Work {
                auto waiter = std::make_shared<aimi::assistant_worker::OutcomeWaiter>(
                    settings.pg_url, settings.pg_schema, decider_progress);
                auto orchestrator = std::make_shared<aimi::assistant_worker::Orchestrator>(
                    options, *provider, log, keys, *waiter, recall.get(), fallback, readers.get());
                return [&, waiter, orchestrator](const aimi::assistant_worker::FactFeed::Record& record) {
                    run_to_the_end(record, *orchestrator, keys, feed, stop);
                };
            },
            static_cast<std::size_t>(aimi::env_int("AIMI_ASSISTANT_LANE_QUEUE", 1000)));
        while (!stop)
            if (auto record = feed.next(200)) lanes.push(std::move(*record), stop);
        lanes.stop();
        feed.close();
        return 0;
    } catch (const std::exception& e) {
        spdlog::critical("assistant: {}", e.what());
        return 1;
    }
}
