#pragma once

#include <string>
#include <string_view>
#include <vector>

// What the assistant adds to a track session's live synopsis from a message of one of its threads
// (docs/learning.md, "Synopses"). The default, deterministic provider: no model call.
namespace aimi::learning {

struct SynopsisNote {
    std::string kind;  //!< question | note (the synopsis item kinds of schemas/commands/synopsis.append)
    std::string text;  //!< at most 400 code points
};

//! A question the person asked becomes a `question` item (its sentences that end with "?"); a
//! statement of at least four words a `note` (its first sentence); a greeting or a one-word answer
//! nothing. Same message, same notes.
std::vector<SynopsisNote> synopsis_notes(std::string_view message);

}  // namespace aimi::learning
