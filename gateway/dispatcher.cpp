#include "gateway/dispatcher.hpp"

#include <chrono>

#include <spdlog/spdlog.h>
#include <pqxx/except>

#include "domain/uuid.hpp"
#include "gateway/api_error.hpp"
#include "gateway/handlers/handlers.hpp"
#include "projections/errors.hpp"

namespace aimi::gateway {

Router<Route> make_routes() {
    using namespace handlers;
    Router<Route> r;
    r.add("GET", "/health", {health, true});
    r.add("GET", "/ready", {ready, true});
    r.add("POST", "/v1/users", {create_user});
    r.add("GET", "/v1/users/{user_id}", {get_user});
    r.add("PATCH", "/v1/users/{user_id}", {update_user});
    r.add("POST", "/v1/users/{user_id}/devices", {register_device});
    r.add("GET", "/v1/users/{user_id}/devices", {list_devices});
    r.add("POST", "/v1/chats", {create_chat});
    r.add("GET", "/v1/chats", {list_chats});
    r.add("GET", "/v1/chats/{chat_id}", {get_chat});
    r.add("POST", "/v1/chats/{chat_id}/archive", {archive_chat});
    r.add("POST", "/v1/chats/{chat_id}/messages", {post_message});
    r.add("GET", "/v1/chats/{chat_id}/messages", {list_messages});
    r.add("GET", "/v1/chats/{chat_id}/messages/recent", {recent_messages});
    r.add("GET", "/v1/chats/{chat_id}/sessions", {list_sessions});
    r.add("POST", "/v1/chats/{chat_id}/sessions/current/end", {end_session});
    r.add("GET", "/v1/batches/{batch_id}", {get_batch});
    return r;
}

namespace {

Result<auth::Principal> authenticate(const http::Request& request, const std::string& secret) {
    const auto* header = request.header("authorization");
    if (!header)
        return Problem{ProblemKind::unauthorized, "missing_token", "send Authorization: Bearer <token>",
                       "Authorization"};
    constexpr std::string_view scheme = "Bearer ";
    if (header->size() <= scheme.size() ||
        !std::equal(scheme.begin(), scheme.end(), header->begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        }))
        return Problem{ProblemKind::unauthorized, "invalid_token", "expected a Bearer token", "Authorization"};
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    return auth::verify_token(std::string_view(*header).substr(scheme.size()), secret, now);
}

http::Response unavailable(const std::string& code, const std::string& message, const std::string& request_id) {
    return error_response({ProblemKind::unavailable, code, message, ""}, request_id);
}

}  // namespace

http::Response Dispatcher::operator()(http::Request& request) {
    const auto started = std::chrono::steady_clock::now();
    http::Response response;
    auto matched = routes_.match(request.method, request.path);
    if (auto* problem = std::get_if<Problem>(&matched)) {
        response = error_response(*problem, request.request_id);
    } else {
        const auto& match = std::get<Router<Route>::Match>(matched);
        auth::Principal principal;
        std::optional<Problem> denied;
        if (!match.target->is_public) {
            auto who = authenticate(request, context_.settings.jwt_secret);
            if (who)
                principal = std::move(who.value());
            else
                denied = who.problem();
        }
        if (denied) {
            response = error_response(*denied, request.request_id);
        } else {
            try {
                response = match.target->handler(Call{request, principal, match.params, context_});
            } catch (const KafkaUnavailable& e) {
                spdlog::warn("request {}: {}", request.request_id, e.what());
                response = unavailable("event_log_unavailable", e.what(), request.request_id);
            } catch (const DatabaseUnavailable& e) {
                spdlog::warn("request {}: {}", request.request_id, e.what());
                response = unavailable("read_model_unavailable", e.what(), request.request_id);
            } catch (const pqxx::broken_connection& e) {
                spdlog::warn("request {}: {}", request.request_id, e.what());
                response =
                    unavailable("read_model_unavailable", "lost the connection to PostgreSQL", request.request_id);
            } catch (const std::exception& e) {
                spdlog::error("request {}: {} {} failed: {}", request.request_id, request.method, request.path,
                              e.what());
                response =
                    error_response({ProblemKind::internal, "internal", "internal error", ""}, request.request_id);
            }
        }
    }
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
    spdlog::info("{} {} {} {}us request_id={}", request.method, request.path, response.status, micros,
                 request.request_id);
    return response;
}

http::Response refusal_response(int status, const std::string& code, const std::string& message,
                                const std::string& request_id) {
    const ProblemKind kind = status == 413   ? ProblemKind::payload_too_large
                             : status == 500 ? ProblemKind::internal
                                             : ProblemKind::invalid_input;
    return error_response({kind, code, message, status == 413 ? "body" : ""}, request_id);
}

}  // namespace aimi::gateway
