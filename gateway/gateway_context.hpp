#pragma once

#include <chrono>
#include <cstdint>

#include "domain/auth/jwt.hpp"
#include "gateway/http/http_types.hpp"
#include "gateway/router.hpp"
#include "projections/runtime_settings.hpp"

namespace aimi {
namespace pg {
class ConnectionPool;
}
namespace kafka {
class EventLogWriter;
}
}  // namespace aimi

namespace aimi::gateway {

class ProgressWatcher;

//! The gateway's long-lived dependencies, handed to every handler.
struct GatewayContext {
    RuntimeSettings settings;
    pg::ConnectionPool& pool;
    kafka::EventLogWriter& log;
    ProgressWatcher& watcher;
    std::chrono::milliseconds command_wait_timeout{10000};  //!< AIMI_COMMAND_WAIT_TIMEOUT_MS
    int max_conflict_retries = 8;
    std::int64_t ready_max_lag = 1000;  //!< AIMI_READY_MAX_LAG: records behind before /ready fails
};

//! One authenticated request being handled.
struct Call {
    const http::Request& request;
    const auth::Principal& principal;  //!< empty for public routes
    const PathParams& params;
    GatewayContext& gateway;
};

using HandlerFn = http::Response (*)(const Call&);

}  // namespace aimi::gateway
