#pragma once

#include <atomic>
#include <mutex>
#include <optional>

#include "domain/memory/providers.hpp"
#include "workers/providers/openai/openai_client.hpp"
#include "workers/providers/openai/provider_settings.hpp"

namespace aimi::providers::openai {

//! Embeddings from an OpenAI-compatible server (POST {base}/v1/embeddings), batch_size inputs
//! per request. Thread-safe.
//!
//! With dimensions unset the server's default length is learned from its first answer and fixed
//! from then on; until then dimensions() is 0 and model().version ends in "/d?". A later answer
//! of another length is refused as a changed model.
class OpenAiEmbedder : public memory::Embedder {
  public:
    //! @throws std::invalid_argument for a bad base URL.
    explicit OpenAiEmbedder(const ProviderSettings& settings);

    const memory::ModelId& model() const override { return *model_.load(std::memory_order_acquire); }
    std::size_t dimensions() const override { return dimensions_.load(std::memory_order_acquire); }
    memory::Embeddings embed(const std::vector<std::string>& texts) override;

  private:
    //! One request for texts[begin, end) into out->vectors[begin, end).
    void embed_batch(const std::vector<std::string>& texts, std::size_t begin, std::size_t end,
                     memory::Embeddings& out);
    //! Checks `length` against the fixed dimension, fixing it on the first answer when unset.
    void check_dimensions(std::size_t length);

    ProviderSettings settings_;
    OpenAiClient client_;
    std::atomic<std::size_t> dimensions_;
    // model() hands out references: each ModelId is written once before it is published, and
    // the learned one replaces the provisional one once.
    memory::ModelId provisional_;
    std::optional<memory::ModelId> learned_;
    std::atomic<const memory::ModelId*> model_;
    std::mutex learn_mutex_;
};

}  // namespace aimi::providers::openai
