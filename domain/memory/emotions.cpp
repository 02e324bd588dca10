#include "domain/memory/emotions.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "domain/memory/mood_lexicon.hpp"
#include "domain/memory/word_patterns.hpp"
#include "domain/memory/words.hpp"

namespace aimi::memory {
namespace {

constexpr std::size_t kNegationReach = 3;  // "not [really] [that] happy"
// A negated phrase keeps this share of its distance from neutral, on the other side.
constexpr double kNegatedShare = 0.6;
constexpr double kNeutral = 5.5;

// Pattern i is mood_lexicon()[i].
const PatternSet& lexicon_patterns() {
    static const PatternSet kPatterns = [] {
        std::vector<std::string_view> specs;
        for (const MoodEntry& entry : mood_lexicon()) specs.push_back(entry.pattern);
        return PatternSet(specs);
    }();
    return kPatterns;
}

bool negated_before(const std::vector<Word>& words, std::size_t at) {
    for (std::size_t back = 1; back <= kNegationReach && back <= at; ++back) {
        if (words[at - back + 1].after_break) return false;  // a clause break between them
        const std::string& word = words[at - back].text;
        if (word == "but" || word == "но" || word == "а") return false;
        if (is_negator(word)) return true;
    }
    return false;
}

double negate(double value) {
    return kNeutral - (value - kNeutral) * kNegatedShare;
}

int clamp_round(double value) {
    return static_cast<int>(std::clamp(std::lround(value), 1L, 10L));
}

}  // namespace

const std::vector<std::string_view>& emotions() {
    static const std::vector<std::string_view> kEmotions = {
        "joy",    "gratitude", "calm",       "contentment", "hope",      "pride",    "love",  "excitement",
        "relief", "sadness",   "loneliness", "anxiety",     "stress",    "fear",     "anger", "frustration",
        "guilt",  "shame",     "boredom",    "confusion",   "tiredness", "surprise",
    };
    return kEmotions;
}

bool is_known_emotion(std::string_view name) {
    const auto& all = emotions();
    return std::find(all.begin(), all.end(), name) != all.end();
}

std::optional<ExtractedMentalState> extract_mental_state(std::string_view text) {
    return extract_mental_state(split_words(text, {.join_apostrophes = true}));
}

std::optional<ExtractedMentalState> extract_mental_state(const std::vector<Word>& words) {
    const PatternSet& patterns = lexicon_patterns();
    std::vector<std::size_t> candidates;
    double mood_sum = 0, energy_sum = 0;
    int mood_count = 0, energy_count = 0;
    std::vector<std::string> found;
    for (std::size_t at = 0; at < words.size();) {
        // The longest phrase starting here wins, the earlier entry on a tie.
        const MoodEntry* best = nullptr;
        std::size_t best_end = at;
        patterns.candidates(words[at], candidates);
        for (const std::size_t i : candidates) {
            const auto end = patterns[i].match_at(words, at);
            if (end && *end > best_end) best = &mood_lexicon()[i], best_end = *end;
        }
        if (!best) {
            ++at;
            continue;
        }
        const bool negated = negated_before(words, at);
        const MoodEntry& entry = *best;
        mood_sum += negated ? negate(entry.mood) : entry.mood;
        ++mood_count;
        if (entry.energy > 0) {
            energy_sum += negated ? negate(entry.energy) : entry.energy;
            ++energy_count;
        }
        if (!negated) {
            std::string_view names = entry.emotions;
            while (!names.empty()) {
                const std::size_t comma = std::min(names.find(','), names.size());
                found.emplace_back(names.substr(0, comma));
                names.remove_prefix(std::min(comma + 1, names.size()));
            }
        }
        at = best_end;
    }
    if (mood_count == 0) return std::nullopt;
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    ExtractedMentalState state;
    state.mood = clamp_round(mood_sum / mood_count);
    state.energy = energy_count > 0 ? clamp_round(energy_sum / energy_count) : 0;
    state.emotions = std::move(found);
    return state;
}

}  // namespace aimi::memory
