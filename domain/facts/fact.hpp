#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "domain/privacy/data_key.hpp"
#include "domain/result.hpp"
#include "domain/time.hpp"

// A fact is what the decider (the entity-store fold) decided about one intake record: published
// once per intake record, keyed by user, on the facts topic partition of the record's own intake
// partition, in the same order. Every read model and reacting worker after the entity store
// consumes facts, never proposals. Wire contract: schemas/facts/fact.v1.json.
namespace aimi::facts {

//! Where the decided record sits in the intake topic: the fact's identity. A fact can be
//! published more than once (a relay crash between the broker's ack and its bookkeeping); the
//! copies are identical and consumers keep the first per origin.
struct Origin {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    bool operator==(const Origin&) const = default;
};

//! One event as applied, with what the fold assigned (seq, session, ...).
struct AppliedEvent {
    std::string event_id;
    std::string type;
    int schema_version = 1;
    std::int64_t stream_version = 0;  //!< the stream's version after this event
    boost::json::object data;         //!< the event's data as proposed (schemas/events/<type>.v<n>.json)
    boost::json::object applied;      //!< resource_type, resource_id and the values the fold assigned
};

//! The resource a command produced or touched; `state` (its public JSON, docs/api.md) only when
//! the batch applied.
struct ResourceRef {
    std::string type;
    std::string id;
    std::optional<boost::json::object> state;
};

struct Fact {
    static constexpr int kVersion = 1;
    Origin origin;
    std::string user_id;  //!< also the Kafka key (for an invalid record: its key, as text or hex)
    //! applied | duplicate | conflict | rejected: the fold's outcome; invalid: the record did not
    //! decode (or the read model refused it) and was dead-lettered.
    std::string outcome;
    std::string code;  //!< rejection or duplicate reason; empty when applied
    std::string message;
    std::optional<std::string> duplicate_of;  //!< the batch whose result a duplicate repeats
    // The batch's identity (empty for an invalid record).
    std::string batch_id;
    std::string request_id;
    std::string idempotency_key;
    std::string causation_id;
    std::string producer;
    std::optional<Timestamp> occurred_at;
    std::int64_t stream_version = 0;  //!< the user's stream version after the batch
    std::optional<ResourceRef> resource;
    std::vector<AppliedEvent> events;  //!< empty unless applied

    bool applied() const { return outcome == "applied"; }
};

//! With `key`, the personal fields of its events (x-personal) and of its resource's state are
//! sealed with the user's key (random nonces: encode once, then copy the bytes — the outbox does).
std::string encode(const Fact& fact, const privacy::DataKey* key = nullptr);

//! Decodes and checks a facts-topic record value (Problem code "malformed_fact"), opening sealed
//! fields with the user's key from `keys` (null when it is gone: the user was erased).
Result<Fact> decode(std::string_view json, const privacy::KeyLookup* keys = nullptr);

//! Just the origin of a facts-topic record value, without checking or decoding the rest (for
//! consumers that look at every fact but decode few); nullopt when it has none.
std::optional<Origin> peek_origin(std::string_view json);

}  // namespace aimi::facts
