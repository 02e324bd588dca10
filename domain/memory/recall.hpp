#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "domain/memory/providers.hpp"

// Hybrid recall, the pure part (docs/memory.md, "Recall"): exact nearest neighbours over one
// user's vectors, and the fusion of the vector and full-text rankings with recency.
namespace aimi::memory {

//! One user's vectors of one model, row-major (n x dimensions), all L2-normalized.
struct VectorMatrix {
    std::size_t dimensions = 0;
    std::vector<float> values;
    std::size_t size() const { return dimensions == 0 ? 0 : values.size() / dimensions; }
    const float* row(std::size_t i) const { return values.data() + i * dimensions; }
};

struct Neighbour {
    std::size_t index = 0;
    float similarity = 0;  // cosine (dot product of normalized vectors)
};

//! The `k` rows most similar to `query` among those `keep(index)` accepts, best first (ties by
//! index, so the order is deterministic).
template <class Keep>
std::vector<Neighbour> nearest(const VectorMatrix& matrix, std::span<const float> query, std::size_t k, Keep keep);

//! One candidate of the fused ranking.
struct Candidate {
    std::string key;                         // kind + ":" + source id
    std::optional<std::size_t> vector_rank;  // 1-based rank in the vector list
    std::optional<std::size_t> text_rank;    // 1-based rank in the full-text list
    double age_days = 0;
    double recency = 0;  // filled by fuse: 2^(-age / half-life)
    double fused = 0;    // filled by fuse
};

struct FusionWeights {
    double k = 60;                // reciprocal rank fusion constant
    double recency_weight = 0.5;  // a brand-new item gains half of what a rank-1 hit in one list gains
    double half_life_days = 30;
};

//! Reciprocal rank fusion: fused = 1/(k + vector_rank) + 1/(k + text_rank) + recency_weight *
//! 2^(-age/half-life) / (k + 1). Sorts best first (ties by key).
void fuse(std::vector<Candidate>& candidates, const FusionWeights& weights = {});

float dot(std::span<const float> a, std::span<const float> b);

// ---- template implementation ----
template <class Keep>
std::vector<Neighbour> nearest(const VectorMatrix& matrix, std::span<const float> query, std::size_t k, Keep keep) {
    std::vector<Neighbour> out;
    if (k == 0 || query.size() != matrix.dimensions) return out;
    out.reserve(k + 1);
    auto worse = [](const Neighbour& a, const Neighbour& b) {
        return a.similarity != b.similarity ? a.similarity > b.similarity : a.index < b.index;
    };
    for (std::size_t i = 0; i < matrix.size(); ++i) {
        if (!keep(i)) continue;
        const Neighbour n{i, dot(query, {matrix.row(i), matrix.dimensions})};
        if (out.size() == k && !worse(n, out.back())) continue;
        out.insert(std::upper_bound(out.begin(), out.end(), n, worse), n);
        if (out.size() > k) out.pop_back();
    }
    return out;
}

}  // namespace aimi::memory
