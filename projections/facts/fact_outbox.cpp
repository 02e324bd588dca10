#include "projections/facts/fact_outbox.hpp"

#include <pqxx/pqxx>

namespace aimi::facts {

void stage(pqxx::dbtransaction& tx, std::span<const Fact> facts, std::span<const std::string> payloads,
           std::span<const std::int64_t> timestamps_ms) {
    if (facts.empty()) return;
    // COPY: the payloads go as they are (a multi-row INSERT through jsonb_to_recordset would make
    // PostgreSQL parse every payload as a JSON string inside JSON first).
    pqxx::stream_to copy(tx, "fact_outbox",
                         std::vector<std::string>{"origin_topic", "origin_partition", "origin_offset", "record_key",
                                                  "payload", "timestamp_ms"});
    for (std::size_t i = 0; i < facts.size(); ++i) {
        const auto& origin = facts[i].origin;
        copy << std::make_tuple(origin.topic, origin.partition, origin.offset, facts[i].user_id, payloads[i],
                                timestamps_ms[i]);
    }
    copy.complete();
}

}  // namespace aimi::facts
