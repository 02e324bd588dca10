#include <limits>

#include <pqxx/pqxx>

#include "domain/json/parse.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"
#include "projections/pg/connection.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::gateway::handlers {

namespace {

// The payload stays out: it is the undecodable record itself (sealed personal data at best).
const pg::Statement kDeadLetters{
    "operations.dead_letters",
    "SELECT coalesce(jsonb_agg(d ORDER BY d.id DESC), '[]'::jsonb)::text FROM ("
    "SELECT id, projection, topic, partition, \"offset\", record_key, error, octet_length(payload) AS payload_bytes, "
    "to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS recorded_at "
    "FROM dead_letters WHERE ($1::bigint IS NULL OR id < $1) ORDER BY id DESC LIMIT $2) d",
    pg::Planning::per_execution};

}  // namespace

//! GET /v1/admin/dead-letters?limit=&before= — the records projections could not decode, newest
//! first (admins; 403 otherwise). `before` is the `next_cursor` of the previous page (an id).
Reply list_dead_letters(const Call& call) {
    if (auto p = require_admin(call, "dead letters are for admins")) return fail(call, *p);
    const auto limit = query_int(call, "limit", 50, 1, 200);
    if (!limit) return fail(call, limit.problem());
    std::optional<std::int64_t> before;
    if (call.request.query.contains("before")) {
        const auto id = query_int(call, "before", 0, 1, std::numeric_limits<std::int64_t>::max());
        if (!id) return fail(call, id.problem());
        before = id.value();
    }
    auto lease = call.gateway.pool.acquire();
    pqxx::read_transaction tx(*lease);
    const auto rows = pg::exec(tx, kDeadLetters, before, limit.value());
    auto items = json::parse_stored(rows[0][0].as<std::string>()).as_array();
    boost::json::value next = nullptr;
    if (static_cast<std::int64_t>(items.size()) == limit.value()) next = items.back().at("id");
    return json_response(200, boost::json::object{{"items", std::move(items)}, {"next_cursor", next}});
}

}  // namespace aimi::gateway::handlers
