#pragma once

#include <string>

#include "domain/assistant/chat_provider.hpp"

// The default chat provider: deterministic rules in English and Russian (docs/assistant.md). It
// never does I/O; the same request always gets the same answer, so a replayed turn is identical.
namespace aimi::assistant {

class RuleBasedProvider final : public ChatProvider {
  public:
    RuleBasedProvider();
    const memory::ModelId& model() const override { return model_; }
    const std::string& prompt_version() const override { return prompt_version_; }
    ProviderAnswer respond(const TurnRequest& request) override;
    bool deterministic() const override { return true; }

  private:
    memory::ModelId model_;
    std::string prompt_version_;
};

}  // namespace aimi::assistant
