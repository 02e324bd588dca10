#pragma once

#include <string>
#include <string_view>

#include "domain/uuid.hpp"

// What the assistant's records are keyed by (docs/assistant.md, "A turn"): the orchestrator appends
// under these keys, and the gateway's wait_for_reply finds the reply by the id derived from them.
namespace aimi::assistant {

//! assistant:<message id>: every key of the turn that answers the message starts so.
inline std::string turn_key_base(std::string_view message_id) {
    return "assistant:" + std::string(message_id);
}

//! The key of the reply's own record (a turn appended a record per call).
inline std::string reply_key(std::string_view message_id) {
    return turn_key_base(message_id) + ":reply";
}

//! The reply's message id, whichever record carries it (its own, or the turn's one record).
inline std::string reply_message_id(std::string_view user_id, std::string_view message_id) {
    return name_based_uuid(user_id, reply_key(message_id));
}

}  // namespace aimi::assistant
