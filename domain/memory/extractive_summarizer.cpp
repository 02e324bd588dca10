#include "domain/memory/extractive_summarizer.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "domain/memory/centrality.hpp"
#include "domain/memory/extraction_rules.hpp"
#include "domain/memory/sentences.hpp"
#include "domain/memory/stop_words.hpp"
#include "domain/memory/utf8.hpp"
#include "domain/memory/words.hpp"
#include "domain/text.hpp"

namespace aimi::memory {
namespace {

// Score = centrality + bonuses, times a length factor. Centrality is in [0, 1]; the bonuses are
// tie-breakers of about a third of it at most, so a user's off-topic "ok" never beats the point.
constexpr double kUserBonus = 0.15;
constexpr double kFactBonus = 0.2;  // fact, plan, preference or date
constexpr double kMoodBonus = 0.1;
constexpr double kFirstInItemBonus = 0.05;
constexpr double kAssistantQuestionPenalty = 0.1;
constexpr double kShortFactor = 0.5;  // under kShortWords words
constexpr std::size_t kShortWords = 4;
constexpr double kLongFactor = 0.8;  // over kLongWords words
constexpr std::size_t kLongWords = 40;
constexpr double kDuplicateSimilarity = 0.8;  // a pick this close to an earlier one adds nothing
// Terms are words cut to this many code points: a crude stemmer that lets "работа", "работу" and
// "работе" (or "running", "runner") count as one.
constexpr std::size_t kStemCodePoints = 6;

struct Sentence {
    std::size_t item = 0;
    std::string text;
    std::vector<std::string_view> kinds;
    std::size_t word_count = 0;
    bool first_in_item = false;
    bool question = false;
    std::string key;  // lower-case words joined by spaces: what counts as "the same sentence"
};

bool is_question(std::string_view sentence) {
    while (!sentence.empty() && (sentence.back() == ')' || sentence.back() == '"' || sentence.back() == '\''))
        sentence.remove_suffix(1);
    return sentence.ends_with('?') || sentence.ends_with("?!") || sentence.ends_with("\uFF1F");
}

std::vector<std::string> terms_of(const std::vector<Word>& words) {
    std::vector<std::string> terms;
    for (const Word& word : words) {
        if (count_code_points(word.text) < 2 || is_stop_word(word.text)) continue;
        terms.push_back(clip_utf8(word.text, kStemCodePoints));
    }
    return terms;
}

std::string key_of(const std::vector<Word>& words) {
    std::string key;
    for (const Word& word : words) {
        if (!key.empty()) key += ' ';
        key += word.text;
    }
    return key;
}

// At most `limit` code points, cut at a space when one is near and marked with "…".
std::string clip_key_point(const std::string& sentence, std::size_t limit) {
    if (count_code_points(sentence) <= limit) return sentence;
    std::string clipped = clip_utf8(sentence, limit - 1);
    const std::size_t space = clipped.rfind(' ');
    if (space != std::string::npos && space >= clipped.size() / 2) clipped.resize(space);
    while (!clipped.empty() && (clipped.back() == ' ' || clipped.back() == ',')) clipped.pop_back();
    return clipped + "\u2026";
}

bool speaks_for_user(std::string_view role) {
    return role == "user" || role == "summary";
}

void add_fact(std::vector<ExtractedFact>& facts, std::map<std::pair<std::string_view, std::string>, std::size_t>& index,
              std::string_view kind, const Sentence& sentence, const std::string& ref) {
    const auto [it, inserted] = index.emplace(std::make_pair(kind, sentence.key), facts.size());
    if (inserted) {
        facts.push_back(ExtractedFact{std::string(kind), sentence.text, {ref}});
        return;
    }
    std::vector<std::string>& refs = facts[it->second].refs;
    if (std::find(refs.begin(), refs.end(), ref) == refs.end()) refs.push_back(ref);
}

}  // namespace

std::size_t ExtractiveSummarizer::sentence_budget(std::string_view purpose) {
    if (purpose == "daily_summary") return 5;
    if (purpose == "weekly_summary") return 7;
    return 3;
}

Summary ExtractiveSummarizer::summarize(const SummaryRequest& request) {
    Summary summary;
    std::vector<Sentence> sentences;
    std::vector<std::vector<std::string>> terms;
    std::vector<std::string> texts;
    for (std::size_t item = 0; item < request.items.size(); ++item) {
        const SourceItem& source = request.items[item];
        summary.usage.tokens_in += static_cast<std::int64_t>(count_words(source.text));
        if (texts.size() >= kMaxSentences) continue;
        const std::size_t first = texts.size();
        split_sentences(source.text, texts, kMaxSentences);
        for (std::size_t k = first; k < texts.size(); ++k) {
            Sentence sentence;
            sentence.item = item;
            sentence.text = std::move(texts[k]);
            const std::vector<Word> words = rule_words(sentence.text);
            sentence.question = is_question(sentence.text);
            sentence.kinds = fact_kinds(words, source.role, sentence.question);
            sentence.word_count = words.size();
            sentence.first_in_item = k == first;
            sentence.key = key_of(words);
            terms.push_back(terms_of(words));
            sentences.push_back(std::move(sentence));
        }
    }

    // Facts, in source order, one per sentence and kind, merged when the same words recur.
    std::map<std::pair<std::string_view, std::string>, std::size_t> fact_index;
    for (const Sentence& sentence : sentences)
        for (std::string_view kind : sentence.kinds)
            add_fact(summary.facts, fact_index, kind, sentence, request.items[sentence.item].ref);

    // Scores; system text is context for the assistant, not part of what was said.
    std::vector<bool> selectable(sentences.size());
    for (std::size_t s = 0; s < sentences.size(); ++s)
        selectable[s] = request.items[sentences[s].item].role != "system";
    const std::vector<SparseVector> vectors = tfidf_vectors(terms);
    const std::vector<double> central = centrality(vectors, selectable);
    std::vector<std::pair<double, std::size_t>> ranked;
    for (std::size_t s = 0; s < sentences.size(); ++s) {
        if (!selectable[s]) continue;
        const Sentence& sentence = sentences[s];
        const std::string& role = request.items[sentence.item].role;
        double score = central[s];
        if (speaks_for_user(role)) score += kUserBonus;
        const bool holds_fact = std::any_of(sentence.kinds.begin(), sentence.kinds.end(),
                                            [](std::string_view kind) { return kind != kMoodKind; });
        if (holds_fact)
            score += kFactBonus;
        else if (!sentence.kinds.empty())
            score += kMoodBonus;
        if (sentence.first_in_item) score += kFirstInItemBonus;
        if (role == "assistant" && sentence.question) score -= kAssistantQuestionPenalty;
        if (sentence.word_count < kShortWords) score *= kShortFactor;
        if (sentence.word_count > kLongWords) score *= kLongFactor;
        ranked.emplace_back(-score, s);  // best first, then earliest
    }
    std::sort(ranked.begin(), ranked.end());

    std::vector<std::size_t> picked;
    const std::size_t budget = sentence_budget(request.purpose);
    for (const auto& [negative_score, s] : ranked) {
        if (picked.size() == budget) break;
        const bool duplicate = std::any_of(picked.begin(), picked.end(), [&](std::size_t p) {
            return sentences[p].key == sentences[s].key || sparse_dot(vectors[p], vectors[s]) > kDuplicateSimilarity;
        });
        if (!duplicate) picked.push_back(s);
    }
    std::sort(picked.begin(), picked.end());
    for (std::size_t s : picked) {
        summary.key_points.push_back(clip_key_point(sentences[s].text, kMaxKeyPointCodePoints));
        if (!summary.text.empty()) summary.text += ' ';
        summary.text += summary.key_points.back();
    }
    summary.usage.tokens_out = static_cast<std::int64_t>(count_words(summary.text));
    return summary;
}

}  // namespace aimi::memory
