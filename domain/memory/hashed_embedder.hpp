#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "domain/memory/providers.hpp"

namespace aimi::memory {

//! A local embedder that needs no model file: each text becomes a bag of hashed features (word
//! unigrams, word bigrams and character 3-grams of each word with ^/$ boundary marks), folded into
//! `dimensions` buckets with a ±1 sign (the hashing trick), weighted 1 + ln(tf) and L2-normalized.
//!
//! It is lexical, not semantic: texts score high when they share words or word pieces ("устал" and
//! "усталость" share 3-grams), and paraphrases with no words in common ("I'm exhausted" vs
//! "completely drained") score near 0. Good for a first recall step and for tests; not a substitute
//! for a sentence-embedding model.
//!
//! Fixed and documented so vectors are stable across builds and platforms: words as split_words
//! sees them (lower case, ё → е); FNV-1a 64 over a feature's kind tag and UTF-8 bytes, then the
//! murmur3 64-bit finalizer; bucket = low 32 bits mod dimensions, sign = bit 32. Only the first
//! kMaxWords words of a text count. A text without words gets the zero vector (not normalizable;
//! its cosine with anything is taken as 0), so callers can tell "nothing to embed" apart.
class HashedEmbedder : public Embedder {
  public:
    static constexpr std::size_t kDefaultDimensions = 384;
    static constexpr std::size_t kMaxWords = 8192;

    //! @throws std::invalid_argument unless 1 <= dimensions <= 65536
    explicit HashedEmbedder(std::size_t dimensions = kDefaultDimensions);

    const ModelId& model() const override { return model_; }
    std::size_t dimensions() const override { return dimensions_; }
    //! Usage.tokens_in = words read; never throws ProviderError.
    Embeddings embed(const std::vector<std::string>& texts) override;

    //! One text's vector and the number of words read.
    Vector embed_one(std::string_view text, std::int64_t* words_read = nullptr) const;

  private:
    std::size_t dimensions_;
    ModelId model_;
};

//! 64-bit FNV-1a of `bytes`, continuing from `hash` (the offset basis by default).
std::uint64_t fnv1a_64(std::string_view bytes, std::uint64_t hash = 0xcbf29ce484222325ULL);

}  // namespace aimi::memory
