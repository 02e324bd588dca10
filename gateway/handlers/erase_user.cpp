#include "gateway/command_pipeline.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"
#include "projections/keys/key_store.hpp"

namespace aimi::gateway::handlers {

//! DELETE /v1/users/{user_id} — forgets the user (the user, or an admin): appends user.erased;
//! every projection removes or blanks their personal data; their data key is destroyed, here at
//! once after the append and by the entity store when it applies the erasure, so every sealed
//! personal field of theirs in every topic becomes unreadable. 204 when applied; then 410.
Reply erase_user(const Call& call) {
    auto user_id = path_uuid(call, "user_id");
    if (!user_id) return fail(call, user_id.problem());
    const bool self = user_id.value() == call.principal.user_id;
    if (!self && !call.principal.is_admin())
        return fail(call, Problem{ProblemKind::forbidden, "forbidden", "you may only erase yourself", "user_id"});
    if (auto p = require_json(call)) return fail(call, *p);
    if (auto p = conversation::check_empty_body(call.request.body)) return fail(call, *p);
    conversation::EraseUser command;
    if (!self) {
        command.requested_by = "admin";
        command.admin_id = call.principal.user_id;
    }
    auto& keys = call.gateway.keys;
    const auto target = user_id.value();
    return execute_command(call,
                           {.success_status = 204,
                            .decide = [command](const auto& context) { return conversation::decide(context, command); },
                            .user_id = target,
                            .after_append = [&keys, target] { keys.destroy(target); }});
}

}  // namespace aimi::gateway::handlers
