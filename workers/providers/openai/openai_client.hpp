#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "workers/providers/http_client.hpp"
#include "workers/providers/openai/provider_settings.hpp"

// What the embedder and the text generator share: one endpoint of an OpenAI-compatible server,
// called with their retry policy.
namespace aimi::providers::openai {

class OpenAiClient {
  public:
    //! `endpoint` as in "/v1/embeddings". @throws std::invalid_argument for a bad base URL.
    OpenAiClient(const ProviderSettings& settings, std::string_view endpoint);

    //! POSTs `body` (JSON) and hands a 2xx answer's body to `accept`, which throws
    //! memory::ProviderError for an answer it cannot use. Tries again, after an exponential
    //! backoff with full jitter (or the server's Retry-After, capped at max_backoff), on a
    //! transport failure or timeout, on 429 and 5xx, and when `accept` throws a retryable error,
    //! up to max_attempts in all. Thread-safe.
    //! @throws memory::ProviderError: retryable=false at once for other statuses (with the
    //! server's error.message) and for errors `accept` deems final; retryable=true after the last
    //! attempt.
    void post(const std::string& body, const std::function<void(std::string_view body)>& accept) const;

  private:
    std::chrono::milliseconds backoff(int failed_attempts, std::optional<std::chrono::milliseconds> hint) const;

    ProviderSettings settings_;
    HttpUrl url_;
    HttpRequest request_;  // headers set once; each call copies it with its body
    std::string what_;     // "POST http://host:port/v1/...", for messages
};

}  // namespace aimi::providers::openai
