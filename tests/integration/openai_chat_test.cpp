// The assistant's OpenAI-compatible chat provider against a fake server on loopback: a tool-call
// round trip, the retry policy (429 with Retry-After, 5xx, timeouts, garbage; 4xx final), invalid
// tool arguments, the circuit breaker and the per-user rate limit. Needs no Kafka or PostgreSQL.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <boost/json.hpp>

#include "tests/support/fake_openai_server.hpp"
#include "workers/providers/openai/openai_chat_provider.hpp"

namespace aimi::testing {
namespace {

namespace bj = boost::json;
using namespace std::chrono_literals;
using memory::ProviderError;
using providers::openai::ChatOptions;
using providers::openai::OpenAiChatProvider;
using providers::openai::ProviderSettings;
using Garbage = FakeOpenAiServer::Garbage;
using Clock = std::chrono::steady_clock;

constexpr auto kUser = "7d1c2f0a-0000-4000-8000-0000000000aa";
constexpr auto kOtherUser = "7d1c2f0a-0000-4000-8000-0000000000bb";

class OpenAiChat : public ::testing::Test {
  protected:
    OpenAiChat() { context_.user_id = kUser; }

    ProviderSettings settings() const {
        ProviderSettings s;
        s.base_url = server_.base_url();
        s.model = "fake-chat";
        s.api_key = "sk-test";
        s.timeout = 2s;
        s.max_attempts = 3;
        s.initial_backoff = 1ms;
        s.max_backoff = 20ms;
        return s;
    }

    static ChatOptions options() {
        ChatOptions o;
        o.rate_per_minute = 0;  // tests of the rate limit set it
        return o;
    }

    //! A provider whose breaker and rate limit run on the test's clock.
    std::unique_ptr<OpenAiChatProvider> provider(const ProviderSettings& s, const ChatOptions& o) {
        return std::make_unique<OpenAiChatProvider>(s, o,
                                                    [this] { return start_ + std::chrono::milliseconds(ms_.load()); });
    }

    assistant::TurnRequest turn(std::vector<assistant::Step> steps = {}) const {
        return {context_, "remind me to call mom at 6pm", std::move(steps),
                "Context.\n<<<\nremind me to call mom at 6pm\n>>>\n"};
    }

    static bj::object tool_call(std::string_view id, std::string_view name, std::string_view arguments) {
        return {{"id", id}, {"type", "function"}, {"function", bj::object{{"name", name}, {"arguments", arguments}}}};
    }

    static bj::value text(std::string_view content) { return bj::object{{"role", "assistant"}, {"content", content}}; }

    static bj::value calls(bj::array tool_calls) {
        return bj::object{{"role", "assistant"}, {"content", nullptr}, {"tool_calls", std::move(tool_calls)}};
    }

    //! The exception `call` throws (fails the test when it throws none).
    template <class Call>
    static ProviderError error_of(Call call) {
        try {
            call();
        } catch (const ProviderError& e) {
            return e;
        }
        ADD_FAILURE() << "no ProviderError";
        return ProviderError("none", false);
    }

    FakeOpenAiServer server_;
    assistant::Context context_;
    const Clock::time_point start_ = Clock::now();
    std::atomic<std::int64_t> ms_{0};  // the test's clock, from start_
};

TEST_F(OpenAiChat, ToolCallRoundTrip) {
    server_.queue_chat_messages(
        {calls({tool_call("call_abc", "create_calendar_event",
                          R"({"title":"Call mom","due":"2026-03-05T18:00:00","reminder_offsets_minutes":[0]})")}),
         text("Done: I'll remind you at 18:00.")});
    auto chat = provider(settings(), options());

    const auto first = chat->respond(turn());
    ASSERT_EQ(first.tool_calls.size(), 1u);
    EXPECT_EQ(first.tool_calls[0].id, "call_abc");
    EXPECT_EQ(first.tool_calls[0].name, "create_calendar_event");
    EXPECT_EQ(first.tool_calls[0].arguments.at("due"), "2026-03-05T18:00:00");
    EXPECT_FALSE(first.tool_calls[0].invalid_arguments);
    EXPECT_GT(first.usage.tokens_in, 0);
    EXPECT_GT(first.usage.tokens_out, 0);

    assistant::Step step{first.tool_calls, {{"call_abc", "create_calendar_event", true, bj::object{{"id", "ev-1"}}}}};
    const auto second = chat->respond(turn({step}));
    EXPECT_TRUE(second.tool_calls.empty());
    EXPECT_EQ(second.text, "Done: I'll remind you at 18:00.");

    const auto requests = server_.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].path, "/v1/chat/completions");
    EXPECT_EQ(requests[0].authorization, "Bearer sk-test");
    const auto& body = requests[1].body.as_object();
    EXPECT_EQ(body.at("model"), "fake-chat");
    EXPECT_EQ(body.at("tool_choice"), "auto");
    EXPECT_EQ(body.at("tools").as_array().size(), 8u);
    const auto& messages = body.at("messages").as_array();
    ASSERT_EQ(messages.size(), 4u);
    EXPECT_EQ(messages[0].at("role"), "system");
    EXPECT_EQ(messages[1].at("role"), "user");
    const auto& assistant = messages[2];
    EXPECT_EQ(assistant.at("role"), "assistant");
    ASSERT_EQ(assistant.at("tool_calls").as_array().size(), 1u);
    const auto& echoed = assistant.at("tool_calls").at(0);
    EXPECT_EQ(echoed.at("id"), "call_abc");
    EXPECT_EQ(echoed.at("function").at("name"), "create_calendar_event");
    EXPECT_EQ(bj::parse(echoed.at("function").at("arguments").as_string()), first.tool_calls[0].arguments);
    EXPECT_EQ(messages[3].at("role"), "tool");
    EXPECT_EQ(messages[3].at("tool_call_id"), "call_abc");
    EXPECT_EQ(bj::parse(messages[3].at("content").as_string()), (bj::object{{"ok", true}, {"id", "ev-1"}}));
}

TEST_F(OpenAiChat, RepeatedIdsAcrossStepsAreMadeUnique) {
    server_.queue_chat_messages({calls({tool_call("call_0", "create_task", R"({"title":"a"})")}),
                                 calls({tool_call("call_0", "create_task", R"({"title":"b"})")})});
    auto chat = provider(settings(), options());
    const auto first = chat->respond(turn());
    assistant::Step step{first.tool_calls, {{"call_0", "create_task", true, bj::object{{"id", "t1"}}}}};
    const auto second = chat->respond(turn({step}));
    ASSERT_EQ(second.tool_calls.size(), 1u);
    EXPECT_NE(second.tool_calls[0].id, "call_0");
}

TEST_F(OpenAiChat, TooManyRequestsWithRetryAfterThenSuccess) {
    auto s = settings();
    s.max_backoff = 3s;  // lets the server's Retry-After count
    server_.fail_next(1, 429, 1);
    server_.queue_chat_messages({text("hello")});
    auto chat = provider(s, options());
    const auto started = Clock::now();
    EXPECT_EQ(chat->respond(turn()).text, "hello");
    EXPECT_GE(Clock::now() - started, 900ms);  // waited as told, not the 1 ms backoff
    const auto requests = server_.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].status, 429);
    EXPECT_EQ(requests[1].status, 200);
}

TEST_F(OpenAiChat, ServerErrorsThenSuccess) {
    server_.fail_next(2, 500);
    server_.queue_chat_messages({text("fine")});
    auto chat = provider(settings(), options());
    EXPECT_EQ(chat->respond(turn()).text, "fine");
    EXPECT_EQ(server_.requests().size(), 3u);
}

TEST_F(OpenAiChat, AllAttemptsFailingIsRetryable) {
    server_.fail_next(10, 503);
    auto chat = provider(settings(), options());
    const auto error = error_of([&] { chat->respond(turn()); });
    EXPECT_TRUE(error.retryable());
    EXPECT_NE(std::string(error.what()).find("gave up after 3 attempts"), std::string::npos) << error.what();
    EXPECT_EQ(server_.requests().size(), 3u);
}

TEST_F(OpenAiChat, ClientErrorIsFinalAtOnce) {
    server_.fail_next(1, 400);
    auto chat = provider(settings(), options());
    EXPECT_FALSE(error_of([&] { chat->respond(turn()); }).retryable());
    EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(OpenAiChat, TimeoutIsAProviderError) {
    auto s = settings();
    s.timeout = 200ms;
    s.max_attempts = 1;
    server_.delay_next(1, 600);
    auto chat = provider(s, options());
    const auto started = Clock::now();
    const auto error = error_of([&] { chat->respond(turn()); });
    EXPECT_TRUE(error.retryable());
    EXPECT_LT(Clock::now() - started, 550ms);
}

TEST_F(OpenAiChat, TimeoutThenSuccessOnRetry) {
    auto s = settings();
    s.timeout = 200ms;
    server_.delay_next(1, 300);  // the fake answers one at a time: the retry waits until 300 ms, in its timeout
    server_.queue_chat_messages({text("too late"), text("late but here")});  // the late answer is dropped
    auto chat = provider(s, options());
    EXPECT_EQ(chat->respond(turn()).text, "late but here");
}

TEST_F(OpenAiChat, GarbageIsARetryableProviderError) {
    auto s = settings();
    s.max_attempts = 2;
    server_.garbage_next(5, Garbage::not_json);
    auto chat = provider(s, options());
    const auto error = error_of([&] { chat->respond(turn()); });
    EXPECT_TRUE(error.retryable());
    EXPECT_NE(std::string(error.what()).find("not JSON"), std::string::npos) << error.what();
    EXPECT_EQ(server_.requests().size(), 2u);
}

TEST_F(OpenAiChat, AnEmptyAnswerIsRetried) {
    server_.queue_chat_messages({text(""), text("second try")});
    auto chat = provider(settings(), options());
    EXPECT_EQ(chat->respond(turn()).text, "second try");
    EXPECT_EQ(server_.requests().size(), 2u);
}

TEST_F(OpenAiChat, InvalidToolArgumentsAreMarked) {
    server_.queue_chat_messages(
        {calls({tool_call("c1", "create_task", "{title: Milk"), tool_call("c2", "create_task", "[\"Milk\"]"),
                tool_call("c3", "create_task", R"({"title":"Milk"})")})});
    auto chat = provider(settings(), options());
    const auto answer = chat->respond(turn());
    ASSERT_EQ(answer.tool_calls.size(), 3u);
    EXPECT_TRUE(answer.tool_calls[0].invalid_arguments);
    EXPECT_TRUE(answer.tool_calls[0].arguments.empty());
    EXPECT_TRUE(answer.tool_calls[1].invalid_arguments);
    EXPECT_FALSE(answer.tool_calls[2].invalid_arguments);
    EXPECT_EQ(answer.tool_calls[2].arguments.at("title"), "Milk");
}

TEST_F(OpenAiChat, CircuitOpensFailsFastAndHalfOpensAfterTheCooldown) {
    auto s = settings();
    s.max_attempts = 1;
    auto o = options();
    o.breaker_failures = 3;
    o.breaker_cooldown = 1000ms;
    auto chat = provider(s, o);

    server_.fail_next(3, 500);
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(error_of([&] { chat->respond(turn()); }).retryable());
    ASSERT_EQ(server_.requests().size(), 3u);

    // Open: fails at once, the server never hears of it.
    auto error = error_of([&] { chat->respond(turn()); });
    EXPECT_TRUE(error.retryable());
    EXPECT_NE(std::string(error.what()).find("circuit open"), std::string::npos) << error.what();
    ms_ = 999;
    EXPECT_NE(std::string(error_of([&] { chat->respond(turn()); }).what()).find("circuit open"), std::string::npos);
    EXPECT_EQ(server_.requests().size(), 3u);

    // Half-open: one trial; it fails, so the circuit opens for another cool-down.
    ms_ = 1000;
    server_.fail_next(1, 500);
    EXPECT_EQ(std::string(error_of([&] { chat->respond(turn()); }).what()).find("circuit open"), std::string::npos);
    EXPECT_EQ(server_.requests().size(), 4u);
    EXPECT_NE(std::string(error_of([&] { chat->respond(turn()); }).what()).find("circuit open"), std::string::npos);
    EXPECT_EQ(server_.requests().size(), 4u);

    // The next trial succeeds and closes it.
    ms_ = 2000;
    server_.queue_chat_messages({text("back"), text("still here")});
    EXPECT_EQ(chat->respond(turn()).text, "back");
    EXPECT_EQ(chat->respond(turn()).text, "still here");
    EXPECT_EQ(server_.requests().size(), 6u);
}

TEST_F(OpenAiChat, HalfOpenLetsOneTrialThrough) {
    auto s = settings();
    s.max_attempts = 1;
    auto o = options();
    o.breaker_failures = 1;
    o.breaker_cooldown = 100ms;
    auto chat = provider(s, o);
    server_.fail_next(1, 500);
    EXPECT_TRUE(error_of([&] { chat->respond(turn()); }).retryable());

    ms_ = 100;
    server_.delay_next(1, 300);  // the trial is slow; meanwhile another call must not go out
    server_.queue_chat_messages({text("trial ok")});
    std::string trial;
    std::thread first([&] { trial = chat->respond(turn()).text; });
    while (server_.requests().size() < 2) std::this_thread::sleep_for(5ms);
    EXPECT_NE(std::string(error_of([&] { chat->respond(turn()); }).what()).find("circuit open"), std::string::npos);
    first.join();
    EXPECT_EQ(trial, "trial ok");
    EXPECT_EQ(server_.requests().size(), 2u);
}

TEST_F(OpenAiChat, FinalClientErrorsDoNotOpenTheCircuit) {
    auto s = settings();
    s.max_attempts = 1;
    auto o = options();
    o.breaker_failures = 2;
    auto chat = provider(s, o);
    server_.fail_next(3, 400);  // one user's bad request says nothing about the service
    for (int i = 0; i < 3; ++i) EXPECT_FALSE(error_of([&] { chat->respond(turn()); }).retryable());
    EXPECT_EQ(chat->respond(turn()).text, "ok");
    EXPECT_EQ(server_.requests().size(), 4u);
}

TEST_F(OpenAiChat, PerUserRateLimit) {
    auto o = options();
    o.rate_per_minute = 2;
    auto chat = provider(settings(), o);
    EXPECT_EQ(chat->respond(turn()).text, "ok");
    EXPECT_EQ(chat->respond(turn()).text, "ok");
    const auto error = error_of([&] { chat->respond(turn()); });
    EXPECT_FALSE(error.retryable());
    EXPECT_NE(std::string(error.what()).find("rate limited"), std::string::npos) << error.what();
    EXPECT_EQ(server_.requests().size(), 2u);

    // Another user has a bucket of their own.
    assistant::Context other;
    other.user_id = kOtherUser;
    EXPECT_EQ(chat->respond(assistant::TurnRequest{other, "hi", {}, "hi"}).text, "ok");

    // The bucket refills continuously: 2 a minute is one every 30 s.
    ms_ = 29'000;
    EXPECT_FALSE(error_of([&] { chat->respond(turn()); }).retryable());
    ms_ = 30'000;
    EXPECT_EQ(chat->respond(turn()).text, "ok");
    EXPECT_EQ(server_.requests().size(), 4u);
}

}  // namespace
}  // namespace aimi::testing
