#pragma once

#include <string_view>
#include <vector>

#include "domain/memory/words.hpp"

// Which kinds of fact a sentence holds, by hand-written English and Russian rules.
namespace aimi::memory {

inline constexpr std::string_view kFactKind = "fact";
inline constexpr std::string_view kPlanKind = "plan";
inline constexpr std::string_view kPreferenceKind = "preference";
inline constexpr std::string_view kDateKind = "date";
inline constexpr std::string_view kMoodKind = "mood";

//! The words of a sentence as the rules read them: apostrophes and numbers joined.
std::vector<Word> rule_words(std::string_view sentence);

//! The kinds `words` (rule_words of one sentence) hold, in the order fact, plan, preference, date,
//! mood. First-person rules speak for the user, so "fact", "plan", "preference" and "mood" come
//! from "user" and "summary" sentences only; "date" also from "assistant" sentences that are not
//! questions ("We'll check in on Monday at 9."); "system" and other roles hold none.
std::vector<std::string_view> fact_kinds(const std::vector<Word>& words, std::string_view role, bool is_question);

}  // namespace aimi::memory
