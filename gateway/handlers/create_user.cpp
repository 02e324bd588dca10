#include "gateway/command_pipeline.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"
#include "gateway/time_zones.hpp"

namespace aimi::gateway::handlers {

//! POST /v1/users — registers the token's subject.
Reply create_user(const Call& call) {
    if (auto p = require_json(call)) return fail(call, *p);
    auto command = conversation::decode_register_user(call.request.body);
    if (!command) return fail(call, command.problem());
    if (auto p = check_time_zone(command->time_zone, "/time_zone")) return fail(call, *p);
    return execute_command(
        call, {.success_status = 201, .decide = [command = std::move(command.value())](const auto& context) {
                   return conversation::decide(context, command);
               }});
}

}  // namespace aimi::gateway::handlers
