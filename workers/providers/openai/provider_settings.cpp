#include "workers/providers/openai/provider_settings.hpp"

#include <charconv>
#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>

#include "workers/providers/http_client.hpp"

namespace aimi::providers::openai {

namespace {

class Reader {
  public:
    Reader(std::string_view prefix, const EnvLookup& lookup) : prefix_(prefix), lookup_(lookup) {}

    std::string name(std::string_view suffix) const { return fmt::format("{}_{}", prefix_, suffix); }

    std::optional<std::string> text(std::string_view suffix) const {
        auto value = lookup_(name(suffix));
        if (value && value->empty()) return std::nullopt;
        return value;
    }

    std::string required(std::string_view suffix, std::string_view hint) const {
        auto value = text(suffix);
        if (!value) throw std::invalid_argument(fmt::format("{} is required ({})", name(suffix), hint));
        return *value;
    }

    //! An integer in [min, max], or nullopt when unset.
    std::optional<std::int64_t> integer(std::string_view suffix, std::int64_t min, std::int64_t max) const {
        const auto value = text(suffix);
        if (!value) return std::nullopt;
        std::int64_t n = 0;
        const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
        if (ec != std::errc{} || end != value->data() + value->size())
            throw std::invalid_argument(fmt::format("{} must be an integer, got '{}'", name(suffix), *value));
        if (n < min || n > max)
            throw std::invalid_argument(fmt::format("{} must be in [{}, {}], got {}", name(suffix), min, max, n));
        return n;
    }

    std::chrono::milliseconds millis(std::string_view suffix, std::int64_t min,
                                     std::chrono::milliseconds fallback) const {
        return std::chrono::milliseconds(integer(suffix, min, 3'600'000).value_or(fallback.count()));
    }

  private:
    std::string_view prefix_;
    const EnvLookup& lookup_;
};

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
    const char* value = std::getenv(name.c_str());
    return value ? std::optional<std::string>(value) : std::nullopt;
}

ProviderSettings read_provider_settings(std::string_view prefix, const EnvLookup& lookup, ProviderSettings defaults) {
    const Reader env(prefix, lookup);
    ProviderSettings s = std::move(defaults);
    s.base_url = env.required("URL", "e.g. http://127.0.0.1:8000");
    while (s.base_url.ends_with('/')) s.base_url.pop_back();
    try {
        parse_http_url(s.base_url);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(fmt::format("{}: {}", env.name("URL"), e.what()));
    }
    // OpenAI's own SDKs take a base URL ending in /v1; this one adds it, and a doubled /v1 would
    // only show up as 404s.
    if (s.base_url.ends_with("/v1"))
        throw std::invalid_argument(
            fmt::format("{} is the server's base URL without /v1 (requests go to {{URL}}/v1/...), got '{}'",
                        env.name("URL"), s.base_url));
    s.model = env.required("MODEL", "a model name the server knows");
    s.api_key = env.text("API_KEY");
    if (const auto d = env.integer("DIMENSIONS", 1, 65536)) s.dimensions = static_cast<std::size_t>(*d);
    s.timeout = env.millis("TIMEOUT_MS", 1, s.timeout);
    s.max_attempts = static_cast<int>(env.integer("MAX_ATTEMPTS", 1, 100).value_or(s.max_attempts));
    s.initial_backoff = env.millis("BACKOFF_MS", 0, s.initial_backoff);
    s.max_backoff = env.millis("BACKOFF_MAX_MS", 0, s.max_backoff);
    if (s.max_backoff < s.initial_backoff)
        throw std::invalid_argument(fmt::format("{} ({} ms) must not be below {} ({} ms)", env.name("BACKOFF_MAX_MS"),
                                                s.max_backoff.count(), env.name("BACKOFF_MS"),
                                                s.initial_backoff.count()));
    // 2048 inputs is OpenAI's limit per request.
    s.batch_size = static_cast<std::size_t>(env.integer("BATCH", 1, 2048).value_or(s.batch_size));
    return s;
}

ProviderSettings embedding_settings(const EnvLookup& lookup) {
    return read_provider_settings("AIMI_EMBEDDING", lookup);
}

ProviderSettings summary_settings(const EnvLookup& lookup) {
    ProviderSettings defaults;
    defaults.timeout = std::chrono::milliseconds(120000);
    return read_provider_settings("AIMI_SUMMARY", lookup, defaults);
}

}  // namespace aimi::providers::openai
