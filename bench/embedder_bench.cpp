// aimi_embedder_bench: throughput of the local sentence embedder (MiniLmEmbedder, all-MiniLM-L6-v2)
// on short chat messages, 1 to 20 words (docs/benchmarks.md):
//   Embed/lang:L/batch:B/threads:T/blas:K   embed() of B messages per call (32 = a worker's batch,
//       1 = the gateway embedding one message); L 0 = English, 1 = Russian (the model's vocabulary
//       is English: Russian words fall apart into letters, about 4 times the tokens); the call
//       spreads its texts over T threads; OpenBLAS uses K threads per product
//   .../threads:2 (Google Benchmark's suffix)   two callers at once, one message per call each
// Figures are items/s (one item = one message) and tokens/s. The baseline, sentence-transformers
// on the same messages, is bench/embedder_reference.py, which reads them from
// `aimi_embedder_bench --print_messages`. The model: AIMI_MINILM_DIR, else the install step's cache.
// No timing is asserted.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "workers/providers/minilm/bert_encoder.hpp"
#include "workers/providers/minilm/minilm_embedder.hpp"

namespace {

using aimi::memory::MiniLmEmbedder;

const std::vector<std::string> kEnglish = {
    "i",    "you",    "we",    "want",     "need",    "to",       "run",      "sleep",   "before",  "after",
    "the",  "a",      "my",    "goal",     "today",   "tomorrow", "morning",  "evening", "work",    "gym",
    "feel", "tired",  "great", "okay",     "thanks",  "so",       "much",     "really",  "plan",    "week",
    "call", "mom",    "at",    "8",        "10k",     "in",       "May",      "read",    "book",    "more",
    "less", "coffee", "water", "walk",     "meeting", "with",     "team",     "done",    "again",   "maybe",
    "can",  "remind", "me",    "about",    "it",      "later",    "lunch",    "healthy", "habit",   "streak",
    "did",  "not",    "make",  "progress", "on",      "this",     "stressed", "happy",   "finally", "finished"};
const std::vector<std::string> kRussian = {
    "я",      "хочу",  "бегать",  "утром",    "спать",  "до",    "полуночи", "сегодня", "завтра",   "работа",
    "устал",  "очень", "спасибо", "напомни",  "мне",    "про",   "встречу",  "в",       "8",        "книгу",
    "читать", "цель",  "неделя",  "привычка", "хорошо", "плохо", "кофе",     "вода",    "прогулка", "сделал"};

// `count` messages of 1 to 20 words of `words`, some commas, an end mark or none; fixed seed.
std::vector<std::string> chat_messages(const std::vector<std::string>& words, std::size_t count) {
    std::minstd_rand random(20240315);
    const auto pick = [&](std::size_t n) { return static_cast<std::size_t>(random() % n); };
    std::vector<std::string> out;
    for (std::size_t m = 0; m < count; ++m) {
        const std::size_t length = 1 + pick(20);
        std::string text;
        for (std::size_t w = 0; w < length; ++w) {
            if (w) text += pick(8) == 0 ? ", " : " ";
            text += words[pick(words.size())];
        }
        if (text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 'a' + 'A');
        text += std::vector<const char*>{"", ".", "!", "?"}[pick(4)];
        out.push_back(std::move(text));
    }
    return out;
}

constexpr std::size_t kMessages = 1024;

const std::vector<std::string>& messages(std::int64_t lang) {
    static const auto english = chat_messages(kEnglish, kMessages);
    static const auto russian = chat_messages(kRussian, kMessages);
    return lang == 0 ? english : russian;
}

// One embedder per thread count, made before timing starts (loading maps and hashes 90 MB).
MiniLmEmbedder& embedder(int threads) {
    static std::mutex mutex;
    static std::map<int, std::unique_ptr<MiniLmEmbedder>> embedders;
    std::lock_guard lock(mutex);
    auto& slot = embedders[threads];
    if (!slot) {
        const char* dir = std::getenv("AIMI_MINILM_DIR");
        slot =
            std::make_unique<MiniLmEmbedder>(dir && *dir ? std::filesystem::path(dir) : MiniLmEmbedder::default_dir(),
                                             aimi::memory::MiniLmOptions{.threads = threads, .blas_threads = 0});
    }
    return *slot;
}

void Embed(benchmark::State& state) {
    const auto& pool = messages(state.range(0));
    const auto batch_size = static_cast<std::size_t>(state.range(1));
    auto& model = embedder(static_cast<int>(state.range(2)));
    if (state.thread_index() == 0) aimi::memory::minilm::set_blas_threads(static_cast<int>(state.range(3)));
    std::size_t next = static_cast<std::size_t>(state.thread_index()) * 101;
    std::int64_t tokens = 0;
    for (auto _ : state) {
        std::vector<std::string> batch;
        for (std::size_t i = 0; i < batch_size; ++i) batch.push_back(pool[next++ % kMessages]);
        auto result = model.embed(batch);
        tokens += result.usage.tokens_in;
        benchmark::DoNotOptimize(result);
    }
    const auto items = state.iterations() * static_cast<std::int64_t>(batch_size);
    state.SetItemsProcessed(items);
    state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsRate);
    state.counters["tokens/msg"] =
        benchmark::Counter(static_cast<double>(tokens) / static_cast<double>(items), benchmark::Counter::kAvgThreads);
}
const std::vector<std::string> kArgNames = {"lang", "batch", "threads", "blas"};
// A worker's batch: one thread; OpenBLAS on both cores; the call's texts over both cores.
BENCHMARK(Embed)
    ->ArgNames(kArgNames)
    ->ArgsProduct({{0, 1}, {32}, {1}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(Embed)
    ->ArgNames(kArgNames)
    ->ArgsProduct({{0, 1}, {32}, {2}, {1}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
// One message per call: one caller (OpenBLAS on one or both cores), then two callers at once.
BENCHMARK(Embed)
    ->ArgNames(kArgNames)
    ->ArgsProduct({{0, 1}, {1}, {1}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(Embed)
    ->ArgNames(kArgNames)
    ->ArgsProduct({{0, 1}, {1}, {1}, {1}})
    ->Threads(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
    // --print_messages: the benchmark's messages, one per line, for bench/embedder_reference.py.
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--print_messages") == 0) {
            for (std::int64_t lang : {0, 1})
                for (const auto& message : messages(lang)) std::cout << (lang ? "ru\t" : "en\t") << message << '\n';
            return 0;
        }
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
