#include "domain/conversation/decided_fact.hpp"

#include <algorithm>

#include "domain/conversation/resource_json.hpp"
#include "domain/text.hpp"

namespace aimi::conversation {

namespace {

//! The resource's public JSON from the folded state, if the state holds it.
std::optional<boost::json::object> state_of(const EntityStoreState& state, const std::string& type,
                                            const std::string& id) {
    if (type == "user") {
        if (auto it = state.users.find(id); it != state.users.end()) return to_json(it->second);
    } else if (type == "device") {
        if (auto it = state.devices.find(id); it != state.devices.end()) return to_json(it->second);
    } else if (type == "chat") {
        if (auto it = state.chats.find(id); it != state.chats.end()) return to_json(it->second);
    } else if (type == "session") {
        if (auto it = state.sessions.find(id); it != state.sessions.end()) return to_json(it->second);
    } else if (type == "message") {
        const auto it = std::find_if(state.new_messages.rbegin(), state.new_messages.rend(),
                                     [&](const Message& m) { return m.id == id; });
        if (it != state.new_messages.rend()) return to_json(*it);
    }
    return std::nullopt;
}

}  // namespace

facts::Fact decided_fact(const events::EventBatch& batch, const Outcome& outcome, const EntityStoreState& state,
                         facts::Origin origin) {
    facts::Fact fact;
    fact.origin = std::move(origin);
    fact.user_id = batch.user_id;
    fact.outcome = std::string(to_string(outcome.kind));
    fact.code = outcome.code;
    fact.message = outcome.message;
    fact.duplicate_of = outcome.duplicate_of;
    fact.batch_id = batch.batch_id;
    fact.request_id = batch.request_id;
    fact.idempotency_key = batch.idempotency_key;
    fact.causation_id = batch.causation_id;
    fact.producer = batch.producer;
    fact.occurred_at = batch.occurred_at;
    fact.stream_version = outcome.stream_version;
    if (!outcome.resource_type.empty()) {
        fact.resource = facts::ResourceRef{outcome.resource_type, outcome.resource_id, std::nullopt};
        if (outcome.kind == Outcome::Kind::applied)
            fact.resource->state = state_of(state, outcome.resource_type, outcome.resource_id);
    }
    if (outcome.kind != Outcome::Kind::applied) return fact;
    for (std::size_t i = 0; i < batch.events.size() && i < outcome.events.size(); ++i) {
        const auto& event = batch.events[i];
        const auto& result = outcome.events[i];
        boost::json::object applied{{"resource_type", result.resource_type}, {"resource_id", result.resource_id}};
        for (const auto& [key, value] : result.assigned) applied[key] = value;
        fact.events.push_back(facts::AppliedEvent{event.event_id, std::string(events::type_of(event.data)),
                                                  events::version_of(event.data), result.stream_version,
                                                  events::data_json(event.data), std::move(applied)});
        for (const auto& derived : result.derived) {
            auto data = events::data_json(derived.data);
            boost::json::object about{{"resource_type", "goal"},
                                      {"resource_id", data.at("goal_id")},
                                      {"derived_from", event.event_id}};
            fact.events.push_back(facts::AppliedEvent{derived.event_id, std::string(events::type_of(derived.data)),
                                                      events::version_of(derived.data), result.stream_version,
                                                      std::move(data), std::move(about)});
        }
    }
    return fact;
}

facts::Fact invalid_fact(facts::Origin origin, std::string key, std::string error) {
    facts::Fact fact;
    fact.origin = std::move(origin);
    // Bytes from outside (any key, an error quoting a payload) stay valid text within the schema's limits.
    fact.user_id = clip_utf8(storable_text_or_hex(key), 1000);
    fact.outcome = "invalid";
    fact.code = "dead_lettered";
    fact.message = clip_utf8(storable_text_or_hex(error), 10000);
    return fact;
}

}  // namespace aimi::conversation
