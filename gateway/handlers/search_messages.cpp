#include <charconv>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include "domain/schema/formats.hpp"
#include "domain/text.hpp"
#include "domain/time.hpp"
#include "domain/uuid.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"
#include "gateway/search_read_model.hpp"
#include "projections/message_search/message_search_projection.hpp"
#include "projections/pg/connection.hpp"

namespace aimi::gateway::handlers {

namespace {

namespace bj = boost::json;
using search_read_model::Cursor;

constexpr std::size_t kMaxQueryLength = 500;  // code points

Problem invalid(const std::string& message, const std::string& field) {
    return Problem::invalid("invalid_query", message, field);
}

//! "<rank>_<created_at>_<message_id>" (rank empty when ordered by time).
std::string format_cursor(const search_read_model::Hit& hit, bool by_rank) {
    return (by_rank ? hit.rank : "") + "_" + hit.created_at + "_" + hit.message_id;
}

std::optional<Cursor> parse_cursor(std::string_view text, bool by_rank) {
    const auto first = text.find('_');
    const auto second = text.find('_', first == std::string_view::npos ? first : first + 1);
    if (first == std::string_view::npos || second == std::string_view::npos) return std::nullopt;
    Cursor cursor{std::string(text.substr(0, first)), std::string(text.substr(first + 1, second - first - 1)),
                  std::string(text.substr(second + 1))};
    if (by_rank == cursor.rank.empty() || !parse_timestamp(cursor.created_at) || !is_uuid(cursor.message_id))
        return std::nullopt;
    if (by_rank) {
        float rank = 0;
        const auto [end, ec] = std::from_chars(cursor.rank.data(), cursor.rank.data() + cursor.rank.size(), rank);
        if (ec != std::errc{} || end != cursor.rank.data() + cursor.rank.size()) return std::nullopt;
    }
    cursor.message_id = normalize_uuid(cursor.message_id);
    return cursor;
}

}  // namespace

//! GET /v1/search/messages?q=...&chat_id=&from=&to=&order=rank|recent&limit=20&cursor=[&user_id= (admins)]
//! Full-text search over the caller's messages (websearch syntax: words, "a phrase", or, -word),
//! best matches first (or newest first), with a snippet whose matches sit between « and ».
Reply search_messages(const Call& call) {
    const auto& params = call.request.query;
    search_read_model::Query query;
    query.user_id = call.principal.user_id;
    if (const auto it = params.find("user_id"); it != params.end()) {
        if (!is_uuid(it->second)) return fail(call, invalid("user_id must be a UUID", "user_id"));
        query.user_id = normalize_uuid(it->second);
        if (auto p = may_read_user(call, query.user_id)) return fail(call, *p);
    }
    const auto q = params.find("q");
    if (q == params.end() || q->second.find_first_not_of(" \t\r\n") == std::string::npos)
        return fail(call, invalid("q is required: the words to search for", "q"));
    if (!is_storable_text(q->second)) return fail(call, invalid("q must be UTF-8 text without the NUL character", "q"));
    if (schema::utf8_length(q->second) > kMaxQueryLength)
        return fail(call,
                    Problem::invalid("too_long", fmt::format("q must be at most {} characters", kMaxQueryLength), "q"));
    query.text = q->second;
    if (const auto it = params.find("chat_id"); it != params.end()) {
        if (!is_uuid(it->second)) return fail(call, invalid("chat_id must be a UUID", "chat_id"));
        query.chat_id = normalize_uuid(it->second);
    }
    std::optional<Problem> bad_time;
    query.from = query_time(call, "from", bad_time);
    query.to = query_time(call, "to", bad_time);
    if (bad_time) return fail(call, *bad_time);
    if (const auto it = params.find("order"); it != params.end()) {
        if (it->second != "rank" && it->second != "recent")
            return fail(call, invalid("order must be rank or recent", "order"));
        query.by_rank = it->second == "rank";
    }
    auto limit = query_int(call, "limit", 20, 1, 100);
    if (!limit) return fail(call, limit.problem());
    query.limit = static_cast<int>(limit.value());
    if (const auto it = params.find("cursor"); it != params.end()) {
        query.after = parse_cursor(it->second, query.by_rank);
        if (!query.after) return fail(call, invalid("cursor must be a next_cursor of this search's order", "cursor"));
    }

    auto lease = call.gateway.pool.acquire();
    pqxx::read_transaction tx(*lease);
    use_serving_schema(tx, call, message_search::MessageSearchProjection::kName);
    if (!search_read_model::has_terms(tx, query.user_id, query.text))
        return fail(call, invalid("q holds no words to search for (only operators or punctuation)", "q"));
    const auto hits = search_read_model::search(tx, query);
    bj::array items;
    for (const auto& hit : hits)
        items.push_back(bj::object{{"message_id", hit.message_id},
                                   {"chat_id", hit.chat_id},
                                   {"seq", hit.seq},
                                   {"role", hit.role},
                                   {"created_at", hit.created_at},
                                   {"rank", std::stod(hit.rank)},
                                   {"snippet", hit.snippet}});
    bj::value next = nullptr;
    if (static_cast<int>(hits.size()) == query.limit) next = format_cursor(hits.back(), query.by_rank);
    return json_response(200, bj::object{{"items", std::move(items)}, {"next_cursor", std::move(next)}});
}

}  // namespace aimi::gateway::handlers
