#pragma once

#include <boost/json/object.hpp>

#include "domain/conversation/model.hpp"

namespace aimi::conversation {

// Public JSON shapes of the resources (documented in docs/api.md): what the API answers and what
// facts carry as a resource's state.
boost::json::object to_json(const User& user);
boost::json::object to_json(const Device& device);
boost::json::object to_json(const Chat& chat);
boost::json::object to_json(const Session& session);
boost::json::object to_json(const Message& message);

}  // namespace aimi::conversation
