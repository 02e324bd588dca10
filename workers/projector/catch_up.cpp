#include "workers/projector/catch_up.hpp"

#include <set>
#include <thread>

#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include "projections/batch_applier.hpp"
#include "projections/kafka/assign_only_consumer.hpp"
#include "projections/pg/connection.hpp"

namespace aimi {

namespace {

std::unique_ptr<RdKafka::KafkaConsumer> assigned_consumer(const CatchUpOptions& options) {
    return kafka::assign_only_consumer(options.bootstrap, "aimi.catch-up",
                                       {{"fetch.wait.max.ms", kafka::kFetchWaitMaxMs}}, options.overrides);
}

int partition_count(RdKafka::KafkaConsumer& consumer, const std::string& topic) {
    std::string error;
    std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(&consumer, topic, nullptr, error));
    RdKafka::Metadata* metadata = nullptr;
    if (consumer.metadata(false, handle.get(), &metadata, 10000) != RdKafka::ERR_NO_ERROR)
        throw std::runtime_error("cannot read the metadata of " + topic);
    std::unique_ptr<RdKafka::Metadata> owned(metadata);
    for (const auto* t : *owned->topics())
        if (t->topic() == topic && t->err() == RdKafka::ERR_NO_ERROR) return static_cast<int>(t->partitions()->size());
    throw std::runtime_error("topic " + topic + " does not exist");
}

}  // namespace

CatchUpReport catch_up(const CatchUpOptions& options, Projection& projection, const std::atomic<bool>& stop,
                       const std::function<void(const CatchUpReport&)>& progress) {
    const auto started = std::chrono::steady_clock::now();
    CatchUpReport report;
    auto consumer = assigned_consumer(options);
    auto db = pg::connect(options.pg_url, options.pg_schema);

    const int partitions = partition_count(*consumer, options.topic);
    std::vector<TopicPartition> wanted;
    for (int p = 0; p < partitions; ++p) wanted.emplace_back(options.topic, p);
    const auto stored = load_offsets(*db, projection.name(), wanted);
    std::set<std::int32_t> open;
    std::vector<RdKafka::TopicPartition*> assignment;
    for (int p = 0; p < partitions; ++p) {
        std::int64_t low = 0, high = 0;
        if (consumer->query_watermark_offsets(options.topic, p, &low, &high, 10000) != RdKafka::ERR_NO_ERROR)
            throw std::runtime_error("cannot read the end of " + options.topic);
        report.ends[p] = high;
        const auto from = stored.at({options.topic, p});
        report.next_offsets[p] = from;
        if (from < high) {
            open.insert(p);
            assignment.push_back(RdKafka::TopicPartition::create(options.topic, p, from));
        }
    }
    if (!assignment.empty()) consumer->assign(assignment);
    RdKafka::TopicPartition::destroy(assignment);

    while (!open.empty() && !stop) {
        std::vector<LogRecord> batch;
        while (batch.size() < options.max_batch && !open.empty()) {
            std::unique_ptr<RdKafka::Message> m(consumer->consume(batch.empty() ? 1000 : 50));
            if (m->err() == RdKafka::ERR__TIMED_OUT || m->err() == RdKafka::ERR__PARTITION_EOF) break;
            if (m->err() != RdKafka::ERR_NO_ERROR) throw std::runtime_error("consume: " + m->errstr());
            const auto p = m->partition();
            if (!open.contains(p)) continue;
            if (m->offset() >= report.ends[p] || (options.as_of_ms && m->timestamp().timestamp > *options.as_of_ms)) {
                open.erase(p);  // the cut: nothing after it on this partition
                continue;
            }
            batch.push_back(LogRecord{m->topic_name(), p, m->offset(), m->key() ? *m->key() : std::string(),
                                      std::string(static_cast<const char*>(m->payload()), m->len()),
                                      m->timestamp().timestamp});
            if (m->offset() + 1 >= report.ends[p]) open.erase(p);
        }
        if (batch.empty()) continue;
        for (int attempt = 0;; ++attempt) {
            try {
                const auto applied = apply_isolating_poison(*db, projection, batch);
                report.applied += applied.applied;
                report.skipped += applied.skipped;
                report.dead_lettered += applied.dead_lettered;
                for (const auto& [tp, next] : applied.next_offsets) report.next_offsets[tp.second] = next;
                break;
            } catch (const std::exception& e) {
                if (stop || attempt >= 20) throw;
                spdlog::warn("catch-up {}: batch failed ({}); retrying", projection.name(), e.what());
                std::this_thread::sleep_for(std::chrono::milliseconds(std::min(100 << std::min(attempt, 5), 5000)));
                db = pg::connect(options.pg_url, options.pg_schema);
            }
        }
        report.elapsed = std::chrono::steady_clock::now() - started;
        if (progress) progress(report);
    }
    consumer->close();
    report.elapsed = std::chrono::steady_clock::now() - started;
    return report;
}

}  // namespace aimi
