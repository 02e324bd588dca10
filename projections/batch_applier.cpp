#include "projections/batch_applier.hpp"

#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <pqxx/pqxx>

#include "domain/json/serialize.hpp"
#include "projections/dead_letters.hpp"
#include "projections/pg/statement.hpp"

namespace aimi {

namespace {

// Creates the rows on first use and locks them either way (ON CONFLICT DO UPDATE takes the row
// lock), so two consumers of one partition during a rebalance serialize here. One statement for
// all of a batch's rows (a fact projection's facts and intake positions): projectors run it for
// every batch, on a 2-core machine a round trip less is felt (docs/benchmarks.md, phase k). The
// sorted input locks in one order, so two batches cannot deadlock over each other's rows.
const pg::Statement kLockOffsets{"apply.lock_offsets", R"sql(
INSERT INTO projection_offsets (projection, topic, partition, next_offset)
SELECT $1, k.topic, k.partition, 0
FROM jsonb_to_recordset($2::jsonb) AS k(topic text, partition int)
ORDER BY k.topic, k.partition
ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = projection_offsets.next_offset
RETURNING topic, partition, next_offset)sql"};

// The new offsets and their announcements in one round trip (the payload leads with the schema:
// one database can hold a serving and a rebuilding copy).
const pg::Statement kStoreOffsets{"apply.store_offsets", R"sql(
WITH stored AS (
  UPDATE projection_offsets o SET next_offset = k.next_offset, updated_at = now()
  FROM jsonb_to_recordset($2::jsonb) AS k(topic text, partition int, next_offset bigint)
  WHERE o.projection = $1 AND o.topic = k.topic AND o.partition = k.partition
  RETURNING o.topic, o.partition, o.next_offset)
SELECT pg_notify($3, concat_ws(' ', current_schema(), $1, topic, partition, next_offset)) FROM stored)sql"};

const pg::Statement kLoadOffset{"apply.load_offset", R"sql(
SELECT next_offset FROM projection_offsets WHERE projection = $1 AND topic = $2 AND partition = $3)sql"};

//! Rows as the JSON array the offset statements take: [{"topic", "partition"[, "next_offset"]}].
std::string offset_rows_json(const std::map<TopicPartition, std::int64_t>& rows, bool with_offsets) {
    boost::json::array out;
    for (const auto& [tp, next] : rows) {
        boost::json::object row{{"topic", tp.first}, {"partition", tp.second}};
        if (with_offsets) row["next_offset"] = next;
        out.push_back(std::move(row));
    }
    return json::serialize(out);
}

//! Locks (creating at 0) the offset rows of the consumed partitions and, for each, of the
//! projection's tracked topics.
BatchOffsets lock_offsets(pqxx::dbtransaction& tx, const std::string& projection,
                          std::span<const LogRecord> records, const std::vector<std::string>& tracked_topics) {
    std::map<TopicPartition, std::int64_t> rows;
    for (const auto& record : records) {
        rows.emplace(TopicPartition{record.topic, record.partition}, 0);
        for (const auto& topic : tracked_topics) rows.emplace(TopicPartition{topic, record.partition}, 0);
    }
    const auto locked = pg::exec(tx, kLockOffsets, projection, offset_rows_json(rows, false));
    if (locked.size() != rows.size())
        throw std::runtime_error(fmt::format("projection {}: locked {} offset rows of {}", projection,
                                             locked.size(), rows.size()));
    for (const auto& row : locked)
        rows.at(TopicPartition{row[0].as<std::string>(), row[1].as<std::int32_t>()}) = row[2].as<std::int64_t>();
    return BatchOffsets(std::move(rows));
}

void store_offsets(pqxx::dbtransaction& tx, const std::string& projection, const BatchOffsets& offsets) {
    const auto changed = offsets.changed();
    if (changed.empty()) return;
    pg::exec(tx, kStoreOffsets, projection, offset_rows_json(changed, true), std::string(kProgressChannel));
}

//! Runs `write` on the records not applied yet, in ONE transaction with their offsets: locks the
//! offset rows of the partitions involved, drops records below the stored offsets, lets `write`
//! handle the rest, advances the offsets, notifies listeners, commits.
template <class Write>
AppliedBatch apply_in_one_transaction(pqxx::connection_base& connection, const std::string& projection,
                                      const std::vector<std::string>& tracked_topics,
                                      std::span<const LogRecord> records, Write&& write) {
    AppliedBatch result;
    pqxx::work tx(connection, "apply_batch");
    auto offsets = lock_offsets(tx, projection, records, tracked_topics);

    std::vector<LogRecord> fresh;
    fresh.reserve(records.size());
    for (const auto& record : records) {
        const TopicPartition tp{record.topic, record.partition};
        auto& next = result.next_offsets.try_emplace(tp, offsets.stored(tp)).first->second;
        if (record.offset < offsets.stored(tp)) {
            ++result.skipped;
            continue;
        }
        next = std::max(next, record.offset + 1);
        fresh.push_back(record);
    }
    for (const auto& [tp, next] : result.next_offsets) offsets.advance(tp, next);

    if (!fresh.empty()) write(tx, std::span<const LogRecord>(fresh), offsets);
    result.applied = fresh.size();

    store_offsets(tx, projection, offsets);
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

AppliedBatch apply_exactly_once(pqxx::connection_base& connection, Projection& projection,
                                std::span<const LogRecord> records) {
    try {
        auto result = apply_in_one_transaction(
            connection, projection.name(), projection.tracked_topics(), records,
            [&](pqxx::dbtransaction& tx, std::span<const LogRecord> fresh, BatchOffsets& offsets) {
                projection.apply(tx, fresh, offsets);
            });
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
            auto result = apply_in_one_transaction(connection, projection.name(), {}, records,
                                                   [&](pqxx::dbtransaction& tx, std::span<const LogRecord> fresh,
                                                       BatchOffsets&) {
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
