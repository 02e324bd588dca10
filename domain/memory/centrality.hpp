#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

// TF-IDF over the sentences of one summary request: how central each sentence is to the whole.
namespace aimi::memory {

//! A sparse vector: (term id, weight) sorted by term id.
using SparseVector = std::vector<std::pair<std::size_t, double>>;

//! The L2-normalized TF-IDF vector of each document (a list of terms): weight (1 + ln tf) ·
//! ln(1 + N / df). Term ids follow first appearance, so the result never depends on hashing.
std::vector<SparseVector> tfidf_vectors(const std::vector<std::vector<std::string>>& documents);

//! The dot product (the cosine, for normalized vectors).
double sparse_dot(const SparseVector& a, const SparseVector& b);

//! How close each vector is to the others marked `in_centroid`: its dot product with their sum
//! (its own share left out) over the norm of the sum of all marked; 0 for an empty vector.
std::vector<double> centrality(const std::vector<SparseVector>& vectors, const std::vector<bool>& in_centroid);

}  // namespace aimi::memory
