#include "projections/batch_applier.hpp"

#include <fmt/format.h>
#include <pqxx/pqxx>

namespace aimi {

namespace {

// Creates the row on first use and locks it either way (ON CONFLICT DO UPDATE takes the row
// lock), so two consumers of one partition during a rebalance serialize here.
constexpr std::string_view kLockOffset = R"sql(
INSERT INTO projection_offsets (projection, topic, partition, next_offset)
VALUES ($1, $2, $3, 0)
ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = projection_offsets.next_offset
RETURNING next_offset)sql";

constexpr std::string_view kStoreOffset = R"sql(
UPDATE projection_offsets SET next_offset = $4, updated_at = now()
WHERE projection = $1 AND topic = $2 AND partition = $3)sql";

constexpr std::string_view kLoadOffset = R"sql(
SELECT next_offset FROM projection_offsets WHERE projection = $1 AND topic = $2 AND partition = $3)sql";

// The payload leads with the schema: one database can hold a serving and a rebuilding copy.
constexpr std::string_view kNotify = "SELECT pg_notify($1, current_schema() || ' ' || $2)";

}  // namespace

AppliedBatch apply_exactly_once(pqxx::connection_base& connection, Projection& projection,
                                std::span<const LogRecord> records) {
    AppliedBatch result;
    pqxx::work tx(connection, "apply_batch");

    std::map<TopicPartition, std::int64_t> stored;
    for (const auto& record : records) {
        const TopicPartition tp{record.topic, record.partition};
        if (!stored.contains(tp))
            stored[tp] = tx.exec_params1(std::string(kLockOffset), projection.name(), record.topic, record.partition)[0]
                             .as<std::int64_t>();
    }

    std::vector<LogRecord> fresh;
    fresh.reserve(records.size());
    result.next_offsets = stored;
    for (const auto& record : records) {
        const TopicPartition tp{record.topic, record.partition};
        if (record.offset < stored[tp]) {
            ++result.skipped;
            continue;
        }
        auto& next = result.next_offsets[tp];
        next = std::max(next, record.offset + 1);
        fresh.push_back(record);
    }

    if (!fresh.empty()) projection.apply(tx, fresh);
    result.applied = fresh.size();

    for (const auto& [tp, next] : result.next_offsets) {
        if (next == stored[tp]) continue;
        tx.exec_params0(std::string(kStoreOffset), projection.name(), tp.first, tp.second, next);
        tx.exec_params(std::string(kNotify), std::string(kProgressChannel),
                       fmt::format("{} {} {} {}", projection.name(), tp.first, tp.second, next));
    }
    tx.commit();
    return result;
}

std::map<TopicPartition, std::int64_t> load_offsets(pqxx::connection_base& connection, const std::string& projection,
                                                    const std::vector<TopicPartition>& partitions) {
    std::map<TopicPartition, std::int64_t> out;
    pqxx::read_transaction tx(connection, "load_offsets");
    for (const auto& tp : partitions) {
        const auto rows = tx.exec_params(std::string(kLoadOffset), projection, tp.first, tp.second);
        out[tp] = rows.empty() ? 0 : rows[0][0].as<std::int64_t>();
    }
    return out;
}

}  // namespace aimi
