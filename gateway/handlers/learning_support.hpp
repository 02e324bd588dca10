#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "domain/learning/commands.hpp"
#include "gateway/command_pipeline.hpp"
#include "gateway/handlers/support.hpp"

// What the learning handlers (tracks.cpp, chat_templates.cpp, track_sessions.cpp, agents.cpp)
// share: their read model's projection, body decoding, and the write path's settings.
namespace aimi::gateway::handlers::learning_api {

inline const std::string kLearning = "learning";

//! The request body checked against commands/<schema>.v1.json; an absent body is {}.
Result<boost::json::object> body(const Call& call, std::string_view schema);

//! Catalog writes are for admins (403 otherwise).
std::optional<Problem> require_admin(const Call& call);

//! A catalog command: appended to the catalog stream, answered from the learning read model.
Reply catalog_command(const Call& call, int status,
                      std::function<Result<conversation::Decision>(const conversation::DecisionContext&)> decide);

//! A command on the caller's own stream, answered from the learning read model.
Reply user_command(const Call& call, int status,
                   std::function<Result<conversation::Decision>(const conversation::DecisionContext&)> decide,
                   std::optional<std::string> chat_id = std::nullopt);

}  // namespace aimi::gateway::handlers::learning_api
