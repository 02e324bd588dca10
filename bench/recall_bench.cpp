// Recall over one user's vectors (docs/benchmarks.md, phase j): the exact scan the gateway runs
// today (domain/memory/recall) beside an approximate HNSW index (hnswlib, Debian's libhnswlib-dev)
// on the same vectors in the same run — query latency p50/p95, recall@10 of HNSW against the exact
// answer, index build time and memory. The vectors are clustered (1000 topics, 384 dimensions,
// normalized), which real sentence embeddings resemble more than uniform noise does; queries are
// fresh points near random topics. Nothing here asserts on timings.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <hnswlib/hnswlib.h>

#include "domain/memory/recall.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kDims = 384;
constexpr std::size_t kTopics = 1000;
constexpr std::size_t kQueries = 300;
constexpr std::size_t kK = 10;

void normalize(float* v) {
    double s = 0;
    for (std::size_t i = 0; i < kDims; ++i) s += double(v[i]) * v[i];
    const auto inv = static_cast<float>(1.0 / std::sqrt(s));
    for (std::size_t i = 0; i < kDims; ++i) v[i] *= inv;
}

std::vector<float> clustered(std::size_t n, std::mt19937& rng, const std::vector<float>& topics) {
    std::normal_distribution<float> noise(0.0f, 0.045f);
    std::vector<float> out(n * kDims);
    for (std::size_t i = 0; i < n; ++i) {
        const auto t = rng() % kTopics;
        for (std::size_t d = 0; d < kDims; ++d) out[i * kDims + d] = topics[t * kDims + d] + noise(rng);
        normalize(&out[i * kDims]);
    }
    return out;
}

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

long rss_kib() {
    FILE* f = std::fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f && std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    if (f) std::fclose(f);
    return resident * 4;
}

void run(std::size_t n, std::mt19937& rng, const std::vector<float>& topics) {
    const auto data = clustered(n, rng, topics);
    const auto queries = clustered(kQueries, rng, topics);
    aimi::memory::VectorMatrix matrix{kDims, data};

    std::vector<double> exact_ms;
    std::vector<std::vector<std::size_t>> truth;
    for (std::size_t q = 0; q < kQueries; ++q) {
        const auto started = Clock::now();
        const auto hits =
            aimi::memory::nearest(matrix, {&queries[q * kDims], kDims}, kK, [](std::size_t) { return true; });
        exact_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
        std::vector<std::size_t> ids;
        for (const auto& h : hits) ids.push_back(h.index);
        truth.push_back(std::move(ids));
    }
    std::printf("RECALL_EXACT_%zu_P50=%.3f\nRECALL_EXACT_%zu_P95=%.3f\n", n, percentile(exact_ms, 0.5), n,
                percentile(exact_ms, 0.95));

    const long rss_before = rss_kib();
    hnswlib::InnerProductSpace space(kDims);
    const auto build_started = Clock::now();
    hnswlib::HierarchicalNSW<float> index(&space, n, 16, 100);
    // Two threads, as the gateway's background build would use at most.
    std::vector<std::thread> builders;
    for (std::size_t t = 0; t < 2; ++t)
        builders.emplace_back([&, t] {
            for (std::size_t i = t; i < n; i += 2) index.addPoint(&data[i * kDims], i);
        });
    for (auto& b : builders) b.join();
    const double build_s = std::chrono::duration<double>(Clock::now() - build_started).count();
    std::printf("RECALL_HNSW_%zu_BUILD_S=%.2f\nRECALL_HNSW_%zu_MIB=%.1f\n", n, build_s, n,
                (rss_kib() - rss_before) / 1024.0);
    for (const std::size_t ef : {32u, 64u, 128u}) {
        index.setEf(ef);
        std::vector<double> ms;
        std::size_t found = 0;
        for (std::size_t q = 0; q < kQueries; ++q) {
            const auto started = Clock::now();
            auto result = index.searchKnn(&queries[q * kDims], kK);
            ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
            while (!result.empty()) {
                found += std::count(truth[q].begin(), truth[q].end(), result.top().second);
                result.pop();
            }
        }
        std::printf("RECALL_HNSW_%zu_EF%zu_P50=%.3f\nRECALL_HNSW_%zu_EF%zu_P95=%.3f\nRECALL_HNSW_%zu_EF%zu_AT10=%.4f\n",
                    n, ef, percentile(ms, 0.5), n, ef, percentile(ms, 0.95), n, ef,
                    static_cast<double>(found) / static_cast<double>(kQueries * kK));
    }
}

}  // namespace

//! COPY text (tab-separated) of `n` memory_vectors rows of one user, for the gateway-level phase.
void emit_copy(std::size_t n, const std::string& user, const std::string& model, std::mt19937& rng,
               const std::vector<float>& topics) {
    const auto data = clustered(n, rng, topics);
    const auto uuid = [](std::size_t kind, std::size_t i) {
        char out[37];
        std::snprintf(out, sizeof out, "%08zx-0000-4000-8000-%012zx", kind, i);
        return std::string(out);
    };
    static const char* hex = "0123456789abcdef";
    std::string line;
    for (std::size_t i = 0; i < n; ++i) {
        line = user + "\t" + uuid(1, i) + "\tmessage\t" + uuid(2, i) + "\t" + model + "\t1\t" + std::to_string(kDims) +
               "\t\\\\x";
        const auto* bytes = reinterpret_cast<const unsigned char*>(&data[i * kDims]);
        for (std::size_t b = 0; b < kDims * sizeof(float); ++b) {
            line += hex[bytes[b] >> 4];
            line += hex[bytes[b] & 15];
        }
        line += "\t\\N\t2026-01-01 00:00:00+00\t2026-01-01 00:00:00+00\t" + std::to_string(i + 1) + "\n";
        std::fwrite(line.data(), 1, line.size(), stdout);
    }
}

int main(int argc, char** argv) {
    std::mt19937 rng(11);
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    std::vector<float> topics(kTopics * kDims);
    for (auto& x : topics) x = gauss(rng);
    for (std::size_t t = 0; t < kTopics; ++t) normalize(&topics[t * kDims]);
    // aimi_recall_bench --copy N USER MODEL: rows for COPY memory_vectors FROM STDIN (bench/run.sh, phase j)
    if (argc == 5 && std::string(argv[1]) == "--copy") {
        emit_copy(static_cast<std::size_t>(std::atol(argv[2])), argv[3], argv[4], rng, topics);
        return 0;
    }
    for (int i = 1; i < argc; ++i) run(static_cast<std::size_t>(std::atol(argv[i])), rng, topics);
    if (argc < 2) {
        run(10000, rng, topics);
        run(100000, rng, topics);
    }
    return 0;
}
