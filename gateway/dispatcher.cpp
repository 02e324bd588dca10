#include "gateway/dispatcher.hpp"

#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <pqxx/except>

#include "domain/uuid.hpp"
#include "gateway/api_error.hpp"
#include "gateway/gateway_metrics.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/progress_watcher.hpp"
#include "projections/entity_store/entity_store_projection.hpp"
#include "projections/errors.hpp"
#include "projections/goals_graph/goals_graph_projection.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/learning/learning_projection.hpp"
#include "projections/memory/memory_projection.hpp"
#include "projections/memory/vectors_projection.hpp"
#include "projections/message_search/message_search_projection.hpp"
#include "projections/notifications/notifications_projection.hpp"
#include "projections/reminder_queue/reminder_queue_projection.hpp"
#include "projections/schedule/schedule_projection.hpp"

namespace aimi::gateway {

namespace {

struct RouteEntry {
    const char* method;
    const char* pattern;
    Route route;
};

//! The API's routes, in one table: the router and the OpenAPI check read the same list.
const std::vector<RouteEntry>& route_table() {
    using namespace handlers;
    const std::string entities(entity_store::EntityStoreProjection::kName);
    const std::string goals(goals_graph::GoalsGraphProjection::kName);
    const std::string schedule(schedule::ScheduleProjection::kName);
    const std::string learning(learning::LearningProjection::kName);
    static const std::vector<RouteEntry> table = {
        {"GET", "/health", {health, true}},
        {"GET", "/metrics", {metrics, true}},
        {"GET", "/v1/openapi.json", {openapi, true}},
        {"GET", "/ready", {ready, true}},
        {"GET", "/console", {console_page, true}},
        {"GET", "/console/{file}", {console_asset, true}},
        {"POST", "/v1/dev/sign-in", {dev_sign_in, true}},
        {"POST", "/v1/users", {create_user}},
        {"GET", "/v1/users/{user_id}", {get_user, false, entities}},
        {"PATCH", "/v1/users/{user_id}", {update_user}},
        {"DELETE", "/v1/users/{user_id}", {erase_user}},
        {"GET", "/v1/users/{user_id}/export", {export_user, false, entities}},
        {"POST", "/v1/users/{user_id}/devices", {register_device}},
        {"GET", "/v1/users/{user_id}/devices", {list_devices, false, entities}},
        {"POST", "/v1/chats", {create_chat}},
        {"GET", "/v1/chats", {list_chats, false, entities}},
        {"GET", "/v1/chats/{chat_id}", {get_chat, false, entities}},
        {"POST", "/v1/chats/{chat_id}/archive", {archive_chat}},
        {"POST", "/v1/chats/{chat_id}/messages", {post_message}},
        {"GET", "/v1/chats/{chat_id}/messages", {list_messages, false, entities}},
        {"GET", "/v1/chats/{chat_id}/messages/recent", {recent_messages, false, entities}},
        {"GET", "/v1/chats/{chat_id}/sessions", {list_sessions, false, entities}},
        {"POST", "/v1/chats/{chat_id}/sessions/current/end", {end_session}},
        {"GET", "/v1/batches/{batch_id}", {get_batch, false, entities}},
        {"GET", "/v1/search/messages", {search_messages, false, message_search::MessageSearchProjection::kName}},
        {"POST", "/v1/goals", {create_goal}},
        {"GET", "/v1/goals", {list_goals, false, goals}},
        {"GET", "/v1/goals/plan", {goal_plan, false, goals}},
        {"GET", "/v1/goals/bottlenecks", {goal_bottlenecks, false, goals}},
        {"GET", "/v1/goals/graph", {goal_graph, false, goals}},
        {"GET", "/v1/goals/{goal_id}", {get_goal, false, goals}},
        {"PATCH", "/v1/goals/{goal_id}", {update_goal}},
        {"POST", "/v1/goals/{goal_id}/complete", {complete_goal}},
        {"POST", "/v1/goals/{goal_id}/cancel", {cancel_goal}},
        {"POST", "/v1/goals/{goal_id}/archive", {archive_goal}},
        {"POST", "/v1/goals/{goal_id}/reopen", {reopen_goal}},
        {"GET", "/v1/goals/{goal_id}/history", {goal_history, false, goals}},
        {"GET", "/v1/goals/{goal_id}/critical-path", {critical_path, false, goals}},
        {"POST", "/v1/goals/{goal_id}/dependencies", {add_dependency}},
        {"PATCH", "/v1/dependencies/{dependency_id}", {update_dependency}},
        {"DELETE", "/v1/dependencies/{dependency_id}", {remove_dependency}},
        {"POST", "/v1/tasks", {create_task}},
        {"GET", "/v1/tasks", {list_tasks, false, goals}},
        {"GET", "/v1/tasks/{task_id}", {get_task, false, goals}},
        {"PATCH", "/v1/tasks/{task_id}", {update_task}},
        {"GET", "/v1/tasks/{task_id}/history", {task_history, false, goals}},
        {"POST", "/v1/problems", {create_problem}},
        {"GET", "/v1/problems", {list_problems, false, goals}},
        {"GET", "/v1/problems/{problem_id}", {get_problem, false, goals}},
        {"PATCH", "/v1/problems/{problem_id}", {update_problem}},
        {"GET", "/v1/problems/{problem_id}/history", {problem_history, false, goals}},
        {"POST", "/v1/habits", {create_habit}},
        {"GET", "/v1/habits", {list_habits, false, goals}},
        {"GET", "/v1/habits/{habit_id}", {get_habit, false, goals}},
        {"PATCH", "/v1/habits/{habit_id}", {update_habit}},
        {"POST", "/v1/links", {add_link}},
        {"GET", "/v1/links", {list_links, false, goals}},
        {"DELETE", "/v1/links/{link_id}", {remove_link}},
        {"POST", "/v1/calendar-events", {create_calendar_event}},
        {"GET", "/v1/calendar-events", {list_calendar_events, false, schedule}},
        {"GET", "/v1/calendar-events/{calendar_event_id}", {get_calendar_event, false, schedule}},
        {"PATCH", "/v1/calendar-events/{calendar_event_id}", {update_calendar_event}},
        {"POST", "/v1/calendar-events/{calendar_event_id}/cancel", {cancel_calendar_event}},
        {"POST", "/v1/calendar-events/{calendar_event_id}/complete", {complete_calendar_event}},
        {"GET", "/v1/calendar/occurrences", {list_occurrences, false, schedule}},
        {"GET", "/v1/calendar.ics", {export_calendar, false, schedule}},
        {"GET", "/v1/reminders", {list_reminders, false, schedule::ReminderQueueProjection::kName}},
        {"POST", "/v1/notifications", {create_notification}},
        {"GET", "/v1/notifications", {list_notifications, false, notifications::NotificationsProjection::kName}},
        {"GET",
         "/v1/notifications/{notification_id}",
         {get_notification, false, notifications::NotificationsProjection::kName}},
        {"POST", "/v1/notifications/{notification_id}/dismiss", {dismiss_notification}},
        {"POST", "/v1/mental-states", {record_mental_state}},
        {"GET", "/v1/mental-states", {list_mental_states, false, memory::MemoryProjection::kName}},
        {"GET", "/v1/mental-states/{mental_state_id}", {get_mental_state, false, memory::MemoryProjection::kName}},
        {"GET", "/v1/summaries", {list_summaries, false, memory::MemoryProjection::kName}},
        {"GET", "/v1/summaries/{summary_id}", {get_summary, false, memory::MemoryProjection::kName}},
        {"GET", "/v1/user-state", {get_user_state, false, memory::MemoryProjection::kName}},
        {"GET", "/v1/context-items", {list_context_items, false, memory::MemoryProjection::kName}},
        {"DELETE", "/v1/memory/items/{item_id}", {forget_memory_item}},
        {"GET", "/v1/memory/search", {search_memory, false, memory::VectorsProjection::kName}},
        {"GET", "/v1/admin/dead-letters", {list_dead_letters}},
        {"GET", "/v1/admin/workers", {list_workers}},
        {"GET", "/v1/admin/prompt-runs", {list_prompt_runs, false, memory::MemoryProjection::kName}},
        {"POST", "/v1/tracks", {create_track}},
        {"GET", "/v1/tracks", {list_tracks, false, learning}},
        {"GET", "/v1/tracks/{track_id}", {get_track, false, learning}},
        {"PATCH", "/v1/tracks/{track_id}", {update_track}},
        {"POST", "/v1/tracks/{track_id}/roadmap-items", {add_roadmap_item}},
        {"PATCH", "/v1/tracks/{track_id}/roadmap-items/{roadmap_item_id}", {update_roadmap_item}},
        {"DELETE", "/v1/tracks/{track_id}/roadmap-items/{roadmap_item_id}", {remove_roadmap_item}},
        {"POST", "/v1/chat-templates", {create_chat_template}},
        {"GET", "/v1/chat-templates", {list_chat_templates, false, learning}},
        {"GET", "/v1/chat-templates/{template_id}", {get_chat_template, false, learning}},
        {"POST", "/v1/chat-templates/{template_id}/versions", {publish_chat_template}},
        {"GET", "/v1/chat-templates/{template_id}/versions", {list_chat_template_versions, false, learning}},
        {"GET", "/v1/chat-templates/{template_id}/versions/{version}", {get_chat_template_version, false, learning}},
        {"POST", "/v1/chat-templates/{template_id}/render", {render_chat_template, false, learning}},
        {"POST", "/v1/track-sessions", {start_track_session}},
        {"GET", "/v1/track-sessions", {list_track_sessions, false, learning}},
        {"GET", "/v1/track-sessions/{track_session_id}", {get_track_session, false, learning}},
        {"PATCH", "/v1/track-sessions/{track_session_id}", {update_track_session}},
        {"POST", "/v1/track-sessions/{track_session_id}/threads", {create_chat_thread}},
        {"GET", "/v1/track-sessions/{track_session_id}/threads", {list_chat_threads, false, learning}},
        {"POST", "/v1/track-sessions/{track_session_id}/synopses", {create_synopsis}},
        {"GET", "/v1/track-sessions/{track_session_id}/synopses", {list_synopses, false, learning}},
        {"GET", "/v1/synopses/{synopsis_id}", {get_synopsis, false, learning}},
        {"PUT", "/v1/synopses/{synopsis_id}/items", {replace_synopsis_items}},
        {"POST", "/v1/synopses/{synopsis_id}/items", {append_synopsis_items}},
        {"POST", "/v1/agents/{agent_id}/{version}/{action}", {agent_reply}},
        {"GET", "/v1/agent-replies/{agent_reply_id}", {get_agent_reply, false, learning}},
        {"GET", "/v1/live", {open_live, false, "", "", true}},
    };
    return table;
}

}  // namespace

Router<Route> make_routes() {
    Router<Route> routes;
    for (const auto& entry : route_table()) {
        Route route = entry.route;
        route.pattern = entry.pattern;
        routes.add(entry.method, entry.pattern, std::move(route));
    }
    return routes;
}

std::vector<std::pair<std::string, std::string>> route_patterns() {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& entry : route_table()) out.emplace_back(entry.method, entry.pattern);
    return out;
}

//! One request from routing to its answer; lives as long as any parked wait refers to it, so
//! the Call's references stay valid across continuations.
struct Dispatcher::InFlight {
    std::shared_ptr<http::Exchange> exchange;
    std::chrono::steady_clock::time_point started;
    const Route* route = nullptr;
    PathParams params;
    auth::Principal principal;

    Call call(GatewayContext& gateway) const { return Call{exchange->request(), principal, params, gateway}; }
    const std::string& request_id() const { return exchange->request().request_id; }
};

namespace {

Result<auth::Principal> authenticate(const http::Request& request, const std::string& secret, bool token_in_query) {
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    const auto* header = request.header("authorization");
    // Browsers cannot set headers on a WebSocket handshake: such routes also take ?access_token=.
    if (const auto it = request.query.find("access_token"); !header && token_in_query && it != request.query.end())
        return auth::verify_token(it->second, secret, now);
    if (!header)
        return Problem{ProblemKind::unauthorized, "missing_token", "send Authorization: Bearer <token>",
                       "Authorization"};
    constexpr std::string_view scheme = "Bearer ";
    if (header->size() <= scheme.size() ||
        !std::equal(scheme.begin(), scheme.end(), header->begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        }))
        return Problem{ProblemKind::unauthorized, "invalid_token", "expected a Bearer token", "Authorization"};
    return auth::verify_token(std::string_view(*header).substr(scheme.size()), secret, now);
}

http::Response unavailable(const std::string& code, const std::string& message, const std::string& request_id) {
    return error_response({ProblemKind::unavailable, code, message, ""}, request_id);
}

//! Runs a handler step; infrastructure exceptions become their 503s, anything else a 500.
template <class Step>
Reply guarded(const http::Request& request, Step step) {
    try {
        return step();
    } catch (const KafkaUnavailable& e) {
        spdlog::warn("request {}: {}", request.request_id, e.what());
        return unavailable("event_log_unavailable", e.what(), request.request_id);
    } catch (const DatabaseUnavailable& e) {
        spdlog::warn("request {}: {}", request.request_id, e.what());
        return unavailable("read_model_unavailable", e.what(), request.request_id);
    } catch (const pqxx::broken_connection& e) {
        spdlog::warn("request {}: {}", request.request_id, e.what());
        return unavailable("read_model_unavailable", "lost the connection to PostgreSQL", request.request_id);
    } catch (const std::exception& e) {
        spdlog::error("request {}: {} {} failed: {}", request.request_id, request.method, request.path, e.what());
        return error_response({ProblemKind::internal, "internal", "internal error", ""}, request.request_id);
    }
}

const std::string* consistency_token_of(const http::Request& request) {
    if (const auto* header = request.header("consistency-token")) return header;
    const auto it = request.query.find("consistency_token");
    return it == request.query.end() ? nullptr : &it->second;
}

Problem invalid_token(std::string message) {
    return Problem::invalid("invalid_consistency_token", std::move(message), "Consistency-Token");
}

}  // namespace

Dispatcher::Dispatcher(GatewayContext& context)
    : context_(context), routes_(make_routes()), quota_(static_cast<std::size_t>(context.max_waits_per_user)) {}

void Dispatcher::operator()(const std::shared_ptr<http::Exchange>& exchange) {
    auto call = std::make_shared<InFlight>();
    call->exchange = exchange;
    call->started = std::chrono::steady_clock::now();
    const auto& request = exchange->request();

    auto matched = routes_.match(request.method, request.path);
    if (auto* problem = std::get_if<Problem>(&matched))
        return finish(call, error_response(*problem, request.request_id));
    auto& match = std::get<Router<Route>::Match>(matched);
    call->route = match.target;
    call->params = std::move(match.params);
    if (!call->route->is_public) {
        auto who = authenticate(request, context_.settings.jwt_secret, call->route->token_in_query);
        if (!who) return finish(call, error_response(who.problem(), request.request_id));
        call->principal = std::move(who.value());
    }
    if (const auto* token = consistency_token_of(request); token && !call->route->reads.empty())
        return await_token(call, *token);
    run(call);
}

void Dispatcher::run(const InFlightPtr& call) {
    const auto c = call->call(context_);
    settle(call, guarded(c.request, [&] { return call->route->handler(c); }));
}

void Dispatcher::settle(const InFlightPtr& call, Reply reply) {
    if (auto* response = std::get_if<http::Response>(&reply.value)) return finish(call, std::move(*response));
    if (auto* upgrade = std::get_if<Upgrade>(&reply.value)) {
        const auto& request = call->exchange->request();
        spdlog::info("{} {} 101 websocket request_id={}", request.method, request.path, request.request_id);
        gateway_metrics::observe_request(call->route->pattern, request.method, 101, 0);
        return call->exchange->accept_websocket(std::move(upgrade->peer));
    }
    auto continuation = std::get<Continuation>(std::move(reply.value));
    auto slot = quota_.try_acquire(call->principal.user_id);
    if (!slot) {
        // Too many parked waits of this user: continue as if the wait timed out (a command answers
        // 202 with its consistency token), without parking.
        settle(call, guarded(call->exchange->request(), [&] { return continuation.resume(false); }));
        return;
    }
    auto resume = std::make_shared<std::function<Reply(bool)>>(std::move(continuation.resume));
    context_.watcher.when_applied(
        continuation.projection, continuation.partition, continuation.offset, continuation.deadline,
        [this, call, resume, slot](bool applied) mutable {
            slot.reset();
            call->exchange->post([this, call, resume, applied] {
                settle(call, guarded(call->exchange->request(), [&] { return (*resume)(applied); }));
            });
        });
}

void Dispatcher::await_token(const InFlightPtr& call, const std::string& token) {
    const auto& request = call->exchange->request();
    const auto position = parse_consistency_token(token);
    if (!position)
        return finish(
            call, error_response(invalid_token("expected a token returned by a command (v1.P.O)"), request.request_id));
    const auto& projection = call->route->reads;
    if (context_.watcher.applied(projection, position->partition, position->offset)) return run(call);
    if (auto problem = impossible_position(*position))
        return finish(call, error_response(*problem, request.request_id));

    auto slot = quota_.try_acquire(call->principal.user_id);
    if (!slot)
        return finish(call, error_response({ProblemKind::too_many_requests, "too_many_waits",
                                            fmt::format("you already have {} requests waiting for consistency "
                                                        "tokens; retry when some have finished",
                                                        context_.max_waits_per_user),
                                            "Consistency-Token"},
                                           request.request_id));
    const auto deadline = std::chrono::steady_clock::now() + context_.command_wait_timeout;
    context_.watcher.when_applied(
        projection, position->partition, position->offset, deadline, [this, call, slot](bool applied) mutable {
            slot.reset();
            call->exchange->post([this, call, applied] {
                if (applied) return run(call);
                finish(call, error_response(
                                 {ProblemKind::timeout, "consistency_timeout",
                                  "the read model has not caught up with this token yet; retry", "Consistency-Token"},
                                 call->request_id()));
            });
        });
}

std::optional<Problem> Dispatcher::impossible_position(LogPosition position) {
    const auto& topic = context_.settings.events_topic;
    const auto timeout = std::chrono::milliseconds(1000);
    bool partition_known = false;
    {
        std::lock_guard lock(positions_mutex_);
        partition_known = position.partition < partitions_;
        if (partition_known && position.offset < known_end_offsets_[position.partition]) return std::nullopt;
    }
    // Ask the broker: partitions may have been added since, and the partition's end moves on.
    // When it does not answer, the token cannot be judged; the wait's deadline bounds it.
    if (!partition_known) {
        int partitions = 0;
        try {
            partitions = context_.log.partition_count(topic, timeout);
        } catch (const std::exception& e) {
            spdlog::debug("cannot check a consistency token against Kafka: {}", e.what());
            return std::nullopt;
        }
        if (position.partition >= partitions)
            return invalid_token(fmt::format("names partition {}; the topic has {}", position.partition, partitions));
        std::lock_guard lock(positions_mutex_);
        partitions_ = partitions;
    }
    const auto end = context_.log.high_watermark(topic, position.partition, timeout);
    if (!end) return std::nullopt;
    {
        std::lock_guard lock(positions_mutex_);
        auto& known = known_end_offsets_[position.partition];
        known = std::max(known, *end);
    }
    if (position.offset >= *end)
        return invalid_token(fmt::format("names offset {} of partition {}, which ends at {}: no command wrote it",
                                         position.offset, position.partition, *end));
    return std::nullopt;
}

void Dispatcher::finish(const InFlightPtr& call, http::Response response) {
    const auto& request = call->exchange->request();
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - call->started).count();
    spdlog::info("{} {} {} {}us request_id={}", request.method, request.path, response.status, micros,
                 request.request_id);
    gateway_metrics::observe_request(call->route ? call->route->pattern : "unmatched", request.method, response.status,
                                     static_cast<double>(micros) / 1e6);
    call->exchange->respond(std::move(response));
}

http::Response refusal_response(int status, const std::string& code, const std::string& message,
                                const std::string& request_id) {
    const ProblemKind kind = status == 413   ? ProblemKind::payload_too_large
                             : status == 500 ? ProblemKind::internal
                                             : ProblemKind::invalid_input;
    return error_response({kind, code, message, status == 413 ? "body" : ""}, request_id);
}

}  // namespace aimi::gateway
