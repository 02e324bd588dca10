#pragma once

#include <boost/json/object.hpp>

#include "domain/conversation/model.hpp"

namespace aimi::gateway {

// Public JSON shapes of the resources (documented in docs/api.md).
boost::json::object to_json(const conversation::User& user);
boost::json::object to_json(const conversation::Device& device);
boost::json::object to_json(const conversation::Chat& chat);
boost::json::object to_json(const conversation::Session& session);
boost::json::object to_json(const conversation::Message& message);

}  // namespace aimi::gateway
