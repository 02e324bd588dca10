#include <pqxx/pqxx>

#include "domain/conversation/resource_json.hpp"
#include "gateway/command_pipeline.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"
#include "gateway/read_model.hpp"
#include "projections/pg/connection.hpp"

namespace aimi::gateway::handlers {

//! GET /v1/users/{user_id}/devices
Reply list_devices(const Call& call) {
    auto user_id = path_uuid(call, "user_id");
    if (!user_id) return fail(call, user_id.problem());
    if (auto p = may_read_user(call, user_id.value())) return fail(call, *p);
    auto lease = call.gateway.pool.acquire();
    pqxx::read_transaction tx(*lease);
    boost::json::array items;
    for (const auto& device : read_model::list_devices(tx, user_id.value())) items.push_back(to_json(device));
    return json_response(200, boost::json::object{{"items", std::move(items)}});
}

}  // namespace aimi::gateway::handlers
