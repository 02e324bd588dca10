#include "domain/events/envelope.hpp"

#include <fmt/format.h>
#include <simdjson.h>
#include <boost/json/value.hpp>

#include "domain/events/goal_event_json.hpp"
#include "domain/json/convert.hpp"
#include "domain/json/parse.hpp"
#include "domain/json/serialize.hpp"
#include "domain/privacy/sealing.hpp"
#include "domain/schema/schema.hpp"

namespace aimi::events {

namespace {

namespace bj = boost::json;
using simdjson::dom::element;

// ---- encoding ------------------------------------------------------------------------------

void put_optional(bj::object& out, std::string_view key, const std::optional<std::string>& value) {
    if (value) out[key] = *value;
}

bj::object data_to_json(const UserRegistered& e) {
    bj::object o{
        {"display_name", e.display_name}, {"time_zone", e.time_zone}, {"locale", e.locale}, {"settings", e.settings}};
    put_optional(o, "email", e.email);
    return o;
}
bj::object data_to_json(const UserProfileUpdated& e) {
    bj::object o;
    put_optional(o, "display_name", e.display_name);
    if (e.email) o["email"] = *e.email ? bj::value(**e.email) : bj::value(nullptr);
    put_optional(o, "time_zone", e.time_zone);
    put_optional(o, "locale", e.locale);
    if (e.settings_patch) o["settings_patch"] = *e.settings_patch;
    return o;
}
bj::object data_to_json(const DeviceRegistered& e) {
    bj::object o{{"device_id", e.device_id}, {"token", e.token}, {"platform", e.platform}};
    put_optional(o, "locale", e.locale);
    put_optional(o, "time_zone", e.time_zone);
    return o;
}
bj::object data_to_json(const ChatCreated& e) {
    return {{"chat_id", e.chat_id}, {"title", e.title}, {"model", e.model}, {"settings", e.settings}};
}
bj::object data_to_json(const ChatArchived& e) {
    return {{"chat_id", e.chat_id}};
}
bj::object data_to_json(const MessagePosted& e) {
    bj::object o{{"message_id", e.message_id},
                 {"chat_id", e.chat_id},
                 {"role", e.role},
                 {"content", e.content},
                 {"metadata", e.metadata},
                 {"source", e.source},
                 {"new_session_id", e.new_session_id},
                 {"idle_timeout_seconds", e.idle_timeout_seconds}};
    put_optional(o, "client_msg_id", e.client_msg_id);
    return o;
}
bj::object data_to_json(const UserErased& e) {
    bj::object o{{"requested_by", e.requested_by}};
    put_optional(o, "admin_id", e.admin_id);
    return o;
}
bj::object data_to_json(const SessionEnded& e) {
    bj::object o{{"chat_id", e.chat_id}, {"session_id", e.session_id}, {"reason", e.reason}};
    if (e.if_last_activity_at) o["if_last_activity_at"] = format_timestamp(*e.if_last_activity_at);
    return o;
}

// ---- decoding (values were schema-checked first, so types are known) ----------------------

std::string str(const element& object, std::string_view key) {
    return std::string(object[key].get_string().value());
}
std::optional<std::string> opt_str(const element& object, std::string_view key) {
    element value;
    if (object.get_object().value().at_key(key).get(value) || value.is_null()) return std::nullopt;
    return std::string(value.get_string().value());
}
bool has(const element& object, std::string_view key) {
    element value;
    return !object.get_object().value().at_key(key).get(value);
}
//! An object field; absent or null (an erased personal field) is empty.
bj::object obj(const element& object, std::string_view key) {
    element value;
    if (object.get_object().value().at_key(key).get(value) || value.is_null()) return {};
    return json::to_boost(value).as_object();
}
//! A personal text field: null (erased) reads as empty text.
std::string personal(const element& object, std::string_view key) {
    return opt_str(object, key).value_or("");
}
Timestamp ts(const element& object, std::string_view key) {
    return parse_timestamp(object[key].get_string().value()).value();
}

EventData data_from_json(std::string_view type, const element& d) {
    if (type == UserRegistered::kType)
        return UserRegistered{opt_str(d, "email"), personal(d, "display_name"), str(d, "time_zone"), str(d, "locale"),
                              obj(d, "settings")};
    if (type == UserProfileUpdated::kType) {
        UserProfileUpdated e{opt_str(d, "display_name"), std::nullopt, opt_str(d, "time_zone"), opt_str(d, "locale"),
                             std::nullopt};
        if (has(d, "email")) e.email = opt_str(d, "email");
        if (has(d, "settings_patch")) e.settings_patch = obj(d, "settings_patch");
        return e;
    }
    if (type == DeviceRegistered::kType)
        return DeviceRegistered{str(d, "device_id"), personal(d, "token"), str(d, "platform"), opt_str(d, "locale"),
                                opt_str(d, "time_zone")};
    if (type == ChatCreated::kType)
        return ChatCreated{str(d, "chat_id"), personal(d, "title"), str(d, "model"), obj(d, "settings")};
    if (type == ChatArchived::kType) return ChatArchived{str(d, "chat_id")};
    if (type == MessagePosted::kType)
        return MessagePosted{
            str(d, "message_id"),        str(d, "chat_id"),        str(d, "role"),
            personal(d, "content"),      obj(d, "metadata"),       str(d, "source"),
            opt_str(d, "client_msg_id"), str(d, "new_session_id"), d["idle_timeout_seconds"].get_int64().value()};
    if (type == SessionEnded::kType) {
        SessionEnded e{str(d, "chat_id"), str(d, "session_id"), str(d, "reason"), std::nullopt};
        if (has(d, "if_last_activity_at")) e.if_last_activity_at = ts(d, "if_last_activity_at");
        return e;
    }
    if (type == UserErased::kType) return UserErased{str(d, "requested_by"), opt_str(d, "admin_id")};
    if (auto goals_event = goal_event_from_json(type, d)) return std::move(*goals_event);
    throw std::logic_error(fmt::format("event type {} has a schema but no decoder", type));
}

//! True if (type, version) names an alternative of EventData: the only events decode accepts.
bool known_event(std::string_view type, std::int64_t version) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return ((std::variant_alternative_t<I, EventData>::kType == type &&
                 std::variant_alternative_t<I, EventData>::kVersion == version) ||
                ...);
    }
    (std::make_index_sequence<std::variant_size_v<EventData>>{});
}

//! Checked on the parsed element: records without sealed fields (all of them before sealing)
//! must not pay for a copy.
bool holds_sealed_field(const element& data, const std::vector<std::string>& personal) {
    const auto object = data.get_object().value_unsafe();
    for (const auto& field : personal) {
        element value;
        if (!object.at_key(field).get(value) && value.is_string() &&
            privacy::is_sealed(value.get_string().value_unsafe()))
            return true;
    }
    return false;
}

std::string event_scope(std::string_view type, int version) {
    return fmt::format("event:{}.v{}", type, version);
}

Problem malformed(std::string message, std::string field = {}) {
    return Problem::invalid("malformed_event", std::move(message), std::move(field));
}

}  // namespace

bj::object data_json(const EventData& data) {
    return std::visit([](const auto& e) { return data_to_json(e); }, data);
}

std::string encode(const EventBatch& batch, const privacy::DataKey* key) {
    bj::array events;
    events.reserve(batch.events.size());
    for (const auto& event : batch.events) {
        auto data = data_json(event.data);
        const auto type = type_of(event.data);
        const auto version = version_of(event.data);
        if (key)
            privacy::seal_fields(data, privacy::personal_fields(type, version), batch.user_id,
                                 event_scope(type, version), *key);
        events.push_back(bj::object{
            {"event_id", event.event_id},
            {"type", type},
            {"schema_version", version},
            {"data", std::move(data)},
        });
    }
    bj::object out{
        {"envelope_version", EventBatch::kEnvelopeVersion},
        {"batch_id", batch.batch_id},
        {"user_id", batch.user_id},
        {"expected_version", batch.expected_version ? bj::value(*batch.expected_version) : bj::value(nullptr)},
        {"occurred_at", format_timestamp(batch.occurred_at)},
        {"request_id", batch.request_id},
        {"idempotency_key", batch.idempotency_key},
        {"request_hash", batch.request_hash},
        {"causation_id", batch.causation_id},
        {"producer", batch.producer},
        {"events", std::move(events)},
    };
    return json::serialize(out);
}

Result<EventBatch> decode(std::string_view json, const privacy::KeyLookup* keys) {
    simdjson::dom::parser parser;  // own parser: schema checks below must not clobber this document
    auto parsed = json::parse(parser, json);
    if (!parsed) return malformed(parsed.problem().message, parsed.problem().field);
    const element doc = parsed.value();
    if (auto p = schema::validate(schema::get("events/envelope.v1.json"), doc))
        return malformed(p->code + ": " + p->message, p->field);

    EventBatch batch;
    batch.batch_id = str(doc, "batch_id");
    batch.user_id = str(doc, "user_id");
    if (!doc["expected_version"].is_null()) batch.expected_version = doc["expected_version"].get_int64().value();
    batch.occurred_at = ts(doc, "occurred_at");
    batch.request_id = str(doc, "request_id");
    batch.idempotency_key = str(doc, "idempotency_key");
    batch.request_hash = str(doc, "request_hash");
    batch.causation_id = str(doc, "causation_id");
    batch.producer = str(doc, "producer");

    std::size_t index = 0;
    std::optional<std::optional<privacy::DataKey>> key;  // looked up once, when a sealed field needs it
    simdjson::dom::parser opened_parser;                 // holds one event's opened data at a time
    const simdjson::dom::array events = doc["events"].get_array().value();
    for (element event : events) {
        const std::string field = fmt::format("/events/{}", index++);
        const std::string type = str(event, "type");
        const auto version = event["schema_version"].get_int64().value();
        if (!known_event(type, version))
            return malformed(fmt::format("unknown event type {} v{}", type, version), field + "/type");
        const schema::Node* schema = &schema::get(fmt::format("events/{}.v{}.json", type, version));
        element data = event["data"].value();
        const auto& personal = privacy::personal_fields(type, static_cast<int>(version));
        if (!personal.empty() && data.is_object() && holds_sealed_field(data, personal)) {
            auto plain = json::to_boost(data).as_object();
            {
                if (!keys) return malformed("sealed personal fields, and this reader has no keys", field + "/data");
                if (!key) key = keys->key_of(batch.user_id);
                const auto opened = privacy::open_fields(plain, personal, batch.user_id,
                                                         event_scope(type, static_cast<int>(version)), *key);
                if (opened == privacy::Opened::tampered)
                    return malformed("a sealed field does not open with the user's key", field + "/data");
                auto reparsed = json::parse(opened_parser, json::serialize(plain));
                if (!reparsed) return malformed(reparsed.problem().message, field + "/data");
                data = reparsed.value();
            }
        }
        if (auto p = schema::validate(*schema, data))
            return malformed(p->code + ": " + p->message, field + "/data" + p->field);
        batch.events.push_back(Event{str(event, "event_id"), data_from_json(type, data)});
    }
    return batch;
}

}  // namespace aimi::events
