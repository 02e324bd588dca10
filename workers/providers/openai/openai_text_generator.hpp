#pragma once

#include <string>

#include "domain/memory/providers.hpp"
#include "workers/providers/openai/openai_client.hpp"
#include "workers/providers/openai/provider_settings.hpp"

namespace aimi::providers::openai {

//! Summaries from an OpenAI-compatible chat model (POST {base}/v1/chat/completions, JSON output):
//! the items go in as "[ref] role: text" lines, a JSON object {text, key_points, facts} comes back
//! and is checked strictly. Thread-safe.
class OpenAiTextGenerator : public memory::TextGenerator {
  public:
    //! @throws std::invalid_argument for a bad base URL.
    explicit OpenAiTextGenerator(const ProviderSettings& settings);

    const memory::ModelId& model() const override { return model_; }
    //! An answer without text (or not the JSON asked for) counts as a failed, retryable attempt.
    //! @throws std::invalid_argument for a request without items or of an unknown purpose.
    memory::Summary summarize(const memory::SummaryRequest& request) override;

  private:
    ProviderSettings settings_;
    OpenAiClient client_;
    memory::ModelId model_;
};

//! The system prompt for `request` (exposed for tests and prompt reviews).
std::string summary_system_prompt(const memory::SummaryRequest& request);
//! The user message: one "[ref] role: text" line per item, continuation lines indented so that
//! an item's text cannot pose as another item.
std::string summary_user_message(const memory::SummaryRequest& request);

}  // namespace aimi::providers::openai
