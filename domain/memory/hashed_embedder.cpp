#include "domain/memory/hashed_embedder.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "domain/memory/utf8.hpp"
#include "domain/memory/words.hpp"

namespace aimi::memory {
namespace {

// Per-feature weights: a word carries as much as its 3-grams together (a word of n letters has n
// 3-grams), and a bigram, rarer and more specific, a little less than a word.
constexpr double kUnigramWeight = 1.0;
constexpr double kBigramWeight = 0.7;
constexpr double kTrigramWeight = 0.35;

enum class Feature : char { unigram = 'u', bigram = 'b', trigram = 't' };

// murmur3's fmix64: FNV-1a alone spreads short keys poorly over the low bits a bucket takes.
std::uint64_t mix(std::uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

std::uint64_t feature_hash(Feature kind, std::string_view bytes) {
    const char tag[2] = {static_cast<char>(kind), ':'};
    return mix(fnv1a_64(bytes, fnv1a_64(std::string_view(tag, 2))));
}

// The code-point 3-grams of `word` wrapped in ^…$ (a one-letter word gives "^a$").
void add_trigrams(const std::string& word, std::vector<std::pair<std::uint64_t, Feature>>& out) {
    const std::string marked = "^" + word + "$";
    std::vector<std::size_t> starts;
    for (std::size_t i = 0; i < marked.size(); i += decode_utf8(marked, i).length) starts.push_back(i);
    starts.push_back(marked.size());
    for (std::size_t k = 0; k + 3 < starts.size(); ++k) {
        const std::string_view gram(marked.data() + starts[k], starts[k + 3] - starts[k]);
        out.emplace_back(feature_hash(Feature::trigram, gram), Feature::trigram);
    }
}

double weight_of(Feature kind) {
    switch (kind) {
        case Feature::unigram:
            return kUnigramWeight;
        case Feature::bigram:
            return kBigramWeight;
        case Feature::trigram:
            return kTrigramWeight;
    }
    return 0;
}

}  // namespace

std::uint64_t fnv1a_64(std::string_view bytes, std::uint64_t hash) {
    for (const char c : bytes) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

HashedEmbedder::HashedEmbedder(std::size_t dimensions)
    : dimensions_(dimensions), model_{"hashed", "hashed-ngram", "v1-d" + std::to_string(dimensions)} {
    if (dimensions < 1 || dimensions > 65536) throw std::invalid_argument("HashedEmbedder: dimensions out of 1..65536");
}

Vector HashedEmbedder::embed_one(std::string_view text, std::int64_t* words_read) const {
    const std::vector<Word> words = split_words(text, {.max_words = kMaxWords});
    if (words_read) *words_read = static_cast<std::int64_t>(words.size());
    std::vector<std::pair<std::uint64_t, Feature>> features;
    for (std::size_t i = 0; i < words.size(); ++i) {
        features.emplace_back(feature_hash(Feature::unigram, words[i].text), Feature::unigram);
        if (i > 0) {
            features.emplace_back(feature_hash(Feature::bigram, words[i - 1].text + ' ' + words[i].text),
                                  Feature::bigram);
        }
        add_trigrams(words[i].text, features);
    }
    // Sorting makes equal features adjacent (their count is the tf) and the summation order fixed.
    std::sort(features.begin(), features.end());
    std::vector<double> sums(dimensions_, 0.0);
    for (std::size_t i = 0; i < features.size();) {
        std::size_t j = i;
        while (j < features.size() && features[j] == features[i]) ++j;
        const auto [hash, kind] = features[i];
        const double weight = weight_of(kind) * (1.0 + std::log(static_cast<double>(j - i)));
        const double sign = ((hash >> 32) & 1) ? -1.0 : 1.0;
        sums[(hash & 0xFFFFFFFFULL) % dimensions_] += sign * weight;
        i = j;
    }
    double norm = 0;
    for (const double s : sums) norm += s * s;
    norm = std::sqrt(norm);
    Vector vector(dimensions_, 0.0F);
    if (norm > 0)
        for (std::size_t d = 0; d < dimensions_; ++d) vector[d] = static_cast<float>(sums[d] / norm);
    return vector;
}

Embeddings HashedEmbedder::embed(const std::vector<std::string>& texts) {
    Embeddings result;
    result.vectors.reserve(texts.size());
    for (const std::string& text : texts) {
        std::int64_t words = 0;
        result.vectors.push_back(embed_one(text, &words));
        result.usage.tokens_in += words;
    }
    return result;
}

}  // namespace aimi::memory
