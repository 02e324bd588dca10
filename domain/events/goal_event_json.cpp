#include "domain/events/goal_event_json.hpp"

#include <boost/json/array.hpp>

#include "domain/events/element_fields.hpp"

namespace aimi::events {

namespace bj = boost::json;
using namespace fields;

namespace {

template <class T>
void put(bj::object& out, std::string_view key, const std::optional<T>& value) {
    if (value) out[key] = *value;
}
//! engaged-but-empty -> null (clears the field)
template <class T>
void put_patch(bj::object& out, std::string_view key, const std::optional<std::optional<T>>& value) {
    if (value) out[key] = *value ? bj::value(**value) : bj::value(nullptr);
}
std::optional<std::optional<std::int64_t>> patch_int(const element& d, std::string_view key) {
    if (!has(d, key)) return std::nullopt;
    return opt_int(d, key);
}
template <class... Events>
std::optional<EventData> entity_event(std::string_view type, const element& d) {
    std::optional<EventData> out;
    ((type == Events::kType ? (out = Events{json::to_boost(d).as_object()}, true) : false) || ...);
    return out;
}

std::optional<int> opt_small(const element& d, std::string_view key) {
    const auto v = opt_int(d, key);
    return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

}  // namespace

bj::object data_to_json(const GoalCreated& e) {
    bj::object o{{"goal_id", e.goal_id},   {"title", e.title},       {"category", e.category},
                 {"priority", e.priority}, {"metadata", e.metadata}, {"allow_duplicate", e.allow_duplicate}};
    put(o, "description", e.description);
    put(o, "deadline", e.deadline);
    put(o, "estimated_days", e.estimated_days);
    return o;
}

bj::object data_to_json(const GoalUpdated& e) {
    bj::object o{{"goal_id", e.goal_id}};
    put(o, "title", e.title);
    put_patch(o, "description", e.description);
    put(o, "category", e.category);
    put(o, "priority", e.priority);
    put_patch(o, "deadline", e.deadline);
    put_patch(o, "estimated_days", e.estimated_days);
    if (e.metadata_patch) o["metadata_patch"] = *e.metadata_patch;
    return o;
}

bj::object data_to_json(const DependencyAdded& e) {
    bj::object o{{"dependency_id", e.dependency_id},
                 {"parent_goal_id", e.parent_goal_id},
                 {"dependent_goal_id", e.dependent_goal_id},
                 {"type", e.type},
                 {"strength", e.strength}};
    put(o, "notes", e.notes);
    return o;
}

bj::object data_to_json(const DependencyUpdated& e) {
    bj::object o{{"dependency_id", e.dependency_id}};
    put(o, "type", e.type);
    put(o, "strength", e.strength);
    put_patch(o, "notes", e.notes);
    return o;
}

bj::object data_to_json(const DependencyRemoved& e) {
    return {{"dependency_id", e.dependency_id}};
}

bj::object data_to_json(const GoalBlocked& e) {
    bj::array blocking;
    for (const auto& id : e.blocking_goal_ids) blocking.push_back(bj::value(id));
    bj::object o{{"goal_id", e.goal_id}, {"caused_by_goal_id", e.caused_by_goal_id}, {"blocking_goal_ids", blocking}};
    put(o, "caused_by_dependency_id", e.caused_by_dependency_id);
    return o;
}

bj::object data_to_json(const GoalUnblocked& e) {
    bj::object o{{"goal_id", e.goal_id}, {"caused_by_goal_id", e.caused_by_goal_id}};
    put(o, "caused_by_dependency_id", e.caused_by_dependency_id);
    return o;
}

std::optional<EventData> goal_event_from_json(std::string_view type, const element& d) {
    if (type == GoalCreated::kType)
        return GoalCreated{str(d, "goal_id"),
                           personal(d, "title"),
                           opt_str(d, "description"),
                           str(d, "category"),
                           *opt_small(d, "priority"),
                           opt_str(d, "deadline"),
                           opt_int(d, "estimated_days"),
                           obj(d, "metadata"),
                           boolean(d, "allow_duplicate")};
    if (type == GoalUpdated::kType) {
        GoalUpdated e{
            str(d, "goal_id"),        opt_str(d, "title"),      patch_str(d, "description"),    opt_str(d, "category"),
            opt_small(d, "priority"), patch_str(d, "deadline"), patch_int(d, "estimated_days"), std::nullopt};
        if (has(d, "metadata_patch")) e.metadata_patch = obj(d, "metadata_patch");
        return e;
    }
    if (type == GoalCompleted::kType) return GoalCompleted{str(d, "goal_id")};
    if (type == GoalCancelled::kType) return GoalCancelled{str(d, "goal_id")};
    if (type == GoalArchived::kType) return GoalArchived{str(d, "goal_id")};
    if (type == GoalReopened::kType) return GoalReopened{str(d, "goal_id")};
    if (type == DependencyAdded::kType)
        return DependencyAdded{str(d, "dependency_id"), str(d, "parent_goal_id"),  str(d, "dependent_goal_id"),
                               str(d, "type"),          *opt_small(d, "strength"), opt_str(d, "notes")};
    if (type == DependencyUpdated::kType)
        return DependencyUpdated{str(d, "dependency_id"), opt_str(d, "type"), opt_small(d, "strength"),
                                 patch_str(d, "notes")};
    if (type == DependencyRemoved::kType) return DependencyRemoved{str(d, "dependency_id")};
    if (type == GoalBlocked::kType)
        return GoalBlocked{str(d, "goal_id"), str(d, "caused_by_goal_id"), opt_str(d, "caused_by_dependency_id"),
                           strings(d, "blocking_goal_ids")};
    if (auto e = entity_event<TaskCreated, TaskUpdated, ProblemCreated, ProblemUpdated, HabitCreated, HabitUpdated,
                              LinkAdded, LinkRemoved, CalendarEventCreated, CalendarEventUpdated, ReminderDelivered,
                              NotificationCreated, NotificationSent, NotificationDismissed, MentalStateRecorded,
                              SummaryCreated, MemoryEmbedded, PromptRunRecorded, MemoryForgotten, TrackCreated,
                              TrackUpdated, RoadmapItemAdded, RoadmapItemUpdated, RoadmapItemRemoved,
                              ChatTemplateCreated, ChatTemplatePublished, TrackSessionStarted, TrackSessionUpdated,
                              ChatThreadCreated, SynopsisCreated, SynopsisUpdated, AgentReplied>(type, d))
        return e;
    if (type == GoalUnblocked::kType)
        return GoalUnblocked{str(d, "goal_id"), str(d, "caused_by_goal_id"), opt_str(d, "caused_by_dependency_id")};
    return std::nullopt;
}

}  // namespace aimi::events
