#include "domain/facts/fact.hpp"

#include <simdjson.h>

#include "domain/json/convert.hpp"
#include "domain/json/parse.hpp"
#include "domain/json/serialize.hpp"
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

Problem malformed(std::string message, std::string field = {}) {
    return Problem::invalid("malformed_fact", std::move(message), std::move(field));
}

}  // namespace

std::string encode(const Fact& fact) {
    bj::array events;
    for (const auto& e : fact.events)
        events.push_back(bj::object{{"event_id", e.event_id},
                                    {"type", e.type},
                                    {"schema_version", e.schema_version},
                                    {"stream_version", e.stream_version},
                                    {"data", e.data},
                                    {"applied", e.applied}});
    bj::value resource = nullptr;
    if (fact.resource)
        resource = bj::object{{"type", fact.resource->type},
                              {"id", fact.resource->id},
                              {"state", fact.resource->state ? bj::value(*fact.resource->state) : bj::value(nullptr)}};
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

Result<Fact> decode(std::string_view json_text) {
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
    return fact;
}

}  // namespace aimi::facts
