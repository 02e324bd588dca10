#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "projections/runtime_settings.hpp"

namespace aimi {

struct RebuildRequest {
    std::string projection;
    std::string schema;                    //!< target; empty: "<projection>_r<UTC time>" or "..._asof_<time>"
    std::optional<std::int64_t> as_of_ms;  //!< build the projection as it was at this instant
    bool switch_serving = false;           //!< then serve it from the new schema (read models from facts)
};

//! `aimi-admin rebuild`: migrates a fresh schema, projects the projection's input topic into it
//! from offset 0 up to the topic's end (or the as-of cut), reports what it applied and the rows
//! of each of its tables beside the serving copy's, and with `switch_serving` catches up once
//! more and switches the serving schema (gateways and the projection's projectors follow, no
//! restart). Prints to stderr; returns the process exit status.
int rebuild(const RuntimeSettings& settings, const RebuildRequest& request);

}  // namespace aimi
