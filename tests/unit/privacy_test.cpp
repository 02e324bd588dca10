// Crypto-shredding (domain/privacy): sealing personal fields, opening them, what an erased user's
// fields read as, and that the codecs seal exactly what the schemas mark.
#include <gtest/gtest.h>

#include <map>

#include <boost/json/parse.hpp>

#include "domain/events/envelope.hpp"
#include "domain/facts/fact.hpp"
#include "domain/privacy/data_key.hpp"
#include "domain/privacy/sealing.hpp"

namespace {

using namespace aimi;
namespace bj = boost::json;

const std::string kAnn = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";

class Keys final : public privacy::KeyLookup {
  public:
    std::map<std::string, privacy::DataKey> keys;
    std::optional<privacy::DataKey> key_of(const std::string& user) const override {
        const auto it = keys.find(user);
        return it == keys.end() ? std::nullopt : std::optional(it->second);
    }
};

events::EventBatch batch(events::EventData data) {
    events::EventBatch b;
    b.batch_id = "b0000000-0000-4000-8000-000000000001";
    b.user_id = kAnn;
    b.occurred_at = now_utc();
    b.request_id = "r";
    b.idempotency_key = "k";
    b.causation_id = "r";
    b.producer = "privacy_test";
    b.events.push_back({"e0000000-0000-4000-8000-000000000001", std::move(data)});
    return b;
}

TEST(Sealing, OpensWithTheRightKeyAndContextOnly) {
    const auto key = privacy::random_key();
    const auto sealed = privacy::seal(key, "ctx", "secret text");
    EXPECT_TRUE(privacy::is_sealed(sealed));
    EXPECT_EQ(sealed.find("secret"), std::string::npos);
    EXPECT_EQ(privacy::open(key, "ctx", sealed), "secret text");
    EXPECT_FALSE(privacy::open(key, "other ctx", sealed));
    EXPECT_FALSE(privacy::open(privacy::random_key(), "ctx", sealed));
    auto tampered = sealed;
    tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(privacy::open(key, "ctx", tampered));
    EXPECT_NE(privacy::seal(key, "ctx", "secret text"), sealed) << "a fresh nonce each time";
}

TEST(Sealing, DataKeysWrapUnderTheMasterKeyOnly) {
    const auto master = privacy::parse_master_key(std::string(64, 'a'));
    const auto key = privacy::random_key();
    const auto wrapped = privacy::wrap(master, kAnn, key);
    EXPECT_EQ(privacy::unwrap(master, kAnn, wrapped), key);
    EXPECT_FALSE(privacy::unwrap(master, "someone else", wrapped));
    EXPECT_FALSE(privacy::unwrap(privacy::parse_master_key(std::string(64, 'b')), kAnn, wrapped));
    EXPECT_THROW(privacy::parse_master_key("abc"), std::invalid_argument);
    EXPECT_THROW(privacy::parse_master_key(std::string(64, 'g')), std::invalid_argument);
}

TEST(Sealing, TheSchemasMarkThePersonalFields) {
    EXPECT_EQ(privacy::personal_fields("message.posted", 1), (std::vector<std::string>{"content", "metadata"}));
    EXPECT_EQ(privacy::personal_fields("user.registered", 1),
              (std::vector<std::string>{"display_name", "email", "settings"}));
    EXPECT_TRUE(privacy::personal_fields("session.ended", 1).empty());
    EXPECT_TRUE(privacy::personal_fields("no.such.event", 1).empty());
}

TEST(SealedEnvelope, CarriesOnlyCiphertextForPersonalFieldsAndDecodesWithTheKey) {
    Keys keys;
    keys.keys[kAnn] = privacy::random_key();
    const events::MessagePosted posted{"a0000000-0000-4000-8000-000000000001",
                                       "c0000000-0000-4000-8000-000000000001",
                                       "user",
                                       "my secret plan",
                                       {{"mood", "secretly happy"}},
                                       "api",
                                       "client-1",
                                       "50000000-0000-4000-8000-000000000001",
                                       1800};
    const auto wire = events::encode(batch(posted), &keys.keys[kAnn]);
    EXPECT_EQ(wire.find("secret"), std::string::npos);
    EXPECT_NE(wire.find("client-1"), std::string::npos) << "ids stay readable";
    const auto data = bj::parse(wire).at("events").at(0).at("data");
    EXPECT_TRUE(privacy::is_sealed(data.at("content").as_string()));
    EXPECT_TRUE(privacy::is_sealed(data.at("metadata").as_string()));

    auto decoded = events::decode(wire, &keys);
    ASSERT_TRUE(decoded) << decoded.problem().message;
    const auto& back = std::get<events::MessagePosted>(decoded->events[0].data);
    EXPECT_EQ(back.content, "my secret plan");
    EXPECT_EQ(back.metadata.at("mood").as_string(), "secretly happy");

    EXPECT_FALSE(events::decode(wire)) << "a reader without keys cannot take sealed records";
    Keys erased;  // the key is gone: the fields read as erased
    auto forgotten = events::decode(wire, &erased);
    ASSERT_TRUE(forgotten) << forgotten.problem().message;
    EXPECT_EQ(std::get<events::MessagePosted>(forgotten->events[0].data).content, "");
    EXPECT_TRUE(std::get<events::MessagePosted>(forgotten->events[0].data).metadata.empty());
    Keys wrong;
    wrong.keys[kAnn] = privacy::random_key();
    EXPECT_FALSE(events::decode(wire, &wrong)) << "a value that does not authenticate is refused";
    EXPECT_TRUE(events::decode(events::encode(batch(posted)))) << "unsealed records (older logs) still decode";
}

TEST(SealedFact, SealsEventDataAndTheResourcesPersonalState) {
    Keys keys;
    keys.keys[kAnn] = privacy::random_key();
    facts::Fact fact;
    fact.origin = {"intake", 0, 7};
    fact.user_id = kAnn;
    fact.outcome = "applied";
    fact.batch_id = "b0000000-0000-4000-8000-000000000001";
    fact.stream_version = 3;
    fact.resource = facts::ResourceRef{"message", "a0000000-0000-4000-8000-000000000001",
                                       bj::object{{"content", "private words"}, {"seq", 4}}};
    fact.events.push_back({"e0000000-0000-4000-8000-000000000001", "message.posted", 1, 3,
                           bj::object{{"content", "private words"}, {"chat_id", "c"}}, bj::object{{"seq", 4}}});
    const auto wire = facts::encode(fact, &keys.keys[kAnn]);
    EXPECT_EQ(wire.find("private"), std::string::npos);
    auto back = facts::decode(wire, &keys);
    ASSERT_TRUE(back) << back.problem().message;
    EXPECT_EQ(back->events[0].data.at("content").as_string(), "private words");
    EXPECT_EQ(back->resource->state->at("content").as_string(), "private words");
    EXPECT_EQ(back->resource->state->at("seq").as_int64(), 4);
    Keys erased;
    auto forgotten = facts::decode(wire, &erased);
    ASSERT_TRUE(forgotten);
    EXPECT_TRUE(forgotten->events[0].data.at("content").is_null());
    EXPECT_TRUE(forgotten->resource->state->at("content").is_null());
}

}  // namespace
