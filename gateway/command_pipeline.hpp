#pragma once

#include <functional>
#include <optional>
#include <string>

#include "domain/conversation/decide.hpp"
#include "gateway/gateway_context.hpp"

namespace pqxx {
class dbtransaction;
}

namespace aimi::gateway {

//! A command as a handler hands it to the write path. The stream is always the caller's own.
struct CommandSpec {
    std::optional<std::string> chat_id;  //!< loaded (with its open session) into the context
    int success_status = 200;            //!< 204: answer without a body
    std::function<Result<conversation::Decision>(const conversation::DecisionContext&)> decide;
    //! What to return when the decision has no events (already satisfied): resource type and id.
    std::string noop_resource_type;
    std::string noop_resource_id;
    //! The stream the command acts on: the caller's own unless set (an admin erasing a user).
    std::optional<std::string> user_id;
    //! Runs once the record is acknowledged (erasure: destroy the key at once).
    std::function<void()> after_append;
    //! The derived projection whose read model shows the resource: a synchronous command waits for
    //! the entity store's outcome, and, if applied, for this projection too (unset: the entity
    //! store's read model is the resource's).
    std::optional<std::string> wait_for;
};

//! The write path: Idempotency-Key check (replays the first result; a different request under
//! the same key is 422), load state, decide, append one record, then either 202 with a
//! consistency token (Prefer: respond-async) or a Continuation that waits (no thread held) for the
//! entity store and answers with the resource; a stream-version conflict re-decides on fresh
//! state, up to max_conflict_retries.
Reply execute_command(const Call& call, CommandSpec spec);

//! Renders a resource from the read model: {"user": {...}} style bodies are not used; the
//! resource object itself is the body. nullopt if it does not exist.
std::optional<boost::json::object> load_resource(const Call& call, const std::string& type, const std::string& id);
//! The same, inside a transaction the caller holds.
std::optional<boost::json::object> read_resource(pqxx::dbtransaction& tx, const std::string& type,
                                                 const std::string& id);

}  // namespace aimi::gateway
