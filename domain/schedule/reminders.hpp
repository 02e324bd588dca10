#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "domain/problem.hpp"
#include "domain/schedule/timing.hpp"

// Planning reminders for a calendar event: pure, so the reminder queue is a function of the log
// (docs/schedule.md, "Reminder queue").
namespace aimi::schedule {

//! A user's reminder settings, from their profile's settings.reminders:
//! {"offsets_minutes": [1440, 120], "quiet_hours": {"start": "22:00", "end": "07:00"}}.
struct ReminderSettings {
    std::vector<int> offsets_minutes{1440, 120};     //!< T-24h and T-2h by default
    std::optional<std::pair<int, int>> quiet_hours;  //!< [start, end) in minutes of the local day
};

//! Reads settings.reminders (absent parts take their defaults).
ReminderSettings reminder_settings(const boost::json::object& user_settings);
//! What a profile may hold under settings.reminders: offsets 0–43200 minutes (≤ 30 days), at most
//! 10 of them; quiet hours as HH:MM (a field under /settings/reminders when not).
std::optional<Problem> check_reminder_settings(const boost::json::object& user_settings);

struct PlannedReminder {
    std::string reminder_id;  //!< "<calendar event>/<occurrence>/<offset>": one per occurrence and offset
    std::string occurrence;   //!< the occurrence's original start (wall clock)
    int offset_minutes = 0;
    std::chrono::sys_seconds occurrence_at;  //!< when the occurrence starts (or is due)
    std::chrono::sys_seconds trigger_at;     //!< when to remind: occurrence − offset, out of quiet hours
    std::string status;                      //!< scheduled | skipped
    std::optional<std::string> skip_reason;  //!< past | quiet_hours
};

//! The reminders of the event's next occurrence starting after `after` (its own status not
//! cancelled or completed; none for a cancelled or completed event): one per offset. A trigger
//! in quiet hours moves to their end, or is skipped if the occurrence has begun by then; one
//! already past at `after` is skipped.
std::vector<PlannedReminder> plan_reminders(const std::string& calendar_event_id, const Timing& timing,
                                            const date::time_zone& zone, const ReminderSettings& settings,
                                            std::chrono::sys_seconds after);

}  // namespace aimi::schedule
