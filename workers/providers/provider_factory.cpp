#include "workers/providers/provider_factory.hpp"

#include <cstdlib>
#include <stdexcept>

#include "domain/memory/extractive_summarizer.hpp"
#include "domain/memory/hashed_embedder.hpp"
#include "workers/providers/minilm/minilm_embedder.hpp"
#include "workers/providers/openai/openai_embedder.hpp"
#include "workers/providers/openai/openai_text_generator.hpp"
#include "workers/providers/openai/provider_settings.hpp"

namespace aimi::providers {

namespace {

std::string env_or(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return value && *value ? std::string(value) : std::string(fallback);
}

}  // namespace

std::string configured_embedder() {
    return env_or("AIMI_EMBEDDER", "minilm");
}
std::string configured_text_generator() {
    return env_or("AIMI_SUMMARIZER", "extractive");
}

std::vector<std::shared_ptr<memory::Embedder>> recall_embedders() {
    std::vector<std::shared_ptr<memory::Embedder>> embedders{make_embedder(configured_embedder())};
    if (configured_embedder() != "hashed") embedders.push_back(make_embedder("hashed"));
    return embedders;
}

std::shared_ptr<memory::Embedder> make_embedder(const std::string& kind) {
    if (kind == "minilm") {
        const auto dir = env_or("AIMI_MINILM_DIR", "");
        return std::make_shared<memory::MiniLmEmbedder>(dir.empty() ? memory::MiniLmEmbedder::default_dir()
                                                                    : std::filesystem::path(dir));
    }
    if (kind == "hashed") return std::make_shared<memory::HashedEmbedder>();
    if (kind == "openai") {
        // Vectors name their model with its dimensions: a gateway must know them before its first
        // call to find the vectors an embedder made.
        auto settings = openai::embedding_settings();
        if (!settings.dimensions) throw std::invalid_argument("AIMI_EMBEDDER=openai needs AIMI_EMBEDDING_DIMENSIONS");
        return std::make_shared<openai::OpenAiEmbedder>(settings);
    }
    throw std::invalid_argument("AIMI_EMBEDDER must be minilm, hashed or openai, not '" + kind + "'");
}

std::shared_ptr<memory::TextGenerator> make_text_generator(const std::string& kind) {
    if (kind == "extractive") return std::make_shared<memory::ExtractiveSummarizer>();
    if (kind == "openai") return std::make_shared<openai::OpenAiTextGenerator>(openai::summary_settings());
    throw std::invalid_argument("AIMI_SUMMARIZER must be extractive or openai, not '" + kind + "'");
}

}  // namespace aimi::providers
