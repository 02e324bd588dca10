#include "workers/reminder_dispatcher/dispatch_record.hpp"

#include "domain/events/envelope.hpp"
#include "domain/uuid.hpp"
#include "projections/keys/key_store.hpp"

namespace aimi::dispatch {

std::optional<kafka::EventLogWriter::KeyedValue> encode_record(DispatchRecord record, keys::KeyStore& keys) {
    const auto user_key = keys.key_of(record.user_id);
    if (!user_key) return std::nullopt;
    events::EventBatch batch;
    batch.batch_id = new_uuid();
    batch.user_id = record.user_id;
    batch.occurred_at = now_utc();
    batch.request_id = batch.batch_id;
    batch.idempotency_key = std::move(record.idempotency_key);
    batch.causation_id = std::move(record.causation);
    batch.producer = std::move(record.producer);
    for (auto& e : record.events) batch.events.push_back(events::Event{new_uuid(), std::move(e)});
    return kafka::EventLogWriter::KeyedValue{record.user_id, events::encode(batch, &*user_key), 0};
}

}  // namespace aimi::dispatch
