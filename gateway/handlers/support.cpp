#include "gateway/handlers/support.hpp"

#include "domain/time.hpp"

#include <charconv>

#include <pqxx/pqxx>

#include "domain/uuid.hpp"
#include "gateway/progress_watcher.hpp"
#include "gateway/read_model.hpp"
#include "projections/pg/connection.hpp"

namespace aimi::gateway::handlers {

std::optional<Problem> require_json(const Call& call) {
    if (call.request.body.empty()) return std::nullopt;
    const auto* type = call.request.header("content-type");
    if (type && type->starts_with("application/json")) return std::nullopt;
    return Problem{ProblemKind::unsupported_media_type, "unsupported_media_type", "send the body as application/json",
                   "Content-Type"};
}

Result<std::string> path_uuid(const Call& call, const std::string& name) {
    const auto& value = call.params.at(name);
    if (!is_uuid(value)) return Problem::invalid("invalid_id", name + " must be a UUID", name);
    return normalize_uuid(value);
}

Result<std::int64_t> path_int(const Call& call, const std::string& name) {
    const auto& value = call.params.at(name);
    std::int64_t out = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
    if (ec != std::errc{} || end != value.data() + value.size() || out < 1)
        return Problem::invalid("invalid_id", name + " must be a positive integer", name);
    return out;
}

std::optional<Problem> may_read_user(const Call& call, const std::string& user_id) {
    if (user_id == call.principal.user_id || call.principal.is_admin()) return std::nullopt;
    return Problem{ProblemKind::forbidden, "forbidden", "you may only read your own data", "user_id"};
}

std::optional<Problem> require_admin(const Call& call, std::string message) {
    if (call.principal.is_admin()) return std::nullopt;
    return Problem{ProblemKind::forbidden, "forbidden", std::move(message), ""};
}

std::optional<Problem> may_write_user(const Call& call, const std::string& user_id) {
    if (user_id == call.principal.user_id) return std::nullopt;
    return Problem{ProblemKind::forbidden, "forbidden", "you may only change your own data", "user_id"};
}

Result<conversation::Chat> readable_chat(const Call& call) {
    auto chat_id = path_uuid(call, "chat_id");
    if (!chat_id) return chat_id.problem();
    auto lease = call.gateway.pool.acquire();
    pqxx::read_transaction tx(*lease);
    auto chat = read_model::find_chat(tx, chat_id.value());
    if (!chat || (chat->user_id != call.principal.user_id && !call.principal.is_admin()))
        return Problem::not_found("chat_not_found", "no such chat", "chat_id");
    return std::move(*chat);
}

void use_serving_schema(pqxx::dbtransaction& tx, const Call& call, const std::string& projection) {
    const auto schema = call.gateway.watcher.serving_schema(projection);
    if (schema != call.gateway.settings.pg_schema) tx.exec("SET LOCAL search_path TO " + tx.quote_name(schema));
}

Reply read_serving(const Call& call, const std::string& projection,
                   const std::function<Reply(pqxx::dbtransaction&)>& read) {
    auto lease = call.gateway.pool.acquire();
    pqxx::read_transaction tx(*lease);
    use_serving_schema(tx, call, projection);
    return read(tx);
}

std::optional<std::string> query_time(const Call& call, const std::string& name, std::optional<Problem>& problem) {
    const auto it = call.request.query.find(name);
    if (it == call.request.query.end()) return std::nullopt;
    const auto at = parse_timestamp(it->second);
    if (!at) problem = Problem::invalid("invalid_query", name + " must be an RFC 3339 time", name);
    return at ? std::optional(format_timestamp(*at)) : std::nullopt;
}

Result<std::int64_t> query_int(const Call& call, const std::string& name, std::int64_t fallback, std::int64_t min,
                               std::int64_t max) {
    const auto it = call.request.query.find(name);
    if (it == call.request.query.end()) return fallback;
    std::int64_t value = 0;
    const auto& text = it->second;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max)
        return Problem::invalid(
            "invalid_query",
            name + " must be an integer between " + std::to_string(min) + " and " + std::to_string(max), name);
    return value;
}

std::optional<Problem> query_date_range(const Call& call, std::optional<std::string>& after,
                                        std::optional<std::string>& before) {
    for (auto [name, target] : {std::pair{"due_after", &after}, std::pair{"due_before", &before}}) {
        const auto it = call.request.query.find(name);
        if (it == call.request.query.end()) continue;
        if (!parse_date(it->second)) return Problem::invalid("invalid_query", "must be a date (YYYY-MM-DD)", name);
        *target = it->second;
    }
    return std::nullopt;
}

Result<std::optional<std::pair<std::string, std::string>>> query_created_cursor(const Call& call) {
    const auto it = call.request.query.find("after");
    if (it == call.request.query.end()) return std::optional<std::pair<std::string, std::string>>{};
    const auto separator = it->second.rfind('_');
    const auto at = it->second.substr(0, separator == std::string::npos ? 0 : separator);
    const auto id = separator == std::string::npos ? std::string() : it->second.substr(separator + 1);
    if (!parse_timestamp(at) || !is_uuid(id))
        return Problem::invalid("invalid_query", "after must be a cursor from next_cursor", "after");
    return std::optional(std::pair{at, normalize_uuid(id)});
}

std::optional<Problem> query_page(const Call& call, int& limit,
                                  std::optional<std::pair<std::string, std::string>>& after) {
    auto count = query_int(call, "limit", 50, 1, 200);
    if (!count) return count.problem();
    auto cursor = query_created_cursor(call);
    if (!cursor) return cursor.problem();
    limit = static_cast<int>(count.value());
    after = cursor.value();
    return std::nullopt;
}

boost::json::value next_created_cursor(const boost::json::array& items, int limit, std::string_view id_key) {
    if (static_cast<int>(items.size()) != limit || items.empty()) return nullptr;
    const auto& last = items.back().as_object();
    return boost::json::value(std::string(last.at("created_at").as_string()) + "_" +
                              std::string(last.at(id_key).as_string()));
}

}  // namespace aimi::gateway::handlers
