#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aimi::gateway {

//! A position in the intake topic, as a consistency token names it: "v1.<partition>.<offset>".
struct LogPosition {
    std::int32_t partition = 0;
    std::int64_t offset = 0;
};

std::string format_consistency_token(LogPosition position);

//! Parses a token; nullopt unless it is exactly "v1.P.O" with P and O decimal, non-negative and
//! within int32 and int64 (an offset of 2^63 or more is no offset at all).
std::optional<LogPosition> parse_consistency_token(std::string_view token);

}  // namespace aimi::gateway
