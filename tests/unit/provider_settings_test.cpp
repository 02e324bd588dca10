// Settings of the OpenAI-compatible providers from environment variables, and the http:// URLs
// they name.
#include <gtest/gtest.h>

#include <map>

#include "workers/providers/http_client.hpp"
#include "workers/providers/openai/provider_settings.hpp"

namespace aimi::providers::openai {
namespace {

using namespace std::chrono_literals;

EnvLookup env(std::map<std::string, std::string> values) {
    return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
        const auto found = values.find(name);
        return found == values.end() ? std::nullopt : std::optional<std::string>(found->second);
    };
}

//! The message of the std::invalid_argument `read` throws.
template <class Read>
std::string error_of(Read read) {
    try {
        read();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(ProviderSettings, RequiredOnlyTakesDefaults) {
    const auto s = embedding_settings(
        env({{"AIMI_EMBEDDING_URL", "http://127.0.0.1:8000/"}, {"AIMI_EMBEDDING_MODEL", "text-embedding-3-small"}}));
    EXPECT_EQ(s.base_url, "http://127.0.0.1:8000");  // trailing slash dropped
    EXPECT_EQ(s.model, "text-embedding-3-small");
    EXPECT_FALSE(s.api_key);
    EXPECT_FALSE(s.dimensions);
    EXPECT_EQ(s.timeout, 30000ms);
    EXPECT_EQ(s.max_attempts, 4);
    EXPECT_EQ(s.initial_backoff, 500ms);
    EXPECT_EQ(s.max_backoff, 20000ms);
    EXPECT_EQ(s.batch_size, 64u);
}

TEST(ProviderSettings, ReadsEveryVariable) {
    const auto s = embedding_settings(env({{"AIMI_EMBEDDING_URL", "http://embed.local:9000/openai"},
                                           {"AIMI_EMBEDDING_MODEL", "m"},
                                           {"AIMI_EMBEDDING_API_KEY", "sk-1"},
                                           {"AIMI_EMBEDDING_DIMENSIONS", "256"},
                                           {"AIMI_EMBEDDING_TIMEOUT_MS", "1500"},
                                           {"AIMI_EMBEDDING_MAX_ATTEMPTS", "7"},
                                           {"AIMI_EMBEDDING_BACKOFF_MS", "10"},
                                           {"AIMI_EMBEDDING_BACKOFF_MAX_MS", "100"},
                                           {"AIMI_EMBEDDING_BATCH", "16"}}));
    EXPECT_EQ(s.base_url, "http://embed.local:9000/openai");
    EXPECT_EQ(s.api_key, "sk-1");
    EXPECT_EQ(s.dimensions, 256u);
    EXPECT_EQ(s.timeout, 1500ms);
    EXPECT_EQ(s.max_attempts, 7);
    EXPECT_EQ(s.initial_backoff, 10ms);
    EXPECT_EQ(s.max_backoff, 100ms);
    EXPECT_EQ(s.batch_size, 16u);
}

TEST(ProviderSettings, SummaryHasItsOwnPrefixAndALongerTimeout) {
    const auto s = summary_settings(env({{"AIMI_SUMMARY_URL", "http://127.0.0.1:8001"},
                                         {"AIMI_SUMMARY_MODEL", "gpt-4o-mini"},
                                         {"AIMI_EMBEDDING_MODEL", "not this one"}}));
    EXPECT_EQ(s.model, "gpt-4o-mini");
    EXPECT_EQ(s.timeout, 120000ms);
}

TEST(ProviderSettings, EmptyCountsAsUnset) {
    const auto s = read_provider_settings(
        "P", env({{"P_URL", "http://h"}, {"P_MODEL", "m"}, {"P_API_KEY", ""}, {"P_DIMENSIONS", ""}}));
    EXPECT_FALSE(s.api_key);
    EXPECT_FALSE(s.dimensions);
    EXPECT_EQ(error_of([] {
                  read_provider_settings("P", env({{"P_URL", ""}, {"P_MODEL", "m"}}));
              }),
              "P_URL is required (e.g. http://127.0.0.1:8000)");
}

TEST(ProviderSettings, InvalidValuesNameTheVariable) {
    const auto with = [](const std::string& name, const std::string& value) {
        std::map<std::string, std::string> values{{"P_URL", "http://h:1"}, {"P_MODEL", "m"}};
        values[name] = value;
        return error_of([&] { read_provider_settings("P", env(values)); });
    };
    EXPECT_EQ(error_of([] {
                  read_provider_settings("P", env({{"P_URL", "http://h"}}));
              }),
              "P_MODEL is required (a model name the server knows)");
    EXPECT_EQ(with("P_DIMENSIONS", "abc"), "P_DIMENSIONS must be an integer, got 'abc'");
    EXPECT_EQ(with("P_DIMENSIONS", "0"), "P_DIMENSIONS must be in [1, 65536], got 0");
    EXPECT_EQ(with("P_BATCH", "5000"), "P_BATCH must be in [1, 2048], got 5000");
    EXPECT_EQ(with("P_MAX_ATTEMPTS", "0"), "P_MAX_ATTEMPTS must be in [1, 100], got 0");
    EXPECT_EQ(with("P_TIMEOUT_MS", "10s"), "P_TIMEOUT_MS must be an integer, got '10s'");
    EXPECT_EQ(with("P_TIMEOUT_MS", "0"), "P_TIMEOUT_MS must be in [1, 3600000], got 0");
    EXPECT_EQ(with("P_BACKOFF_MS", "-1"), "P_BACKOFF_MS must be in [0, 3600000], got -1");
    EXPECT_EQ(with("P_BACKOFF_MS", "30000"), "P_BACKOFF_MAX_MS (20000 ms) must not be below P_BACKOFF_MS (30000 ms)");
    EXPECT_EQ(with("P_URL", "https://api.openai.com"),
              "P_URL: https:// is not supported (no TLS here; use a local relay): https://api.openai.com");
    EXPECT_EQ(with("P_URL", "http://h:99999"), "P_URL: malformed URL (bad port): http://h:99999");
    EXPECT_NE(with("P_URL", "http://h:8000/v1").find("without /v1"), std::string::npos);
    EXPECT_EQ(with("P_URL", "http://h:8000/v1x"), "(no error)");
}

TEST(ProviderSettings, HttpUrls) {
    auto u = parse_http_url("http://example.com");
    EXPECT_EQ(u.host, "example.com");
    EXPECT_EQ(u.port, "80");
    EXPECT_EQ(u.path, "/");
    u = parse_http_url("http://127.0.0.1:8080/hook?x=1");
    EXPECT_EQ(u.host, "127.0.0.1");
    EXPECT_EQ(u.port, "8080");
    EXPECT_EQ(u.path, "/hook?x=1");
    u = parse_http_url("http://[::1]:9000/v1");
    EXPECT_EQ(u.host, "::1");
    EXPECT_EQ(u.port, "9000");
    EXPECT_EQ(u.path, "/v1");
    EXPECT_THROW(parse_http_url("ftp://h"), std::invalid_argument);
    EXPECT_THROW(parse_http_url("http://:80/"), std::invalid_argument);
    EXPECT_THROW(parse_http_url("http://h:/"), std::invalid_argument);
    EXPECT_THROW(parse_http_url("http://user:pw@h/"), std::invalid_argument);
    EXPECT_THROW(parse_http_url("http://[::1/"), std::invalid_argument);
}

}  // namespace
}  // namespace aimi::providers::openai
