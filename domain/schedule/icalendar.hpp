#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>

#include <boost/json/object.hpp>

#include "domain/schedule/timing.hpp"
#include "domain/time.hpp"

// A user's calendar as iCalendar (RFC 5545) text, written with libical: one VEVENT per series
// (RRULE, EXDATE), one more per changed occurrence (RECURRENCE-ID), a VTIMEZONE per zone used.
namespace aimi::schedule {

struct ExportedEvent {
    std::string id;
    std::string title;
    std::optional<std::string> description, location;
    Timing timing;
    std::string zone;  //!< the event's zone, or the user's for a floating event
    Timestamp created_at{}, updated_at{};
    //! title, description, location changed for one occurrence, by recurrence id
    std::map<LocalSeconds, boost::json::object> occurrence_details;
};

std::string to_icalendar(std::span<const ExportedEvent> events);

}  // namespace aimi::schedule
