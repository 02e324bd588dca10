#include "gateway/command_pipeline.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"
#include "gateway/time_zones.hpp"

namespace aimi::gateway::handlers {

//! POST /v1/users/{user_id}/devices — a known token refreshes its device (same id).
Reply register_device(const Call& call) {
    auto user_id = path_uuid(call, "user_id");
    if (!user_id) return fail(call, user_id.problem());
    if (auto p = may_write_user(call, user_id.value())) return fail(call, *p);
    if (auto p = require_json(call)) return fail(call, *p);
    auto command = conversation::decode_register_device(call.request.body);
    if (!command) return fail(call, command.problem());
    if (auto p = check_time_zone(command->time_zone, "/time_zone")) return fail(call, *p);
    return execute_command(
        call, {.success_status = 201, .decide = [command = std::move(command.value())](const auto& context) {
                   return conversation::decide(context, command);
               }});
}

}  // namespace aimi::gateway::handlers
