#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/assistant/time_expressions.hpp"

// What a chat message asks for, by rules over its words (English and Russian). The message is
// data: it is matched against these intents and never obeyed beyond them.
namespace aimi::assistant {

enum class Language { en, ru };

//! Russian if the message has a Cyrillic letter, English if it has any other letter; a message
//! without letters follows the locale ("ru…" → Russian).
Language language_of(std::string_view message, std::string_view locale);

enum class IntentKind {
    reminder,   //!< "remind me to call mom tomorrow at 6pm"
    habit,      //!< "every weekday at 7 I want to meditate"
    goal,       //!< "I want to run a half marathon by May"
    task,       //!< "add a task to buy groceries"
    check_in,   //!< "I feel exhausted", "mood 7/10"
    schedule,   //!< "what's on today?"
    progress,   //!< "how am I doing on running?"
    task_done,  //!< "mark buy groceries as done"
    greeting,
    thanks,
    fallback,
};

struct Intent {
    IntentKind kind = IntentKind::fallback;
    //! reminder, habit, goal, task: the user's words for it, cleaned of commands, filler and time
    //! phrases ("" when nothing was left: the reply asks)
    std::string title;
    //! reminder: the time asked for, nullopt when none was said (it may lie in the past);
    //! habit: the first occurrence, strictly after now
    std::optional<schedule::LocalSeconds> at;
    //! reminder in hours or minutes ("in 2 hours"): the instant itself, which a wall clock cannot
    //! always name (the repeated hour of a fall-back night)
    std::optional<Timestamp> instant;
    std::string rrule;                          //!< habit
    std::optional<std::chrono::sys_days> date;  //!< task: due date; goal: deadline
    std::string category;                       //!< goal
    std::optional<int> mood;                    //!< check-in, 1..10
    std::optional<int> energy;                  //!< check-in, 1..10
    std::vector<std::string> emotions;          //!< check-in, names from memory::emotions()
    std::chrono::sys_days from{};               //!< schedule: local dates, `to` exclusive
    std::chrono::sys_days to{};
    std::vector<std::string> words;  //!< progress, task_done: the words that name the goal or task
};

Intent classify(std::string_view message, const Clock& clock);

//! The index of the title sharing most words with `words` (lower case; stop words ignored; loose on
//! endings: "running" ~ "run", "испанского" ~ "испанский"); ties go to the first; nullopt when no
//! title shares a word.
std::optional<std::size_t> best_match(const std::vector<std::string>& words, const std::vector<std::string>& titles);

//! `text` with its first letter upper-cased (Latin and Cyrillic).
std::string capitalize_first(std::string_view text);

//! `text` as valid UTF-8 without control characters (newlines and tabs become spaces unless
//! `keep_newlines`), at most `max_code_points` long: safe for any JSON string field.
std::string clean_text(std::string_view text, std::size_t max_code_points, bool keep_newlines = false);

}  // namespace aimi::assistant
