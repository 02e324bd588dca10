#include <pqxx/pqxx>

#include "domain/goals/commands.hpp"
#include "gateway/command_pipeline.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"
#include "gateway/notifications_read_model.hpp"
#include "projections/notifications/notifications_projection.hpp"

// Smart notifications (docs/schedule.md, "Notifications"): created by the user or the assistant
// (or by the dispatcher's triggers), sent by the dispatcher when due, dismissed by the user.
namespace aimi::gateway::handlers {

namespace {

namespace bj = boost::json;
const std::string kNotifications = notifications::NotificationsProjection::kName;

Reply run(const Call& call, goals::EntityCommand command, int status) {
    return execute_command(
        call,
        {.success_status = status,
         .decide = [command = std::move(command)](const auto& context) { return goals::decide(context, command); },
         .wait_for = kNotifications});
}

bool known(std::string_view value, std::initializer_list<std::string_view> values) {
    for (const auto v : values)
        if (v == value) return true;
    return false;
}

}  // namespace

//! POST /v1/notifications
Reply create_notification(const Call& call) {
    if (auto p = require_json(call)) return fail(call, *p);
    auto command = goals::decode_create_entity("notification", call.request.body);
    if (!command) return fail(call, command.problem());
    return run(call, std::move(command.value()), 201);
}

//! POST /v1/notifications/{id}/dismiss
Reply dismiss_notification(const Call& call) {
    auto id = path_uuid(call, "notification_id");
    if (!id) return fail(call, id.problem());
    return run(call, goals::dismiss_notification(id.value()), 200);
}

Reply get_notification(const Call& call) {
    auto id = path_uuid(call, "notification_id");
    if (!id) return fail(call, id.problem());
    return read_serving(call, kNotifications, [&](pqxx::dbtransaction& tx) -> Reply {
        auto found = notifications_read_model::find(tx, call.principal.user_id, id.value());
        if (!found)
            return fail(call, Problem::not_found("notification_not_found", "no such notification", "notification_id"));
        return json_response(200, *found);
    });
}

//! ?status=&type=&limit=&after=<cursor>; oldest first.
Reply list_notifications(const Call& call) {
    const auto& query = call.request.query;
    notifications_read_model::Filter filter;
    if (const auto it = query.find("status"); it != query.end()) {
        if (!known(it->second, {"pending", "sent", "dismissed"}))
            return fail(call, Problem::invalid("invalid_query", "status is pending, sent or dismissed", "status"));
        filter.status = it->second;
    }
    if (const auto it = query.find("type"); it != query.end()) {
        if (!known(it->second,
                   {"motivation", "rest_suggestion", "progress_check", "goal_reminder", "celebration", "planning"}))
            return fail(call, Problem::invalid("invalid_query",
                                               "type is motivation, rest_suggestion, progress_check, goal_reminder, "
                                               "celebration or planning",
                                               "type"));
        filter.type = it->second;
    }
    if (auto p = query_page(call, filter.limit, filter.after)) return fail(call, *p);
    return read_serving(call, kNotifications, [&](pqxx::dbtransaction& tx) -> Reply {
        auto items = notifications_read_model::list(tx, call.principal.user_id, filter);
        auto next = next_created_cursor(items, filter.limit, "notification_id");
        return json_response(200, bj::object{{"items", std::move(items)}, {"next_cursor", next}});
    });
}

}  // namespace aimi::gateway::handlers
