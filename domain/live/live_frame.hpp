#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/facts/fact.hpp"

// What a client connected to GET /v1/live receives: one text frame per fact of its own that holds
// something a client shows as it happens (a message, a delivered reminder, a notification), each
// with the position to resume after it. Wire format: docs/api.md (Live updates).
namespace aimi::live {

//! Where a frame sits: the fact's place in the facts topic (the user's partition) and the intake
//! offset it decided (its origin), so a resumed stream skips relayed copies of facts it has sent.
struct LivePosition {
    std::int32_t partition = 0;
    std::int64_t offset = -1;  //!< facts-topic offset of the last fact covered; -1: none yet
    std::int64_t origin = -1;  //!< highest origin offset covered; -1: none yet
    bool operator==(const LivePosition&) const = default;
};

//! "P:F:O", as frames carry it.
std::string format_position(const LivePosition& position);
//! Parses what format_position wrote; nullopt for anything else.
std::optional<LivePosition> parse_position(std::string_view text);

//! Event types a live client receives.
bool is_live_event(std::string_view type);

//! The frame for `fact` at `position`: {"type":"fact","position",...,"events":[...]} with only
//! its live events; nullopt when the fact did not apply or holds none.
std::optional<std::string> fact_frame(const facts::Fact& fact, const LivePosition& position);

//! The first frame of a connection: {"type":"ready","position"}. Resuming from that position
//! later loses nothing that happened after it.
std::string ready_frame(const LivePosition& position);

}  // namespace aimi::live
