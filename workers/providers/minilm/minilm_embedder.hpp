#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "domain/memory/providers.hpp"
#include "workers/providers/minilm/bert_encoder.hpp"
#include "workers/providers/minilm/wordpiece_tokenizer.hpp"

namespace aimi::memory {

struct MiniLmOptions {
    //! Threads one embed() call spreads its texts over, each encoding whole texts (a call with one
    //! short text uses one).
    int threads = 2;
    //! Threads OpenBLAS uses per matrix product, set process-wide by the constructor (OpenBLAS has
    //! no per-call setting); 0 leaves OpenBLAS's own (OPENBLAS_NUM_THREADS, else one per core). One
    //! is right when callers bring the parallelism: OpenBLAS's pool spins against concurrent callers.
    int blas_threads = 1;
    //! Texts are encoded in groups of at most this many tokens: bigger groups make bigger matrix
    //! products, smaller ones bound the memory each encoding thread keeps (about 15 KB per token).
    std::size_t max_batch_tokens = 1024;
};

//! sentence-transformers/all-MiniLM-L6-v2 on the CPU: WordPiece tokens (truncated to the model's
//! max_seq_length), the 6-layer BERT encoder, mean pooling, L2 normalization; 384 dimensions.
//! `embed` only reads the model, so several threads may call it at once.
class MiniLmEmbedder : public Embedder {
  public:
    //! Loads the model unpacked by infra/scripts/minilm-model.sh. @throws ProviderError (not
    //! retryable) if a file is missing or is not this model
    explicit MiniLmEmbedder(const std::filesystem::path& model_dir, const MiniLmOptions& options = {});

    //! ${AIMI_MODEL_DIR:-/var/cache/aimi/models}/all-MiniLM-L6-v2, where the install step puts it.
    static std::filesystem::path default_dir();

    const ModelId& model() const override { return model_; }
    std::size_t dimensions() const override { return dimensions_; }
    //! Usage.tokens_in counts every token encoded, [CLS] and [SEP] included. @throws ProviderError
    Embeddings embed(const std::vector<std::string>& texts) override;

    const minilm::WordPieceTokenizer& tokenizer() const { return *tokenizer_; }

  private:
    ModelId model_;
    std::size_t dimensions_ = 0;
    MiniLmOptions options_;
    std::unique_ptr<const minilm::WordPieceTokenizer> tokenizer_;
    std::unique_ptr<const minilm::BertEncoder> encoder_;
    // Idle encoder workspaces: an encoding thread takes one and puts it back, so buffers are
    // allocated once per concurrently encoding thread, not once per call.
    std::mutex workspaces_mutex_;
    std::vector<std::unique_ptr<minilm::EncoderWorkspace>> workspaces_;
};

}  // namespace aimi::memory
