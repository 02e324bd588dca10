#include "domain/memory/recall.hpp"

#include <algorithm>
#include <cmath>

namespace aimi::memory {

float dot(std::span<const float> a, std::span<const float> b) {
    // Four accumulators let the compiler vectorize without -ffast-math reassociation.
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    std::size_t i = 0;
    const std::size_t n = std::min(a.size(), b.size());
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; ++i) s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

void fuse(std::vector<Candidate>& candidates, const FusionWeights& w) {
    for (auto& c : candidates) {
        c.recency = std::exp2(-std::max(0.0, c.age_days) / w.half_life_days);
        c.fused = w.recency_weight * c.recency / (w.k + 1);
        if (c.vector_rank) c.fused += 1.0 / (w.k + static_cast<double>(*c.vector_rank));
        if (c.text_rank) c.fused += 1.0 / (w.k + static_cast<double>(*c.text_rank));
    }
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
        return a.fused != b.fused ? a.fused > b.fused : a.key < b.key;
    });
}

}  // namespace aimi::memory
