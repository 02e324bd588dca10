#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/object.hpp>

#include "domain/result.hpp"
#include "domain/time.hpp"

namespace aimi::conversation {

// Commands of the conversation slice, decoded from request bodies that passed their schema.

struct RegisterUser {
    std::optional<std::string> email;
    std::string display_name;
    std::string time_zone = "UTC";
    std::string locale = "en";
    boost::json::object settings;
};

struct UpdateProfile {
    std::optional<std::string> display_name;
    std::optional<std::optional<std::string>> email;
    std::optional<std::string> time_zone;
    std::optional<std::string> locale;
    std::optional<boost::json::object> settings_patch;
};

struct RegisterDevice {
    std::string token;
    std::string platform;
    std::optional<std::string> locale;
    std::optional<std::string> time_zone;
};

struct CreateChat {
    std::string title;
    std::string model = "aimi-rule-based";
    boost::json::object settings;
};

struct ArchiveChat {
    std::string chat_id;
};

struct PostMessage {
    std::string chat_id;
    std::string role = "user";
    std::string content;
    boost::json::object metadata;
    std::string source = "api";
    std::optional<std::string> client_msg_id;
};

//! Ends the chat's open session: by the user, or by the idle closer (which names the session
//! and the last activity it saw, so a racing message wins).
struct EndSession {
    std::string chat_id;
    std::optional<std::string> session_id;
    std::string reason = "user";
    std::optional<Timestamp> if_last_activity_at;
};

//! Forget the user (DELETE /v1/users/{id}): by the user, or by an admin.
struct EraseUser {
    std::string requested_by = "user";  //!< "user" | "admin"
    std::optional<std::string> admin_id;
};

// Body decoders: parse (simdjson), validate against schemas/commands/<name>, extract.
// Problems are invalid_input with the offending field's JSON pointer.
Result<RegisterUser> decode_register_user(std::string_view body);
Result<UpdateProfile> decode_update_profile(std::string_view body);
Result<RegisterDevice> decode_register_device(std::string_view body);
Result<CreateChat> decode_create_chat(std::string_view body);
Result<PostMessage> decode_post_message(std::string_view chat_id, std::string_view body);
//! For commands without a body: accepts an empty body or `{}`.
std::optional<Problem> check_empty_body(std::string_view body);

}  // namespace aimi::conversation
