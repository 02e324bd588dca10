#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

// Where an OpenAI-compatible provider is and how hard to try it, from environment variables named
// <prefix>_URL, <prefix>_MODEL, ... (docs in read_provider_settings).
namespace aimi::providers::openai {

struct ProviderSettings {
    std::string base_url;                      // requests go to {base_url}/v1/...
    std::optional<std::string> api_key;        // sent as "Authorization: Bearer <key>"
    std::string model;                         // e.g. "text-embedding-3-small"
    std::optional<std::size_t> dimensions;     // embeddings only; sent when set, else learned
    std::chrono::milliseconds timeout{30000};  // per attempt: connect + write + read
    int max_attempts = 4;                      // attempts per request, the first included
    std::chrono::milliseconds initial_backoff{500};
    std::chrono::milliseconds max_backoff{20000};  // also caps a server's Retry-After
    std::size_t batch_size = 64;                   // embeddings only: inputs per request
};

//! A getenv-like lookup: the value of a variable, or nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

//! The process environment.
std::optional<std::string> process_env(const std::string& name);

//! Reads <prefix>_URL and <prefix>_MODEL (required), <prefix>_API_KEY, <prefix>_DIMENSIONS,
//! <prefix>_TIMEOUT_MS, <prefix>_MAX_ATTEMPTS, <prefix>_BACKOFF_MS, <prefix>_BACKOFF_MAX_MS and
//! <prefix>_BATCH over `defaults`; an empty value counts as unset. @throws std::invalid_argument
//! naming the variable for a missing or invalid value.
ProviderSettings read_provider_settings(std::string_view prefix, const EnvLookup& lookup,
                                        ProviderSettings defaults = {});

//! AIMI_EMBEDDING_*: timeout 30 s, batch 64.
ProviderSettings embedding_settings(const EnvLookup& lookup = process_env);
//! AIMI_SUMMARY_*: timeout 120 s (a summary is generated, not looked up).
ProviderSettings summary_settings(const EnvLookup& lookup = process_env);

}  // namespace aimi::providers::openai
