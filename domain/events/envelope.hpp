#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "domain/events/events.hpp"
#include "domain/privacy/data_key.hpp"
#include "domain/result.hpp"
#include "domain/time.hpp"

namespace aimi::events {

//! One Kafka record: the events one command produced, applied all or nothing. Keyed by user_id.
struct EventBatch {
    static constexpr int kEnvelopeVersion = 1;
    std::string batch_id;                          //!< UUID; also the consistency handle of the command
    std::string user_id;                           //!< the stream; the Kafka key
    std::optional<std::int64_t> expected_version;  //!< optimistic check; nullopt = order-assigned append
    Timestamp occurred_at{};
    std::string request_id;
    std::string idempotency_key;  //!< per user; the fold applies a key at most once
    std::string request_hash;     //!< hash of the request that produced the batch (key reuse detection)
    std::string causation_id;     //!< what caused it: the request id, or a worker's trigger
    std::string producer;         //!< "gateway@host/pid", "session-closer@host/pid", ...
    std::vector<Event> events;
};

//! With `key`, the personal fields of every event (x-personal in its schema) are sealed with it
//! (crypto-shredding); without, everything is written in the clear.
std::string encode(const EventBatch& batch, const privacy::DataKey* key = nullptr);

//! An event's data as its schema spells it (schemas/events/<type>.v<version>.json).
boost::json::object data_json(const EventData& data);

//! Decodes and checks a record value; a Problem (code "malformed_event") for anything that does
//! not follow the envelope or an event schema (the projector dead-letters such records). Sealed
//! personal fields are opened with the user's key from `keys`; when it is gone (erased) they read
//! as null: empty text, empty objects. A sealed record without `keys` is malformed for this reader.
Result<EventBatch> decode(std::string_view json, const privacy::KeyLookup* keys = nullptr);

}  // namespace aimi::events
