// Summarizer throughput (docs/benchmarks.md, phase j): the local extractive summarizer on a session of
// 20 chat messages (English, Russian) beside the floor of any summarizer that reads every sentence —
// splitting the same messages into sentences and words, and nothing else. Also the hashed embedder
// on the same messages. Nothing here asserts on timings.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "domain/memory/extractive_summarizer.hpp"
#include "domain/memory/hashed_embedder.hpp"
#include "domain/memory/sentences.hpp"
#include "domain/memory/words.hpp"

namespace {

using namespace aimi::memory;

const std::vector<std::string> kEnglish{
    "Hi! I'm a teacher and I live in Berlin.",
    "Honestly I feel really tired and stressed this week.",
    "The school year started and I have three new classes.",
    "Tomorrow I will call my sister at 6pm about the trip.",
    "I love hiking in the mountains on weekends.",
    "But lately I haven't had any time for it.",
    "I want to run a half marathon in October.",
    "My knee hurts a bit after long runs though.",
    "I prefer running early in the morning before work.",
    "On Monday I have a meeting with the head teacher.",
    "I need to prepare the slides for the parents' evening.",
    "I don't like presenting in front of big groups.",
    "My sister is a doctor in Hamburg.",
    "We are going to visit our parents next week.",
    "I'm a bit anxious about the budget this month.",
    "I will cook at home more often to save money.",
    "Yesterday I read twenty pages of a novel, which felt good.",
    "I'd like to read one book a month this year.",
    "Thanks for listening, that helped.",
    "Let's talk again on Friday evening."};

const std::vector<std::string> kRussian{
    "Привет! Я работаю учителем и живу в Казани.",
    "Честно говоря, я очень устала на этой неделе.",
    "Начался учебный год, у меня три новых класса.",
    "Завтра я позвоню сестре в 18:00 насчёт поездки.",
    "Я люблю ходить в горы по выходным.",
    "Но в последнее время совсем нет времени.",
    "Я хочу пробежать полумарафон в октябре.",
    "После длинных пробежек немного болит колено.",
    "Мне нравится бегать рано утром до работы.",
    "В понедельник у меня встреча с директором.",
    "Нужно подготовить слайды к родительскому собранию.",
    "Я не люблю выступать перед большой аудиторией.",
    "Моя сестра врач в Москве.",
    "На следующей неделе мы собираемся к родителям.",
    "Меня немного тревожит бюджет в этом месяце.",
    "Я буду чаще готовить дома, чтобы экономить.",
    "Вчера я прочитала двадцать страниц романа, было приятно.",
    "Хочу читать по одной книге в месяц.",
    "Спасибо, что выслушал, стало легче.",
    "Давай поговорим снова в пятницу вечером."};

SummaryRequest session(const std::vector<std::string>& messages) {
    SummaryRequest r{"session_summary", "", {}};
    for (std::size_t i = 0; i < messages.size(); ++i)
        r.items.push_back({std::to_string(i + 1), i % 5 == 4 ? "assistant" : "user", messages[i]});
    return r;
}

const std::vector<std::string>& messages(std::int64_t language) { return language == 0 ? kEnglish : kRussian; }

void ExtractiveSession(benchmark::State& state) {
    ExtractiveSummarizer summarizer;
    const auto request = session(messages(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(summarizer.summarize(request));
    state.SetItemsProcessed(state.iterations());  // sessions
}
BENCHMARK(ExtractiveSession)->Arg(0)->Arg(1);

//! The floor: every sentence and word of the session, found and nothing done with them.
void SplitOnly(benchmark::State& state) {
    const auto request = session(messages(state.range(0)));
    for (auto _ : state) {
        std::size_t words = 0;
        for (const auto& item : request.items)
            for (const auto& sentence : split_sentences(item.text)) words += split_words(sentence).size();
        benchmark::DoNotOptimize(words);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(SplitOnly)->Arg(0)->Arg(1);

void HashedEmbedMessages(benchmark::State& state) {
    HashedEmbedder embedder;
    const auto& texts = messages(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(embedder.embed(texts));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(texts.size()));  // messages
}
BENCHMARK(HashedEmbedMessages)->Arg(0)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
