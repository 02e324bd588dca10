#include "projections/facts/fact_outbox.hpp"

#include <boost/json/array.hpp>
#include <pqxx/pqxx>

#include "domain/json/serialize.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::facts {

namespace {
const pg::Statement kStage{"facts.stage", R"sql(
INSERT INTO fact_outbox (origin_topic, origin_partition, origin_offset, record_key, payload, timestamp_ms)
SELECT origin_topic, origin_partition, origin_offset, record_key, payload, timestamp_ms
FROM jsonb_to_recordset($1::jsonb) AS r(origin_topic text, origin_partition integer, origin_offset bigint,
                                        record_key text, payload text, timestamp_ms bigint)
ON CONFLICT DO NOTHING)sql"};
}  // namespace

void stage(pqxx::dbtransaction& tx, std::span<const Fact> facts, std::span<const std::string> payloads,
           std::span<const std::int64_t> timestamps_ms) {
    if (facts.empty()) return;
    boost::json::array rows;
    rows.reserve(facts.size());
    for (std::size_t i = 0; i < facts.size(); ++i) {
        const auto& fact = facts[i];
        rows.push_back(boost::json::object{{"origin_topic", fact.origin.topic},
                                           {"origin_partition", fact.origin.partition},
                                           {"origin_offset", fact.origin.offset},
                                           {"record_key", fact.user_id},
                                           {"payload", payloads[i]},
                                           {"timestamp_ms", timestamps_ms[i]}});
    }
    pg::exec(tx, kStage, json::serialize(rows));
}

}  // namespace aimi::facts
