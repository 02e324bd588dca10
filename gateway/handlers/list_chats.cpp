#include <pqxx/pqxx>

#include "domain/conversation/resource_json.hpp"
#include "domain/time.hpp"
#include "domain/uuid.hpp"
#include "gateway/command_pipeline.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"
#include "gateway/read_model.hpp"
#include "projections/pg/connection.hpp"

namespace aimi::gateway::handlers {

namespace {

// A cursor is "<created_at>_<id>": the creation time orders the pages, the id breaks ties
// between chats created in the same microsecond.
constexpr char kCursorSeparator = '_';

std::optional<read_model::ChatCursor> parse_cursor(std::string_view text) {
    const auto separator = text.rfind(kCursorSeparator);
    if (separator == std::string_view::npos) return std::nullopt;
    const auto created_at = text.substr(0, separator), id = text.substr(separator + 1);
    if (!parse_timestamp(created_at) || !is_uuid(id)) return std::nullopt;
    return read_model::ChatCursor{std::string(created_at), normalize_uuid(id)};
}

}  // namespace

//! GET /v1/chats?limit=50&include_archived=false&before=<cursor>[&user_id= (admins)]
//! Newest first; next_cursor feeds `before` for the next page.
Reply list_chats(const Call& call) {
    const auto& query = call.request.query;
    std::string user_id = call.principal.user_id;
    if (const auto it = query.find("user_id"); it != query.end()) {
        if (!is_uuid(it->second))
            return fail(call, Problem::invalid("invalid_query", "user_id must be a UUID", "user_id"));
        user_id = normalize_uuid(it->second);
        if (auto p = may_read_user(call, user_id)) return fail(call, *p);
    }
    auto limit = query_int(call, "limit", 50, 1, 200);
    if (!limit) return fail(call, limit.problem());
    bool include_archived = false;
    if (const auto it = query.find("include_archived"); it != query.end()) {
        if (it->second != "true" && it->second != "false")
            return fail(
                call, Problem::invalid("invalid_query", "include_archived must be true or false", "include_archived"));
        include_archived = it->second == "true";
    }
    std::optional<read_model::ChatCursor> before;
    if (const auto it = query.find("before"); it != query.end()) {
        before = parse_cursor(it->second);
        if (!before)
            return fail(call, Problem::invalid("invalid_query", "before must be a cursor from next_cursor", "before"));
    }

    auto lease = call.gateway.pool.acquire();
    pqxx::read_transaction tx(*lease);
    const auto chats = read_model::list_chats(tx, user_id, include_archived, before, static_cast<int>(limit.value()));
    boost::json::array items;
    for (const auto& chat : chats) items.push_back(to_json(chat));
    boost::json::value next = nullptr;
    if (static_cast<std::int64_t>(chats.size()) == limit.value())
        next = format_timestamp(chats.back().created_at) + kCursorSeparator + chats.back().id;
    return json_response(200, boost::json::object{{"items", std::move(items)}, {"next_cursor", next}});
}

}  // namespace aimi::gateway::handlers
