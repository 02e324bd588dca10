#pragma once

#include <map>
#include <string>

#include "domain/assistant/context.hpp"

// The context builder (docs/assistant.md, "Context"): trims a snapshot of the read models to a token
// budget and renders it for a model. Pure: the same snapshot and message give the same context,
// rendering and hash, which the turn's prompt run records so a reply can be explained later.
namespace aimi::assistant {

//! How much a turn's context may hold. Tokens are estimated as UTF-8 bytes / 4, rounded up.
struct Budget {
    int total_tokens = 3000;  //!< AIMI_ASSISTANT_CONTEXT_TOKENS
    int max_messages = 30;    //!< the session window (seed 003)
    int max_goals = 20;
    int max_tasks = 20;
    int max_events = 20;
    int max_reminders = 10;
    int max_memories = 5;  //!< top-K recalled
    int max_item_tokens = 250;
};

struct BuiltContext {
    Context context;                     //!< what fit, in the snapshot's order
    std::string rendered;                //!< the text a model reads
    std::string hash;                    //!< sha256 of `rendered`
    int tokens = 0;                      //!< estimated tokens of `rendered`
    std::map<std::string, int> items;    //!< per section: items kept
    std::map<std::string, int> dropped;  //!< per section: items left out for the budget
    bool truncated = false;              //!< anything dropped or clipped
};

//! Estimated tokens of a text.
int estimate_tokens(std::string_view text);

//! Fills the budget in this order, each section at most its share of what the budget holds after
//! the header and the message: user state 10 %, goals 15 %, tasks 10 %, upcoming events 15 %,
//! reminders 5 %, memories 15 %; the recent messages take all that is left (newest kept first).
//! The header (name, zone, local now, mood) and the message itself (clipped to half the budget) are
//! always kept. An item longer than max_item_tokens is clipped.
BuiltContext build_context(Context snapshot, const std::string& message, const Budget& budget);

}  // namespace aimi::assistant
