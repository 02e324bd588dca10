#include "projections/batch_applier.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include "projections/dead_letters.hpp"
#include "projections/pg/statement.hpp"

namespace aimi {

namespace {

// Creates the row on first use and locks it either way (ON CONFLICT DO UPDATE takes the row
// lock), so two consumers of one partition during a rebalance serialize here.
const pg::Statement kLockOffset{"apply.lock_offset", R"sql(
INSERT INTO projection_offsets (projection, topic, partition, next_offset)
VALUES ($1, $2, $3, 0)
ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = projection_offsets.next_offset
RETURNING next_offset)sql"};

// The new offset and its announcement in one round trip (the payload leads with the schema: one
// database can hold a serving and a rebuilding copy). Seven projectors store offsets for every
// fact, so a round trip less each is felt on a 2-core machine (docs/benchmarks.md, phase k).
const pg::Statement kStoreOffset{"apply.store_offset", R"sql(
WITH stored AS (
  UPDATE projection_offsets SET next_offset = $4, updated_at = now()
  WHERE projection = $1 AND topic = $2 AND partition = $3 RETURNING 1)
SELECT pg_notify($5, current_schema() || ' ' || $6) FROM stored)sql"};

const pg::Statement kLoadOffset{"apply.load_offset", R"sql(
SELECT next_offset FROM projection_offsets WHERE projection = $1 AND topic = $2 AND partition = $3)sql"};

//! Runs `write` on the records not applied yet, in ONE transaction with their offsets: locks the
//! offset rows of the partitions involved, drops records below the stored offsets, lets `write`
//! handle the rest, advances the offsets, notifies listeners, commits.
template <class Write>
AppliedBatch apply_in_one_transaction(pqxx::connection_base& connection, const std::string& projection,
                                      std::span<const LogRecord> records, Write&& write) {
    AppliedBatch result;
    pqxx::work tx(connection, "apply_batch");

    std::map<TopicPartition, std::int64_t> stored;
    for (const auto& record : records) {
        const TopicPartition tp{record.topic, record.partition};
        if (!stored.contains(tp)) stored[tp] = lock_offset(tx, projection, record.topic, record.partition);
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

    if (!fresh.empty()) write(tx, std::span<const LogRecord>(fresh));
    result.applied = fresh.size();

    for (const auto& [tp, next] : result.next_offsets)
        if (next != stored[tp]) store_offset(tx, projection, tp.first, tp.second, next);
    tx.commit();
    return result;
}

AppliedBatch merge(AppliedBatch a, const AppliedBatch& b) {
    a.applied += b.applied;
    a.skipped += b.skipped;
    a.dead_lettered += b.dead_lettered;
    for (const auto& [tp, next] : b.next_offsets) {
        auto& known = a.next_offsets[tp];
        known = std::max(known, next);
    }
    return a;
}

//! An error caused by what the records hold: 22 data exception, 23 integrity constraint violation,
//! 54 program limit exceeded.
bool is_poison_error(const pqxx::sql_error& error) {
    const std::string& state = error.sqlstate();
    return state.starts_with("22") || state.starts_with("23") || state.starts_with("54");
}

}  // namespace

std::int64_t lock_offset(pqxx::dbtransaction& tx, const std::string& projection, const std::string& topic,
                         std::int32_t partition) {
    return pg::exec(tx, kLockOffset, projection, topic, partition).at(0)[0].as<std::int64_t>();
}

void store_offset(pqxx::dbtransaction& tx, const std::string& projection, const std::string& topic,
                  std::int32_t partition, std::int64_t next_offset) {
    pg::exec(tx, kStoreOffset, projection, topic, partition, next_offset, std::string(kProgressChannel),
             fmt::format("{} {} {} {}", projection, topic, partition, next_offset));
}

AppliedBatch apply_exactly_once(pqxx::connection_base& connection, Projection& projection,
                                std::span<const LogRecord> records) {
    try {
        auto result = apply_in_one_transaction(
            connection, projection.name(), records,
            [&](pqxx::dbtransaction& tx, std::span<const LogRecord> fresh) { projection.apply(tx, fresh); });
        projection.committed();
        return result;
    } catch (...) {
        projection.abandoned();
        throw;
    }
}

AppliedBatch apply_isolating_poison(pqxx::connection_base& connection, Projection& projection,
                                    std::span<const LogRecord> records) {
    try {
        return apply_exactly_once(connection, projection, records);
    } catch (const pqxx::sql_error& e) {
        if (!is_poison_error(e)) throw;
        if (records.size() == 1) {
            const std::string error =
                fmt::format("the read model refused the record (SQLSTATE {}): {}", e.sqlstate(), e.what());
            auto result = apply_in_one_transaction(connection, projection.name(), records,
                                                   [&](pqxx::dbtransaction& tx, std::span<const LogRecord> fresh) {
                                                       for (const auto& record : fresh) {
                                                           record_dead_letter(tx, projection.name(), record, error);
                                                           projection.on_dead_letter(tx, record, error);
                                                       }
                                                   });
            result.dead_lettered = result.applied;
            result.applied = 0;
            return result;
        }
        spdlog::warn("projection {}: batch of {} refused (SQLSTATE {}); splitting it to isolate the record",
                     projection.name(), records.size(), e.sqlstate());
        // In order: applying the later half first would store offsets past the earlier one.
        const auto half = records.size() / 2;
        auto result = apply_isolating_poison(connection, projection, records.first(half));
        return merge(std::move(result), apply_isolating_poison(connection, projection, records.subspan(half)));
    }
}

std::map<TopicPartition, std::int64_t> load_offsets(pqxx::connection_base& connection, const std::string& projection,
                                                    const std::vector<TopicPartition>& partitions) {
    std::map<TopicPartition, std::int64_t> out;
    pqxx::read_transaction tx(connection, "load_offsets");
    for (const auto& tp : partitions) {
        const auto rows = pg::exec(tx, kLoadOffset, projection, tp.first, tp.second);
        out[tp] = rows.empty() ? 0 : rows[0][0].as<std::int64_t>();
    }
    return out;
}

}  // namespace aimi
