#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "domain/conversation/model.hpp"
#include "domain/events/events.hpp"
#include "domain/goals/goal_graph.hpp"
#include "domain/time.hpp"

namespace aimi::conversation {

//! One event of an applied batch: the resource it touched and what the fold assigned to it (a
//! message's seq and session, the session it ended, a device's real id, ...), for its fact.
struct EventResult {
    std::string event_id;
    std::int64_t stream_version = 0;  //!< the stream's version after this event
    std::string resource_type;
    std::string resource_id;
    boost::json::object assigned;
    std::vector<events::Event> derived;  //!< decided by the fold (goal.blocked, ...): published after it
};

//! How the fold disposed of one event batch. Every batch gets exactly one outcome row; the
//! gateway waits for it (read-your-writes) and replays it for a retried idempotency key.
struct Outcome {
    enum class Kind { applied, duplicate, conflict, rejected };

    std::string batch_id;
    std::string user_id;
    Kind kind = Kind::applied;
    std::string code;  //!< rejection or duplicate reason; empty when applied
    std::string message;
    boost::json::object details;  //!< rejection: the goals, path or dependencies at fault (may be empty)
    std::optional<std::string> duplicate_of;  //!< the batch whose result a duplicate repeats
    std::string idempotency_key;
    std::string request_hash;
    std::string resource_type;  //!< "user", "device", "chat", "message", "session"
    std::string resource_id;
    std::optional<std::int64_t> expected_version;
    std::int64_t stream_version = 0;  //!< the stream's version after this batch
    Timestamp occurred_at{};
    std::vector<EventResult> events;  //!< per event, when applied
};

std::string_view to_string(Outcome::Kind kind);

//! The first batch that used an idempotency key (applied or rejected); later ones repeat it.
struct TakenKey {
    std::string batch_id;
    std::string request_hash;
    Outcome::Kind kind = Outcome::Kind::applied;
    std::string code;
    std::string message;
    std::string resource_type;
    std::string resource_id;
    boost::json::object details;
};

//! A message already received under (source, client_msg_id).
struct InboxEntry {
    std::string message_id;
    std::string batch_id;  //!< the batch that posted it
};

using UserKey = std::pair<std::string, std::string>;                 // (user_id, idempotency key or token)
using InboxKey = std::tuple<std::string, std::string, std::string>;  // (user_id, source, client_msg_id)

//! The slice of the entity store one batch of records touches: loaded before the fold (see
//! Prefetch), mutated by it in memory, then written back by the projection in bulk.
struct EntityStoreState {
    std::map<std::string, std::int64_t> stream_versions;  //!< absent = 0 (stream not started)
    std::map<std::string, User> users;
    std::map<std::string, Device> devices;
    std::map<UserKey, std::string> device_by_token;
    std::map<std::string, Chat> chats;
    std::map<std::string, Session> sessions;
    std::map<std::string, std::string> open_session_by_chat;
    std::map<UserKey, TakenKey> taken_keys;
    std::map<InboxKey, InboxEntry> inbox;
    std::map<std::string, goals::GoalGraph> goal_graphs;  //!< per user, loaded whole for goals events

    std::set<std::string> dirty_streams, dirty_users, dirty_devices, dirty_chats, dirty_sessions;
    std::set<UserKey> dirty_goals, dirty_dependencies, removed_dependencies, dirty_entities, dirty_links,
        removed_links;  //!< (user_id, id)
    std::map<std::string, std::string> message_owner;  //!< message id -> user id (a task's source inbox item)
    std::set<std::string> erased_users;  //!< erased in this batch: their rows go, their keys are destroyed
    std::vector<Message> new_messages;
    std::vector<Outcome> outcomes;
};

//! The keys a batch of records needs loaded before folding.
struct Prefetch {
    std::set<std::string> user_ids;
    std::set<std::string> chat_ids;     //!< with their open sessions
    std::set<std::string> session_ids;  //!< named by session.ended, or proposed by message.posted
    std::set<UserKey> idempotency_keys;
    std::set<InboxKey> inbox_keys;
    std::set<UserKey> device_tokens;
    std::set<std::string> device_ids;  //!< proposed by device.registered (another user's id is refused)
    std::set<std::string> goal_users;  //!< users whose goals graph a goals event needs
    std::set<std::string> message_ids;  //!< named by task.created as its source inbox item
};

}  // namespace aimi::conversation
