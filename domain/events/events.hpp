#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/object.hpp>

#include "domain/events/goal_events.hpp"
#include "domain/events/learning_events.hpp"
#include "domain/time.hpp"

namespace aimi::events {

// One struct per event type. `kType`/`kVersion` name its JSON Schema: schemas/events/<type>.v<version>.json.
// Every event belongs to the stream of the envelope's user; ids inside are UUIDs chosen by the decider.

struct UserRegistered {
    static constexpr std::string_view kType = "user.registered";
    static constexpr int kVersion = 1;
    std::optional<std::string> email;
    std::string display_name;
    std::string time_zone;
    std::string locale;
    boost::json::object settings;
};

//! Only the fields present changed. `settings_patch` is a JSON merge patch (RFC 7386) of settings.
struct UserProfileUpdated {
    static constexpr std::string_view kType = "user.profile_updated";
    static constexpr int kVersion = 1;
    std::optional<std::string> display_name;
    std::optional<std::optional<std::string>> email;  //!< engaged-but-empty clears the email
    std::optional<std::string> time_zone;
    std::optional<std::string> locale;
    std::optional<boost::json::object> settings_patch;
};

//! Re-registering a token the user already has refreshes that device instead of adding one.
struct DeviceRegistered {
    static constexpr std::string_view kType = "device.registered";
    static constexpr int kVersion = 1;
    std::string device_id;
    std::string token;
    std::string platform;
    std::optional<std::string> locale;
    std::optional<std::string> time_zone;
};

struct ChatCreated {
    static constexpr std::string_view kType = "chat.created";
    static constexpr int kVersion = 1;
    std::string chat_id;
    std::string title;
    std::string model;
    boost::json::object settings;
};

struct ChatArchived {
    static constexpr std::string_view kType = "chat.archived";
    static constexpr int kVersion = 1;
    std::string chat_id;
};

//! The fold assigns `seq` and the session (stream order decides them, so concurrent posts never
//! conflict): a post more than `idle_timeout_seconds` after the open session's last activity
//! ends that session and opens `new_session_id`.
struct MessagePosted {
    static constexpr std::string_view kType = "message.posted";
    static constexpr int kVersion = 1;
    std::string message_id;
    std::string chat_id;
    std::string role;
    std::string content;
    boost::json::object metadata;
    std::string source;
    std::optional<std::string> client_msg_id;
    std::string new_session_id;
    std::int64_t idle_timeout_seconds = 1800;
};

//! Ends an open session. With `if_last_activity_at` (used by the idle closer) it applies only if
//! the session saw no activity since, so a message racing the closer keeps its session open.
struct SessionEnded {
    static constexpr std::string_view kType = "session.ended";
    static constexpr int kVersion = 1;
    std::string chat_id;
    std::string session_id;
    std::string reason;  //!< "user" | "idle_timeout"
    std::optional<Timestamp> if_last_activity_at;
};

//! The user is forgotten: projections remove or blank their personal data, their data key is
//! destroyed (every sealed field of theirs in every topic becomes unreadable), and the stream
//! takes no further command.
struct UserErased {
    static constexpr std::string_view kType = "user.erased";
    static constexpr int kVersion = 1;
    std::string requested_by;  //!< "user" | "admin"
    std::optional<std::string> admin_id;
};

using EventData =
    std::variant<UserRegistered, UserProfileUpdated, DeviceRegistered, ChatCreated, ChatArchived, MessagePosted,
                 SessionEnded, UserErased, GoalCreated, GoalUpdated, GoalCompleted, GoalCancelled, GoalArchived,
                 GoalReopened, DependencyAdded, DependencyUpdated, DependencyRemoved, GoalBlocked, GoalUnblocked,
                 TaskCreated, TaskUpdated, ProblemCreated, ProblemUpdated, HabitCreated, HabitUpdated, LinkAdded,
                 LinkRemoved, CalendarEventCreated, CalendarEventUpdated, ReminderDelivered, NotificationCreated,
                 NotificationSent, NotificationDismissed, MentalStateRecorded, SummaryCreated, MemoryEmbedded,
                 PromptRunRecorded, MemoryForgotten, TrackCreated, TrackUpdated, RoadmapItemAdded,
                 RoadmapItemUpdated, RoadmapItemRemoved, ChatTemplateCreated, ChatTemplatePublished,
                 TrackSessionStarted, TrackSessionUpdated, ChatThreadCreated, SynopsisCreated, SynopsisUpdated,
                 AgentReplied>;

//! Events the decider derives (published in facts); an intake record proposing one is refused.
bool is_derived(const EventData& data);

struct Event {
    std::string event_id;
    EventData data;
};

std::string_view type_of(const EventData& data);
int version_of(const EventData& data);

}  // namespace aimi::events
