#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/problem.hpp"

namespace aimi::gateway {

//! Loads the operating system's time-zone database (tzdata, through Howard Hinnant's date/tz).
//! Call once at start-up so a missing database stops the process instead of a request.
//! @throws std::runtime_error when the database cannot be read.
void load_time_zones();

//! 400 invalid_value at `field` unless `name` is a zone or link of the database ("Europe/Berlin",
//! "UTC", "US/Eastern"; names are case-sensitive). Schemas check only the shape of a name.
std::optional<Problem> check_time_zone(const std::optional<std::string>& name, std::string_view field);

}  // namespace aimi::gateway
