// Live frames (domain/live): positions round-trip and refuse everything else; a fact becomes a
// frame holding only the events a live client receives.
#include <gtest/gtest.h>

#include <random>

#include <boost/json.hpp>

#include "domain/live/live_frame.hpp"

namespace aimi::live {
namespace {

namespace bj = boost::json;

TEST(LivePosition, RoundTripsGeneratedPositions) {
    std::mt19937_64 rng(11);
    for (int i = 0; i < 2000; ++i) {
        const LivePosition p{static_cast<std::int32_t>(rng() % 100000),
                             static_cast<std::int64_t>(rng() % (1ull << 62)) - 1,
                             static_cast<std::int64_t>(rng() % (1ull << 62)) - 1};
        const auto text = format_position(p);
        ASSERT_EQ(parse_position(text), p) << text;
    }
    EXPECT_EQ(parse_position("0:-1:-1"), (LivePosition{0, -1, -1}));
}

TEST(LivePosition, RefusesAnythingElse) {
    for (const char* bad :
         {"", ":", "::", "1:2", "1:2:3:4", "a:1:1", "1:b:1", "1:1:c", "-1:0:0", "0:-2:0", "0:0:-2", "01:0:0", "0:00:0",
          " 1:1:1", "1:1:1 ", "+1:1:1", "1:1:99999999999999999999", "99999999999:1:1", "1.0:1:1"})
        EXPECT_FALSE(parse_position(bad)) << bad;
    // Generated strings over the position's own alphabet: whatever parses formats back the same.
    std::mt19937 rng(5);
    const std::string alphabet = "0123456789:-";
    for (int i = 0; i < 5000; ++i) {
        std::string text;
        for (int n = static_cast<int>(rng() % 16); n > 0; --n) text += alphabet[rng() % alphabet.size()];
        if (const auto p = parse_position(text)) EXPECT_EQ(format_position(*p), text);
    }
}

facts::Fact fact_with(std::vector<std::string> types, std::string outcome = "applied") {
    facts::Fact fact;
    fact.user_id = "u";
    fact.outcome = std::move(outcome);
    fact.batch_id = "b";
    fact.resource = facts::ResourceRef{"message", "m1", bj::object{{"content", "hi"}}};
    int i = 0;
    for (auto& type : types)
        fact.events.push_back(facts::AppliedEvent{"e" + std::to_string(i++), type, 1, 1, bj::object{{"content", "hi"}},
                                                  bj::object{{"resource_id", "m1"}}});
    return fact;
}

TEST(FactFrame, KeepsOnlyLiveEvents) {
    const auto frame = fact_frame(fact_with({"message.posted", "goal.created", "reminder.delivered"}), {2, 40, 39});
    ASSERT_TRUE(frame);
    const auto json = bj::parse(*frame).as_object();
    EXPECT_EQ(json.at("type"), "fact");
    EXPECT_EQ(json.at("position"), "2:40:39");
    EXPECT_EQ(json.at("resource").at("state").at("content"), "hi");
    const auto& events = json.at("events").as_array();
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].at("type"), "message.posted");
    EXPECT_EQ(events[1].at("type"), "reminder.delivered");
}

TEST(FactFrame, NoneForRejectedOrUninteresting) {
    EXPECT_FALSE(fact_frame(fact_with({"message.posted"}, "rejected"), {0, 1, 1}));
    EXPECT_FALSE(fact_frame(fact_with({"goal.created", "user.registered"}), {0, 1, 1}));
}

TEST(ReadyFrame, CarriesThePosition) {
    EXPECT_EQ(bj::parse(ready_frame({1, -1, -1})), (bj::object{{"type", "ready"}, {"position", "1:-1:-1"}}));
}

}  // namespace
}  // namespace aimi::live
