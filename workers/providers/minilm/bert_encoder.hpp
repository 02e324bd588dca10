#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "workers/providers/minilm/safetensors.hpp"

namespace aimi::memory::minilm {

//! The BERT hyper-parameters this encoder supports (config.json of a `BertModel`).
struct BertConfig {
    int vocab_size = 30522;
    int hidden_size = 384;
    int num_layers = 6;
    int num_heads = 12;
    int intermediate_size = 1536;
    int max_positions = 512;
    int type_vocab_size = 2;
    float layer_norm_eps = 1e-12f;
};

//! Reads `config.json`; refuses what the encoder does not implement (another activation,
//! relative positions). @throws std::runtime_error
BertConfig read_bert_config(const std::filesystem::path& config_json);

//! The buffers of an encode call, and its result. Reused from call to call: fresh buffers of
//! megabytes are mapped, faulted in and unmapped on every call, and with several threads encoding
//! those address-space changes serialize them (measured: two threads took as long as one).
struct EncoderWorkspace {
    //! The result: sequence i's token states are rows [offsets[i], offsets[i+1]) of `states`
    //! (hidden_size floats a row).
    std::vector<std::size_t> offsets;
    std::vector<float> states;

    std::vector<float> scratch, qkv, context, intermediate, scores, keys;
};

//! A BERT encoder (post-LayerNorm, absolute positions, exact-erf GELU) on the CPU: matrix
//! products with OpenBLAS sgemm, the rest in loops the compiler vectorizes. Sequences are packed
//! without padding: attention runs per sequence, so a batch of short and long texts wastes no work
//! and needs no mask. The weights are read-only after construction, so `encode` may run on several
//! threads at once, each with its own workspace.
class BertEncoder {
  public:
    //! @throws std::runtime_error if a weight is missing or has an unexpected shape or dtype
    BertEncoder(std::unique_ptr<const SafeTensors> weights, const BertConfig& config);

    const BertConfig& config() const { return config_; }

    //! The last hidden states of each sequence of token ids (each 1 to max_positions long, ids
    //! below vocab_size), packed into workspace.offsets and workspace.states.
    //! @throws std::invalid_argument for an id or a length out of range
    void encode(std::span<const std::vector<std::int32_t>> sequences, EncoderWorkspace& workspace) const;

  private:
    struct Layer {
        std::vector<float> qkv_weight;  // query, key and value weights stacked: [3 * hidden, hidden]
        std::vector<float> qkv_bias;    // [3 * hidden]
        std::span<const float> attention_out_weight, attention_out_bias;
        std::span<const float> attention_norm_weight, attention_norm_bias;
        std::span<const float> intermediate_weight, intermediate_bias;
        std::span<const float> output_weight, output_bias;
        std::span<const float> output_norm_weight, output_norm_bias;
    };

    void attention(EncoderWorkspace& workspace) const;

    BertConfig config_;
    std::unique_ptr<const SafeTensors> weights_;  // the spans below point into its mapping
    std::span<const float> word_embeddings_, position_embeddings_, token_type_embeddings_;
    std::span<const float> embedding_norm_weight_, embedding_norm_bias_;
    std::vector<Layer> layers_;
};

//! Sets the threads OpenBLAS uses for one sgemm (process-wide; OpenBLAS has no per-call setting).
void set_blas_threads(int threads);

}  // namespace aimi::memory::minilm
