#include <pqxx/pqxx>

#include "gateway/command_pipeline.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"

namespace aimi::gateway::handlers {

//! GET /v1/users/{user_id}
Reply get_user(const Call& call) {
    auto user_id = path_uuid(call, "user_id");
    if (!user_id) return fail(call, user_id.problem());
    if (auto p = may_read_user(call, user_id.value())) return fail(call, *p);
    auto user = load_resource(call, "user", user_id.value());
    if (!user) return fail(call, Problem::not_found("user_not_found", "no such user", "user_id"));
    if (!user->at("erased_at").is_null())
        return fail(call, Problem{ProblemKind::gone, "user_erased", "this user was erased", "user_id"});
    return json_response(200, *user);
}

}  // namespace aimi::gateway::handlers
