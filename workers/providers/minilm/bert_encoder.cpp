#include "workers/providers/minilm/bert_encoder.hpp"

#include <cblas.h>
#include <simdjson.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace aimi::memory::minilm {
namespace {

// The kernels below use GCC vector types (8 floats, one AVX register) rather than counting on
// auto-vectorization, which -O2 mostly declines; target_clones adds an AVX2/FMA copy picked at load
// time, since the project builds for baseline x86-64. Widths are multiples of 8 (checked at load).
#define MINILM_VECTORIZED [[gnu::target_clones("arch=x86-64-v3", "default")]]

// The helpers pass vectors by value; they are inlined into the kernels, so the ABI note GCC gives
// for AVX-sized arguments in the baseline copy concerns no real call.
#pragma GCC diagnostic ignored "-Wpsabi"

using f8 = float __attribute__((vector_size(32)));
using i8 = std::int32_t __attribute__((vector_size(32)));
constexpr std::size_t kLanes = 8;

// Sequences up to this long attend with the loops below; longer ones with per-head sgemm, which
// wins once the score matrix is big enough to amortize the call.
constexpr std::size_t kLoopAttentionMax = 48;

inline f8 load(const float* p) {
    f8 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline void store(float* p, const f8& v) {
    std::memcpy(p, &v, sizeof v);
}
inline f8 splat(float x) {
    return f8{} + x;
}
inline float sum_lanes(const f8& v) {
    return ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]));
}

// e^x within ~2 ulp for x in [-87, 88] (Cephes expf), clamped outside.
inline f8 exp8(const f8& input) {
    f8 x = input;
    x = x < -87.0f ? splat(-87.0f) : x;
    x = x > 88.0f ? splat(88.0f) : x;
    const f8 shifted = x * 1.44269504088896341f + 12582912.0f;  // 1.5 * 2^23 rounds to an integer
    const f8 n = shifted - 12582912.0f;
    const i8 exponent = std::bit_cast<i8>(shifted) - 0x4B400000;
    const f8 r = x - n * 0.693359375f - n * -2.12194440e-4f;
    f8 p = splat(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    const i8 scale = (exponent + 127) << 23;
    return p * std::bit_cast<f8>(scale);
}

// erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), the formula PyTorch's vectorized CPU GELU
// uses too.
inline f8 erf8(const f8& x) {
    const i8 bits = std::bit_cast<i8>(x);
    const i8 abs_bits = bits & 0x7FFFFFFF;
    const f8 a = std::bit_cast<f8>(abs_bits);
    const f8 t = 1.0f / (a * 0.3275911f + 1.0f);
    const f8 poly =
        ((((t * 1.061405429f - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;
    const f8 y = 1.0f - poly * exp8(-a * a);  // >= 0: the sign comes from x
    const i8 signed_bits = std::bit_cast<i8>(y) | (bits & static_cast<std::int32_t>(0x80000000u));
    return std::bit_cast<f8>(signed_bits);
}

// x = gelu(x) for `count` values (a multiple of 8); gelu(x) = x/2 (1 + erf(x/√2)), the exact form
// BERT uses.
MINILM_VECTORIZED void gelu(float* x, std::size_t count) {
    for (std::size_t i = 0; i < count; i += kLanes) {
        const f8 v = load(x + i);
        store(x + i, 0.5f * v * (1.0f + erf8(v * 0.70710678118654752f)));
    }
}

// residual = LayerNorm(x + residual) row by row; x is scratch.
MINILM_VECTORIZED void residual_norm(float* x, float* residual, std::size_t rows, std::size_t width, const float* gamma,
                                     const float* beta, float eps) {
    for (std::size_t r = 0; r < rows; ++r) {
        float* in = x + r * width;
        float* out = residual + r * width;
        f8 sum{};
        for (std::size_t i = 0; i < width; i += kLanes) {
            const f8 v = load(in + i) + load(out + i);
            store(in + i, v);
            sum += v;
        }
        const float mean = sum_lanes(sum) / static_cast<float>(width);
        f8 squares{};
        for (std::size_t i = 0; i < width; i += kLanes) {
            const f8 d = load(in + i) - mean;
            squares += d * d;
        }
        const float inv = 1.0f / std::sqrt(sum_lanes(squares) / static_cast<float>(width) + eps);
        for (std::size_t i = 0; i < width; i += kLanes)
            store(out + i, (load(in + i) - mean) * inv * load(gamma + i) + load(beta + i));
    }
}

// p[0, n) = softmax(p[0, n)); p holds n rounded up to 8 floats, and the lanes past n end as 0.
MINILM_VECTORIZED void softmax(float* p, std::size_t n) {
    const std::size_t padded = (n + kLanes - 1) / kLanes * kLanes;
    for (std::size_t j = n; j < padded; ++j) p[j] = -1e30f;
    f8 max = splat(-1e30f);
    for (std::size_t j = 0; j < padded; j += kLanes) {
        const f8 v = load(p + j);
        max = v > max ? v : max;
    }
    float top = max[0];
    for (std::size_t l = 1; l < kLanes; ++l) top = std::max(top, max[l]);
    f8 sum{};
    for (std::size_t j = 0; j < padded; j += kLanes) {
        const f8 e = exp8(load(p + j) - top);
        store(p + j, e);
        sum += e;
    }
    for (std::size_t j = n; j < padded; ++j) {  // exp8 clamps, so padding is tiny but not 0
        sum[j % kLanes] -= p[j];
        p[j] = 0;
    }
    const float inv = 1.0f / sum_lanes(sum);
    for (std::size_t j = 0; j < padded; j += kLanes) store(p + j, load(p + j) * inv);
}

// Attention of one head over one sequence of n tokens: q, k, v rows `stride` apart, `dim` wide
// (a multiple of 8); context rows go `out_stride` apart. Keys are transposed into `keys`
// ([dim][n rounded up to 8]) so scores come 8 at a time without horizontal sums; `scores` holds
// n rounded up to 8 floats.
MINILM_VECTORIZED void head_attention_loops(const float* q, const float* k, const float* v, std::size_t n,
                                            std::size_t dim, std::size_t stride, float scale, float* keys,
                                            float* scores, float* out, std::size_t out_stride) {
    const std::size_t padded = (n + kLanes - 1) / kLanes * kLanes;
    for (std::size_t d = 0; d < dim; ++d) {
        for (std::size_t j = 0; j < n; ++j) keys[d * padded + j] = k[j * stride + d];
        for (std::size_t j = n; j < padded; ++j) keys[d * padded + j] = 0;
    }
    for (std::size_t i = 0; i < n; ++i) {
        const float* qi = q + i * stride;
        for (std::size_t j = 0; j < padded; j += kLanes) {
            f8 dot{};
            for (std::size_t d = 0; d < dim; ++d) dot += (qi[d] * scale) * load(keys + d * padded + j);
            store(scores + j, dot);
        }
        softmax(scores, n);
        float* oi = out + i * out_stride;
        for (std::size_t d = 0; d < dim; d += kLanes) {
            f8 acc{};
            for (std::size_t j = 0; j < n; ++j) acc += scores[j] * load(v + j * stride + d);
            store(oi + d, acc);
        }
    }
}

// out[rows, bias.size()] = in[rows, in_width] · weightᵀ + bias (PyTorch's Linear: weight is
// [out, in]). The bias is written first and sgemm adds onto it (beta = 1), which saves both the
// pass that zeroes the output for beta = 0 and a separate pass adding the bias.
void linear(const float* in, std::size_t rows, std::size_t in_width, std::span<const float> weight,
            std::span<const float> bias, float* out) {
    const std::size_t out_width = bias.size();
    for (std::size_t r = 0; r < rows; ++r) std::copy(bias.begin(), bias.end(), out + r * out_width);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows), static_cast<int>(out_width),
                static_cast<int>(in_width), 1.0f, in, static_cast<int>(in_width), weight.data(),
                static_cast<int>(in_width), 1.0f, out, static_cast<int>(out_width));
}

int config_int(const simdjson::dom::object& config, std::string_view key, const std::string& file) {
    std::int64_t value = 0;
    if (config[key].get_int64().get(value) || value <= 0)
        throw std::runtime_error(file + ": " + std::string(key) + " is missing or not a positive integer");
    return static_cast<int>(value);
}

}  // namespace

BertConfig read_bert_config(const std::filesystem::path& config_json) {
    const std::string file = config_json.string();
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (const auto error = parser.load(file).get(root))
        throw std::runtime_error("cannot read BERT config " + file + ": " + simdjson::error_message(error));
    simdjson::dom::object config;
    if (root.get_object().get(config)) throw std::runtime_error(file + ": not a JSON object");
    BertConfig out;
    out.vocab_size = config_int(config, "vocab_size", file);
    out.hidden_size = config_int(config, "hidden_size", file);
    out.num_layers = config_int(config, "num_hidden_layers", file);
    out.num_heads = config_int(config, "num_attention_heads", file);
    out.intermediate_size = config_int(config, "intermediate_size", file);
    out.max_positions = config_int(config, "max_position_embeddings", file);
    out.type_vocab_size = config_int(config, "type_vocab_size", file);
    double eps = 0;
    if (config["layer_norm_eps"].get_double().get(eps) || eps <= 0)
        throw std::runtime_error(file + ": layer_norm_eps is missing or not positive");
    out.layer_norm_eps = static_cast<float>(eps);
    std::string_view act, positions = "absolute";
    if (config["hidden_act"].get_string().get(act) || act != "gelu")
        throw std::runtime_error(file + ": hidden_act must be \"gelu\" (exact erf GELU)");
    if (config["position_embedding_type"].error() != simdjson::NO_SUCH_FIELD &&
        (config["position_embedding_type"].get_string().get(positions) || positions != "absolute"))
        throw std::runtime_error(file + ": only absolute position embeddings are supported");
    if (out.hidden_size % out.num_heads != 0)
        throw std::runtime_error(file + ": hidden_size is not a multiple of num_attention_heads");
    return out;
}

BertEncoder::BertEncoder(std::unique_ptr<const SafeTensors> weights, const BertConfig& config)
    : config_(config), weights_(std::move(weights)) {
    if (!weights_) throw std::invalid_argument("BertEncoder: no weights");
    if (config.hidden_size % config.num_heads != 0 || (config.hidden_size / config.num_heads) % kLanes != 0 ||
        config.intermediate_size % kLanes != 0)
        throw std::runtime_error("BertEncoder: head and intermediate sizes must be multiples of 8");
    const std::int64_t hidden = config.hidden_size, inter = config.intermediate_size;
    const SafeTensors& w = *weights_;
    // Checkpoints saved from BertModel have no "bert." prefix; those from task heads do.
    const std::string root = w.contains("bert.embeddings.word_embeddings.weight") ? "bert." : "";
    word_embeddings_ = w.f32(root + "embeddings.word_embeddings.weight", {config.vocab_size, hidden});
    position_embeddings_ = w.f32(root + "embeddings.position_embeddings.weight", {config.max_positions, hidden});
    token_type_embeddings_ = w.f32(root + "embeddings.token_type_embeddings.weight", {config.type_vocab_size, hidden});
    embedding_norm_weight_ = w.f32(root + "embeddings.LayerNorm.weight", {hidden});
    embedding_norm_bias_ = w.f32(root + "embeddings.LayerNorm.bias", {hidden});
    for (int i = 0; i < config.num_layers; ++i) {
        const std::string p = root + "encoder.layer." + std::to_string(i) + ".";
        Layer layer;
        // One sgemm for query, key and value instead of three.
        for (const char* part : {"query", "key", "value"}) {
            const auto weight = w.f32(p + "attention.self." + part + ".weight", {hidden, hidden});
            const auto bias = w.f32(p + "attention.self." + part + ".bias", {hidden});
            layer.qkv_weight.insert(layer.qkv_weight.end(), weight.begin(), weight.end());
            layer.qkv_bias.insert(layer.qkv_bias.end(), bias.begin(), bias.end());
        }
        layer.attention_out_weight = w.f32(p + "attention.output.dense.weight", {hidden, hidden});
        layer.attention_out_bias = w.f32(p + "attention.output.dense.bias", {hidden});
        layer.attention_norm_weight = w.f32(p + "attention.output.LayerNorm.weight", {hidden});
        layer.attention_norm_bias = w.f32(p + "attention.output.LayerNorm.bias", {hidden});
        layer.intermediate_weight = w.f32(p + "intermediate.dense.weight", {inter, hidden});
        layer.intermediate_bias = w.f32(p + "intermediate.dense.bias", {inter});
        layer.output_weight = w.f32(p + "output.dense.weight", {hidden, inter});
        layer.output_bias = w.f32(p + "output.dense.bias", {hidden});
        layer.output_norm_weight = w.f32(p + "output.LayerNorm.weight", {hidden});
        layer.output_norm_bias = w.f32(p + "output.LayerNorm.bias", {hidden});
        layers_.push_back(std::move(layer));
    }
}

void BertEncoder::attention(EncoderWorkspace& ws) const {
    const std::size_t hidden = config_.hidden_size, heads = config_.num_heads, dim = hidden / heads;
    const std::size_t stride = 3 * hidden;
    const float scale = 1.0f / std::sqrt(static_cast<float>(dim));
    const auto& offsets = ws.offsets;
    std::size_t longest = 0;
    for (std::size_t s = 0; s + 1 < offsets.size(); ++s) longest = std::max(longest, offsets[s + 1] - offsets[s]);
    const auto round_up = [](std::size_t n) { return (n + kLanes - 1) / kLanes * kLanes; };
    // Loops need one row of scores and the transposed keys; sgemm the whole score matrix.
    ws.scores.resize(round_up(longest) * (longest <= kLoopAttentionMax ? 1 : longest));
    ws.keys.resize(dim * round_up(std::min(longest, kLoopAttentionMax)));
    for (std::size_t s = 0; s + 1 < offsets.size(); ++s) {
        const std::size_t n = offsets[s + 1] - offsets[s], padded = round_up(n);
        const float* rows = ws.qkv.data() + offsets[s] * stride;
        float* out = ws.context.data() + offsets[s] * hidden;
        for (std::size_t h = 0; h < heads; ++h) {
            const float* q = rows + h * dim;
            const float* k = q + hidden;
            const float* v = k + hidden;
            if (n <= kLoopAttentionMax) {
                head_attention_loops(q, k, v, n, dim, stride, scale, ws.keys.data(), ws.scores.data(), out + h * dim,
                                     hidden);
                continue;
            }
            const int ni = static_cast<int>(n), pi = static_cast<int>(padded), di = static_cast<int>(dim),
                      si = static_cast<int>(stride);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, ni, ni, di, scale, q, si, k, si, 0.0f,
                        ws.scores.data(), pi);
            for (std::size_t i = 0; i < n; ++i) softmax(ws.scores.data() + i * padded, n);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ni, di, ni, 1.0f, ws.scores.data(), pi, v, si, 0.0f,
                        out + h * dim, static_cast<int>(hidden));
        }
    }
}

void BertEncoder::encode(std::span<const std::vector<std::int32_t>> sequences, EncoderWorkspace& ws) const {
    const std::size_t hidden = config_.hidden_size, inter = config_.intermediate_size;
    ws.offsets.clear();
    ws.offsets.push_back(0);
    for (const auto& ids : sequences) {
        if (ids.empty() || ids.size() > static_cast<std::size_t>(config_.max_positions))
            throw std::invalid_argument("BertEncoder: a sequence of " + std::to_string(ids.size()) + " tokens (1 to " +
                                        std::to_string(config_.max_positions) + " allowed)");
        for (const auto id : ids)
            if (id < 0 || id >= config_.vocab_size)
                throw std::invalid_argument("BertEncoder: token id " + std::to_string(id) + " is out of range");
        ws.offsets.push_back(ws.offsets.back() + ids.size());
    }
    const std::size_t tokens = ws.offsets.back();
    // resize() keeps the capacity of earlier calls; every element read below is written first.
    ws.states.resize(tokens * hidden);
    ws.scratch.resize(tokens * hidden);
    ws.qkv.resize(tokens * 3 * hidden);
    ws.context.resize(tokens * hidden);
    ws.intermediate.resize(tokens * inter);
    float* x = ws.states.data();
    float* scratch = ws.scratch.data();

    // Embeddings: word + position + token type 0 (single-segment input), then LayerNorm.
    for (std::size_t s = 0; s < sequences.size(); ++s) {
        for (std::size_t p = 0; p < sequences[s].size(); ++p) {
            const std::size_t row = ws.offsets[s] + p;
            const float* word = word_embeddings_.data() + static_cast<std::size_t>(sequences[s][p]) * hidden;
            const float* position = position_embeddings_.data() + p * hidden;
            std::transform(word, word + hidden, position, scratch + row * hidden, std::plus<>());
            std::copy_n(token_type_embeddings_.data(), hidden, x + row * hidden);
        }
    }
    residual_norm(scratch, x, tokens, hidden, embedding_norm_weight_.data(), embedding_norm_bias_.data(),
                  config_.layer_norm_eps);

    for (const Layer& layer : layers_) {
        linear(x, tokens, hidden, layer.qkv_weight, layer.qkv_bias, ws.qkv.data());
        attention(ws);
        linear(ws.context.data(), tokens, hidden, layer.attention_out_weight, layer.attention_out_bias, scratch);
        residual_norm(scratch, x, tokens, hidden, layer.attention_norm_weight.data(), layer.attention_norm_bias.data(),
                      config_.layer_norm_eps);
        linear(x, tokens, hidden, layer.intermediate_weight, layer.intermediate_bias, ws.intermediate.data());
        gelu(ws.intermediate.data(), tokens * inter);
        linear(ws.intermediate.data(), tokens, inter, layer.output_weight, layer.output_bias, scratch);
        residual_norm(scratch, x, tokens, hidden, layer.output_norm_weight.data(), layer.output_norm_bias.data(),
                      config_.layer_norm_eps);
    }
}

void set_blas_threads(int threads) {
    openblas_set_num_threads(std::max(1, threads));
}

}  // namespace aimi::memory::minilm
