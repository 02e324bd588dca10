// The OpenAI-compatible embeddings and summary providers against a fake server on loopback:
// batching and order, normalization, what is sent, the retry policy (5xx, 429 with Retry-After,
// timeouts, garbage; 4xx final), the strict reading of summaries. Needs no Kafka or PostgreSQL.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "tests/support/fake_openai_server.hpp"
#include "workers/providers/http_client.hpp"
#include "workers/providers/openai/openai_embedder.hpp"
#include "workers/providers/openai/openai_text_generator.hpp"
#include "workers/reminder_dispatcher/http_post.hpp"

namespace aimi::testing {
namespace {

namespace bj = boost::json;
using namespace std::chrono_literals;
using memory::ProviderError;
using providers::openai::OpenAiEmbedder;
using providers::openai::OpenAiTextGenerator;
using providers::openai::ProviderSettings;
using Garbage = FakeOpenAiServer::Garbage;
using Clock = std::chrono::steady_clock;

class OpenAiProviders : public ::testing::Test {
  protected:
    ProviderSettings settings(const std::string& model = "fake-embed") const {
        ProviderSettings s;
        s.base_url = server_.base_url();
        s.model = model;
        s.timeout = 2s;
        s.max_attempts = 4;
        s.initial_backoff = 1ms;
        s.max_backoff = 20ms;
        s.batch_size = 32;
        return s;
    }

    static std::vector<std::string> texts(int n) {
        std::vector<std::string> out;
        for (int i = 0; i < n; ++i) out.push_back(fmt::format("text number {} {}", i, std::string(i % 3, 'x')));
        return out;
    }

    static memory::Vector normalized(std::vector<float> v) {
        double sum = 0;
        for (const float x : v) sum += static_cast<double>(x) * x;
        for (float& x : v) x = static_cast<float>(x / std::sqrt(sum));
        return v;
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

    static memory::SummaryRequest session() {
        return {"session_summary",
                "en-US",
                {{"12", "user", "I will run a 10k in May"},
                 {"13", "assistant", "Great. How often do you train?"},
                 {"14", "user", "Twice a week,\nusually mornings"}}};
    }

    FakeOpenAiServer server_;
};

TEST_F(OpenAiProviders, BatchesInputsAndReturnsVectorsInInputOrder) {
    OpenAiEmbedder embedder(settings());
    const auto inputs = texts(70);
    const auto result = embedder.embed(inputs);

    const auto requests = server_.requests();
    ASSERT_EQ(requests.size(), 3u);  // 32 + 32 + 6
    std::vector<std::string> sent;
    for (const auto& r : requests) {
        EXPECT_EQ(r.path, "/v1/embeddings");
        EXPECT_EQ(r.body.at("model"), "fake-embed");
        EXPECT_EQ(r.body.at("encoding_format"), "float");
        EXPECT_FALSE(r.body.as_object().contains("dimensions"));
        EXPECT_LE(r.body.at("input").as_array().size(), 32u);
        for (const auto& input : r.body.at("input").as_array()) sent.emplace_back(input.as_string());
    }
    EXPECT_EQ(sent, inputs);
    ASSERT_EQ(result.vectors.size(), 70u);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const auto expected = normalized(FakeOpenAiServer::raw_vector(inputs[i], 16));
        ASSERT_EQ(result.vectors[i].size(), 16u);
        for (std::size_t d = 0; d < 16; ++d) EXPECT_NEAR(result.vectors[i][d], expected[d], 1e-6) << i;
    }
}

TEST_F(OpenAiProviders, VectorsAreNormalizedAndTheDimensionIsLearnedOnce) {
    OpenAiEmbedder embedder(settings());
    EXPECT_EQ(embedder.dimensions(), 0u);
    EXPECT_EQ(embedder.model().version, "fake-embed/d?");
    for (const auto& v : embedder.embed({"a", "bb", "ccc"}).vectors) {
        double sum = 0;
        for (const float x : v) sum += static_cast<double>(x) * x;
        EXPECT_NEAR(sum, 1.0, 1e-5);
    }
    EXPECT_EQ(embedder.dimensions(), 16u);
    EXPECT_EQ(embedder.model().provider, "openai");
    EXPECT_EQ(embedder.model().name, "fake-embed");
    EXPECT_EQ(embedder.model().version, "fake-embed/d16");

    // The server changes its model: refused at once, not retried.
    server_.set_default_dimensions(24);
    const auto e = error_of([&] { embedder.embed({"d"}); });
    EXPECT_FALSE(e.retryable());
    EXPECT_NE(std::string(e.what()).find("24 dimensions, expected 16"), std::string::npos) << e.what();
    EXPECT_EQ(server_.requests().size(), 2u);
    EXPECT_TRUE(embedder.embed({}).vectors.empty());
    EXPECT_EQ(server_.requests().size(), 2u);  // nothing to send
}

TEST_F(OpenAiProviders, SendsDimensionsAndTheApiKey) {
    auto s = settings();
    s.dimensions = 8;
    s.api_key = "sk-test";
    OpenAiEmbedder embedder(s);
    EXPECT_EQ(embedder.dimensions(), 8u);
    EXPECT_EQ(embedder.model().version, "fake-embed/d8");
    const auto result = embedder.embed({"hello world"});
    ASSERT_EQ(result.vectors.at(0).size(), 8u);
    const auto requests = server_.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].body.at("dimensions"), 8);
    EXPECT_EQ(requests[0].authorization, "Bearer sk-test");

    OpenAiEmbedder anonymous(settings());
    anonymous.embed({"hello"});
    EXPECT_EQ(server_.requests().at(1).authorization, "");
}

TEST_F(OpenAiProviders, UsageIsSummedOverBatches) {
    OpenAiEmbedder embedder(settings());
    const auto inputs = texts(70);
    std::int64_t words = 0;
    for (const auto& t : inputs) words += t.ends_with(' ') ? 3 : 4;  // "text number i [x..]"
    EXPECT_EQ(embedder.embed(inputs).usage.tokens_in, words);
    EXPECT_EQ(embedder.embed(inputs).usage.tokens_out, 0);
}

TEST_F(OpenAiProviders, RetriesAfter500) {
    OpenAiEmbedder embedder(settings());
    server_.fail_next(2, 500);
    EXPECT_EQ(embedder.embed({"a"}).vectors.size(), 1u);
    const auto requests = server_.requests();
    ASSERT_EQ(requests.size(), 3u);
    EXPECT_EQ(requests[0].status, 500);
    EXPECT_EQ(requests[2].status, 200);
}

TEST_F(OpenAiProviders, RetriesAfter429HonouringRetryAfterCappedAtMaxBackoff) {
    auto s = settings();
    s.max_backoff = 300ms;  // caps the server's "Retry-After: 1"; jitter alone would wait <= 1 ms
    OpenAiEmbedder embedder(s);
    server_.fail_next(1, 429, 1);
    const auto start = Clock::now();
    EXPECT_EQ(embedder.embed({"a"}).vectors.size(), 1u);
    const auto elapsed = Clock::now() - start;
    EXPECT_GE(elapsed, 290ms);
    EXPECT_LT(elapsed, 900ms);
    EXPECT_EQ(server_.requests().size(), 2u);
}

TEST_F(OpenAiProviders, GivesUpAfterMaxAttemptsAsRetryable) {
    auto s = settings();
    s.max_attempts = 3;
    OpenAiEmbedder embedder(s);
    server_.fail_next(10, 503);
    const auto e = error_of([&] { embedder.embed({"a"}); });
    EXPECT_TRUE(e.retryable());
    EXPECT_NE(std::string(e.what()).find("HTTP 503"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("gave up after 3 attempts"), std::string::npos) << e.what();
    EXPECT_EQ(server_.requests().size(), 3u);
}

TEST_F(OpenAiProviders, BadRequestIsNotRetriedAndCarriesTheMessage) {
    OpenAiEmbedder embedder(settings());
    server_.fail_next(1, 400);
    const auto e = error_of([&] { embedder.embed({"a"}); });
    EXPECT_FALSE(e.retryable());
    EXPECT_NE(std::string(e.what()).find("HTTP 400: fake failure 400"), std::string::npos) << e.what();
    EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(OpenAiProviders, TimeoutIsRetried) {
    auto s = settings();
    s.timeout = 100ms;
    s.max_attempts = 6;
    OpenAiEmbedder embedder(s);
    // The fake answers one request at a time: attempts made while it sleeps may time out too.
    server_.delay_next(1, 300);
    EXPECT_EQ(embedder.embed({"a"}).vectors.size(), 1u);
    EXPECT_GE(server_.requests().size(), 2u);

    s.max_attempts = 2;
    OpenAiEmbedder impatient(s);
    server_.delay_next(2, 150);
    const auto e = error_of([&] { impatient.embed({"a"}); });
    EXPECT_TRUE(e.retryable());
    EXPECT_NE(std::string(e.what()).find("no answer within 100 ms"), std::string::npos) << e.what();
}

TEST_F(OpenAiProviders, UnreachableServerIsRetryable) {
    auto s = settings();
    s.max_attempts = 2;
    {
        FakeOpenAiServer gone;  // a port nobody listens on any more
        s.base_url = gone.base_url();
    }
    OpenAiEmbedder embedder(s);
    const auto e = error_of([&] { embedder.embed({"a"}); });
    EXPECT_TRUE(e.retryable());
    EXPECT_NE(std::string(e.what()).find("connect"), std::string::npos) << e.what();
}

TEST_F(OpenAiProviders, GarbageAnswersAreProviderErrors) {
    auto s = settings();
    s.max_attempts = 2;
    OpenAiEmbedder embedder(s);

    server_.garbage_next(1, Garbage::not_json);  // once: the retry gets a good answer
    EXPECT_EQ(embedder.embed({"a"}).vectors.size(), 1u);
    EXPECT_EQ(server_.requests().size(), 2u);

    server_.garbage_next(2, Garbage::not_json);
    auto e = error_of([&] { embedder.embed({"a"}); });
    EXPECT_TRUE(e.retryable());
    EXPECT_NE(std::string(e.what()).find("not JSON"), std::string::npos) << e.what();

    server_.garbage_next(2, Garbage::wrong_count);
    e = error_of([&] { embedder.embed({"a", "b", "c"}); });
    EXPECT_TRUE(e.retryable());
    EXPECT_NE(std::string(e.what()).find("2 embeddings for 3 inputs"), std::string::npos) << e.what();

    auto fixed = settings();
    fixed.dimensions = 8;
    OpenAiEmbedder configured(fixed);
    const auto before = server_.requests().size();
    server_.garbage_next(1, Garbage::wrong_dimension);
    e = error_of([&] { configured.embed({"a"}); });
    EXPECT_FALSE(e.retryable());
    EXPECT_NE(std::string(e.what()).find("9 dimensions, expected 8"), std::string::npos) << e.what();
    EXPECT_EQ(server_.requests().size(), before + 1);
}

TEST_F(OpenAiProviders, EmbedderIsThreadSafe) {
    OpenAiEmbedder embedder(settings());
    std::vector<std::thread> threads;
    std::atomic<int> good{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            const std::vector<std::string> inputs{fmt::format("thread {}", t), "shared"};
            const auto result = embedder.embed(inputs);
            if (result.vectors.size() == 2 &&
                result.vectors[1] == normalized(FakeOpenAiServer::raw_vector("shared", 16)))
                ++good;
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(good, 4);
    EXPECT_EQ(embedder.model().version, "fake-embed/d16");
}

TEST_F(OpenAiProviders, SummaryIsParsedFromJsonContent) {
    auto s = settings("fake-chat");
    s.api_key = "sk-chat";
    OpenAiTextGenerator generator(s);
    EXPECT_EQ(generator.model().provider, "openai");
    EXPECT_EQ(generator.model().name, "fake-chat");
    const auto summary = generator.summarize(session());

    EXPECT_EQ(summary.text, "I will run a 10k in May");
    EXPECT_EQ(summary.key_points, (std::vector<std::string>{"I will run a 10k in May", "Great. How often do you train?",
                                                            "Twice a week,\nusually mornings"}));
    ASSERT_EQ(summary.facts.size(), 2u);
    EXPECT_EQ(summary.facts[0].kind, "plan");
    EXPECT_EQ(summary.facts[0].refs, std::vector<std::string>{"12"});
    EXPECT_EQ(summary.facts[1].kind, "fact");
    EXPECT_EQ(summary.facts[1].refs, (std::vector<std::string>{"12", "13", "14"}));

    const auto requests = server_.requests();
    ASSERT_EQ(requests.size(), 1u);
    const auto& body = requests[0].body;
    EXPECT_EQ(requests[0].path, "/v1/chat/completions");
    EXPECT_EQ(requests[0].authorization, "Bearer sk-chat");
    EXPECT_EQ(body.at("model"), "fake-chat");
    EXPECT_EQ(body.at("response_format"), (bj::value{{"type", "json_object"}}));
    const auto& messages = body.at("messages").as_array();
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0].at("role"), "system");
    const std::string system(messages[0].at("content").as_string());
    EXPECT_NE(system.find("one conversation session"), std::string::npos) << system;
    EXPECT_NE(system.find("\"key_points\""), std::string::npos) << system;
    EXPECT_NE(system.find("en-US"), std::string::npos) << system;
    EXPECT_EQ(messages[1].at("content"),
              "[12] user: I will run a 10k in May\n[13] assistant: Great. How often do you train?\n"
              "[14] user: Twice a week,\n  usually mornings\n");

    // Token counts as the server reports them: words of both messages in, of the content out.
    std::int64_t words_in = 0;
    for (const auto& m : messages) {
        std::istringstream in{std::string(m.at("content").as_string())};
        for (std::string w; in >> w;) ++words_in;
    }
    EXPECT_EQ(summary.usage.tokens_in, words_in);
    EXPECT_GT(summary.usage.tokens_out, 0);
}

TEST_F(OpenAiProviders, SummaryDropsForeignRefsAndUnknownKinds) {
    OpenAiTextGenerator generator(settings("fake-chat"));
    server_.set_extra_facts(bj::array{
        bj::object{{"kind", "rumour"}, {"text", "heard something"}, {"refs", bj::array{"12"}}},
        bj::object{{"kind", "preference"}, {"text", "trains in the morning"}, {"refs", bj::array{"999", "14", "14"}}},
    });
    const auto summary = generator.summarize(session());
    ASSERT_EQ(summary.facts.size(), 3u);  // plan, fact, preference
    EXPECT_EQ(summary.facts[2].kind, "preference");
    EXPECT_EQ(summary.facts[2].text, "trains in the morning");
    EXPECT_EQ(summary.facts[2].refs, std::vector<std::string>{"14"});
}

TEST_F(OpenAiProviders, SummaryWithoutTextIsARetryableAttempt) {
    auto s = settings("fake-chat");
    s.max_attempts = 2;
    OpenAiTextGenerator generator(s);

    server_.garbage_next(1, Garbage::no_text);  // the second attempt answers well
    EXPECT_EQ(generator.summarize(session()).text, "I will run a 10k in May");
    EXPECT_EQ(server_.requests().size(), 2u);

    server_.garbage_next(2, Garbage::no_text);
    auto e = error_of([&] { generator.summarize(session()); });
    EXPECT_TRUE(e.retryable());
    EXPECT_NE(std::string(e.what()).find("no text"), std::string::npos) << e.what();
    EXPECT_EQ(server_.requests().size(), 4u);

    server_.garbage_next(2, Garbage::content_not_json);
    e = error_of([&] { generator.summarize(session()); });
    EXPECT_TRUE(e.retryable());
    EXPECT_NE(std::string(e.what()).find("content is not JSON"), std::string::npos) << e.what();

    server_.fail_next(1, 400);
    e = error_of([&] { generator.summarize(session()); });
    EXPECT_FALSE(e.retryable());
    EXPECT_EQ(server_.requests().size(), 7u);

    EXPECT_THROW(generator.summarize({"session_summary", "", {}}), std::invalid_argument);
    EXPECT_THROW(generator.summarize({"monthly", "", {{"1", "user", "hi"}}}), std::invalid_argument);
}

// The dispatcher's post_json runs on the same client: its timeout now bounds a slow receiver
// (Beast's stream timeouts never applied to the synchronous calls it used before).
TEST_F(OpenAiProviders, HttpClientTimeoutCoversASlowServer) {
    server_.delay_next(1, 800);
    const auto target = dispatch::parse_http_url(server_.base_url() + "/v1/embeddings");
    const auto start = Clock::now();
    try {
        dispatch::post_json(target, "{}", {}, 100ms);
        ADD_FAILURE() << "no timeout";
    } catch (const providers::HttpError& e) {
        EXPECT_TRUE(e.timed_out()) << e.what();
    }
    EXPECT_LT(Clock::now() - start, 700ms);
    EXPECT_EQ(dispatch::post_json(target, R"({"model":"m","input":["a"]})", {}, 2s), 200);
}

}  // namespace
}  // namespace aimi::testing
