#include "gateway/time_zones.hpp"

#include <stdexcept>

#include <date/tz.h>

namespace aimi::gateway {

void load_time_zones() {
    const auto& db = date::get_tzdb();
    if (db.zones.empty()) throw std::runtime_error("the time-zone database (tzdata) holds no zones");
}

std::optional<Problem> check_time_zone(const std::optional<std::string>& name, std::string_view field) {
    if (!name) return std::nullopt;
    try {
        date::locate_zone(*name);
        return std::nullopt;
    } catch (const std::runtime_error&) {
        return Problem::invalid("invalid_value", "is not a time zone of the IANA database (e.g. Europe/Berlin)",
                                std::string(field));
    }
}

}  // namespace aimi::gateway
