#include <simdjson.h>

#include "domain/conversation/commands.hpp"
#include "domain/json/convert.hpp"
#include "domain/schedule/reminders.hpp"
#include "domain/schema/command_body.hpp"

namespace aimi::conversation {

namespace {

using simdjson::dom::element;

Result<element> parse_checked(std::string_view body, std::string_view schema_name) {
    return schema::parse_command_body(body, schema_name);
}

std::optional<element> field(const element& object, std::string_view key) {
    element value;
    if (object.get_object().value_unsafe().at_key(key).get(value)) return std::nullopt;
    return value;
}
std::optional<std::string> opt_str(const element& object, std::string_view key) {
    auto value = field(object, key);
    if (!value || value->is_null()) return std::nullopt;
    return std::string(value->get_string().value());
}
std::string str_or(const element& object, std::string_view key, std::string fallback) {
    return opt_str(object, key).value_or(std::move(fallback));
}
boost::json::object obj(const element& object, std::string_view key) {
    auto value = field(object, key);
    return value ? json::to_boost(*value).as_object() : boost::json::object{};
}

}  // namespace

Result<RegisterUser> decode_register_user(std::string_view body) {
    auto doc = parse_checked(body, "commands/user.register.v1.json");
    if (!doc) return doc.problem();
    const element& d = doc.value();
    RegisterUser command{opt_str(d, "email"), str_or(d, "display_name", ""), str_or(d, "time_zone", "UTC"),
                         str_or(d, "locale", "en"), obj(d, "settings")};
    if (auto p = schedule::check_reminder_settings(command.settings)) return *p;
    return command;
}

Result<UpdateProfile> decode_update_profile(std::string_view body) {
    auto doc = parse_checked(body, "commands/user.update.v1.json");
    if (!doc) return doc.problem();
    const element& d = doc.value();
    if (d.get_object().value_unsafe().size() == 0)
        return Problem::invalid("empty_update", "name at least one field to change", "/");
    UpdateProfile command{opt_str(d, "display_name"), std::nullopt, opt_str(d, "time_zone"), opt_str(d, "locale"),
                          std::nullopt};
    if (field(d, "email")) command.email = opt_str(d, "email");
    if (field(d, "settings")) {
        command.settings_patch = obj(d, "settings");
        if (auto p = schedule::check_reminder_settings(*command.settings_patch)) return *p;
    }
    return command;
}

Result<RegisterDevice> decode_register_device(std::string_view body) {
    auto doc = parse_checked(body, "commands/device.register.v1.json");
    if (!doc) return doc.problem();
    const element& d = doc.value();
    return RegisterDevice{str_or(d, "token", ""), str_or(d, "platform", ""), opt_str(d, "locale"),
                          opt_str(d, "time_zone")};
}

Result<CreateChat> decode_create_chat(std::string_view body) {
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return CreateChat{};
    auto doc = parse_checked(body, "commands/chat.create.v1.json");
    if (!doc) return doc.problem();
    const element& d = doc.value();
    return CreateChat{str_or(d, "title", ""), str_or(d, "model", "aimi-rule-based"), obj(d, "settings")};
}

Result<PostMessage> decode_post_message(std::string_view chat_id, std::string_view body) {
    auto doc = parse_checked(body, "commands/message.post.v1.json");
    if (!doc) return doc.problem();
    const element& d = doc.value();
    return PostMessage{std::string(chat_id), str_or(d, "role", "user"),  str_or(d, "content", ""),
                       obj(d, "metadata"),   str_or(d, "source", "api"), opt_str(d, "client_msg_id")};
}

std::optional<Problem> check_empty_body(std::string_view body) {
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return std::nullopt;
    auto doc = parse_checked(body, "commands/empty.v1.json");
    if (!doc) return doc.problem();
    return std::nullopt;
}

}  // namespace aimi::conversation
