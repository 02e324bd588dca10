#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <unistd.h>

#include "workers/providers/minilm/bert_normalizer.hpp"
#include "workers/providers/minilm/minilm_embedder.hpp"
#include "workers/providers/minilm/safetensors.hpp"

namespace {

namespace fs = std::filesystem;
using aimi::memory::MiniLmEmbedder;
using aimi::memory::ProviderError;
using aimi::memory::Vector;

// The model is installed by the project's install step, so its absence is a failure, not a skip.
fs::path model_dir() {
    const char* dir = std::getenv("AIMI_MINILM_DIR");
    return dir && *dir ? fs::path(dir) : MiniLmEmbedder::default_dir();
}

std::string missing_model_message() {
    return "all-MiniLM-L6-v2 is not installed in " + model_dir().string() +
           ": run infra/scripts/minilm-model.sh (infra/scripts/install-deps.sh does), or set AIMI_MINILM_DIR";
}

// One embedder for the suite: loading maps 90 MB and hashes it.
MiniLmEmbedder* shared_embedder() {
    static std::unique_ptr<MiniLmEmbedder> embedder = []() -> std::unique_ptr<MiniLmEmbedder> {
        if (!fs::exists(model_dir() / "model.safetensors")) return nullptr;
        return std::make_unique<MiniLmEmbedder>(model_dir());
    }();
    return embedder.get();
}

struct Reference {
    std::string text;
    std::vector<std::int32_t> ids;
    Vector vector;
};

// tests/embedding/minilm_reference.json, written by tests/embedding/reference_vectors.py.
const std::vector<Reference>& references() {
    static const std::vector<Reference> all = [] {
        const auto file = fs::path(__FILE__).parent_path().parent_path() / "embedding" / "minilm_reference.json";
        simdjson::dom::parser parser;
        simdjson::dom::element root;
        if (parser.load(file.string()).get(root)) throw std::runtime_error("cannot read " + file.string());
        std::vector<Reference> out;
        const simdjson::dom::array sentences = root["sentences"].get_array().value();
        for (simdjson::dom::element sentence : sentences) {
            Reference ref;
            ref.text = std::string(sentence["text"].get_string().value());
            const simdjson::dom::array ids = sentence["ids"].get_array().value();
            for (simdjson::dom::element id : ids) ref.ids.push_back(static_cast<std::int32_t>(id.get_int64().value()));
            const simdjson::dom::array vector = sentence["vector"].get_array().value();
            for (simdjson::dom::element x : vector) ref.vector.push_back(static_cast<float>(x.get_double().value()));
            out.push_back(std::move(ref));
        }
        return out;
    }();
    return all;
}

std::vector<std::string> reference_texts() {
    std::vector<std::string> texts;
    for (const auto& ref : references()) texts.push_back(ref.text);
    return texts;
}

double cosine(const Vector& a, const Vector& b) {
    double dot = 0, na = 0, nb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        dot += double(a[i]) * b[i];
        na += double(a[i]) * a[i];
        nb += double(b[i]) * b[i];
    }
    return dot / std::sqrt(na * nb);
}

float max_abs_difference(const Vector& a, const Vector& b) {
    float out = 0;
    for (std::size_t i = 0; i < a.size(); ++i) out = std::max(out, std::fabs(a[i] - b[i]));
    return out;
}

TEST(MiniLm, FixtureCoversTheCases) {
    ASSERT_GE(references().size(), 24u);
    bool truncated = false, empty = false;
    for (const auto& ref : references()) {
        truncated |= ref.ids.size() == 256;
        empty |= ref.text.empty();
        EXPECT_EQ(ref.vector.size(), 384u) << ref.text;
    }
    EXPECT_TRUE(truncated);
    EXPECT_TRUE(empty);
}

TEST(MiniLm, TokenIdsEqualHuggingFaceTokenizers) {
    auto* embedder = shared_embedder();
    ASSERT_NE(embedder, nullptr) << missing_model_message();
    for (const auto& ref : references()) EXPECT_EQ(embedder->tokenizer().encode(ref.text), ref.ids) << ref.text;
}

TEST(MiniLm, VectorsEqualSentenceTransformers) {
    auto* embedder = shared_embedder();
    ASSERT_NE(embedder, nullptr) << missing_model_message();
    const auto result = embedder->embed(reference_texts());
    ASSERT_EQ(result.vectors.size(), references().size());
    std::int64_t tokens = 0;
    for (std::size_t i = 0; i < references().size(); ++i) {
        const auto& ref = references()[i];
        tokens += static_cast<std::int64_t>(ref.ids.size());
        ASSERT_EQ(result.vectors[i].size(), 384u);
        EXPECT_GE(cosine(result.vectors[i], ref.vector), 0.9999) << ref.text;
        EXPECT_NEAR(cosine(result.vectors[i], result.vectors[i]), 1.0, 1e-6);
        double norm = 0;
        for (const float x : result.vectors[i]) norm += double(x) * x;
        EXPECT_NEAR(std::sqrt(norm), 1.0, 1e-5) << ref.text;
    }
    EXPECT_EQ(result.usage.tokens_in, tokens);
    EXPECT_EQ(result.usage.tokens_out, 0);
}

TEST(MiniLm, BatchEqualsOneByOne) {
    auto* embedder = shared_embedder();
    ASSERT_NE(embedder, nullptr) << missing_model_message();
    const auto texts = reference_texts();
    const auto batch = embedder->embed(texts);
    for (std::size_t i = 0; i < texts.size(); ++i) {
        const auto one = embedder->embed({texts[i]});
        ASSERT_EQ(one.vectors.size(), 1u);
        EXPECT_LT(max_abs_difference(one.vectors[0], batch.vectors[i]), 1e-5f) << texts[i];
    }
    EXPECT_TRUE(embedder->embed({}).vectors.empty());
}

TEST(MiniLm, ConcurrentCallsAgree) {
    auto* embedder = shared_embedder();
    ASSERT_NE(embedder, nullptr) << missing_model_message();
    const auto texts = reference_texts();
    const auto expected = embedder->embed(texts);
    std::vector<aimi::memory::Embeddings> results(3);
    std::vector<std::thread> threads;
    for (auto& result : results) threads.emplace_back([&] { result = embedder->embed(texts); });
    for (auto& thread : threads) thread.join();
    for (const auto& result : results)
        for (std::size_t i = 0; i < texts.size(); ++i)
            EXPECT_LT(max_abs_difference(result.vectors[i], expected.vectors[i]), 1e-5f) << texts[i];
}

TEST(MiniLm, ModelIdNamesPackageAndWeights) {
    auto* embedder = shared_embedder();
    ASSERT_NE(embedder, nullptr) << missing_model_message();
    EXPECT_EQ(embedder->model().provider, "minilm");
    EXPECT_EQ(embedder->model().name, "all-MiniLM-L6-v2");
    EXPECT_EQ(embedder->model().version, "0.1.2+53aa51172d14");
    EXPECT_EQ(embedder->dimensions(), 384u);
}

TEST(MiniLm, MissingModelDirIsAnError) {
    try {
        MiniLmEmbedder embedder("/nonexistent/all-MiniLM-L6-v2");
        FAIL() << "no error";
    } catch (const ProviderError& e) {
        EXPECT_FALSE(e.retryable());
        EXPECT_NE(std::string(e.what()).find("/nonexistent/all-MiniLM-L6-v2"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("infra/scripts/minilm-model.sh"), std::string::npos) << e.what();
    }
}

// A directory with the model's small files and a model.safetensors of our making.
fs::path model_copy_with_weights(const std::string& name, const std::string& weights) {
    const fs::path dir = fs::temp_directory_path() / ("aimi-minilm-test-" + std::to_string(::getpid()) + "-" + name);
    fs::remove_all(dir);
    fs::create_directories(dir / "1_Pooling");
    for (const char* file : {"config.json", "tokenizer.json", "sentence_bert_config.json", "1_Pooling/config.json"})
        fs::copy_file(model_dir() / file, dir / file);
    std::ofstream(dir / "model.safetensors", std::ios::binary) << weights;
    return dir;
}

std::string safetensors_bytes(const std::string& header, std::size_t data_bytes) {
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((header.size() >> (8 * i)) & 0xFF);
    return out + header + std::string(data_bytes, '\0');
}

TEST(MiniLm, BrokenWeightsAreAnError) {
    ASSERT_TRUE(fs::exists(model_dir() / "model.safetensors")) << missing_model_message();
    const auto expect_error = [](const std::string& name, const std::string& weights, const std::string& needle) {
        const auto dir = model_copy_with_weights(name, weights);
        try {
            MiniLmEmbedder embedder(dir);
            ADD_FAILURE() << name << ": no error";
        } catch (const ProviderError& e) {
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << name << ": " << e.what();
        }
        fs::remove_all(dir);
    };
    expect_error("empty", "", "truncated");
    expect_error("short-header",
                 safetensors_bytes(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", 8).substr(0, 30),
                 "truncated");
    expect_error("short-data",
                 safetensors_bytes(R"({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}})", 8),
                 "truncated");
    expect_error("missing-tensor",
                 safetensors_bytes(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", 8),
                 "has no tensor embeddings.word_embeddings.weight");
    expect_error(
        "wrong-shape",
        safetensors_bytes(
            R"({"embeddings.word_embeddings.weight": {"dtype": "F32", "shape": [2, 4], "data_offsets": [0, 32]}})", 32),
        "has shape [2, 4], expected [30522, 384]");
    expect_error(
        "wrong-dtype",
        safetensors_bytes(
            R"({"embeddings.word_embeddings.weight": {"dtype": "F16", "shape": [30522, 384], "data_offsets": [0, 23440896]}})",
            23440896),
        "is F16, expected F32");
    expect_error("not-json", safetensors_bytes("{nope", 0), "header is not a JSON object");
}

TEST(MiniLm, NormalizerStripsAccentsAsHuggingFaceDoes) {
    using aimi::memory::minilm::bert_normalize;
    using aimi::memory::minilm::bert_pre_tokenize;
    EXPECT_EQ(bert_normalize("Café NAÏVE"), U"cafe naive");
    EXPECT_EQ(bert_normalize("Ёлка Йод ёж й"), U"елка иод еж и");  // й and ё lose their marks too
    EXPECT_EQ(bert_normalize("a\u200bb\tc"), U"ab c");
    EXPECT_EQ(bert_normalize("東京"), U" 東  京 ");
    EXPECT_EQ(bert_normalize("\xff\xfe ok"), U" ok");  // invalid UTF-8 is U+FFFD, which is dropped
    EXPECT_EQ(bert_pre_tokenize(U"don't stop!"), (std::vector<std::string>{"don", "'", "t", "stop", "!"}));
}

}  // namespace
