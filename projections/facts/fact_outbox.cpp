#include "projections/facts/fact_outbox.hpp"

#include <boost/json/array.hpp>
#include <pqxx/pqxx>

#include "domain/json/serialize.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::facts {

namespace {
const pg::Statement kStage{"facts.stage", R"sql(
INSERT INTO fact_outbox (origin_topic, origin_partition, origin_offset, record_key, payload)
SELECT origin_topic, origin_partition, origin_offset, record_key, payload
FROM jsonb_to_recordset($1::jsonb) AS r(origin_topic text, origin_partition integer, origin_offset bigint,
                                        record_key text, payload text)
ON CONFLICT DO NOTHING)sql"};
}  // namespace

void stage(pqxx::dbtransaction& tx, std::span<const Fact> facts) {
    if (facts.empty()) return;
    boost::json::array rows;
    rows.reserve(facts.size());
    for (const auto& fact : facts)
        rows.push_back(boost::json::object{{"origin_topic", fact.origin.topic},
                                           {"origin_partition", fact.origin.partition},
                                           {"origin_offset", fact.origin.offset},
                                           {"record_key", fact.user_id},
                                           {"payload", encode(fact)}});
    pg::exec(tx, kStage, json::serialize(rows));
}

}  // namespace aimi::facts
