#pragma once

#include <string>
#include <vector>

#include "projections/derived/fact_projection.hpp"

namespace aimi::schedule {

//! The reminder queue (migrations/0011_reminder_queue.sql): for each calendar event, the
//! reminders of its next occurrence (domain/schedule/reminders.hpp), planned at the time of the
//! fact that changed what they depend on — the event, the user's zone or reminder settings — so a
//! rebuild from offset 0 gives the same queue whatever the batching. A re-plan replaces the
//! event's scheduled and skipped reminders and never touches sent or failed ones. The dispatcher's
//! reminder.delivered facts become reminder_logs; the chat one sets the queue row's status and,
//! for the occurrence's last reminder, moves the series on to its next occurrence.
class ReminderQueueProjection final : public FactProjection {
  public:
    static constexpr const char* kName = "reminder_queue";
    static std::vector<std::string> tables() {
        return {"reminder_users", "reminder_events", "reminder_queue", "reminder_logs"};
    }
    const std::string& name() const override { return name_; }
    void apply(pqxx::dbtransaction& tx, std::span<const facts::Fact> facts) override;

  private:
    std::string name_ = kName;
};

}  // namespace aimi::schedule
