// Unit tests for domain/events/envelope: encode/decode round trips and decode's rejections.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <vector>

#include "domain/events/envelope.hpp"

namespace {

namespace bj = boost::json;
using namespace aimi::events;

constexpr const char* kUser = "11111111-1111-4111-8111-111111111111";
constexpr const char* kBatch = "22222222-2222-4222-8222-222222222222";
constexpr const char* kChat = "33333333-3333-4333-8333-333333333333";

std::string uuid(int n) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "00000000-0000-4000-8000-%012d", n);
    return buffer;
}

EventBatch envelope(std::vector<EventData> data) {
    EventBatch b;
    b.batch_id = kBatch;
    b.user_id = kUser;
    b.expected_version = 7;
    b.occurred_at = aimi::from_micros(1'704'067'200'123'456);
    b.request_id = "req-1";
    b.idempotency_key = "idem-1";
    b.request_hash = "sha256:abc";
    b.causation_id = "req-1";
    b.producer = "gateway@host/42";
    int n = 100;
    for (auto& d : data) b.events.push_back(Event{uuid(++n), std::move(d)});
    return b;
}

bj::object settings() {
    return bj::parse(R"({"theme":"dark","n":3,"ratio":0.5,"flags":[true,false,null],"nested":{"k":"v"}})").as_object();
}

// ---- field-by-field equality (the event structs have no operator==) ----------------------

bool same(const UserRegistered& a, const UserRegistered& b) {
    return a.email == b.email && a.display_name == b.display_name && a.time_zone == b.time_zone &&
           a.locale == b.locale && a.settings == b.settings;
}
bool same(const UserProfileUpdated& a, const UserProfileUpdated& b) {
    return a.display_name == b.display_name && a.email == b.email && a.time_zone == b.time_zone &&
           a.locale == b.locale && a.settings_patch == b.settings_patch;
}
bool same(const DeviceRegistered& a, const DeviceRegistered& b) {
    return a.device_id == b.device_id && a.token == b.token && a.platform == b.platform && a.locale == b.locale &&
           a.time_zone == b.time_zone;
}
bool same(const ChatCreated& a, const ChatCreated& b) {
    return a.chat_id == b.chat_id && a.title == b.title && a.model == b.model && a.settings == b.settings;
}
bool same(const ChatArchived& a, const ChatArchived& b) {
    return a.chat_id == b.chat_id;
}
bool same(const MessagePosted& a, const MessagePosted& b) {
    return a.message_id == b.message_id && a.chat_id == b.chat_id && a.role == b.role && a.content == b.content &&
           a.metadata == b.metadata && a.source == b.source && a.client_msg_id == b.client_msg_id &&
           a.new_session_id == b.new_session_id && a.idle_timeout_seconds == b.idle_timeout_seconds;
}
bool same(const SessionEnded& a, const SessionEnded& b) {
    return a.chat_id == b.chat_id && a.session_id == b.session_id && a.reason == b.reason &&
           a.if_last_activity_at == b.if_last_activity_at;
}
bool same(const UserErased& a, const UserErased& b) {
    return a.requested_by == b.requested_by && a.admin_id == b.admin_id;
}

//! The goals graph's events compare by their JSON (their codec is what is under test).
template <class T>
bool same(const T& a, const T& b) {
    return data_json(EventData{a}) == data_json(EventData{b});
}

void expect_same_batch(const EventBatch& expected, const EventBatch& actual) {
    EXPECT_EQ(actual.batch_id, expected.batch_id);
    EXPECT_EQ(actual.user_id, expected.user_id);
    EXPECT_EQ(actual.expected_version, expected.expected_version);
    EXPECT_EQ(actual.occurred_at, expected.occurred_at);
    EXPECT_EQ(actual.request_id, expected.request_id);
    EXPECT_EQ(actual.idempotency_key, expected.idempotency_key);
    EXPECT_EQ(actual.request_hash, expected.request_hash);
    EXPECT_EQ(actual.causation_id, expected.causation_id);
    EXPECT_EQ(actual.producer, expected.producer);
    ASSERT_EQ(actual.events.size(), expected.events.size());
    for (std::size_t i = 0; i < expected.events.size(); ++i) {
        SCOPED_TRACE("event " + std::to_string(i));
        EXPECT_EQ(actual.events[i].event_id, expected.events[i].event_id);
        ASSERT_EQ(actual.events[i].data.index(), expected.events[i].data.index());
        const bool equal = std::visit(
            [&](const auto& e) {
                using T = std::decay_t<decltype(e)>;
                return same(e, std::get<T>(actual.events[i].data));
            },
            expected.events[i].data);
        EXPECT_TRUE(equal) << "event data differs; expected " << encode(expected) << "\n got " << encode(actual);
    }
}

EventBatch round_trip(const EventBatch& batch) {
    auto decoded = decode(encode(batch));
    if (!decoded) {
        ADD_FAILURE() << decoded.problem().code << " at " << decoded.problem().field << ": "
                      << decoded.problem().message << "\n"
                      << encode(batch);
        return {};
    }
    return std::move(decoded).value();
}

// ---- round trips -------------------------------------------------------------------------

struct RoundTripCase {
    const char* name;
    EventData data;
};

std::vector<RoundTripCase> every_event_full() {
    return {
        {"user.registered", UserRegistered{"ann@example.com", "Ann", "Europe/Berlin", "de-DE", settings()}},
        {"user.profile_updated",
         UserProfileUpdated{"Ann B", std::optional<std::string>("ann@b.example"), "America/New_York", "en-US",
                            bj::parse(R"({"theme":null,"nested":{"k":"w"}})").as_object()}},
        {"device.registered", DeviceRegistered{uuid(1), "apns-token", "ios", "fr-FR", "Europe/Paris"}},
        {"chat.created", ChatCreated{kChat, "Title ✓", "aimi-rule-based", settings()}},
        {"chat.archived", ChatArchived{kChat}},
        {"message.posted", MessagePosted{uuid(2), kChat, "assistant", "héllo \"world\"\n😀", settings(), "mobile",
                                         "client-1", uuid(3), 60}},
        {"session.ended", SessionEnded{kChat, uuid(4), "idle_timeout", aimi::from_micros(1'704'067'200'000'001)}},
    };
}

std::vector<RoundTripCase> every_event_minimal() {
    return {
        {"user.registered", UserRegistered{std::nullopt, "Ann", "UTC", "en", {}}},
        {"user.profile_updated (empty)", UserProfileUpdated{}},
        {"user.profile_updated (one field)",
         UserProfileUpdated{std::nullopt, std::nullopt, "UTC", std::nullopt, std::nullopt}},
        {"device.registered", DeviceRegistered{uuid(1), "t", "web", std::nullopt, std::nullopt}},
        {"chat.created", ChatCreated{kChat, "", "m", {}}},
        {"message.posted", MessagePosted{uuid(2), kChat, "user", "x", {}, "api", std::nullopt, uuid(3), 1800}},
        {"session.ended", SessionEnded{kChat, uuid(4), "user", std::nullopt}},
    };
}

TEST(Envelope, EveryEventTypeRoundTripsWithAllOptionalFieldsPresent) {
    for (auto& c : every_event_full()) {
        SCOPED_TRACE(c.name);
        const auto batch = envelope({c.data});
        ASSERT_EQ(type_of(c.data), c.name);
        expect_same_batch(batch, round_trip(batch));
    }
}

TEST(Envelope, EveryEventTypeRoundTripsWithOptionalFieldsAbsent) {
    for (auto& c : every_event_minimal()) {
        SCOPED_TRACE(c.name);
        const auto batch = envelope({c.data});
        expect_same_batch(batch, round_trip(batch));
    }
}

TEST(Envelope, AllEventTypesInOneBatchKeepTheirOrder) {
    std::vector<EventData> all;
    for (auto& c : every_event_full()) all.push_back(c.data);
    for (auto& c : every_event_minimal()) all.push_back(c.data);
    const auto batch = envelope(all);
    const auto decoded = round_trip(batch);
    expect_same_batch(batch, decoded);
}

TEST(Envelope, NullExpectedVersionAndEmptyOptionalStringsRoundTrip) {
    auto batch = envelope({ChatArchived{kChat}});
    batch.expected_version.reset();
    batch.request_hash = "";
    batch.causation_id = "";
    const auto encoded = encode(batch);
    EXPECT_NE(encoded.find(R"("expected_version":null)"), std::string::npos) << encoded;
    expect_same_batch(batch, round_trip(batch));

    batch.expected_version = 0;
    expect_same_batch(batch, round_trip(batch));
}

TEST(Envelope, EmptyEventListRoundTrips) {
    const auto batch = envelope({});
    expect_same_batch(batch, round_trip(batch));
}

TEST(Envelope, ProfileUpdateClearingEmailEncodesNullAndDecodesEngagedButEmpty) {
    UserProfileUpdated clear;
    clear.email = std::optional<std::string>{};  // engaged, empty: clear the email
    const auto batch = envelope({clear});
    const auto encoded = encode(batch);
    EXPECT_NE(encoded.find(R"("email":null)"), std::string::npos) << encoded;

    const auto decoded = round_trip(batch);
    ASSERT_EQ(decoded.events.size(), 1u);
    const auto& e = std::get<UserProfileUpdated>(decoded.events[0].data);
    ASSERT_TRUE(e.email.has_value()) << "email clear lost: decoded as 'unchanged'";
    EXPECT_FALSE(e.email->has_value());
}

TEST(Envelope, ProfileUpdateWithoutEmailOmitsItAndDecodesAsUnchanged) {
    UserProfileUpdated update;
    update.display_name = "New";
    const auto encoded = encode(envelope({update}));
    EXPECT_EQ(encoded.find("\"email\""), std::string::npos) << encoded;
    EXPECT_EQ(encoded.find("\"settings_patch\""), std::string::npos) << encoded;
    const auto decoded = round_trip(envelope({update}));
    const auto& e = std::get<UserProfileUpdated>(decoded.events[0].data);
    EXPECT_FALSE(e.email.has_value());
    EXPECT_FALSE(e.settings_patch.has_value());
    EXPECT_EQ(e.display_name, "New");
}

TEST(Envelope, EncodesDocumentedShape) {
    const auto batch = envelope({ChatArchived{kChat}});
    const auto doc = bj::parse(encode(batch)).as_object();
    EXPECT_EQ(doc.at("envelope_version"), 1);
    EXPECT_EQ(doc.at("batch_id"), kBatch);
    EXPECT_EQ(doc.at("user_id"), kUser);
    EXPECT_EQ(doc.at("expected_version"), 7);
    EXPECT_EQ(doc.at("occurred_at"), "2024-01-01T00:00:00.123456Z");
    const auto& event = doc.at("events").as_array().at(0).as_object();
    EXPECT_EQ(event.at("type"), "chat.archived");
    EXPECT_EQ(event.at("schema_version"), 1);
    EXPECT_EQ(event.at("event_id").as_string(), uuid(101));
    EXPECT_EQ(event.at("data"), (bj::object{{"chat_id", kChat}}));
}

TEST(Envelope, DecodeAcceptsNonUtcOccurredAt) {
    auto doc = bj::parse(encode(envelope({}))).as_object();
    doc["occurred_at"] = "2024-01-01T02:00:00.123456+02:00";
    auto decoded = decode(bj::serialize(doc));
    ASSERT_TRUE(decoded.ok()) << decoded.problem().message;
    EXPECT_EQ(decoded->occurred_at, aimi::from_micros(1'704'067'200'123'456));
}

// ---- rejections --------------------------------------------------------------------------

void expect_malformed(const std::string& json, const std::string& field, const std::string& message_part = "") {
    auto decoded = decode(json);
    ASSERT_FALSE(decoded.ok()) << json;
    EXPECT_EQ(decoded.problem().code, "malformed_event");
    EXPECT_EQ(decoded.problem().kind, aimi::ProblemKind::invalid_input);
    EXPECT_EQ(decoded.problem().field, field) << decoded.problem().message;
    if (!message_part.empty()) {
        EXPECT_NE(decoded.problem().message.find(message_part), std::string::npos) << decoded.problem().message;
    }
}

//! A valid encoded batch as a mutable JSON object.
bj::object valid_doc() {
    return bj::parse(
               encode(envelope({ChatCreated{kChat, "t", "m", {}},
                                MessagePosted{uuid(2), kChat, "user", "x", {}, "api", std::nullopt, uuid(3), 1800}})))
        .as_object();
}

TEST(EnvelopeDecode, RejectsTextThatIsNotJson) {
    // Where the text breaks inside the document, the field says so.
    const std::vector<std::pair<const char*, const char*>> cases = {
        {"", ""}, {"not json", ""}, {"{", ""}, {R"({"batch_id":)", "/batch_id"}, {"\xff\xfe", ""}};
    for (const auto& [text, field] : cases) {
        SCOPED_TRACE(text);
        expect_malformed(text, field);
    }
}

TEST(EnvelopeDecode, RejectsNonObjectDocuments) {
    expect_malformed("[]", "/", "invalid_type");
    expect_malformed("null", "/", "invalid_type");
    expect_malformed("\"batch\"", "/", "invalid_type");
}

TEST(EnvelopeDecode, RejectsEachMissingEnvelopeField) {
    for (const char* key : {"envelope_version", "batch_id", "user_id", "expected_version", "occurred_at", "request_id",
                            "idempotency_key", "request_hash", "causation_id", "producer", "events"}) {
        SCOPED_TRACE(key);
        auto doc = valid_doc();
        doc.erase(key);
        expect_malformed(bj::serialize(doc), std::string("/") + key, "missing_field");
    }
}

TEST(EnvelopeDecode, RejectsEachMissingEventField) {
    for (const char* key : {"event_id", "type", "schema_version", "data"}) {
        SCOPED_TRACE(key);
        auto doc = valid_doc();
        doc["events"].as_array()[1].as_object().erase(key);
        expect_malformed(bj::serialize(doc), std::string("/events/1/") + key, "missing_field");
    }
}

TEST(EnvelopeDecode, RejectsBadEnvelopeValues) {
    struct Case {
        const char* key;
        bj::value value;
        const char* code;
    };
    const std::vector<Case> cases = {
        {"envelope_version", 2, "out_of_range"},
        {"envelope_version", "1", "invalid_type"},
        {"batch_id", "not-a-uuid", "invalid_format"},
        {"user_id", 5, "invalid_type"},
        {"expected_version", -1, "out_of_range"},
        {"expected_version", 1.5, "invalid_type"},
        {"occurred_at", "yesterday", "invalid_format"},
        {"request_id", "", "too_short"},
        {"idempotency_key", bj::string(std::string(201, 'k')), "too_long"},
        {"producer", "", "too_short"},
        {"events", bj::object{}, "invalid_type"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.key) + " = " + bj::serialize(c.value));
        auto doc = valid_doc();
        doc[c.key] = c.value;
        expect_malformed(bj::serialize(doc), std::string("/") + c.key, c.code);
    }
}

TEST(EnvelopeDecode, RejectsUnknownEventTypeOrVersion) {
    {
        auto doc = valid_doc();
        doc["events"].as_array()[1].as_object()["type"] = "chat.exploded";
        expect_malformed(bj::serialize(doc), "/events/1/type", "chat.exploded");
    }
    {
        auto doc = valid_doc();
        doc["events"].as_array()[0].as_object()["schema_version"] = 2;
        expect_malformed(bj::serialize(doc), "/events/0/type", "v2");
    }
    {
        auto doc = valid_doc();  // a path-like type must not reach another schema
        doc["events"].as_array()[0].as_object()["type"] = "../commands/chat.create";
        expect_malformed(bj::serialize(doc), "/events/0/type");
    }
}

TEST(EnvelopeDecode, EnvelopeIsNotAnEventType) {
    auto inner = bj::parse(encode(envelope({}))).as_object();
    auto doc = valid_doc();
    auto& event = doc["events"].as_array()[0].as_object();
    event["type"] = "envelope";
    event["schema_version"] = 1;
    event["data"] = inner;
    try {
        expect_malformed(bj::serialize(doc), "/events/0/type");
    } catch (const std::exception& e) {
        ADD_FAILURE() << "decode threw " << e.what();
    }
}

TEST(EnvelopeDecode, ExpectedVersionBeyondInt64IsRejectedNotThrown) {
    auto doc = valid_doc();
    doc["expected_version"] = std::uint64_t{9223372036854775808ULL};
    try {
        expect_malformed(bj::serialize(doc), "/expected_version");
    } catch (const std::exception& e) {
        ADD_FAILURE() << "decode threw " << e.what();
    }
}

TEST(EnvelopeDecode, RejectsEventDataViolatingItsSchemaWithFieldInsideData) {
    struct Case {
        std::size_t index;  //!< 0 = chat.created, 1 = message.posted
        const char* key;
        bj::value value;
        const char* code;
    };
    const std::vector<Case> cases = {
        {0, "chat_id", "nope", "invalid_format"},
        {0, "model", "", "too_short"},
        {0, "title", bj::string(std::string(201, 't')), "too_long"},
        {1, "role", "robot", "invalid_value"},
        {1, "content", "", "too_short"},
        {1, "content", bj::string(std::string(32001, 'c')), "too_long"},
        {1, "idle_timeout_seconds", 0, "out_of_range"},
        {1, "idle_timeout_seconds", "1800", "invalid_type"},
        {1, "metadata", bj::array{}, "invalid_type"},
        {1, "extra", 1, "unknown_field"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.key) + " = " + bj::serialize(c.value).substr(0, 40));
        auto doc = valid_doc();
        doc["events"].as_array()[c.index].as_object()["data"].as_object()[c.key] = c.value;
        expect_malformed(bj::serialize(doc), "/events/" + std::to_string(c.index) + "/data/" + c.key, c.code);
    }
    {
        SCOPED_TRACE("required data field missing");
        auto doc = valid_doc();
        doc["events"].as_array()[1].as_object()["data"].as_object().erase("new_session_id");
        expect_malformed(bj::serialize(doc), "/events/1/data/new_session_id", "missing_field");
    }
    {
        // Personal fields may be null: that is how an erased user's sealed values read.
        SCOPED_TRACE("a non-personal field that is null");
        auto doc = bj::parse(encode(envelope({UserRegistered{"a@b.co", "Ann", "UTC", "en", {}}}))).as_object();
        doc["events"].as_array()[0].as_object()["data"].as_object()["locale"] = nullptr;
        expect_malformed(bj::serialize(doc), "/events/0/data/locale", "invalid_type");
    }
}

TEST(EnvelopeDecode, RejectsNulCharactersAnywhereSoTheyNeverReachPostgres) {
    // Boost.JSON writes U+0000 as the escape \u0000; PostgreSQL text and jsonb cannot store it.
    const std::string nul("a\0b", 3);
    {
        SCOPED_TRACE("in content");
        auto doc = valid_doc();
        doc["events"].as_array()[1].as_object()["data"].as_object()["content"] = bj::string(nul);
        expect_malformed(bj::serialize(doc), "/events/1/data/content", "U+0000");
    }
    {
        SCOPED_TRACE("as a metadata key");
        auto doc = valid_doc();
        doc["events"].as_array()[1].as_object()["data"].as_object()["metadata"] = bj::object{{nul, 1}};
        expect_malformed(bj::serialize(doc), R"(/events/1/data/metadata/a\u0000b)", "U+0000");
    }
}

TEST(EnvelopeDecode, RejectsUnknownFieldsAtEveryLevel) {
    {
        auto doc = valid_doc();
        doc["extra"] = 1;
        expect_malformed(bj::serialize(doc), "/extra", "unknown_field");
    }
    {
        auto doc = valid_doc();
        doc["events"].as_array()[0].as_object()["extra"] = 1;
        expect_malformed(bj::serialize(doc), "/events/0/extra", "unknown_field");
    }
    {
        auto doc = valid_doc();
        doc["events"].as_array()[0].as_object()["data"].as_object()["extra"] = 1;
        expect_malformed(bj::serialize(doc), "/events/0/data/extra", "unknown_field");
    }
}

TEST(EnvelopeDecode, RejectsMoreThanOneHundredEvents) {
    std::vector<EventData> many(101, EventData{ChatArchived{kChat}});
    expect_malformed(encode(envelope(many)), "/events", "too_many_items");
    many.pop_back();
    EXPECT_TRUE(decode(encode(envelope(many))).ok());
}

}  // namespace
