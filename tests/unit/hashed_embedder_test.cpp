// Unit tests for domain/memory/hashed_embedder: the local, file-free, lexical embedder.
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "domain/memory/hashed_embedder.hpp"

namespace {

using aimi::memory::HashedEmbedder;
using aimi::memory::Vector;

double norm(const Vector& v) {
    double sum = 0;
    for (const float x : v) sum += static_cast<double>(x) * x;
    return std::sqrt(sum);
}

double cosine(const Vector& a, const Vector& b) {
    double sum = 0;
    for (std::size_t i = 0; i < a.size(); ++i) sum += static_cast<double>(a[i]) * b[i];
    return sum;  // both normalized
}

double similarity(const std::string& a, const std::string& b) {
    const HashedEmbedder embedder;
    return cosine(embedder.embed_one(a), embedder.embed_one(b));
}

TEST(HashedEmbedder, NamesItsModelAndDimensions) {
    HashedEmbedder embedder;
    EXPECT_EQ(embedder.model().provider, "hashed");
    EXPECT_EQ(embedder.model().name, "hashed-ngram");
    EXPECT_EQ(embedder.model().version, "v1-d384");
    EXPECT_EQ(embedder.dimensions(), 384u);
    const auto result = embedder.embed({"one", "two words"});
    ASSERT_EQ(result.vectors.size(), 2u);
    for (const Vector& v : result.vectors) EXPECT_EQ(v.size(), 384u);
}

TEST(HashedEmbedder, DimensionOption) {
    HashedEmbedder small(16);
    EXPECT_EQ(small.dimensions(), 16u);
    EXPECT_EQ(small.model().version, "v1-d16");
    const Vector v = small.embed({"a longer text with quite a few different words in it"}).vectors.at(0);
    EXPECT_EQ(v.size(), 16u);
    EXPECT_NEAR(norm(v), 1.0, 1e-5);
    EXPECT_EQ(std::abs(HashedEmbedder(1).embed_one("anything")[0]), 1.0F) << "one bucket: ±1";
    EXPECT_THROW(HashedEmbedder(0), std::invalid_argument);
    EXPECT_THROW(HashedEmbedder(65537), std::invalid_argument);
}

TEST(HashedEmbedder, HashIsFnv1a64) {
    // The published FNV-1a 64 test vectors: the hash must never follow std::hash around.
    EXPECT_EQ(aimi::memory::fnv1a_64(""), 0xcbf29ce484222325ULL);
    EXPECT_EQ(aimi::memory::fnv1a_64("a"), 0xaf63dc4c8601ec8cULL);
    EXPECT_EQ(aimi::memory::fnv1a_64("foobar"), 0x85944171f73967e8ULL);
}

TEST(HashedEmbedder, PinnedVectorsChangeOnlyWithTheVersion) {
    // If this fails, the features or the hashing changed: bump the model version ("v2-d…"), since
    // stored vectors of "v1" would no longer compare with new ones.
    const Vector v = HashedEmbedder().embed_one("hi");
    std::vector<std::pair<std::size_t, float>> nonzero;
    for (std::size_t i = 0; i < v.size(); ++i)
        if (v[i] != 0) nonzero.emplace_back(i, v[i]);
    ASSERT_EQ(nonzero.size(), 3u);
    EXPECT_EQ(nonzero[0].first, 25u);
    EXPECT_NEAR(nonzero[0].second, -0.313677, 1e-5);  // a 3-gram (weight 0.35), negative sign
    EXPECT_EQ(nonzero[1].first, 45u);
    EXPECT_NEAR(nonzero[1].second, 0.896221, 1e-5);  // the word (weight 1)
    EXPECT_EQ(nonzero[2].first, 381u);
    EXPECT_NEAR(nonzero[2].second, 0.313677, 1e-5);
}

TEST(HashedEmbedder, DeterministicSameTextSameVector) {
    HashedEmbedder first, second;
    const std::string text = "Morning run, then work. Утром пробежка, потом работа 🏃";
    const auto a = first.embed({text, "other", text});
    const auto b = second.embed({text});
    EXPECT_EQ(a.vectors[0], a.vectors[2]);
    EXPECT_EQ(a.vectors[0], b.vectors[0]);
    EXPECT_NE(a.vectors[0], a.vectors[1]);
}

TEST(HashedEmbedder, VectorsAreNormalized) {
    HashedEmbedder embedder;
    for (const std::string& text :
         std::vector<std::string>{"a", "Hello, world!", "Я очень устала на работе", "東京 2024 🏃 café",
                                  "word word word word word", std::string("bad \xff\xfe bytes \xc3")}) {
        EXPECT_NEAR(norm(embedder.embed_one(text)), 1.0, 1e-5) << text;
    }
}

TEST(HashedEmbedder, TextWithoutWordsIsTheZeroVector) {
    HashedEmbedder embedder;
    for (const std::string& text :
         std::vector<std::string>{"", "   ", "?!… --", "🏃🏽‍♀️ 😀", std::string("\xff\xfe")}) {
        const auto result = embedder.embed({text});
        EXPECT_EQ(norm(result.vectors[0]), 0.0) << text;
        EXPECT_EQ(result.usage.tokens_in, 0);
    }
}

TEST(HashedEmbedder, UsageCountsWords) {
    const auto result = HashedEmbedder().embed({"one two three", "", "Раз, два! don't"});
    EXPECT_EQ(result.usage.tokens_in, 3 + 0 + 4) << "words are letters and digits: don't is two";
    EXPECT_EQ(result.usage.tokens_out, 0);
}

TEST(HashedEmbedder, CaseAndYoDoNotMatter) {
    HashedEmbedder embedder;
    EXPECT_EQ(embedder.embed_one("HELLO World"), embedder.embed_one("hello world"));
    EXPECT_EQ(embedder.embed_one("Ёлка ПРИВЕТ"), embedder.embed_one("елка привет"));
    EXPECT_EQ(embedder.embed_one("hello,   world!!"), embedder.embed_one("hello world"));
}

TEST(HashedEmbedder, SharedWordsScoreHigh) {
    EXPECT_GT(similarity("I went running in the park this morning", "this morning I went running in the park"), 0.7);
    EXPECT_GT(similarity("remind me to call my sister", "call my sister"), 0.5);
}

TEST(HashedEmbedder, UnrelatedTextsScoreLow) {
    EXPECT_LT(std::abs(similarity("I love hiking in the mountains", "quarterly tax report deadline")), 0.2);
    EXPECT_LT(std::abs(similarity("купить молоко и хлеб", "I love hiking in the mountains")), 0.2);
}

TEST(HashedEmbedder, ParaphrasesWithoutSharedWordsScoreLow) {
    // Lexical, not semantic: the documented limit.
    EXPECT_LT(std::abs(similarity("I'm exhausted", "completely drained")), 0.2);
}

TEST(HashedEmbedder, RussianWorks) {
    EXPECT_GT(similarity("Я очень устала на работе", "на работе я очень устала"), 0.7);
    // Word forms share 3-grams, so "устала" is closer to "усталость" than to an unrelated text.
    const double forms = similarity("я устала", "усталость");
    EXPECT_GT(forms, 0.1);
    EXPECT_GT(forms, std::abs(similarity("я устала", "купить молоко")) + 0.1);
}

}  // namespace
