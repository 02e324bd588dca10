#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "domain/assistant/chat_provider.hpp"
#include "workers/providers/openai/openai_client.hpp"
#include "workers/providers/openai/provider_settings.hpp"

// The assistant's chat provider on an OpenAI-compatible server with tool (function) calling:
// POST {base}/v1/chat/completions with the tools of tool_definitions(), behind a circuit breaker
// and a per-user rate limit (docs/assistant.md).
namespace aimi::providers::openai {

//! What the provider adds to ProviderSettings (AIMI_CHAT_*).
struct ChatOptions {
    int max_tokens = 512;                               //!< sent as max_tokens
    int breaker_failures = 5;                           //!< consecutive failed calls that open the circuit
    std::chrono::milliseconds breaker_cooldown{30000};  //!< open this long, then one trial call
    int rate_per_minute = 20;                           //!< calls per user per minute (token bucket); 0 = unlimited
};

//! AIMI_CHAT_URL, AIMI_CHAT_MODEL (required), AIMI_CHAT_API_KEY, AIMI_CHAT_TIMEOUT_MS (60000),
//! AIMI_CHAT_MAX_ATTEMPTS, AIMI_CHAT_BACKOFF_MS, AIMI_CHAT_BACKOFF_MAX_MS.
//! @throws std::invalid_argument naming a missing or invalid variable.
ProviderSettings chat_settings(const EnvLookup& lookup = process_env);
//! AIMI_CHAT_MAX_TOKENS, AIMI_CHAT_BREAKER_FAILURES, AIMI_CHAT_BREAKER_COOLDOWN_MS,
//! AIMI_CHAT_RATE_PER_MINUTE. @throws std::invalid_argument naming an invalid variable.
ChatOptions chat_options(const EnvLookup& lookup = process_env);

//! The versioned system prompt (exposed for tests and prompt reviews).
const std::string& chat_system_prompt();
//! "assistant-v<n>": changes with every change of the prompt or the tool definitions' wording.
const std::string& chat_prompt_version();

//! The request body for one provider call: system prompt, the rendered context as the user
//! message, then each step's assistant tool_calls and one "tool" message per result.
std::string chat_request_body(const std::string& model, const ChatOptions& options,
                              const assistant::TurnRequest& request);

//! Reads a 2xx chat-completions body. A tool call whose arguments are not a JSON object keeps its
//! name and id with `invalid_arguments` set; unknown tool names pass through (the orchestrator
//! refuses them). Missing ids become "call_<n>" (n counts from 1 in the answer).
//! @throws memory::ProviderError (retryable) for a body that is not a chat answer, or one with
//! neither text nor tool calls.
assistant::ProviderAnswer parse_chat_answer(std::string_view body);

class OpenAiChatProvider final : public assistant::ChatProvider {
  public:
    using Clock = std::chrono::steady_clock;

    //! `now` is the breaker's and the rate limit's clock (tests step it). @throws
    //! std::invalid_argument for a bad base URL.
    OpenAiChatProvider(const ProviderSettings& settings, const ChatOptions& options,
                       std::function<Clock::time_point()> now = Clock::now);

    const memory::ModelId& model() const override { return model_; }
    const std::string& prompt_version() const override { return chat_prompt_version(); }
    //! @throws memory::ProviderError: "circuit open …" (retryable) while the breaker is open,
    //! "rate limited …" (not retryable) over the user's rate, else as OpenAiClient::post and
    //! parse_chat_answer. Thread-safe.
    assistant::ProviderAnswer respond(const assistant::TurnRequest& request) override;

  private:
    //! Lets a call through or throws; a half-open breaker lets exactly one through.
    void admit(const std::string& user_id);
    void record(bool success);

    ProviderSettings settings_;
    ChatOptions options_;
    OpenAiClient client_;
    memory::ModelId model_;
    std::function<Clock::time_point()> now_;

    std::mutex mutex_;  // guards what follows
    int failures_ = 0;  // consecutive failed calls
    bool open_ = false;
    Clock::time_point open_until_{};
    bool trial_in_flight_ = false;                                // half-open: the one call that decides
    std::unordered_map<std::string, Clock::time_point> buckets_;  // user → when their bucket is full
};

//! chat_settings + chat_options from `lookup`.
std::unique_ptr<assistant::ChatProvider> make_openai_chat_provider(const EnvLookup& lookup = process_env);

}  // namespace aimi::providers::openai
