#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>

#include <boost/json/array.hpp>

#include "domain/conversation/model.hpp"
#include "domain/result.hpp"
#include "gateway/api_error.hpp"
#include "gateway/gateway_context.hpp"

namespace pqxx {
class dbtransaction;
}

// Small checks shared by handlers; each returns a Problem the handler turns into its response.
namespace aimi::gateway::handlers {

//! A body, when present, must be declared application/json.
std::optional<Problem> require_json(const Call& call);

//! A path parameter that must be a UUID (400 invalid_id otherwise); lower-cased.
Result<std::string> path_uuid(const Call& call, const std::string& name);
//! A path parameter that must be a positive integer (400 invalid_id otherwise).
Result<std::int64_t> path_int(const Call& call, const std::string& name);

//! Reads are allowed on one's own data, and on anybody's for admins (403 otherwise).
std::optional<Problem> may_read_user(const Call& call, const std::string& user_id);
//! Admins only (403 forbidden with `message` otherwise).
std::optional<Problem> require_admin(const Call& call, std::string message);
//! Writes are allowed on one's own data only (403 otherwise).
std::optional<Problem> may_write_user(const Call& call, const std::string& user_id);

//! The chat named by {chat_id} if the caller may read it; 404 for unknown and foreign chats.
Result<conversation::Chat> readable_chat(const Call& call);

//! An integer query parameter within [min, max], or `fallback` when absent (400 otherwise).
Result<std::int64_t> query_int(const Call& call, const std::string& name, std::int64_t fallback, std::int64_t min,
                               std::int64_t max);

//! An RFC 3339 time from ?<name>=, normalized (UTC, microseconds); nullopt when absent. A malformed
//! one sets `problem` (400 invalid_query naming the parameter), so several can be read before failing.
std::optional<std::string> query_time(const Call& call, const std::string& name, std::optional<Problem>& problem);
//! A date range filter: ?due_after= and ?due_before= (YYYY-MM-DD, inclusive); 400 otherwise.
std::optional<Problem> query_date_range(const Call& call, std::optional<std::string>& after,
                                        std::optional<std::string>& before);

//! A keyset cursor "<created_at>_<id>" from ?after= (nullopt when absent; 400 when malformed).
Result<std::optional<std::pair<std::string, std::string>>> query_created_cursor(const Call& call);
//! ?limit= (1–200, 50) and ?after=<cursor> of a list oldest first; a Problem when malformed.
std::optional<Problem> query_page(const Call& call, int& limit,
                                  std::optional<std::pair<std::string, std::string>>& after);
//! The cursor after a full page's last item (its created_at and `id_key`), or null.
boost::json::value next_created_cursor(const boost::json::array& items, int limit, std::string_view id_key = "id");

//! Points the transaction's unqualified names at the schema serving `projection` (after a
//! rebuild switched it), for queries of read models built from facts.
void use_serving_schema(pqxx::dbtransaction& tx, const Call& call, const std::string& projection);

//! Runs `read` in a read-only transaction pointed at the schema serving `projection`.
Reply read_serving(const Call& call, const std::string& projection,
                   const std::function<Reply(pqxx::dbtransaction&)>& read);

inline http::Response fail(const Call& call, const Problem& problem) {
    return error_response(problem, call.request.request_id);
}

}  // namespace aimi::gateway::handlers
