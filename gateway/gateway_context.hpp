#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <variant>

#include "domain/auth/jwt.hpp"
#include "gateway/http/http_server.hpp"
#include "gateway/http/http_types.hpp"
#include "gateway/router.hpp"
#include "projections/runtime_settings.hpp"

namespace aimi {
namespace pg {
class ConnectionPool;
}
namespace kafka {
class EventLogWriter;
class ConsumerGroupInspector;
}  // namespace kafka
namespace keys {
class KeyStore;
}
namespace live {
class LiveFeed;
}
}  // namespace aimi

namespace aimi::gateway {

class ProgressWatcher;
class MemoryRecall;

//! The gateway's long-lived dependencies, handed to every handler.
struct GatewayContext {
    RuntimeSettings settings;
    pg::ConnectionPool& pool;
    kafka::EventLogWriter& log;
    ProgressWatcher& watcher;
    keys::KeyStore& keys;
    std::chrono::milliseconds command_wait_timeout{10000};  //!< AIMI_COMMAND_WAIT_TIMEOUT_MS
    int max_conflict_retries = 8;
    std::int64_t ready_max_lag = 1000;        //!< AIMI_READY_MAX_LAG: records behind before /ready fails
    int max_waits_per_user = 16;              //!< AIMI_MAX_WAITS_PER_USER: parked waits one user may hold
    live::LiveFeed* live = nullptr;           //!< GET /v1/live; null until the feed is set up
    MemoryRecall* recall = nullptr;           //!< GET /v1/memory/search; null without an embedding provider
    float duplicate_goal_similarity = 0.85f;  //!< AIMI_DUPLICATE_GOAL_SIMILARITY: a new goal this close is a 409
    kafka::ConsumerGroupInspector* groups = nullptr;  //!< GET /v1/admin/workers
    bool dev_sign_in = false;                         //!< AIMI_DEV_SIGN_IN: POST /v1/dev/sign-in (dev_sign_in.hpp)
};

//! One authenticated request being handled.
struct Call {
    const http::Request& request;
    const auth::Principal& principal;  //!< empty for public routes
    const PathParams& params;
    GatewayContext& gateway;
};

struct Reply;

//! A WebSocket upgrade the handler accepted: the connection goes to `peer`.
struct Upgrade {
    std::shared_ptr<http::WebSocketPeer> peer;
};

//! A request parked until a projection has applied the record at (partition, offset) of the
//! intake topic. The dispatcher holds no thread meanwhile; it calls `resume` on a handler thread
//! with true once the record is applied, or with false at `deadline` (or at once, when the user
//! already holds as many parked waits as allowed).
struct Continuation {
    std::string projection;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::chrono::steady_clock::time_point deadline;
    std::function<Reply(bool applied)> resume;
};

//! What a handler gives back: the response, a continuation to run after a wait, or a WebSocket.
struct Reply {
    Reply(http::Response response) : value(std::move(response)) {}        // NOLINT(google-explicit-constructor)
    Reply(Continuation continuation) : value(std::move(continuation)) {}  // NOLINT(google-explicit-constructor)
    Reply(Upgrade upgrade) : value(std::move(upgrade)) {}                 // NOLINT(google-explicit-constructor)
    std::variant<http::Response, Continuation, Upgrade> value;
};

using HandlerFn = Reply (*)(const Call&);

}  // namespace aimi::gateway
