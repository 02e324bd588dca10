#include "workers/providers/openai/openai_client.hpp"

#include <algorithm>
#include <charconv>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include "domain/memory/providers.hpp"

namespace aimi::providers::openai {

using memory::ProviderError;

namespace {

bool is_retryable_status(int status) {
    return status == 429 || status >= 500;
}

//! A non-negative number of milliseconds from `text` times `scale`, at most a day (a cap keeps
//! the cast defined; max_backoff caps it further).
std::optional<std::chrono::milliseconds> millis(std::string_view text, double scale) {
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || !(value >= 0)) return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::min(value * scale, 86'400'000.0)));
}

//! The server's reason from an error body ({"error": {"message": ...}} as OpenAI writes it), or
//! the start of the body when it has none.
std::string error_message(std::string_view body) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (!parser.parse(body.data(), body.size()).get(doc)) {
        std::string_view message;
        if (!doc["error"]["message"].get(message) || !doc["error"].get(message) || !doc["message"].get(message))
            return std::string(message);
    }
    constexpr std::size_t kMax = 300;
    return body.size() <= kMax ? std::string(body) : std::string(body.substr(0, kMax)) + "...";
}

//! How long a 429/5xx asks to wait: retry-after-ms, else Retry-After in seconds (an HTTP date is
//! ignored), or nullopt.
std::optional<std::chrono::milliseconds> retry_after(const HttpResponse& response) {
    if (const auto* ms = response.header("retry-after-ms"))
        if (const auto value = millis(*ms, 1)) return value;
    if (const auto* seconds = response.header("retry-after")) return millis(*seconds, 1000);
    return std::nullopt;
}

}  // namespace

OpenAiClient::OpenAiClient(const ProviderSettings& settings, std::string_view endpoint)
    : settings_(settings), url_(parse_http_url(settings.base_url)) {
    if (url_.path == "/") url_.path.clear();
    url_.path += endpoint;
    request_.method = "POST";
    request_.headers["Content-Type"] = "application/json";
    if (settings_.api_key) request_.headers["Authorization"] = "Bearer " + *settings_.api_key;
    what_ = fmt::format("POST http://{}:{}{}", url_.host, url_.port, url_.path);
}

std::chrono::milliseconds OpenAiClient::backoff(int failed_attempts,
                                                std::optional<std::chrono::milliseconds> hint) const {
    if (hint) return std::min(*hint, settings_.max_backoff);
    // Full jitter: uniform in [0, min(max, initial * 2^(n-1))], so that clients that failed
    // together do not come back together.
    const auto doubled = settings_.initial_backoff.count() << std::min(failed_attempts - 1, 20);
    const auto ceiling = std::min<std::int64_t>(doubled, settings_.max_backoff.count());
    thread_local std::minstd_rand random{std::random_device{}()};
    return std::chrono::milliseconds(std::uniform_int_distribution<std::int64_t>(0, ceiling)(random));
}

void OpenAiClient::post(const std::string& body, const std::function<void(std::string_view body)>& accept) const {
    HttpRequest request = request_;
    request.body = body;
    for (int attempt = 1;; ++attempt) {
        std::optional<ProviderError> failure;
        std::optional<std::chrono::milliseconds> hint;
        try {
            const auto response = send_http(url_, request, settings_.timeout);
            if (response.status >= 200 && response.status < 300) {
                accept(response.body);
                return;
            }
            failure.emplace(fmt::format("{}: HTTP {}: {}", what_, response.status, error_message(response.body)),
                            is_retryable_status(response.status));
            if (failure->retryable()) hint = retry_after(response);
        } catch (const HttpError& e) {
            failure.emplace(e.what(), true);
        } catch (const ProviderError& e) {
            failure.emplace(fmt::format("{}: {}", what_, e.what()), e.retryable());
        }
        if (!failure->retryable()) throw *failure;
        if (attempt >= settings_.max_attempts)
            throw ProviderError(fmt::format("{} (gave up after {} attempts)", failure->what(), attempt), true);
        const auto pause = backoff(attempt, hint);
        spdlog::warn("{} (attempt {}/{}); trying again in {} ms", failure->what(), attempt, settings_.max_attempts,
                     pause.count());
        std::this_thread::sleep_for(pause);
    }
}

}  // namespace aimi::providers::openai
