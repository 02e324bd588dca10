#include "domain/memory/centrality.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace aimi::memory {

std::vector<SparseVector> tfidf_vectors(const std::vector<std::vector<std::string>>& documents) {
    std::map<std::string, std::size_t> ids;
    std::vector<std::vector<std::size_t>> term_ids(documents.size());
    for (std::size_t d = 0; d < documents.size(); ++d) {
        for (const std::string& term : documents[d]) term_ids[d].push_back(ids.emplace(term, ids.size()).first->second);
        std::sort(term_ids[d].begin(), term_ids[d].end());
    }
    std::vector<std::size_t> df(ids.size(), 0);
    for (const auto& terms : term_ids)
        for (std::size_t k = 0; k < terms.size(); ++k)
            if (k == 0 || terms[k] != terms[k - 1]) ++df[terms[k]];
    const double n = static_cast<double>(documents.size());
    std::vector<SparseVector> vectors(documents.size());
    for (std::size_t d = 0; d < documents.size(); ++d) {
        const auto& terms = term_ids[d];
        double norm = 0;
        for (std::size_t k = 0; k < terms.size();) {
            std::size_t end = k;
            while (end < terms.size() && terms[end] == terms[k]) ++end;
            const double weight =
                (1.0 + std::log(static_cast<double>(end - k))) * std::log(1.0 + n / static_cast<double>(df[terms[k]]));
            vectors[d].emplace_back(terms[k], weight);
            norm += weight * weight;
            k = end;
        }
        norm = std::sqrt(norm);
        if (norm > 0)
            for (auto& entry : vectors[d]) entry.second /= norm;
    }
    return vectors;
}

double sparse_dot(const SparseVector& a, const SparseVector& b) {
    double sum = 0;
    for (std::size_t i = 0, j = 0; i < a.size() && j < b.size();) {
        if (a[i].first < b[j].first) {
            ++i;
        } else if (b[j].first < a[i].first) {
            ++j;
        } else {
            sum += a[i++].second * b[j++].second;
        }
    }
    return sum;
}

std::vector<double> centrality(const std::vector<SparseVector>& vectors, const std::vector<bool>& in_centroid) {
    std::map<std::size_t, double> sum;
    for (std::size_t d = 0; d < vectors.size(); ++d)
        if (in_centroid[d])
            for (const auto& [id, weight] : vectors[d]) sum[id] += weight;
    SparseVector centroid(sum.begin(), sum.end());
    double norm = 0;
    for (const auto& entry : centroid) norm += entry.second * entry.second;
    norm = std::sqrt(norm);
    std::vector<double> scores(vectors.size(), 0.0);
    if (norm == 0) return scores;
    // Leave a sentence's own share out: a sentence of words said once is not central.
    for (std::size_t d = 0; d < vectors.size(); ++d) {
        const double own = in_centroid[d] && !vectors[d].empty() ? 1.0 : 0.0;
        scores[d] = std::max(0.0, sparse_dot(vectors[d], centroid) - own) / norm;
    }
    return scores;
}

}  // namespace aimi::memory
