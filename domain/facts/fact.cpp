#include "domain/facts/fact.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include "domain/json/convert.hpp"
#include "domain/json/parse.hpp"
#include "domain/json/serialize.hpp"
#include "domain/privacy/sealing.hpp"
#include "domain/schema/schema.hpp"

namespace aimi::facts {

namespace {

namespace bj = boost::json;
using simdjson::dom::element;

bj::value text_or_null(const std::string& text) {
    return text.empty() ? bj::value(nullptr) : bj::value(text);
}

std::string text(const element& object, std::string_view key) {
    const element value = object[key].value();
    return value.is_null() ? std::string() : std::string(value.get_string().value());
}

bj::object object_at(const element& object, std::string_view key) {
    return json::to_boost(object[key].value()).as_object();
}

// The same scopes as the envelope's, so that a fact's event data opens like its intake record's.
std::string event_scope(std::string_view type, int version) {
    return fmt::format("event:{}.v{}", type, version);
}
std::string resource_scope(std::string_view type) {
    return fmt::format("resource:{}", type);
}

Problem malformed(std::string message, std::string field = {}) {
    return Problem::invalid("malformed_fact", std::move(message), std::move(field));
}

}  // namespace

std::string encode(const Fact& fact, const privacy::DataKey* key) {
    bj::array events;
    for (const auto& e : fact.events) {
        auto data = e.data;
        if (key)
            privacy::seal_fields(data, privacy::personal_fields(e.type, e.schema_version), fact.user_id,
                                 event_scope(e.type, e.schema_version), *key);
        events.push_back(bj::object{{"event_id", e.event_id},
                                    {"type", e.type},
                                    {"schema_version", e.schema_version},
                                    {"stream_version", e.stream_version},
                                    {"data", std::move(data)},
                                    {"applied", e.applied}});
    }
    bj::value resource = nullptr;
    if (fact.resource) {
        bj::value state = nullptr;
        if (fact.resource->state) {
            auto sealed = *fact.resource->state;
            if (key)
                privacy::seal_fields(sealed, privacy::personal_resource_fields(fact.resource->type), fact.user_id,
                                     resource_scope(fact.resource->type), *key);
            state = std::move(sealed);
        }
        resource = bj::object{{"type", fact.resource->type}, {"id", fact.resource->id}, {"state", std::move(state)}};
    }
    return json::serialize(bj::object{
        {"fact_version", Fact::kVersion},
        {"origin",
         bj::object{
             {"topic", fact.origin.topic}, {"partition", fact.origin.partition}, {"offset", fact.origin.offset}}},
        {"user_id", fact.user_id},
        {"outcome", fact.outcome},
        {"code", text_or_null(fact.code)},
        {"message", text_or_null(fact.message)},
        {"duplicate_of", fact.duplicate_of ? bj::value(*fact.duplicate_of) : bj::value(nullptr)},
        {"batch_id", text_or_null(fact.batch_id)},
        {"request_id", text_or_null(fact.request_id)},
        {"idempotency_key", text_or_null(fact.idempotency_key)},
        {"causation_id", text_or_null(fact.causation_id)},
        {"producer", text_or_null(fact.producer)},
        {"occurred_at", fact.occurred_at ? bj::value(format_timestamp(*fact.occurred_at)) : bj::value(nullptr)},
        {"stream_version", fact.stream_version},
        {"resource", std::move(resource)},
        {"events", std::move(events)},
    });
}

std::optional<Origin> peek_origin(std::string_view json_text) {
    auto parsed = json::parse(json_text);
    if (!parsed) return std::nullopt;
    const auto origin = parsed.value()["origin"];
    std::string_view topic;
    std::int64_t partition = 0, offset = 0;
    if (origin["topic"].get(topic) || origin["partition"].get(partition) || origin["offset"].get(offset))
        return std::nullopt;
    return Origin{std::string(topic), static_cast<std::int32_t>(partition), offset};
}

Result<Fact> decode(std::string_view json_text, const privacy::KeyLookup* keys) {
    simdjson::dom::parser parser;  // own parser: the schema check must not clobber this document
    auto parsed = json::parse(parser, json_text);
    if (!parsed) return malformed(parsed.problem().message, parsed.problem().field);
    const element doc = parsed.value();
    if (auto p = schema::validate(schema::get("facts/fact.v1.json"), doc))
        return malformed(p->code + ": " + p->message, p->field);

    Fact fact;
    const element origin = doc["origin"].value();
    fact.origin = Origin{text(origin, "topic"), static_cast<std::int32_t>(origin["partition"].get_int64().value()),
                         origin["offset"].get_int64().value()};
    fact.user_id = text(doc, "user_id");
    fact.outcome = text(doc, "outcome");
    fact.code = text(doc, "code");
    fact.message = text(doc, "message");
    if (auto d = text(doc, "duplicate_of"); !d.empty()) fact.duplicate_of = std::move(d);
    fact.batch_id = text(doc, "batch_id");
    fact.request_id = text(doc, "request_id");
    fact.idempotency_key = text(doc, "idempotency_key");
    fact.causation_id = text(doc, "causation_id");
    fact.producer = text(doc, "producer");
    if (auto at = text(doc, "occurred_at"); !at.empty()) fact.occurred_at = parse_timestamp(at);
    fact.stream_version = doc["stream_version"].get_int64().value();
    if (const element r = doc["resource"].value(); !r.is_null()) {
        ResourceRef resource{text(r, "type"), text(r, "id"), std::nullopt};
        if (!r["state"].value().is_null()) resource.state = object_at(r, "state");
        fact.resource = std::move(resource);
    }
    const simdjson::dom::array events = doc["events"].get_array().value();
    for (const element e : events)
        fact.events.push_back(AppliedEvent{
            text(e, "event_id"), text(e, "type"), static_cast<int>(e["schema_version"].get_int64().value()),
            e["stream_version"].get_int64().value(), object_at(e, "data"), object_at(e, "applied")});
    if (!fact.applied() && !fact.events.empty()) return malformed("only an applied fact carries events", "/events");

    // Sealed personal fields: opened with the user's key, null once it is destroyed.
    std::optional<std::optional<privacy::DataKey>> key;
    const auto open = [&](bj::object& object, const std::vector<std::string>& fields,
                          const std::string& scope) -> std::optional<Problem> {
        if (!privacy::has_sealed_fields(object, fields)) return std::nullopt;
        if (!keys) return malformed("sealed personal fields, and this reader has no keys");
        if (!key) key = keys->key_of(fact.user_id);
        if (privacy::open_fields(object, fields, fact.user_id, scope, *key) == privacy::Opened::tampered)
            return malformed("a sealed field does not open with the user's key");
        return std::nullopt;
    };
    for (auto& e : fact.events)
        if (auto p =
                open(e.data, privacy::personal_fields(e.type, e.schema_version), event_scope(e.type, e.schema_version)))
            return *p;
    if (fact.resource && fact.resource->state)
        if (auto p = open(*fact.resource->state, privacy::personal_resource_fields(fact.resource->type),
                          resource_scope(fact.resource->type)))
            return *p;
    return fact;
}

}  // namespace aimi::facts
