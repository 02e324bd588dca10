#include "projections/facts/fact_relay.hpp"

#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include "domain/metrics/registry.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/pg/connection.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::facts {

namespace {

const pg::Statement kPartitions{"relay.partitions", "SELECT DISTINCT origin_topic, origin_partition FROM fact_outbox"};
// One relay per (schema, topic, partition) at a time; the lock ends with the transaction.
const pg::Statement kLock{"relay.lock",
                          "SELECT pg_try_advisory_xact_lock(hashtextextended('aimi.fact_relay ' || current_schema() "
                          "|| ' ' || $1 || ' ' || $2::text, 0))"};
const pg::Statement kStaged{"relay.staged", R"sql(
SELECT origin_offset, record_key, payload, timestamp_ms FROM fact_outbox
WHERE origin_topic = $1 AND origin_partition = $2 ORDER BY origin_offset LIMIT $3)sql"};
const pg::Statement kPublished{"relay.published", R"sql(
DELETE FROM fact_outbox WHERE origin_topic = $1 AND origin_partition = $2 AND origin_offset <= $3)sql"};

metrics::Counter& published_counter() {
    return metrics::registry().counter("aimi_fact_relay_published_total",
                                       "Facts appended to the facts topic (copies included)");
}

}  // namespace

FactRelay::FactRelay(RelayOptions options)
    : options_(std::move(options)),
      writer_(
          std::make_unique<kafka::EventLogWriter>(options_.bootstrap, options_.message_timeout, options_.overrides)),
      thread_([this] { run(); }) {
    published_counter();  // exposed from the start, at 0
}

FactRelay::~FactRelay() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    woken_.notify_all();
    thread_.join();
}

void FactRelay::wake() {
    {
        std::lock_guard lock(mutex_);
        pending_ = true;
    }
    woken_.notify_all();
}

std::size_t FactRelay::round() {
    if (!connection_ || !connection_->is_open()) connection_ = pg::connect(options_.pg_url, options_.pg_schema);
    auto& connection = connection_;
    std::size_t total = 0;
    std::vector<std::pair<std::string, std::int32_t>> partitions;
    {
        pqxx::read_transaction tx(*connection, "relay_partitions");
        for (const auto& row : pg::exec(tx, kPartitions))
            partitions.emplace_back(row[0].as<std::string>(), row[1].as<std::int32_t>());
    }
    for (const auto& [topic, partition] : partitions) {
        for (;;) {
            pqxx::work tx(*connection, "relay_partition");
            if (!pg::exec(tx, kLock, topic, partition).at(0)[0].as<bool>()) break;  // another relay has it
            const auto rows = pg::exec(tx, kStaged, topic, partition, static_cast<std::int64_t>(options_.max_batch));
            if (rows.empty()) break;
            std::vector<kafka::EventLogWriter::KeyedValue> records;
            records.reserve(rows.size());
            for (const auto& row : rows)
                records.push_back({row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<std::int64_t>()});
            writer_->append_all(options_.facts_topic, partition, records);
            pg::exec(tx, kPublished, topic, partition, rows.back()[0].as<std::int64_t>());
            tx.commit();
            total += rows.size();
            published_ += rows.size();
            published_counter().add(static_cast<double>(rows.size()));
            if (rows.size() < options_.max_batch) break;
        }
    }
    return total;
}

void FactRelay::run() {
    auto backoff = std::chrono::milliseconds(100);
    while (!stop_) {
        try {
            round();
            backoff = std::chrono::milliseconds(100);
        } catch (const std::exception& e) {
            connection_.reset();  // whatever failed, the next round starts from a fresh connection
            spdlog::warn("fact relay: {}; retrying in {} ms", e.what(), backoff.count());
            std::unique_lock lock(mutex_);
            woken_.wait_for(lock, backoff, [this] { return stop_.load(); });
            backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
            continue;
        }
        std::unique_lock lock(mutex_);
        woken_.wait_for(lock, options_.sweep_interval, [this] { return pending_ || stop_; });
        pending_ = false;
    }
}

}  // namespace aimi::facts
