#include <fmt/format.h>
#include <pqxx/pqxx>

#include "domain/goals/commands.hpp"
#include "domain/schedule/timing.hpp"
#include "domain/time.hpp"
#include "domain/uuid.hpp"
#include "gateway/command_pipeline.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"
#include "gateway/schedule_read_model.hpp"
#include "projections/reminder_queue/reminder_queue_projection.hpp"
#include "projections/schedule/schedule_projection.hpp"

// Calendar events (docs/schedule.md): commands through the write path (the fold decides their
// timing), reads from the schedule read model, occurrences expanded per query in each event's zone.
namespace aimi::gateway::handlers {

namespace {

namespace bj = boost::json;
const std::string kSchedule = schedule::ScheduleProjection::kName;
constexpr std::chrono::days kMaxWindow{366};

Reply run(const Call& call, goals::EntityCommand command, int status) {
    return execute_command(
        call,
        {.success_status = status,
         .decide = [command = std::move(command)](const auto& context) { return goals::decide(context, command); },
         .wait_for = kSchedule});
}

Reply change_status(const Call& call, std::string_view status) {
    auto id = path_uuid(call, "calendar_event_id");
    if (!id) return fail(call, id.problem());
    if (auto p = require_json(call)) return fail(call, *p);
    auto command = goals::decode_calendar_status(id.value(), call.request.body, status);
    if (!command) return fail(call, command.problem());
    return run(call, std::move(command.value()), 200);
}

Result<std::chrono::sys_seconds> query_instant(const Call& call, const std::string& name) {
    const auto it = call.request.query.find(name);
    if (it == call.request.query.end())
        return Problem::invalid("invalid_query", name + " (an RFC 3339 date-time) is required", name);
    const auto t = parse_timestamp(it->second);
    if (!t) return Problem::invalid("invalid_query", name + " must be an RFC 3339 date-time", name);
    return std::chrono::floor<std::chrono::seconds>(*t);
}

}  // namespace

//! POST /v1/calendar-events
Reply create_calendar_event(const Call& call) {
    if (auto p = require_json(call)) return fail(call, *p);
    auto command = goals::decode_create_entity("calendar_event", call.request.body);
    if (!command) return fail(call, command.problem());
    return run(call, std::move(command.value()), 201);
}

//! PATCH /v1/calendar-events/{id}: scope series (default), occurrence or following.
Reply update_calendar_event(const Call& call) {
    auto id = path_uuid(call, "calendar_event_id");
    if (!id) return fail(call, id.problem());
    if (auto p = require_json(call)) return fail(call, *p);
    auto command = goals::decode_update_entity("calendar_event", id.value(), call.request.body);
    if (!command) return fail(call, command.problem());
    return run(call, std::move(command.value()), 200);
}

Reply cancel_calendar_event(const Call& call) {
    return change_status(call, "cancelled");
}

Reply complete_calendar_event(const Call& call) {
    return change_status(call, "completed");
}

Reply get_calendar_event(const Call& call) {
    auto id = path_uuid(call, "calendar_event_id");
    if (!id) return fail(call, id.problem());
    return read_serving(call, kSchedule, [&](pqxx::dbtransaction& tx) -> Reply {
        auto event = schedule_read_model::find_event(tx, call.principal.user_id, id.value());
        if (!event)
            return fail(call,
                        Problem::not_found("calendar_event_not_found", "no such calendar event", "calendar_event_id"));
        return json_response(200, *event);
    });
}

//! ?status=&type=&limit=&after=<cursor>; oldest first.
Reply list_calendar_events(const Call& call) {
    const auto& query = call.request.query;
    schedule_read_model::EventFilter filter;
    if (const auto it = query.find("status"); it != query.end()) {
        if (!schedule::known_status(it->second))
            return fail(call, Problem::invalid("invalid_query", "unknown status", "status"));
        filter.status = it->second;
    }
    if (const auto it = query.find("type"); it != query.end()) filter.type = it->second;
    if (auto p = query_page(call, filter.limit, filter.after)) return fail(call, *p);
    return read_serving(call, kSchedule, [&](pqxx::dbtransaction& tx) -> Reply {
        auto items = schedule_read_model::list_events(tx, call.principal.user_id, filter);
        auto next = next_created_cursor(items, filter.limit, "calendar_event_id");
        return json_response(200, bj::object{{"items", std::move(items)}, {"next_cursor", next}});
    });
}

//! GET /v1/calendar/occurrences?from=&to=&limit=: a window of at most 366 days.
Reply list_occurrences(const Call& call) {
    auto from = query_instant(call, "from");
    if (!from) return fail(call, from.problem());
    auto to = query_instant(call, "to");
    if (!to) return fail(call, to.problem());
    if (to.value() <= from.value()) return fail(call, Problem::invalid("invalid_query", "to must be after from", "to"));
    if (to.value() - from.value() > kMaxWindow)
        return fail(call, Problem::invalid("window_too_large", "a window spans at most 366 days", "to"));
    auto limit = query_int(call, "limit", 500, 1, 5000);
    if (!limit) return fail(call, limit.problem());
    return read_serving(call, kSchedule, [&](pqxx::dbtransaction& tx) -> Reply {
        auto page = schedule_read_model::occurrences(tx, call.principal.user_id, from.value(), to.value(),
                                                     static_cast<std::size_t>(limit.value()));
        return json_response(200, bj::object{{"items", std::move(page.items)}, {"truncated", page.more}});
    });
}

//! GET /v1/reminders?status=&calendar_event_id=&from=&to=&limit=: the caller's reminder queue, by trigger time.
Reply list_reminders(const Call& call) {
    const auto& query = call.request.query;
    schedule_read_model::ReminderFilter filter;
    if (const auto it = query.find("status"); it != query.end()) {
        if (it->second != "scheduled" && it->second != "sent" && it->second != "skipped" && it->second != "failed")
            return fail(call,
                        Problem::invalid("invalid_query", "status is scheduled, sent, skipped or failed", "status"));
        filter.status = it->second;
    }
    if (const auto it = query.find("calendar_event_id"); it != query.end()) {
        if (!is_uuid(it->second))
            return fail(call,
                        Problem::invalid("invalid_query", "calendar_event_id must be a UUID", "calendar_event_id"));
        filter.calendar_event_id = normalize_uuid(it->second);
    }
    std::optional<Problem> bad_time;
    filter.from = query_time(call, "from", bad_time);
    filter.to = query_time(call, "to", bad_time);
    if (bad_time) return fail(call, *bad_time);
    auto limit = query_int(call, "limit", 100, 1, 1000);
    if (!limit) return fail(call, limit.problem());
    filter.limit = static_cast<int>(limit.value());
    return read_serving(call, schedule::ReminderQueueProjection::kName, [&](pqxx::dbtransaction& tx) -> Reply {
        return json_response(
            200, bj::object{{"items", schedule_read_model::list_reminders(tx, call.principal.user_id, filter)}});
    });
}

//! GET /v1/calendar.ics: the caller's calendar for calendar clients.
Reply export_calendar(const Call& call) {
    return read_serving(call, kSchedule, [&](pqxx::dbtransaction& tx) -> Reply {
        http::Response response;
        response.status = 200;
        response.content_type = "text/calendar; charset=utf-8";
        response.body = schedule_read_model::icalendar(tx, call.principal.user_id);
        response.headers.emplace_back("Content-Disposition", "attachment; filename=\"aimi.ics\"");
        return response;
    });
}

}  // namespace aimi::gateway::handlers
