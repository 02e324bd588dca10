#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "gateway/consistency_token.hpp"
#include "gateway/gateway_context.hpp"
#include "gateway/http/http_server.hpp"
#include "gateway/http/http_types.hpp"
#include "gateway/router.hpp"
#include "gateway/wait_quota.hpp"

namespace aimi::gateway {

struct Route {
    HandlerFn handler;
    bool is_public = false;  //!< no bearer token needed (health, readiness)
    //! For queries: the projection they read, whose progress a Consistency-Token waits for.
    //! Empty: the route ignores tokens.
    std::string reads = {};
    std::string pattern = {};     //!< set by make_routes: the route's label in metrics
    bool token_in_query = false;  //!< also takes the bearer token as ?access_token= (WebSocket handshakes)
};

//! The route table of the HTTP API (v1).
Router<Route> make_routes();

//! Every route as (METHOD, pattern), e.g. ("GET", "/v1/chats/{chat_id}").
std::vector<std::pair<std::string, std::string>> route_patterns();

//! Routes a request, authenticates it, parks it while a Consistency-Token or a command's
//! read-your-writes wait is pending (no thread held), runs its handler, and maps infrastructure
//! exceptions to 503 and anything unexpected to 500 — the only place such exceptions become
//! responses.
class Dispatcher {
  public:
    explicit Dispatcher(GatewayContext& context);
    void operator()(const std::shared_ptr<http::Exchange>& exchange);

  private:
    struct InFlight;
    using InFlightPtr = std::shared_ptr<InFlight>;

    void run(const InFlightPtr& call);
    //! Answers, or parks the continuation a handler returned.
    void settle(const InFlightPtr& call, Reply reply);
    void finish(const InFlightPtr& call, http::Response response);
    //! Parks a query until its Consistency-Token is applied, or answers why it cannot wait.
    void await_token(const InFlightPtr& call, const std::string& token);
    //! A 400 when `position` cannot be a record of the intake topic (no such partition, or an
    //! offset past the partition's end); nullopt when it can or Kafka cannot tell right now.
    std::optional<Problem> impossible_position(LogPosition position);

    GatewayContext& context_;
    Router<Route> routes_;
    WaitQuota quota_;
    std::mutex positions_mutex_;
    int partitions_ = 0;                                      //!< of the intake topic, 0 = not known yet
    std::map<std::int32_t, std::int64_t> known_end_offsets_;  //!< high watermarks seen, per partition
};

//! Response for requests refused by the transport (oversize body, unparsable HTTP, a handler that threw).
http::Response refusal_response(int status, const std::string& code, const std::string& message,
                                const std::string& request_id);

}  // namespace aimi::gateway
