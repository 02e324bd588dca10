#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/events/events.hpp"
#include "projections/kafka/event_log_writer.hpp"

namespace aimi::keys {
class KeyStore;
}

namespace aimi::dispatch {

//! What the dispatcher appends for one delivery: a batch of `events` for `user_id` under
//! `idempotency_key` (the fold drops a second record with it), sealed with the user's key.
struct DispatchRecord {
    std::string user_id;
    std::string idempotency_key;
    std::string causation;  //!< e.g. reminder-due, notification-due
    std::string producer;
    std::vector<events::EventData> events;
};

//! The record's key and value, or nullopt when the user is erased (their key is gone).
std::optional<kafka::EventLogWriter::KeyedValue> encode_record(DispatchRecord record, keys::KeyStore& keys);

}  // namespace aimi::dispatch
