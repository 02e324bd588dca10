#include "domain/conversation/decide.hpp"

namespace aimi::conversation {

namespace {

Problem user_erased() {
    return Problem{ProblemKind::gone, "user_erased", "this user was erased and takes no further command", "user_id"};
}

std::optional<Problem> require_user(const DecisionContext& context) {
    if (!context.user)
        return Problem::not_found("user_not_found", "register the user first (POST /v1/users)", "user_id");
    if (context.user->erased()) return user_erased();
    return std::nullopt;
}

std::optional<Problem> require_chat(const DecisionContext& context) {
    if (auto p = require_user(context)) return p;
    if (!context.chat) return Problem::not_found("chat_not_found", "no such chat", "chat_id");
    return std::nullopt;
}

}  // namespace

Result<Decision> decide(const DecisionContext& context, const RegisterUser& command) {
    if (context.user && context.user->erased()) return user_erased();  // an erased id stays taken
    if (context.user || context.stream_version != 0)
        return Problem::conflict("user_exists", "this user is already registered", "user_id");
    events::UserRegistered event{command.email, command.display_name, command.time_zone, command.locale,
                                 command.settings};
    return Decision{{std::move(event)}, true};
}

Result<Decision> decide(const DecisionContext& context, const UpdateProfile& command) {
    if (auto p = require_user(context)) return *p;
    // A field-level delta that depends only on the user existing (which the fold re-checks):
    // concurrent patches commute in stream order, so no version check and no conflicts.
    events::UserProfileUpdated event{command.display_name, command.email, command.time_zone, command.locale,
                                     command.settings_patch};
    return Decision{{std::move(event)}, false};
}

Result<Decision> decide(const DecisionContext& context, const RegisterDevice& command) {
    if (auto p = require_user(context)) return *p;
    events::DeviceRegistered event{context.new_id(), command.token, command.platform, command.locale,
                                   command.time_zone};
    return Decision{{std::move(event)}, false};
}

Result<Decision> decide(const DecisionContext& context, const CreateChat& command) {
    if (auto p = require_user(context)) return *p;
    events::ChatCreated event{context.new_id(), command.title, command.model, command.settings};
    return Decision{{std::move(event)}, false};
}

Result<Decision> decide(const DecisionContext& context, const ArchiveChat&) {
    if (auto p = require_chat(context)) return *p;
    if (context.chat->archived) return Decision{};
    return Decision{{events::ChatArchived{context.chat->id}}, false};
}

Result<Decision> decide(const DecisionContext& context, const PostMessage& command) {
    if (auto p = require_chat(context)) return *p;
    if (context.chat->archived)
        return Problem::conflict("chat_archived", "the chat is archived and takes no new messages", "chat_id");
    events::MessagePosted event{context.new_id(),      context.chat->id, command.role,
                                command.content,       command.metadata, command.source,
                                command.client_msg_id, context.new_id(), context.idle_timeout_seconds};
    return Decision{{std::move(event)}, false};
}

Result<Decision> decide(const DecisionContext& context, const EndSession& command) {
    if (auto p = require_chat(context)) return *p;
    const auto& open = context.open_session;
    if (!open || (command.session_id && *command.session_id != open->id))
        return Problem::conflict("no_open_session", "the chat has no open session to end", "session_id");
    events::SessionEnded event{context.chat->id, open->id, command.reason, std::nullopt};
    event.if_last_activity_at = command.if_last_activity_at;
    return Decision{{std::move(event)}, false};
}

Result<Decision> decide(const DecisionContext& context, const EraseUser& command) {
    if (auto p = require_user(context)) return *p;
    return Decision{{events::UserErased{command.requested_by, command.admin_id}}, false};
}

}  // namespace aimi::conversation
