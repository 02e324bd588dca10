#pragma once

#include <libical/ical.h>

#include "domain/schedule/calendar_time.hpp"

// Conversions between the schedule's wall-clock times and libical's; only the schedule's .cpp
// files include this (it pulls in libical).
namespace aimi::schedule {

//! A floating (zone-less) libical time: a date, or a date-time on the wall clock.
icaltimetype to_ical(LocalSeconds at, bool is_date);
LocalSeconds from_ical(const icaltimetype& t);

}  // namespace aimi::schedule
