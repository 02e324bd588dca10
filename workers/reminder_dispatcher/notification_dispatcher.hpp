#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "domain/events/events.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "workers/reminder_dispatcher/in_flight_appends.hpp"
#include "workers/reminder_dispatcher/reminder_dispatcher.hpp"

// Fires notification triggers and sends due notifications (docs/schedule.md, "Notifications"), for
// the partitions the dispatcher owns: a due trigger becomes notification.created (idempotency key
// notification-trigger:<trigger id>); a due pending notification an assistant message in the user's
// latest chat with notification.sent, in one record (key notification:<id>:sent). The fold decides
// both (a dismissed notification is not sent; a goal no longer active gets no reminder).
namespace aimi::dispatch {

class NotificationDispatcher {
  public:
    NotificationDispatcher(DispatchOptions options, kafka::EventLogWriter& log, keys::KeyStore& keys);

    //! One pass; returns the records appended.
    std::size_t run_once(pqxx::connection& db, const std::set<int>& owned);

  private:
    void stage(const std::string& user_id, const std::string& key, std::vector<events::EventData> data);

    DispatchOptions options_;
    kafka::EventLogWriter& log_;
    keys::KeyStore& keys_;
    InFlightAppends in_flight_;  //!< labels: fired | sent
};

}  // namespace aimi::dispatch
