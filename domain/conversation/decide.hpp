#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/conversation/commands.hpp"
#include "domain/conversation/model.hpp"
#include "domain/events/events.hpp"
#include "domain/result.hpp"

namespace aimi::conversation {

//! What the gateway loaded from the read model before deciding. The fold re-checks every
//! invariant against the stream's real state, so a stale context can only cause a conflict or a
//! rejection, never a wrong write.
struct DecisionContext {
    std::string user_id;
    std::int64_t stream_version = 0;
    std::optional<User> user;
    std::optional<Chat> chat;             //!< the chat the command names, if it is the user's
    std::optional<Session> open_session;  //!< that chat's open session
    std::int64_t idle_timeout_seconds = 1800;
    std::function<std::string()> new_id;  //!< UUID source (injectable for tests)
};

//! The events a command produces. With check_version the batch carries expected_version =
//! stream_version (optimistic concurrency): used when the decision read state that the fold cannot
//! re-check by itself (today: that the stream is new). Otherwise it is an order-assigned append
//! whose invariants the fold re-checks, and which never conflicts.
//! No events = the command is already satisfied (e.g. archiving an archived chat).
struct Decision {
    std::vector<events::EventData> events;
    bool check_version = false;
};

Result<Decision> decide(const DecisionContext& context, const RegisterUser& command);
Result<Decision> decide(const DecisionContext& context, const UpdateProfile& command);
Result<Decision> decide(const DecisionContext& context, const RegisterDevice& command);
Result<Decision> decide(const DecisionContext& context, const CreateChat& command);
Result<Decision> decide(const DecisionContext& context, const ArchiveChat& command);
Result<Decision> decide(const DecisionContext& context, const PostMessage& command);
Result<Decision> decide(const DecisionContext& context, const EndSession& command);
Result<Decision> decide(const DecisionContext& context, const EraseUser& command);

}  // namespace aimi::conversation
