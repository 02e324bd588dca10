#pragma once

#include <string>
#include <vector>

#include "projections/derived/fact_projection.hpp"

namespace aimi::notifications {

//! Smart notifications (migrations/0012_notifications.sql, docs/schedule.md "Notifications"):
//! the read model of the notification.* facts, and the triggers the dispatcher fires — a goal
//! reminder at 09:00 in the user's zone the day before an active goal's deadline (at once when
//! that has passed but the deadline day has not), a celebration when a goal is completed. Triggers
//! are planned at the time of the fact that changed what they depend on (the goal, the user's
//! zone), so a rebuild from offset 0 plans the same ones; a fired trigger stays fired.
class NotificationsProjection final : public FactProjection {
  public:
    static constexpr const char* kName = "notifications";
    static std::vector<std::string> tables() {
        return {"notifications", "notification_users", "notification_goals", "notification_triggers"};
    }
    const std::string& name() const override { return name_; }
    void apply(pqxx::dbtransaction& tx, std::span<const facts::Fact> facts) override;

  private:
    std::string name_ = kName;
};

}  // namespace aimi::notifications
