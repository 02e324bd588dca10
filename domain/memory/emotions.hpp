#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/memory/words.hpp"

// The one vocabulary of mental states: check-ins are validated against it and extraction only
// ever produces names from it.
namespace aimi::memory {

//! The emotion names, lower case English, in a fixed order: the pleasant ones, the hard ones,
//! then surprise.
const std::vector<std::string_view>& emotions();

//! True if `name` is exactly one of emotions() (case-sensitive: names are stored lower case).
bool is_known_emotion(std::string_view name);

struct ExtractedMentalState {
    int mood = 5;                       //!< 1..10, the mean of the mood words found
    int energy = 0;                     //!< 1..10, or 0 when no word spoke of energy
    std::vector<std::string> emotions;  //!< from emotions(), sorted, unique
    bool operator==(const ExtractedMentalState&) const = default;
};

//! The mental state the mood words and phrases of `text` (English or Russian) suggest, or nullopt
//! if it holds none. A negation up to three words before a phrase, in the same clause ("not happy",
//! "не очень рад", "don't feel great"), turns it toward neutral and drops its emotion: "not happy"
//! reads as mood 4, "not tired" as mood 6. Lexical rules: irony, hedges and emoji are not read.
std::optional<ExtractedMentalState> extract_mental_state(std::string_view text);
//! The same over words already split (split_words with apostrophes joined).
std::optional<ExtractedMentalState> extract_mental_state(const std::vector<Word>& words);

}  // namespace aimi::memory
