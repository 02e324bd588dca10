#include "gateway/handlers/learning_support.hpp"

#include "domain/learning/catalog.hpp"

namespace aimi::gateway::handlers::learning_api {

Result<boost::json::object> body(const Call& call, std::string_view schema) {
    if (auto p = require_json(call)) return *p;
    const std::string_view text = call.request.body.empty() ? std::string_view("{}") : call.request.body;
    return learning::decode_body(text, "commands/" + std::string(schema) + ".v1.json");
}

std::optional<Problem> require_admin(const Call& call) {
    return handlers::require_admin(call, "the learning catalog is written by admins");
}

Reply catalog_command(const Call& call, int status,
                      std::function<Result<conversation::Decision>(const conversation::DecisionContext&)> decide) {
    if (auto p = require_admin(call)) return fail(call, *p);
    return execute_command(call, {.success_status = status,
                                  .decide = std::move(decide),
                                  .user_id = std::string(learning::kCatalogStream),
                                  .wait_for = kLearning});
}

Reply user_command(const Call& call, int status,
                   std::function<Result<conversation::Decision>(const conversation::DecisionContext&)> decide,
                   std::optional<std::string> chat_id) {
    return execute_command(
        call,
        {.chat_id = std::move(chat_id), .success_status = status, .decide = std::move(decide), .wait_for = kLearning});
}

}  // namespace aimi::gateway::handlers::learning_api
