#include "workers/projector/projector_loop.hpp"

#include <map>
#include <thread>

#include <fmt/format.h>
#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include "domain/metrics/registry.hpp"
#include "projections/batch_applier.hpp"
#include "projections/pg/connection.hpp"

namespace aimi {

namespace {

//! Owns the database connection; reconnects on demand with capped exponential backoff. Each
//! connection names itself (application_name "aimi-projector <projection> <schema>", for
//! pg_stat_activity) and, for a read model built from facts, commits asynchronously (see
//! ProjectorOptions::asynchronous_commit).
class Database {
  public:
    Database(const ProjectorOptions& options, std::string projection, const std::atomic<bool>& stop)
        : url_(options.pg_url),
          schema_(options.pg_schema),
          application_(fmt::format("aimi-projector {} {}", projection, options.pg_schema)),
          asynchronous_commit_(options.asynchronous_commit),
          stop_(stop) {}

    pqxx::connection& get() {
        auto backoff = std::chrono::milliseconds(100);
        while (!connection_ || !connection_->is_open()) {
            try {
                connection_ = pg::connect(url_, schema_);
                pqxx::nontransaction settings(*connection_, "projector_settings");
                settings.exec_params(
                    "SELECT set_config('application_name', $1, false), "
                    "set_config('synchronous_commit', $2, false)",
                    application_, asynchronous_commit_ ? "off" : "on");
            } catch (const std::exception& e) {
                connection_.reset();
                if (stop_) throw;
                spdlog::warn("projector: database unavailable ({}); retrying in {} ms", e.what(), backoff.count());
                std::this_thread::sleep_for(backoff);
                backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
            }
        }
        return *connection_;
    }
    void reset() { connection_.reset(); }

  private:
    std::string url_;
    std::string schema_;
    std::string application_;
    bool asynchronous_commit_;
    const std::atomic<bool>& stop_;
    std::unique_ptr<pqxx::connection> connection_;
};

//! Sets each partition's offset to the one stored with the read model, retrying with backoff while
//! the database is unavailable. Returns false if stopped first.
bool set_stored_offsets(std::vector<RdKafka::TopicPartition*>& partitions, Database& db, const std::string& projection,
                        const std::atomic<bool>& stop) {
    std::vector<TopicPartition> wanted;
    for (const auto* tp : partitions) wanted.emplace_back(tp->topic(), tp->partition());
    auto backoff = std::chrono::milliseconds(100);
    while (!stop) {
        try {
            const auto stored = load_offsets(db.get(), projection, wanted);
            for (auto* tp : partitions) tp->set_offset(stored.at({tp->topic(), tp->partition()}));
            return true;
        } catch (const std::exception& e) {
            db.reset();
            if (stop) break;
            spdlog::warn("projector {}: cannot load stored offsets ({}); retrying in {} ms", projection, e.what(),
                         backoff.count());
            std::this_thread::sleep_for(backoff);
            backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
        }
    }
    return false;
}

//! On assignment, starts every partition at the offset stored with the read model (Kafka's
//! committed offsets are informational only); on revocation, drops the assignment.
class SeekFromStoredOffsets final : public RdKafka::RebalanceCb {
  public:
    SeekFromStoredOffsets(Database& db, std::string projection, const std::atomic<bool>& stop)
        : db_(db), projection_(std::move(projection)), stop_(stop) {}

    void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                      std::vector<RdKafka::TopicPartition*>& partitions) override {
        if (err != RdKafka::ERR__ASSIGN_PARTITIONS) {
            consumer->unassign();
            spdlog::info("projector {}: partitions revoked", projection_);
            return;
        }
        // Stopping: leave the partitions unassigned; consuming from an unknown offset is never right.
        if (!set_stored_offsets(partitions, db_, projection_, stop_)) return;
        consumer->assign(partitions);
        for (const auto* tp : partitions)
            spdlog::info("projector {}: assigned {}[{}] from offset {}", projection_, tp->topic(), tp->partition(),
                         tp->offset());
    }

  private:
    Database& db_;
    std::string projection_;
    const std::atomic<bool>& stop_;
};

LogRecord to_record(const RdKafka::Message& m) {
    return LogRecord{m.topic_name(),
                     m.partition(),
                     m.offset(),
                     m.key() ? *m.key() : std::string(),
                     std::string(static_cast<const char*>(m.payload()), m.len()),
                     m.timestamp().timestamp};
}

//! Waits up to 200 ms for a first record, then takes what is already fetched (and, with a
//! linger, what arrives within it) up to max_batch. Under load librdkafka's prefetch queue makes
//! batches large; when idle, a lone command is applied at once instead of waiting a window out.
std::vector<LogRecord> next_batch(RdKafka::KafkaConsumer& consumer, const ProjectorOptions& options,
                                  const std::atomic<bool>& stop) {
    std::vector<LogRecord> batch;
    std::chrono::steady_clock::time_point deadline{};
    while (!stop && batch.size() < options.max_batch) {
        int timeout_ms = 200;
        if (!batch.empty()) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            timeout_ms = static_cast<int>(std::max<std::int64_t>(left.count(), 0));
        }
        std::unique_ptr<RdKafka::Message> message(consumer.consume(timeout_ms));
        if (message->err() == RdKafka::ERR_NO_ERROR) {
            if (batch.empty()) deadline = std::chrono::steady_clock::now() + options.linger;
            batch.push_back(to_record(*message));
            continue;
        }
        if (message->err() != RdKafka::ERR__TIMED_OUT && message->err() != RdKafka::ERR__PARTITION_EOF)
            spdlog::warn("projector: consume error: {}", message->errstr());
        break;
    }
    return batch;
}

//! The projector's metrics after a committed batch.
void record_batch(RdKafka::KafkaConsumer& consumer, const std::string& projection, std::size_t size,
                  const AppliedBatch& applied, double seconds) {
    auto& r = metrics::registry();
    const metrics::Labels who{{"projection", projection}};
    r.counter("aimi_projector_batches_total", "Batches committed", who).add();
    const auto records = [&](const char* result, std::size_t n) {
        r.counter("aimi_projector_records_total", "Records by what became of them",
                  {{"projection", projection}, {"result", result}})
            .add(static_cast<double>(n));
    };
    records("applied", applied.applied);
    records("skipped", applied.skipped);
    records("dead_lettered", applied.dead_lettered);
    r.histogram("aimi_projector_batch_records", "Records per batch", who, metrics::size_buckets())
        .observe(static_cast<double>(size));
    r.histogram("aimi_projector_batch_apply_seconds", "One batch: load, fold, write, commit", who).observe(seconds);
    for (const auto& [tp, next] : applied.next_offsets) {
        const metrics::Labels where{
            {"projection", projection}, {"topic", tp.first}, {"partition", std::to_string(tp.second)}};
        r.gauge("aimi_projector_next_offset", "Next offset of the input topic to apply", where)
            .set(static_cast<double>(next));
        std::int64_t low = 0, high = 0;  // as last fetched: no broker round trip
        if (consumer.get_watermark_offsets(tp.first, tp.second, &low, &high) == RdKafka::ERR_NO_ERROR && high >= 0)
            r.gauge("aimi_projector_lag_records", "Records of the input partition not yet applied", where)
                .set(static_cast<double>(std::max<std::int64_t>(high - next, 0)));
    }
}

// Kafka's committed offsets of a projector group are informational (lag tooling; PostgreSQL
// holds the truth), so they are sent at most this often: one OffsetCommit per batch and
// projector cost the broker more CPU than the records themselves (docs/benchmarks.md, phase k).
constexpr auto kKafkaCommitInterval = std::chrono::seconds(1);

void commit_informational(RdKafka::KafkaConsumer& consumer, std::map<TopicPartition, std::int64_t>& uncommitted) {
    if (uncommitted.empty()) return;
    std::vector<RdKafka::TopicPartition*> offsets;
    for (const auto& [tp, next] : uncommitted)
        offsets.push_back(RdKafka::TopicPartition::create(tp.first, tp.second, next));
    consumer.commitAsync(offsets);
    RdKafka::TopicPartition::destroy(offsets);
    uncommitted.clear();
}

//! Points every assigned partition back at the offset stored with the read model, dropping what
//! was fetched beyond it: after a failed batch the projector resumes from what the database holds,
//! as a restart would, instead of retrying the batch it has in memory. With asynchronous commits
//! the database can hold less than the projector committed last (a crash loses the commits whose
//! WAL was not flushed yet, and a crash always breaks the connection, so it always ends up here);
//! retrying only the in-memory batch would skip the lost ones. Returns false if stopped first.
bool rewind_to_stored_offsets(RdKafka::KafkaConsumer& consumer, Database& db, const std::string& projection,
                              const std::atomic<bool>& stop) {
    std::vector<RdKafka::TopicPartition*> assigned;
    if (auto rc = consumer.assignment(assigned); rc != RdKafka::ERR_NO_ERROR)
        throw std::runtime_error("cannot read the consumer's assignment: " + RdKafka::err2str(rc));
    if (!set_stored_offsets(assigned, db, projection, stop)) {
        RdKafka::TopicPartition::destroy(assigned);
        return false;
    }
    // unassign + assign, as a rebalance does: the fetch queues of the old assignment are purged.
    consumer.unassign();
    const auto rc = consumer.assign(assigned);
    for (const auto* tp : assigned)
        spdlog::info("projector {}: rewound {}[{}] to stored offset {}", projection, tp->topic(), tp->partition(),
                     tp->offset());
    RdKafka::TopicPartition::destroy(assigned);
    if (rc != RdKafka::ERR_NO_ERROR) throw std::runtime_error("cannot reassign partitions: " + RdKafka::err2str(rc));
    return true;
}

}  // namespace

void run_projector(const ProjectorOptions& options, Projection& projection, const std::atomic<bool>& stop) {
    Database db(options, projection.name(), stop);
    SeekFromStoredOffsets rebalance(db, projection.name(), stop);

    kafka::Properties properties{
        {"bootstrap.servers", options.bootstrap}, {"group.id", options.group_id},
        {"enable.auto.commit", "false"},          {"enable.auto.offset.store", "false"},
        {"auto.offset.reset", "earliest"},        {"session.timeout.ms", "10000"},
        {"heartbeat.interval.ms", "1000"},        {"fetch.wait.max.ms", kafka::kFetchWaitMaxMs},
    };
    for (const auto& [key, value] : options.overrides) properties[key] = value;
    auto conf = kafka::make_conf(properties);
    std::string error;
    conf->set("rebalance_cb", &rebalance, error);
    std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), error));
    if (!consumer) throw std::runtime_error("cannot create Kafka consumer: " + error);
    if (auto rc = consumer->subscribe({options.topic}); rc != RdKafka::ERR_NO_ERROR)
        throw std::runtime_error("cannot subscribe to " + options.topic + ": " + RdKafka::err2str(rc));
    spdlog::info("projector {}: consuming {} as group {} into schema {}", projection.name(), options.topic,
                 options.group_id, options.pg_schema);

    std::size_t total = 0;
    constexpr auto kFirstFailureBackoff = std::chrono::milliseconds(100);
    auto failure_backoff = kFirstFailureBackoff;  // doubles while batches keep failing
    std::map<TopicPartition, std::int64_t> uncommitted;
    auto next_kafka_commit = std::chrono::steady_clock::now();
    const auto commit_if_due = [&] {
        if (uncommitted.empty() || std::chrono::steady_clock::now() < next_kafka_commit) return;
        commit_informational(*consumer, uncommitted);
        next_kafka_commit = std::chrono::steady_clock::now() + kKafkaCommitInterval;
    };
    while (!stop) {
        const auto batch = next_batch(*consumer, options, stop);
        if (batch.empty()) {
            commit_if_due();  // idle: the last batches' offsets still reach the lag tooling
            continue;
        }
        try {
            const auto started = std::chrono::steady_clock::now();
            const auto applied = apply_isolating_poison(db.get(), projection, batch);
            record_batch(*consumer, projection.name(), batch.size(), applied,
                         std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
            total += applied.applied;
            spdlog::debug("projector {}: applied {} skipped {} dead-lettered {} (total {})", projection.name(),
                          applied.applied, applied.skipped, applied.dead_lettered, total);
            for (const auto& [tp, next] : applied.next_offsets) uncommitted[tp] = next;
            commit_if_due();
            if (options.on_committed) options.on_committed();
            failure_backoff = kFirstFailureBackoff;
        } catch (const std::exception& e) {
            // Rolled back (or its commit's fate is unknown). A stop request abandons it: the stored
            // offsets make the next start re-read it. Otherwise wait, then rewind to them.
            db.reset();
            if (stop) break;
            metrics::registry()
                .counter("aimi_projector_batch_failures_total", "Batches rolled back and retried",
                         {{"projection", projection.name()}})
                .add();
            spdlog::error("projector {}: batch of {} failed ({}); rewinding to the stored offsets in {} ms",
                          projection.name(), batch.size(), e.what(), failure_backoff.count());
            std::this_thread::sleep_for(failure_backoff);
            failure_backoff = std::min(failure_backoff * 2, std::chrono::milliseconds(5000));
            uncommitted.clear();  // informational, and possibly ahead of what the database holds now
            if (!rewind_to_stored_offsets(*consumer, db, projection.name(), stop)) break;
        }
    }
    commit_informational(*consumer, uncommitted);
    spdlog::info("projector {}: stopping after {} records", projection.name(), total);
    consumer->close();
}

}  // namespace aimi
