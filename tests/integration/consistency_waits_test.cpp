// Waiting on a Consistency-Token costs no handler thread, is capped per user, and a token that
// names a position the topic cannot have is refused at once.
#include <gtest/gtest.h>

#include <future>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "tests/support/test_stack.hpp"

namespace aimi::testing {
namespace {

//! How many requests the gateway holds parked, from /ready.
std::int64_t parked_waits(const HttpClient& http) {
    auto r = http.request("GET", "/ready");
    return r.json().at("checks").at("parked_waits").at("count").as_int64();
}

//! Registers `user` without waiting for the projection; returns the command's consistency token.
std::string register_async(const HttpClient& http, const std::string& token) {
    auto r = http.post("/v1/users", token, R"({"display_name":"Wait"})", {{"Prefer", "respond-async"}});
    EXPECT_EQ(r.status, 202) << r.body;
    return r.headers["consistency-token"];
}

TEST(ConsistencyWaits, ATokenNamingAPositionTheTopicCannotHaveIsRefusedAtOnce) {
    TestEnv env(3);
    auto projector = env.start_projector();
    auto gateway = env.start_gateway();
    const auto user = random_id();
    const auto token = env.token(user);
    const auto http = gateway.client();
    ASSERT_EQ(http.post("/v1/users", token, R"({"display_name":"Ann"})").status, 201);
    const auto end = env.records_in_topic();  // every partition ends at or before this

    for (const std::string& bad :
         std::vector<std::string>{"v1.99.0", "v1.3.0", "v1.0.9223372036854775807", "v1.0.9223372036854775808",
                                  "v1.0.99999999999999999999", fmt::format("v1.0.{}", end + 5), "v1.-1.0", "v1.0.-1",
                                  "v1.0.1e3", "v1.0.+1", "v2.0.0", "v1.0", "v1..0", ""}) {
        SCOPED_TRACE(bad);
        auto r = http.get("/v1/users/" + user, token, {{"Consistency-Token", bad}});
        EXPECT_EQ(r.status, 400) << r.body;
        EXPECT_EQ(r.error_code(), "invalid_consistency_token");
        EXPECT_EQ(r.error_field(), "Consistency-Token");
        auto q = http.get("/v1/chats?consistency_token=" + bad, token);
        EXPECT_EQ(q.status, 400) << q.body;
    }
    // A real token of an applied command is fine, as header or parameter.
    auto chat = http.post("/v1/chats", token, "{}");
    ASSERT_EQ(chat.status, 201);
    const auto good = chat.headers["consistency-token"];
    EXPECT_EQ(http.get("/v1/chats", token, {{"Consistency-Token", good}}).status, 200);
    EXPECT_EQ(http.get("/v1/chats?consistency_token=" + good, token).status, 200);
}

TEST(ConsistencyWaits, ParkedWaitsHoldNoHandlerThreadAreCappedPerUserAndAllAnswerOnceApplied) {
    TestEnv env(3);
    // Two handler threads, four parked waits per user, and no projector yet: nothing gets applied.
    auto gateway = env.start_gateway(
        {{"AIMI_HTTP_WORKERS", "2"}, {"AIMI_MAX_WAITS_PER_USER", "4"}, {"AIMI_COMMAND_WAIT_TIMEOUT_MS", "60000"}});
    const auto http = gateway.client();

    struct Waiter {
        std::string user, token, consistency;
    };
    std::vector<Waiter> users;
    for (int i = 0; i < 3; ++i) {
        Waiter w{random_id()};
        w.token = env.token(w.user);
        w.consistency = register_async(http, w.token);
        ASSERT_FALSE(w.consistency.empty());
        users.push_back(std::move(w));
    }

    // Twelve queries park, six times the handler threads.
    std::vector<std::future<HttpResult>> parked;
    for (const auto& w : users)
        for (int i = 0; i < 4; ++i)
            parked.push_back(std::async(std::launch::async, [&http, w] {
                return http.get("/v1/users/" + w.user, w.token, {{"Consistency-Token", w.consistency}});
            }));

    ASSERT_TRUE(eventually([&] { return parked_waits(http) == 12; }));
    // A fifth wait of the first user is refused.
    const auto& first = users.front();
    auto refused = http.get("/v1/users/" + first.user, first.token, {{"Consistency-Token", first.consistency}});
    EXPECT_EQ(refused.status, 429) << refused.body;
    EXPECT_EQ(refused.error_code(), "too_many_waits");
    EXPECT_EQ(refused.headers["retry-after"], "1");

    // Another user is served while all twelve are parked on two threads.
    const auto other = random_id();
    auto served = http.get("/v1/chats", env.token(other));
    EXPECT_EQ(served.status, 200) << served.body;
    for (auto& f : parked)
        EXPECT_EQ(f.wait_for(std::chrono::seconds(0)), std::future_status::timeout) << "a wait ended before its write";

    // The projection applies the registrations: every parked query answers with its user.
    auto projector = env.start_projector();
    for (std::size_t i = 0; i < parked.size(); ++i) {
        auto r = parked[i].get();
        EXPECT_EQ(r.status, 200) << r.body;
        EXPECT_EQ(r.json().at("id").as_string(), users[i / 4].user);
    }
    // And the user's slots are free again.
    EXPECT_EQ(http.get("/v1/users/" + first.user, first.token, {{"Consistency-Token", first.consistency}}).status, 200);
}

TEST(ConsistencyWaits, CommandsBeyondTheCapAnswerAcceptedInsteadOfParking) {
    TestEnv env(3);
    auto gateway = env.start_gateway({{"AIMI_MAX_WAITS_PER_USER", "2"}, {"AIMI_COMMAND_WAIT_TIMEOUT_MS", "60000"}});
    const auto http = gateway.client();
    const auto user = random_id();
    const auto token = env.token(user);
    {
        auto projector = env.start_projector();
        ASSERT_EQ(http.post("/v1/users", token, R"({"display_name":"Ann"})").status, 201);
    }

    // The projector is gone: synchronous commands park until one runs again; the third finds the
    // cap full and answers 202 with its token (the record is appended either way).
    std::vector<std::future<HttpResult>> parked;
    for (int i = 0; i < 2; ++i)
        parked.push_back(std::async(std::launch::async, [&] { return http.post("/v1/chats", token, "{}"); }));
    ASSERT_TRUE(eventually([&] { return parked_waits(http) == 2; }));
    auto third = http.post("/v1/chats", token, "{}");
    EXPECT_EQ(third.status, 202) << third.body;
    EXPECT_FALSE(third.headers["consistency-token"].empty());

    auto projector = env.start_projector();
    for (auto& f : parked) EXPECT_EQ(f.get().status, 201);
    auto chats = http.get("/v1/chats", token, {{"Consistency-Token", third.headers["consistency-token"]}});
    ASSERT_EQ(chats.status, 200) << chats.body;
    EXPECT_GE(chats.json().at("items").as_array().size(), 3u);
}

}  // namespace
}  // namespace aimi::testing
