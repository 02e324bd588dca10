#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace aimi {

//! UTC instant with microsecond precision, the precision PostgreSQL's timestamptz keeps.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

Timestamp now_utc();

//! "2026-11-22T04:16:26.123456Z" (always UTC, always six fractional digits).
std::string format_timestamp(Timestamp t);

//! Parses RFC 3339 ("...Z" or "...+02:00", 0-9 fractional digits); nullopt when malformed.
std::optional<Timestamp> parse_timestamp(std::string_view text);

//! A calendar date "YYYY-MM-DD" (a real day of years 1..9999); nullopt otherwise.
std::optional<std::chrono::sys_days> parse_date(std::string_view text);
std::string format_date(std::chrono::sys_days day);

inline std::int64_t to_micros(Timestamp t) {
    return t.time_since_epoch().count();
}
inline Timestamp from_micros(std::int64_t us) {
    return Timestamp{std::chrono::microseconds{us}};
}

}  // namespace aimi
