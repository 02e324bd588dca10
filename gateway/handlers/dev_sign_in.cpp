#include <chrono>

#include "domain/auth/jwt.hpp"
#include "domain/schema/command_body.hpp"
#include "gateway/api_error.hpp"
#include "gateway/command_pipeline.hpp"
#include "gateway/dev_sign_in.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"

namespace aimi::gateway::handlers {

//! POST /v1/dev/sign-in {"role": "user" | "admin"} — a token for the local stack's demo user or
//! operator, without a credential. Only when the gateway runs in its development mode
//! (AIMI_DEV_SIGN_IN=1 on loopback, see dev_sign_in.hpp); otherwise the route does not exist (404).
Reply dev_sign_in(const Call& call) {
    if (!call.gateway.dev_sign_in)
        return fail(call, Problem::not_found("route_not_found", "no such endpoint: /v1/dev/sign-in"));
    if (auto p = require_json(call)) return fail(call, *p);
    std::string role = "user";
    if (!call.request.body.empty()) {
        auto body = schema::parse_command_body(call.request.body, "commands/dev.sign_in.v1.json");
        if (!body) return fail(call, body.problem());
        if (const auto asked = body.value()["role"]; !asked.error()) role = std::string(asked.get_string().value());
    }
    const auto user_id = std::string(role == "admin" ? DevSignIn::kAdminId : DevSignIn::kUserId);
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    const auto token =
        auth::sign_token({user_id, role}, call.gateway.settings.jwt_secret, now, DevSignIn::kTokenTtlSeconds);
    // Whether the page must register the user first (a GET of a missing user would be a 404 the
    // browser logs as an error).
    const auto user = load_resource(call, "user", user_id);
    return json_response(200, boost::json::object{{"token", token},
                                                  {"user_id", user_id},
                                                  {"role", role},
                                                  {"registered", user.has_value()},
                                                  {"expires_in_s", DevSignIn::kTokenTtlSeconds}});
}

}  // namespace aimi::gateway::handlers
