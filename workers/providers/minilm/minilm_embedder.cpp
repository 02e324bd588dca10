#include "workers/providers/minilm/minilm_embedder.hpp"

#include <openssl/evp.h>
#include <simdjson.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <span>
#include <thread>

namespace aimi::memory {
namespace {

namespace fs = std::filesystem;

simdjson::dom::element load_json(simdjson::dom::parser& parser, const fs::path& file) {
    simdjson::dom::element root;
    if (const auto error = parser.load(file.string()).get(root))
        throw std::runtime_error("cannot read " + file.string() + ": " + simdjson::error_message(error));
    return root;
}

// The pooling the model was trained with must be plain mean pooling, which is all embed() does.
void check_pooling(const fs::path& file, std::size_t dimensions) {
    simdjson::dom::parser parser;
    const auto root = load_json(parser, file);
    std::uint64_t width = 0;
    if (root["word_embedding_dimension"].get_uint64().get(width) || width != dimensions)
        throw std::runtime_error(file.string() + ": word_embedding_dimension is not the hidden size " +
                                 std::to_string(dimensions));
    simdjson::dom::object modes;
    if (root.get_object().get(modes)) throw std::runtime_error(file.string() + ": not a JSON object");
    for (const auto field : modes) {
        if (!field.key.starts_with("pooling_mode_")) continue;
        bool on = false;
        if (field.value.get_bool().get(on)) throw std::runtime_error(file.string() + ": " + std::string(field.key));
        if (on != (field.key == "pooling_mode_mean_tokens"))
            throw std::runtime_error(file.string() + ": only mean-token pooling is implemented");
    }
}

std::size_t max_seq_length(const fs::path& file) {
    simdjson::dom::parser parser;
    std::uint64_t length = 0;
    if (load_json(parser, file)["max_seq_length"].get_uint64().get(length) || length < 2)
        throw std::runtime_error(file.string() + ": no max_seq_length");
    return length;
}

std::string sha256_hex(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || !EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr)) throw std::runtime_error("sha256 unavailable");
    std::vector<char> buffer(1 << 20);
    while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0)
        EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<std::size_t>(in.gcount()));
    if (in.bad()) throw std::runtime_error("cannot read " + file.string());
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(ctx.get(), digest, &size);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) (out += kHex[digest[i] >> 4]) += kHex[digest[i] & 15];
    return out;
}

// The package version the install step recorded ("0.1.2"), or "local" for a hand-made directory.
std::string package_version(const fs::path& model_dir) {
    std::ifstream in(model_dir / "package-version");
    std::string version;
    if (!(in >> version)) return "local";
    return version;
}

// Mean of the token states of one sequence, L2-normalized (sentence-transformers' Pooling then
// Normalize, which divides by max(norm, 1e-12)).
Vector mean_pool(std::span<const float> states, std::size_t tokens, std::size_t width) {
    std::vector<double> sum(width, 0.0);
    for (std::size_t t = 0; t < tokens; ++t)
        for (std::size_t i = 0; i < width; ++i) sum[i] += states[t * width + i];
    double norm = 0;
    for (auto& v : sum) {
        v /= static_cast<double>(tokens);
        norm += v * v;
    }
    norm = std::max(std::sqrt(norm), 1e-12);
    Vector out(width);
    for (std::size_t i = 0; i < width; ++i) out[i] = static_cast<float>(sum[i] / norm);
    return out;
}

// Where each of (at most) `groups` groups of consecutive texts starts, and, last, the end: cut
// where the tokens so far pass the next multiple of total / groups, so groups weigh about the same
// (a greedy fill would leave a small last group that one thread works through alone). Packed
// sequences need no equal lengths, so texts keep their order.
std::vector<std::size_t> group_starts(const std::vector<std::vector<std::int32_t>>& ids, std::size_t groups,
                                      std::size_t total) {
    std::vector<std::size_t> starts{0};
    for (std::size_t i = 0, before = 0; i < ids.size(); ++i) {
        if (i > 0 && starts.size() < groups && before * groups >= starts.size() * total) starts.push_back(i);
        before += ids[i].size();
    }
    starts.push_back(ids.size());
    return starts;
}

// Runs `work` on `threads` threads, the caller's one of them, and rethrows the first error.
void run_on_threads(std::size_t threads, const std::function<void()>& work) {
    std::vector<std::exception_ptr> errors(threads);
    const auto guarded = [&](std::size_t t) {
        try {
            work();
        } catch (...) {
            errors[t] = std::current_exception();
        }
    };
    {
        std::vector<std::jthread> helpers;
        for (std::size_t t = 1; t < threads; ++t) helpers.emplace_back(guarded, t);
        if (threads > 0) guarded(0);
    }
    for (const auto& error : errors)
        if (error) std::rethrow_exception(error);
}

}  // namespace

fs::path MiniLmEmbedder::default_dir() {
    const char* root = std::getenv("AIMI_MODEL_DIR");
    return fs::path(root && *root ? root : "/var/cache/aimi/models") / "all-MiniLM-L6-v2";
}

MiniLmEmbedder::MiniLmEmbedder(const fs::path& model_dir, const MiniLmOptions& options) : options_(options) {
    try {
        if (options.threads < 1 || options.max_batch_tokens < 1)
            throw std::invalid_argument("threads and max_batch_tokens must be at least 1");
        if (!fs::is_directory(model_dir))
            throw std::runtime_error("no such directory (run infra/scripts/minilm-model.sh to install the model)");
        const auto config = minilm::read_bert_config(model_dir / "config.json");
        dimensions_ = static_cast<std::size_t>(config.hidden_size);
        check_pooling(model_dir / "1_Pooling" / "config.json", dimensions_);
        const std::size_t max_length = max_seq_length(model_dir / "sentence_bert_config.json");
        if (max_length > static_cast<std::size_t>(config.max_positions))
            throw std::runtime_error("max_seq_length exceeds max_position_embeddings");
        tokenizer_ = std::make_unique<const minilm::WordPieceTokenizer>(model_dir / "tokenizer.json", max_length);
        if (tokenizer_->vocab_size() != static_cast<std::size_t>(config.vocab_size))
            throw std::runtime_error("tokenizer.json and config.json disagree on the vocabulary size");
        const fs::path weights = model_dir / "model.safetensors";
        // The version names the exact weights, so a changed file can never pass for the old model.
        model_ = {"minilm", "all-MiniLM-L6-v2", package_version(model_dir) + "+" + sha256_hex(weights).substr(0, 12)};
        encoder_ =
            std::make_unique<const minilm::BertEncoder>(std::make_unique<const minilm::SafeTensors>(weights), config);
        if (options.blas_threads > 0) minilm::set_blas_threads(options.blas_threads);
    } catch (const std::exception& e) {
        throw ProviderError("minilm: model " + model_dir.string() + ": " + e.what(), false);
    }
}

Embeddings MiniLmEmbedder::embed(const std::vector<std::string>& texts) {
    Embeddings out;
    out.vectors.resize(texts.size());
    try {
        std::vector<std::vector<std::int32_t>> ids;
        ids.reserve(texts.size());
        std::size_t total = 0;
        for (const auto& text : texts) {
            ids.push_back(tokenizer_->encode(text));
            total += ids.back().size();
        }
        out.usage.tokens_in = static_cast<std::int64_t>(total);

        // As many groups as threads, more if that leaves groups above max_batch_tokens.
        const auto threads = static_cast<std::size_t>(options_.threads);
        const std::size_t rounds =
            (total + threads * options_.max_batch_tokens - 1) / (threads * options_.max_batch_tokens);
        const auto starts = group_starts(ids, std::max<std::size_t>(1, rounds) * threads, total);
        const std::size_t groups = starts.size() - 1;
        std::atomic<std::size_t> next{0};
        run_on_threads(std::min(threads, groups), [&] {
            std::unique_ptr<minilm::EncoderWorkspace> ws;
            {
                std::lock_guard lock(workspaces_mutex_);
                if (!workspaces_.empty()) {
                    ws = std::move(workspaces_.back());
                    workspaces_.pop_back();
                }
            }
            if (!ws) ws = std::make_unique<minilm::EncoderWorkspace>();
            for (std::size_t g; (g = next++) < groups;) {
                const std::span<const std::vector<std::int32_t>> group(ids.begin() + starts[g],
                                                                       ids.begin() + starts[g + 1]);
                encoder_->encode(group, *ws);
                for (std::size_t s = 0; s < group.size(); ++s) {
                    const std::size_t begin = ws->offsets[s], tokens = ws->offsets[s + 1] - begin;
                    out.vectors[starts[g] + s] = mean_pool(
                        std::span(ws->states).subspan(begin * dimensions_, tokens * dimensions_), tokens, dimensions_);
                }
            }
            std::lock_guard lock(workspaces_mutex_);
            workspaces_.push_back(std::move(ws));
        });
    } catch (const std::exception& e) {
        throw ProviderError(std::string("minilm: embed failed: ") + e.what(), false);
    }
    return out;
}

}  // namespace aimi::memory
