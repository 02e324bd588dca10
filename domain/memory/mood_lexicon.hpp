#pragma once

#include <string_view>
#include <vector>

// The words and phrases of mood, in English and Russian, as data for extract_mental_state.
namespace aimi::memory {

struct MoodEntry {
    std::string_view pattern;   // a WordPattern spec, lower case, ё written as е
    std::string_view emotions;  // "" or one or two names from emotions(), comma-separated
    int mood;                   // 1 (worst) .. 10 (best) this phrase suggests
    int energy;                 // 1 .. 10, or 0 when the phrase says nothing about energy
};

//! Every entry, in a fixed order (ties between equally long matches go to the earlier one).
const std::vector<MoodEntry>& mood_lexicon();

//! Words that negate a mood word up to three words after them ("not happy", "не рад").
bool is_negator(std::string_view word);

}  // namespace aimi::memory
