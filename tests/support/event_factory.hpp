#pragma once

#include <string>

#include "domain/events/envelope.hpp"
#include "domain/uuid.hpp"

namespace aimi::testing {

//! Builds event batches the way the gateway does, for tests that write to the log directly.
inline events::EventBatch make_batch(const std::string& user_id, events::EventData data,
                                     std::optional<std::int64_t> expected_version = std::nullopt) {
    events::EventBatch batch;
    batch.batch_id = new_uuid();
    batch.user_id = user_id;
    batch.expected_version = expected_version;
    batch.occurred_at = now_utc();
    batch.request_id = batch.batch_id;
    batch.idempotency_key = "test:" + batch.batch_id;
    batch.request_hash = "";
    batch.causation_id = "test";
    batch.producer = "integration-test";
    batch.events.push_back(events::Event{new_uuid(), std::move(data)});
    return batch;
}

inline events::EventBatch register_user(const std::string& user_id) {
    return make_batch(user_id, events::UserRegistered{std::nullopt, "Load", "UTC", "en", {}}, 0);
}

inline events::EventBatch create_chat(const std::string& user_id, const std::string& chat_id) {
    return make_batch(user_id, events::ChatCreated{chat_id, "load", "aimi-rule-based", {}});
}

inline events::EventBatch post_message(const std::string& user_id, const std::string& chat_id,
                                       const std::string& content) {
    return make_batch(user_id, events::MessagePosted{
                                   new_uuid(), chat_id, "user", content, {}, "test", std::nullopt, new_uuid(), 1800});
}

}  // namespace aimi::testing
