#pragma once

#include <optional>
#include <string>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace pqxx {
class dbtransaction;
}

// Queries over the notifications read model (migrations/0012_notifications.sql); callers point the
// transaction at the projection's serving schema first. Every query takes the owner.
namespace aimi::gateway::notifications_read_model {

//! A notification as the API shows it (docs/schedule.md, "Notifications").
std::optional<boost::json::object> find(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& id);

struct Filter {
    std::optional<std::string> status, type;
    std::optional<std::pair<std::string, std::string>> after;  //!< cursor: (created_at, id)
    int limit = 50;
};
//! Oldest first; at most limit.
boost::json::array list(pqxx::dbtransaction& tx, const std::string& user_id, const Filter& filter);

}  // namespace aimi::gateway::notifications_read_model
