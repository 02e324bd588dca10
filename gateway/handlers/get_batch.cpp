#include <pqxx/pqxx>

#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"
#include "gateway/read_model.hpp"
#include "projections/pg/connection.hpp"

namespace aimi::gateway::handlers {

//! GET /v1/batches/{batch_id} — how an accepted (202) command ended: applied, duplicate,
//! conflict or rejected. 404 while it is not applied yet (or not the caller's).
Reply get_batch(const Call& call) {
    auto batch_id = path_uuid(call, "batch_id");
    if (!batch_id) return fail(call, batch_id.problem());
    auto lease = call.gateway.pool.acquire();
    pqxx::read_transaction tx(*lease);
    const auto outcome = read_model::find_outcome(tx, batch_id.value());
    if (!outcome || (outcome->user_id != call.principal.user_id && !call.principal.is_admin()))
        return fail(call, Problem::not_found("batch_not_found", "unknown batch, or not applied yet", "batch_id"));
    namespace bj = boost::json;
    return json_response(
        200,
        bj::object{
            {"batch_id", outcome->batch_id},
            {"outcome", outcome->outcome},
            {"code", outcome->code.empty() ? bj::value(nullptr) : bj::value(outcome->code)},
            {"message", outcome->message.empty() ? bj::value(nullptr) : bj::value(outcome->message)},
            {"duplicate_of", outcome->duplicate_of ? bj::value(*outcome->duplicate_of) : bj::value(nullptr)},
            {"resource_type", outcome->resource_type.empty() ? bj::value(nullptr) : bj::value(outcome->resource_type)},
            {"resource_id", outcome->resource_id.empty() ? bj::value(nullptr) : bj::value(outcome->resource_id)},
            {"stream_version", outcome->stream_version}});
}

}  // namespace aimi::gateway::handlers
