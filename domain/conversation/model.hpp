#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "domain/time.hpp"

namespace aimi::conversation {

// The conversation slice's entities as the read model holds them. Ids are lower-case UUIDs.

struct User {
    std::string id;
    std::optional<std::string> email;
    std::string display_name;
    std::string role = "user";
    std::string time_zone = "UTC";
    std::string locale = "en";
    boost::json::object settings;
    Timestamp created_at{};
    Timestamp updated_at{};
    std::optional<Timestamp> erased_at;  //!< forgotten: a tombstone without personal values

    bool erased() const { return erased_at.has_value(); }
};

struct Device {
    std::string id;
    std::string user_id;
    std::string token;
    std::string platform;
    std::optional<std::string> locale;
    std::optional<std::string> time_zone;
    bool active = true;
    Timestamp registered_at{};
    Timestamp last_seen_at{};
};

struct Chat {
    std::string id;
    std::string user_id;
    std::string title;
    std::string model;
    boost::json::object settings;
    std::int64_t last_seq = 0;
    bool archived = false;
    std::optional<Timestamp> archived_at;
    Timestamp created_at{};
    Timestamp last_active_at{};
};

struct Session {
    std::string id;
    std::string user_id;
    std::string chat_id;
    Timestamp started_at{};
    Timestamp last_activity_at{};
    std::optional<Timestamp> ended_at;
    std::string end_reason;  //!< "", "user" or "idle_timeout"
    std::int64_t message_count = 0;

    bool open() const { return !ended_at.has_value(); }
};

struct Message {
    std::string id;
    std::string user_id;
    std::string chat_id;
    std::string session_id;
    std::int64_t seq = 0;
    std::string role;
    std::string content;
    boost::json::object metadata;
    std::string source;
    std::optional<std::string> client_msg_id;
    std::string request_id;
    Timestamp created_at{};
    std::string batch_id;  //!< the event batch that posted it
};

//! Applies an RFC 7386 JSON merge patch to an object (null deletes a key, objects merge).
void merge_patch(boost::json::object& target, const boost::json::object& patch);

}  // namespace aimi::conversation
