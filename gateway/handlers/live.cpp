#include "gateway/api_error.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/live/live_feed.hpp"

namespace aimi::gateway::handlers {

//! GET /v1/live: the caller's messages, reminders and notifications as they happen, over a
//! WebSocket (docs/api.md, Live updates). ?resume=<position> continues after a frame received
//! on an earlier connection.
Reply open_live(const Call& call) {
    const auto& request = call.request;
    if (!request.websocket_upgrade)
        return error_response(Problem::invalid("websocket_upgrade_required",
                                               "GET /v1/live is a WebSocket: send the RFC 6455 upgrade request "
                                               "(Connection: Upgrade, Upgrade: websocket, Sec-WebSocket-Key/Version)",
                                               "Upgrade"),
                              request.request_id);
    if (!call.gateway.live)
        return error_response(
            {ProblemKind::unavailable, "live_unavailable", "live updates are off on this gateway", ""},
            request.request_id);
    const auto resume = request.query.find("resume");
    auto peer =
        call.gateway.live->connect(call.principal.user_id, resume == request.query.end() ? nullptr : &resume->second);
    if (!peer) return error_response(peer.problem(), request.request_id);
    return Upgrade{std::move(peer.value())};
}

}  // namespace aimi::gateway::handlers
