#pragma once

#include <optional>
#include <string_view>

#include <simdjson.h>
#include <boost/json/object.hpp>

#include "domain/events/events.hpp"

// JSON of the goals graph's events, as their schemas spell it (for the envelope codec).
namespace aimi::events {

boost::json::object data_to_json(const GoalCreated& e);
boost::json::object data_to_json(const GoalUpdated& e);
template <class Tag>
boost::json::object data_to_json(const GoalTransition<Tag>& e) {
    return {{"goal_id", e.goal_id}};
}
template <class Tag>
boost::json::object data_to_json(const EntityEvent<Tag>& e) {
    return e.data;
}
boost::json::object data_to_json(const DependencyAdded& e);
boost::json::object data_to_json(const DependencyUpdated& e);
boost::json::object data_to_json(const DependencyRemoved& e);
boost::json::object data_to_json(const GoalBlocked& e);
boost::json::object data_to_json(const GoalUnblocked& e);

//! The goals event of this type from schema-checked data; nullopt for other types.
std::optional<EventData> goal_event_from_json(std::string_view type, const simdjson::dom::element& data);

}  // namespace aimi::events
