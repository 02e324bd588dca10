// Facts (domain/facts, domain/conversation/decided_fact): what the fold decided, encoded
// deterministically, decoded back, and what read models built from facts rely on.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <simdjson.h>

#include "domain/conversation/decided_fact.hpp"
#include "domain/conversation/fold.hpp"
#include "domain/facts/fact.hpp"
#include "domain/search/text_config.hpp"
#include "domain/text.hpp"

namespace {

using namespace aimi;
using namespace aimi::conversation;
namespace ev = aimi::events;

const std::string kAnn = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const std::string kChat = "c0000000-0000-4000-8000-000000000001";

ev::EventBatch batch(int n, std::vector<ev::EventData> data, std::optional<std::int64_t> expected = std::nullopt,
                     std::string key = "") {
    ev::EventBatch b;
    b.batch_id = fmt::format("b0000000-0000-4000-8000-{:012d}", n);
    b.user_id = kAnn;
    b.expected_version = expected;
    b.occurred_at = from_micros(1'704'067'200'000'000 + n * 1'000'000LL);
    b.request_id = fmt::format("req-{}", n);
    b.idempotency_key = key.empty() ? fmt::format("key-{}", n) : key;
    b.request_hash = "h";
    b.causation_id = b.request_id;
    b.producer = "facts_test";
    int e = 0;
    for (auto& d : data)
        b.events.push_back({fmt::format("e0000000-0000-4000-8000-{:06d}{:06d}", n, ++e), std::move(d)});
    return b;
}

ev::MessagePosted message(int n, std::int64_t idle_timeout = 1800) {
    return ev::MessagePosted{fmt::format("a0000000-0000-4000-8000-{:012d}", n),
                             kChat,
                             "user",
                             fmt::format("text {}", n),
                             {{"n", n}},
                             "api",
                             std::nullopt,
                             fmt::format("50000000-0000-4000-8000-{:012d}", n),
                             idle_timeout};
}

class DecidedFacts : public ::testing::Test {
  protected:
    facts::Fact decide(const ev::EventBatch& b) {
        fold(state, b);
        return decided_fact(b, state.outcomes.back(), state, facts::Origin{"intake", 2, offset++});
    }
    EntityStoreState state;
    std::int64_t offset = 0;
};

TEST_F(DecidedFacts, AnAppliedBatchCarriesItsEventsWhatTheFoldAssignedAndTheResource) {
    const auto registered = decide(batch(1, {ev::UserRegistered{std::nullopt, "Ann", "UTC", "de-DE", {}}}, 0));
    EXPECT_EQ(registered.outcome, "applied");
    EXPECT_EQ(registered.stream_version, 1);
    ASSERT_TRUE(registered.resource && registered.resource->state);
    EXPECT_EQ(registered.resource->state->at("locale").as_string(), "de-DE");

    decide(batch(2, {ev::ChatCreated{kChat, "t", "m", {}}}));
    const auto first = decide(batch(3, {message(3)}));
    ASSERT_EQ(first.events.size(), 1u);
    EXPECT_EQ(first.events[0].stream_version, 3);
    EXPECT_EQ(first.events[0].applied.at("seq").as_int64(), 1);
    EXPECT_EQ(first.events[0].applied.at("session_started").as_bool(), true);
    EXPECT_TRUE(first.events[0].applied.at("ended_session").is_null());
    EXPECT_EQ(first.events[0].data.at("content").as_string(), "text 3");
    EXPECT_EQ(first.resource->state->at("seq").as_int64(), 1);

    // Two messages in one batch, the second more than the idle timeout later? Same batch time, so
    // no; a later batch past the timeout ends the session and says which.
    const auto later = decide(batch(5000, {message(4, 60)}));
    EXPECT_EQ(later.events[0].applied.at("seq").as_int64(), 2);
    EXPECT_EQ(later.events[0].applied.at("session_started").as_bool(), true);
    const auto& ended = later.events[0].applied.at("ended_session");
    ASSERT_TRUE(ended.is_object());
    EXPECT_EQ(ended.at("session_id").as_string(), first.events[0].applied.at("session_id").as_string());
    EXPECT_EQ(ended.at("end_reason").as_string(), "idle_timeout");
}

TEST_F(DecidedFacts, RefusedAndRepeatedBatchesSayWhyAndCarryNoEvents) {
    decide(batch(1, {ev::UserRegistered{std::nullopt, "Ann", "UTC", "en", {}}}, 0));
    const auto conflict = decide(batch(2, {ev::UserRegistered{std::nullopt, "Ann", "UTC", "en", {}}}, 0));
    EXPECT_EQ(conflict.outcome, "conflict");
    EXPECT_EQ(conflict.code, "stream_version_conflict");
    EXPECT_TRUE(conflict.events.empty());
    const auto rejected = decide(batch(3, {message(3)}));
    EXPECT_EQ(rejected.outcome, "rejected");
    EXPECT_EQ(rejected.code, "chat_not_found");
    EXPECT_FALSE(rejected.resource.has_value());
    const auto repeat = decide(batch(4, {message(3)}, std::nullopt, "key-3"));
    EXPECT_EQ(repeat.outcome, "duplicate");
    EXPECT_EQ(repeat.duplicate_of, "b0000000-0000-4000-8000-000000000003");
    EXPECT_EQ(repeat.stream_version, 1);
}

TEST_F(DecidedFacts, EncodeIsDeterministicAndDecodeGivesTheSameFact) {
    decide(batch(1, {ev::UserRegistered{"ann@example.com", "Ann", "UTC", "en", {{"x", 1.5}}}}, 0));
    decide(batch(2, {ev::ChatCreated{kChat, "t", "m", {}}}));
    for (const auto& fact : {decide(batch(3, {message(3), message(4)})),
                             conversation::invalid_fact({"intake", 0, 9}, "\xff key", "bad \x01 bytes")}) {
        const auto text = facts::encode(fact);
        EXPECT_EQ(text, facts::encode(fact));
        auto back = facts::decode(text);
        ASSERT_TRUE(back) << back.problem().message << " at " << back.problem().field << "\n" << text;
        EXPECT_EQ(facts::encode(back.value()), text);
        EXPECT_EQ(back->origin, fact.origin);
    }
}

TEST(InvalidFacts, KeepForeignBytesAsValidTextWithinTheSchemasLimits) {
    const auto fact = conversation::invalid_fact({"t", 1, 2}, std::string(5000, '\xfe'), std::string(20000, 'e'));
    EXPECT_EQ(fact.outcome, "invalid");
    EXPECT_EQ(fact.code, "dead_lettered");
    EXPECT_TRUE(is_storable_text(fact.user_id));
    EXPECT_LE(fact.user_id.size(), 1000u);
    EXPECT_EQ(fact.message.size(), 10000u);
    EXPECT_TRUE(facts::decode(facts::encode(fact)));
}

TEST(FactDecode, RefusesWhatIsNotAFact) {
    for (const char* text : {"", "{}", R"({"fact_version":2})", "[1]"}) {
        const auto fact = facts::decode(text);
        ASSERT_FALSE(fact) << text;
        EXPECT_EQ(fact.problem().code, "malformed_fact");
    }
}

TEST(TextConfig, FollowsTheLanguageOfTheLocaleWithSimpleForTheRest) {
    EXPECT_EQ(search::text_config_for_locale("en"), "english");
    EXPECT_EQ(search::text_config_for_locale("de-DE"), "german");
    EXPECT_EQ(search::text_config_for_locale("PT_br"), "portuguese");
    EXPECT_EQ(search::text_config_for_locale("nb-NO"), "norwegian");
    EXPECT_EQ(search::text_config_for_locale("ru"), "russian");
    EXPECT_EQ(search::text_config_for_locale("ko-KR"), "simple");
    EXPECT_EQ(search::text_config_for_locale(""), "simple");
    EXPECT_EQ(search::text_config_for_locale("english"), "simple");
}

TEST(ClipUtf8, CutsOnCharacterBoundaries) {
    EXPECT_EQ(clip_utf8("héllo", 2), "hé");
    EXPECT_EQ(clip_utf8("日本語", 2), "日本");
    EXPECT_EQ(clip_utf8("abc", 10), "abc");
    EXPECT_EQ(clip_utf8("", 0), "");
}

}  // namespace
