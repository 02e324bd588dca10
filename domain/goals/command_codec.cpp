#include "domain/events/element_fields.hpp"
#include "domain/goals/commands.hpp"
#include "domain/goals/entities.hpp"
#include "domain/json/convert.hpp"
#include "domain/schedule/timing.hpp"
#include "domain/schema/command_body.hpp"
#include "domain/uuid.hpp"

namespace aimi::goals {

namespace {

using namespace events::fields;

std::optional<int> opt_small(const element& d, std::string_view key) {
    const auto v = opt_int(d, key);
    return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

std::optional<Problem> require_some_field(const element& d) {
    if (d.get_object().value_unsafe().size() == 0)
        return Problem::invalid("empty_update", "name at least one field to change", "/");
    return std::nullopt;
}

}  // namespace

Result<CreateGoal> decode_create_goal(std::string_view body) {
    auto doc = schema::parse_command_body(body, "commands/goal.create.v1.json");
    if (!doc) return doc.problem();
    const element& d = doc.value();
    return CreateGoal{str(d, "title"),
                      opt_str(d, "description"),
                      opt_str(d, "category").value_or("other"),
                      opt_small(d, "priority").value_or(3),
                      opt_str(d, "deadline"),
                      opt_int(d, "estimated_days"),
                      obj(d, "metadata"),
                      boolean(d, "allow_duplicate")};
}

Result<UpdateGoal> decode_update_goal(std::string_view goal_id, std::string_view body) {
    auto doc = schema::parse_command_body(body, "commands/goal.update.v1.json");
    if (!doc) return doc.problem();
    const element& d = doc.value();
    if (auto p = require_some_field(d)) return *p;
    UpdateGoal command{std::string(goal_id),
                       opt_str(d, "title"),
                       patch_str(d, "description"),
                       opt_str(d, "category"),
                       opt_small(d, "priority"),
                       patch_str(d, "deadline"),
                       std::nullopt,
                       std::nullopt};
    if (has(d, "estimated_days")) command.estimated_days = opt_int(d, "estimated_days");
    if (has(d, "metadata")) command.metadata_patch = obj(d, "metadata");
    return command;
}

Result<AddDependency> decode_add_dependency(std::string_view goal_id, std::string_view body) {
    auto doc = schema::parse_command_body(body, "commands/dependency.add.v1.json");
    if (!doc) return doc.problem();
    const element& d = doc.value();
    AddDependency command{std::string(goal_id), normalize_uuid(str(d, "parent_goal_id")),
                          opt_str(d, "type").value_or("requires"), opt_small(d, "strength").value_or(1),
                          opt_str(d, "notes")};
    if (command.parent_goal_id == command.dependent_goal_id)
        return Problem{ProblemKind::unprocessable, "self_dependency", "a goal cannot depend on itself",
                       "/parent_goal_id"};
    return command;
}

//! A calendar event's timing as far as the body alone tells: all of it for a new event; for a
//! change, the rule and zone it names and the occurrence its scope needs (the fold decides the
//! rest against the event as it is).
std::optional<Problem> check_calendar_fields(bool creating, const boost::json::object& fields) {
    if (creating) {
        auto timing = schedule::create_timing(fields);
        if (auto* p = std::get_if<Problem>(&timing)) return *p;
        return std::nullopt;
    }
    const auto* scope = fields.if_contains("scope");
    const bool per_occurrence = scope && scope->is_string() && scope->get_string() != "series";
    if (per_occurrence && !fields.contains("occurrence"))
        return Problem::invalid("missing_field", "scope occurrence and following name the occurrence", "/occurrence");
    if (!per_occurrence && fields.contains("occurrence"))
        return Problem::invalid("unknown_field", "occurrence goes with scope occurrence or following", "/occurrence");
    if (const auto* rule = fields.if_contains("rrule"); rule && rule->is_string())
        if (auto p = schedule::check_rrule(rule->get_string(), schedule::CalendarTime{}, "/rrule");
            p && p->code != "rrule_no_occurrences")
            return p;
    if (const auto* zone = fields.if_contains("time_zone");
        zone && zone->is_string() && !schedule::find_zone(zone->get_string()))
        return Problem::invalid("invalid_value", "is not a time zone of the IANA database (e.g. Europe/Berlin)",
                                "/time_zone");
    return std::nullopt;
}

//! What the schema cannot say: a habit's frequency is an RRULE, a link joins two different ids.
std::optional<Problem> check_entity_fields(const std::string& kind, const boost::json::object& fields, bool creating) {
    if (kind == "calendar_event") return check_calendar_fields(creating, fields);
    if (const auto* rule = fields.if_contains("frequency");
        rule && rule->is_string() && !valid_rrule(rule->get_string()))
        return Problem{ProblemKind::unprocessable, "invalid_rrule",
                       "frequency must be an RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=MO", "/frequency"};
    if (kind == "link" && fields.at("from_id") == fields.at("to_id"))
        return Problem{ProblemKind::unprocessable, "self_link", "an entity cannot be linked to itself", "/to_id"};
    return std::nullopt;
}

Result<EntityCommand> decode_create_entity(const std::string& kind, std::string_view body) {
    auto doc =
        schema::parse_command_body(body, "commands/" + kind + (kind == "link" ? ".add" : ".create") + ".v1.json");
    if (!doc) return doc.problem();
    auto fields = json::to_boost(doc.value()).as_object();
    if (auto p = check_entity_fields(kind, fields, true)) return *p;
    return EntityCommand{kind, std::nullopt, std::move(fields)};
}

Result<EntityCommand> decode_update_entity(const std::string& kind, std::string_view id, std::string_view body) {
    auto doc = schema::parse_command_body(body, "commands/" + kind + ".update.v1.json");
    if (!doc) return doc.problem();
    if (auto p = require_some_field(doc.value())) return *p;
    auto fields = json::to_boost(doc.value()).as_object();
    if (auto p = check_entity_fields(kind, fields, false)) return *p;
    return EntityCommand{kind, std::string(id), std::move(fields)};
}

EntityCommand forget_memory_item(std::string_view id) {
    return EntityCommand{"memory_item", std::string(id), boost::json::object{}};
}

EntityCommand dismiss_notification(std::string_view id) {
    return EntityCommand{"notification", std::string(id), boost::json::object{{"status", "dismissed"}}};
}

Result<EntityCommand> decode_calendar_status(std::string_view id, std::string_view body, std::string_view status) {
    boost::json::object fields;
    if (body.find_first_not_of(" \t\r\n") != std::string_view::npos) {
        auto doc = schema::parse_command_body(body, "commands/calendar_event.status.v1.json");
        if (!doc) return doc.problem();
        fields = json::to_boost(doc.value()).as_object();
    }
    fields["status"] = status;
    if (auto p = check_calendar_fields(false, fields)) return *p;
    return EntityCommand{"calendar_event", std::string(id), std::move(fields)};
}

Result<UpdateDependency> decode_update_dependency(std::string_view dependency_id, std::string_view body) {
    auto doc = schema::parse_command_body(body, "commands/dependency.update.v1.json");
    if (!doc) return doc.problem();
    const element& d = doc.value();
    if (auto p = require_some_field(d)) return *p;
    return UpdateDependency{std::string(dependency_id), opt_str(d, "type"), opt_small(d, "strength"),
                            patch_str(d, "notes")};
}

}  // namespace aimi::goals
