#include "domain/goals/apply_event.hpp"

#include <tuple>

#include <boost/json/array.hpp>

#include "domain/goals/commands.hpp"
#include "domain/goals/entities.hpp"
#include "domain/json/text_of.hpp"
#include "domain/memory/vector_codec.hpp"
#include "domain/schedule/timing.hpp"

namespace aimi::goals {

namespace {

using namespace events;
using Outcome = std::variant<Applied, Refusal>;
namespace bj = boost::json;
using json::text_of;

std::optional<Refusal> check_deadline(const std::optional<std::string>& deadline, Timestamp created_at) {
    if (deadline_allowed(deadline, created_at)) return std::nullopt;
    return Refusal{"deadline_before_creation", "the deadline is before the day the goal was created", "/deadline", {}};
}

void add_derived(Applied& applied, const Changes& changes) {
    for (const auto& c : changes) {
        if (c.blocked)
            applied.derived.push_back(
                GoalBlocked{c.goal_id, c.caused_by_goal_id, c.caused_by_dependency_id, c.blocking_goal_ids});
        else
            applied.derived.push_back(GoalUnblocked{c.goal_id, c.caused_by_goal_id, c.caused_by_dependency_id});
    }
}

class Applier {
  public:
    Applier(GoalGraph& graph, Timestamp at) : graph_(graph), at_(at) {}

    Outcome operator()(const GoalCreated& e) {
        if (auto r = check_deadline(e.deadline, at_)) return *r;
        if (auto r = create_goal(graph_, GoalNode{e.goal_id, GoalStatus::active, normalize_title(e.title), at_},
                                 e.allow_duplicate))
            return *r;
        return Applied{"goal", e.goal_id, {{"status", "active"}}, {e.goal_id}, {}, {}, {}};
    }

    Outcome operator()(const GoalUpdated& e) {
        if (auto r = check_updatable(graph_, e.goal_id)) return *r;
        GoalNode goal = *graph_.goal(e.goal_id);
        if (e.deadline && *e.deadline)
            if (auto r = check_deadline(*e.deadline, goal.created_at)) return *r;
        if (e.title) {
            goal.title_norm = normalize_title(*e.title);
            graph_.put_goal(std::move(goal));
        }
        return Applied{"goal", e.goal_id, {}, {e.goal_id}, {}, {}, {}};
    }

    Outcome operator()(const GoalCompleted& e) { return transition(e.goal_id, GoalStatus::done); }
    Outcome operator()(const GoalCancelled& e) { return transition(e.goal_id, GoalStatus::cancelled); }
    Outcome operator()(const GoalArchived& e) { return transition(e.goal_id, GoalStatus::archived); }
    Outcome operator()(const GoalReopened& e) { return transition(e.goal_id, GoalStatus::active); }

    Outcome operator()(const DependencyAdded& e) {
        Changes changes;
        const Dependency d{e.dependency_id, e.parent_goal_id, e.dependent_goal_id,
                           dependency_type(e.type).value_or(DependencyType::requires_), e.strength};
        if (auto r = add_dependency(graph_, d, changes)) return *r;
        Applied applied{"dependency", e.dependency_id, {}, {}, e.dependency_id, {}, {}};
        add_derived(applied, changes);
        return applied;
    }

    Outcome operator()(const DependencyUpdated& e) {
        Changes changes;
        std::optional<DependencyType> type;
        if (e.type) type = dependency_type(*e.type);
        if (auto r = update_dependency(graph_, e.dependency_id, type, e.strength, changes)) return *r;
        Applied applied{"dependency", e.dependency_id, {}, {}, e.dependency_id, {}, {}};
        add_derived(applied, changes);
        return applied;
    }

    Outcome operator()(const DependencyRemoved& e) {
        Changes changes;
        if (auto r = remove_dependency(graph_, e.dependency_id, changes)) return *r;
        Applied applied{"dependency", e.dependency_id, {}, {}, {}, e.dependency_id, {}};
        add_derived(applied, changes);
        return applied;
    }

    Outcome operator()(const TaskCreated& e) { return create_entity("task", e.data); }
    Outcome operator()(const ProblemCreated& e) { return create_entity("problem", e.data); }
    Outcome operator()(const TaskUpdated& e) { return update_entity("task", e.data); }
    Outcome operator()(const ProblemUpdated& e) { return update_entity("problem", e.data); }
    Outcome operator()(const HabitCreated& e) {
        if (auto r = check_habit(e.data)) return *r;
        return create_entity("habit", e.data);
    }
    Outcome operator()(const HabitUpdated& e) {
        if (auto r = check_habit(e.data)) return *r;
        return update_entity("habit", e.data);
    }

    //! Both ends the user's, neither archived, not the same, of kinds the type admits, and no
    //! second link with the same ends and type.
    Outcome operator()(const LinkAdded& e) {
        const auto& d = e.data;
        const Link link{text_of(d, "link_id"), text_of(d, "from_type"), text_of(d, "from_id"),
                        text_of(d, "to_type"), text_of(d, "to_id"),     text_of(d, "link_type")};
        if (graph_.link(link.id)) return Refusal{"link_exists", "link id already in use", "", {}};
        if (link.from_id == link.to_id)
            return Refusal{"self_link", "an entity cannot be linked to itself", "/to_id", {}};
        for (const auto& [kind, id, field] :
             {std::tuple{link.from_kind, link.from_id, "/from_id"}, std::tuple{link.to_kind, link.to_id, "/to_id"}}) {
            const bool archived = kind == "goal" ? graph_.goal(id) && graph_.goal(id)->status == GoalStatus::archived
                                                 : graph_.entity(id) && graph_.entity(id)->archived();
            const bool exists =
                kind == "goal" ? graph_.goal(id) != nullptr : graph_.entity(id) && graph_.entity(id)->kind == kind;
            if (!exists) return Refusal{"link_end_not_found", "no such " + kind, field, {{"id", id}}};
            if (archived) return Refusal{"entity_archived", "archived entities take no links", field, {{"id", id}}};
        }
        if (!link_allowed(link.type, link.from_kind, link.to_kind))
            return Refusal{"invalid_link",
                           "a " + link.type + " link cannot join a " + link.from_kind + " to a " + link.to_kind,
                           "/link_type",
                           {}};
        if (const auto* same = graph_.same_link(link))
            return Refusal{"link_exists", "these two are already linked so", "", {{"link_id", same->id}}};
        graph_.put_link(link);
        Applied applied{"link", link.id, {}, {}, {}, {}, {}};
        applied.changed_link = link.id;
        return applied;
    }

    Outcome operator()(const LinkRemoved& e) {
        const auto id = text_of(e.data, "link_id");
        if (!graph_.link(id)) return Refusal{"link_not_found", "no such link", "", {{"link_id", id}}};
        graph_.remove_link(id);
        Applied applied{"link", id, {}, {}, {}, {}, {}};
        applied.removed_link = id;
        return applied;
    }

    //! Its timing decided by domain/schedule/timing.cpp; the fact carries the result.
    Outcome operator()(const CalendarEventCreated& e) {
        if (auto r = check_goal(e.data, "calendar events")) return *r;
        const auto id = text_of(e.data, "calendar_event_id");
        if (graph_.goal(id) || graph_.entity(id))
            return Refusal{"calendar_event_exists", "calendar event id already in use", "", {}};
        auto timing = schedule::create_timing(e.data);
        if (auto* p = std::get_if<Problem>(&timing)) return refusal(*p);
        const auto& t = std::get<schedule::Timing>(timing);
        auto json = schedule::to_json(t);
        graph_.put_entity(EntityNode{id, "calendar_event", t.status, json});
        Applied applied{"calendar_event", id, {{"status", t.status}, {"timing", std::move(json)}}, {}, {}, {}, {}};
        applied.changed_entities.push_back(id);
        return applied;
    }

    //! A change of the series, of one occurrence, or of this one and the following (a split:
    //! the series ends before it, a new series `new_calendar_event_id` carries the change on).
    Outcome operator()(const CalendarEventUpdated& e) {
        const auto id = text_of(e.data, "calendar_event_id");
        const auto* entity = graph_.entity(id);
        if (!entity || entity->kind != "calendar_event")
            return Refusal{"calendar_event_not_found", "no such calendar event", "", {{"calendar_event_id", id}}};
        if (auto r = check_goal(e.data, "calendar events")) return *r;
        const auto current = schedule::timing_from_json(entity->details);
        auto updated = schedule::update_timing(current, e.data);
        if (auto* p = std::get_if<Problem>(&updated)) return refusal(*p);
        auto& result = std::get<schedule::UpdatedTiming>(updated);
        bj::object assigned{{"previous_status", current.status}, {"status", result.series.status}};
        if (result.following) {
            const auto new_id = text_of(e.data, "new_calendar_event_id");
            if (new_id.empty())
                return Refusal{"missing_field",
                               "a change of following occurrences names the new series",
                               "/new_calendar_event_id",
                               {}};
            if (graph_.goal(new_id) || graph_.entity(new_id))
                return Refusal{"calendar_event_exists", "calendar event id already in use", "", {}};
            auto json = schedule::to_json(*result.following);
            graph_.put_entity(EntityNode{new_id, "calendar_event", result.following->status, json});
            assigned["following"] = bj::object{{"calendar_event_id", new_id}, {"timing", std::move(json)}};
        }
        auto json = schedule::to_json(result.series);
        graph_.put_entity(EntityNode{id, "calendar_event", result.series.status, json});
        assigned["timing"] = std::move(json);
        Applied applied{"calendar_event", id, std::move(assigned), {}, {}, {}, {}};
        applied.changed_entities.push_back(id);
        if (result.following) applied.changed_entities.push_back(text_of(e.data, "new_calendar_event_id"));
        return applied;
    }

    //! A delivery report: the calendar event must be the user's (it may have changed since).
    Outcome operator()(const ReminderDelivered& e) {
        const auto event_id = text_of(e.data, "calendar_event_id");
        const auto* entity = graph_.entity(event_id);
        if (!entity || entity->kind != "calendar_event")
            return Refusal{"calendar_event_not_found", "no such calendar event", "/calendar_event_id", {}};
        // The report's resource is the calendar event it is about (resources are named by UUID).
        return Applied{"calendar_event", event_id, {}, {}, {}, {}, {}};
    }

    //! A linked goal must be the user's; a goal reminder is only for a goal still active.
    Outcome operator()(const NotificationCreated& e) {
        const auto id = text_of(e.data, "notification_id");
        if (graph_.goal(id) || graph_.entity(id))
            return Refusal{"notification_exists", "notification id already in use", "", {}};
        if (auto r = check_goal(e.data, "notifications")) return *r;
        if (text_of(e.data, "type") == "goal_reminder" && e.data.contains("trigger_id"))
            if (const auto* g = graph_.goal(text_of(e.data, "goal_id")); g && g->status != GoalStatus::active)
                return Refusal{"goal_not_active", "the goal is no longer active", "/goal_id", {}};
        graph_.put_entity(EntityNode{id, "notification", "pending"});
        Applied applied{"notification", id, {{"status", "pending"}}, {}, {}, {}, {}};
        applied.changed_entities.push_back(id);
        return applied;
    }

    Outcome operator()(const NotificationSent& e) { return notification_status(e.data, "sent"); }
    Outcome operator()(const NotificationDismissed& e) { return notification_status(e.data, "dismissed"); }

    //! Memory (docs/memory.md). A mental state and a summary are entities of the user, so a
    //! memory item can be forgotten and a late result for a forgotten one refused.
    Outcome operator()(const MentalStateRecorded& e) {
        const auto id = text_of(e.data, "mental_state_id");
        if (graph_.goal(id) || graph_.entity(id))
            return Refusal{"mental_state_exists", "mental state id already in use", "", {}};
        graph_.put_entity(EntityNode{id, "mental_state", "active"});
        Applied applied{"mental_state", id, {}, {}, {}, {}, {}};
        applied.changed_entities.push_back(id);
        return applied;
    }

    //! A summary of a scope replaces the one before it (which stays as history).
    Outcome operator()(const SummaryCreated& e) {
        const auto id = text_of(e.data, "summary_id");
        if (graph_.goal(id) || graph_.entity(id)) return Refusal{"summary_exists", "summary id already in use", "", {}};
        graph_.put_entity(EntityNode{id, "summary", "active"});
        Applied applied{"summary", id, {}, {}, {}, {}, {}};
        applied.changed_entities.push_back(id);
        return applied;
    }

    //! A vector of a forgotten summary or mental state would bring it back to recall.
    Outcome operator()(const MemoryEmbedded& e) {
        auto kind = text_of(e.data, "source_kind");
        auto source = text_of(e.data, "source_id");
        if (kind == "fact") {  // "<summary id>:<n>": the summary's
            kind = "summary";
            source = source.substr(0, source.find(':'));
        }
        if (kind == "summary" || kind == "mental_state") {
            const auto* entity = graph_.entity(source);
            if (!entity || entity->kind != kind || entity->status == "forgotten")
                return Refusal{"memory_source_not_found",
                               "the embedded " + kind + " does not exist (or was forgotten)",
                               "/source_id",
                               {}};
        }
        const auto* vector = e.data.if_contains("vector");
        const auto* dimensions = e.data.if_contains("dimensions");
        if (!vector || !vector->is_string() || !dimensions || !dimensions->is_int64() ||
            !memory::decode_vector(vector->get_string(), static_cast<std::size_t>(dimensions->get_int64())))
            return Refusal{"invalid_vector", "the vector is not base64 of `dimensions` float32 values", "/vector", {}};
        return Applied{"memory_item", text_of(e.data, "item_id"), {}, {}, {}, {}, {}};
    }

    Outcome operator()(const PromptRunRecorded& e) {
        return Applied{"prompt_run", text_of(e.data, "prompt_run_id"), {}, {}, {}, {}, {}};
    }

    Outcome operator()(const MemoryForgotten& e) {
        const auto id = text_of(e.data, "item_id");
        const auto* entity = graph_.entity(id);
        if (!entity || (entity->kind != "summary" && entity->kind != "mental_state") || entity->status == "forgotten")
            return Refusal{"memory_item_not_found", "no such memory item", "", {{"item_id", id}}};
        const auto kind = entity->kind;
        graph_.put_entity(EntityNode{id, kind, "forgotten"});
        Applied applied{kind, id, {{"kind", kind}}, {}, {}, {}, {}};
        applied.changed_entities.push_back(id);
        return applied;
    }

    template <class Other>
    Outcome operator()(const Other&) {
        return Refusal{"not_a_goals_event", "the goals graph does not apply this event", "", {}};
    }

  private:
    //! Only a pending notification is sent; a dismissed one takes no change.
    Outcome notification_status(const boost::json::object& d, const std::string& status) {
        const auto id = text_of(d, "notification_id");
        const auto* entity = graph_.entity(id);
        if (!entity || entity->kind != "notification")
            return Refusal{"notification_not_found", "no such notification", "", {{"notification_id", id}}};
        if (entity->status == "dismissed")
            return Refusal{"notification_dismissed", "the notification was dismissed", "", {{"notification_id", id}}};
        if (status == "sent" && entity->status != "pending")
            return Refusal{
                "notification_not_pending", "the notification was sent already", "", {{"notification_id", id}}};
        const auto previous = entity->status;
        graph_.put_entity(EntityNode{id, "notification", status});
        Applied applied{"notification", id, {{"status", status}, {"previous_status", previous}}, {}, {}, {}, {}};
        applied.changed_entities.push_back(id);
        return applied;
    }

    //! A linked goal (habit, calendar event) must be the user's and not archived.
    std::optional<Refusal> check_goal(const boost::json::object& d, std::string_view what) const {
        if (const auto* goal = d.if_contains("goal_id"); goal && goal->is_string()) {
            const auto* g = graph_.goal(std::string(goal->get_string()));
            if (!g) return Refusal{"goal_not_found", "no such goal", "/goal_id", {}};
            if (g->status == GoalStatus::archived)
                return Refusal{"goal_archived", "archived goals take no " + std::string(what), "/goal_id", {}};
        }
        return std::nullopt;
    }

    static Refusal refusal(const Problem& p) { return Refusal{p.code, p.message, p.field, p.details}; }

    //! A habit's goal must be the user's and not archived; its frequency an RRULE.
    std::optional<Refusal> check_habit(const boost::json::object& d) const {
        if (auto r = check_goal(d, "habits")) return r;
        if (const auto* rule = d.if_contains("frequency");
            rule && rule->is_string() && !valid_rrule(rule->get_string()))
            return Refusal{
                "invalid_rrule", "frequency must be an RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=MO", "/frequency", {}};
        return std::nullopt;
    }

    Outcome create_entity(const std::string& kind, const boost::json::object& data) {
        const auto id = text_of(data, kind + "_id");
        if (graph_.goal(id) || graph_.entity(id)) return Refusal{kind + "_exists", kind + " id already in use", "", {}};
        const auto status = text_of(data, "status");
        graph_.put_entity(EntityNode{id, kind, status});
        Applied applied{kind, id, {{"status", status}}, {}, {}, {}, {}};
        applied.changed_entities.push_back(id);
        return applied;
    }
    //! An archived task or problem takes a change only if the change takes it out of archived.
    Outcome update_entity(const std::string& kind, const boost::json::object& data) {
        const auto id = text_of(data, kind + "_id");
        const auto* entity = graph_.entity(id);
        if (!entity || entity->kind != kind)
            return Refusal{kind + "_not_found", "no such " + kind, "", {{kind + "_id", id}}};
        const auto status = data.contains("status") ? text_of(data, "status") : entity->status;
        if (entity->archived() && status == "archived")
            return Refusal{kind + "_archived",
                           "an archived " + kind + " takes no change but leaving archived",
                           "",
                           {{kind + "_id", id}}};
        const auto previous = entity->status;
        graph_.put_entity(EntityNode{id, kind, status});
        Applied applied{kind, id, {{"status", status}, {"previous_status", previous}}, {}, {}, {}, {}};
        applied.changed_entities.push_back(id);
        return applied;
    }

    Outcome transition(const std::string& goal_id, GoalStatus to) {
        Changes changes;
        bool changed = false;
        if (auto r = change_status(graph_, goal_id, to, changed, changes)) return *r;
        Applied applied{"goal", goal_id, {{"status", to_string(to)}, {"changed", changed}}, {goal_id}, {}, {}, {}};
        add_derived(applied, changes);
        return applied;
    }

    GoalGraph& graph_;
    Timestamp at_;
};

}  // namespace

std::variant<Applied, Refusal> apply_event(GoalGraph& graph, const EventData& event, Timestamp at) {
    return std::visit(Applier{graph, at}, event);
}

}  // namespace aimi::goals
