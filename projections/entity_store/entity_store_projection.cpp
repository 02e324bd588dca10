#include "projections/entity_store/entity_store_projection.hpp"

#include <pqxx/pqxx>

#include "domain/conversation/fold.hpp"
#include "domain/events/envelope.hpp"
#include "projections/dead_letters.hpp"
#include "projections/entity_store/change_writer.hpp"
#include "projections/entity_store/state_loader.hpp"

namespace aimi::entity_store {

void EntityStoreProjection::apply(pqxx::dbtransaction& tx, std::span<const LogRecord> records) {
    std::vector<events::EventBatch> batches;
    std::vector<const LogRecord*> positions;
    batches.reserve(records.size());
    positions.reserve(records.size());
    for (const auto& record : records) {
        auto decoded = events::decode(record.value);
        if (!decoded) {
            record_dead_letter(tx, name_, record, decoded.problem().message + " at " + decoded.problem().field);
            continue;
        }
        if (decoded->user_id != record.key) {
            // The key decides the partition and so the stream's order; a mismatch would fork it.
            record_dead_letter(tx, name_, record, "record key does not match the envelope's user_id");
            continue;
        }
        batches.push_back(std::move(decoded).value());
        positions.push_back(&record);
    }
    if (batches.empty()) return;

    auto state = load_state(tx, conversation::plan_prefetch(batches));
    for (const auto& batch : batches) conversation::fold(state, batch);
    write_changes(tx, state, positions);
}

}  // namespace aimi::entity_store
