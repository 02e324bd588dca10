#pragma once

#include <memory>
#include <string>
#include <vector>

#include "domain/memory/providers.hpp"

// Which providers a process uses, from its environment (docs/configuration.md, "Memory"):
//   AIMI_EMBEDDER = minilm (default; the model from infra/scripts/minilm-model.sh, AIMI_MINILM_DIR
//                   or ${AIMI_MODEL_DIR:-/var/cache/aimi/models}/all-MiniLM-L6-v2) | hashed | openai
//                   (AIMI_EMBEDDING_URL, _MODEL, …)
//   AIMI_SUMMARIZER = extractive (default) | openai (AIMI_SUMMARY_URL, _MODEL, …)
namespace aimi::providers {

//! @throws std::invalid_argument for an unknown kind or invalid settings; ProviderError when a
//! local model cannot be loaded.
std::shared_ptr<memory::Embedder> make_embedder(const std::string& kind);
std::shared_ptr<memory::TextGenerator> make_text_generator(const std::string& kind);

//! What recall embeds a query with (gateway, assistant): the configured embedder, and the hashed one
//! (no files, so always at hand) for vectors made with it.
std::vector<std::shared_ptr<memory::Embedder>> recall_embedders();

//! The kinds named by AIMI_EMBEDDER / AIMI_SUMMARIZER.
std::string configured_embedder();
std::string configured_text_generator();

}  // namespace aimi::providers
