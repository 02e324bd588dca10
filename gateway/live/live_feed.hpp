#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "domain/live/live_frame.hpp"
#include "domain/result.hpp"
#include "gateway/http/http_server.hpp"
#include "projections/kafka/kafka_config.hpp"

namespace aimi::privacy {
class KeyLookup;
}

namespace aimi::live {

struct LiveFeedOptions {
    std::string bootstrap;
    std::string facts_topic;
    kafka::Properties overrides;
    std::size_t max_connections = 10000;  //!< AIMI_LIVE_MAX_CONNECTIONS, per gateway
    //! Bytes of frames one connection may hold while it catches up from its resume position
    //! (live frames wait behind the older ones); past it the connection is closed as too slow.
    std::size_t catch_up_buffer_limit = 1 << 20;
    std::size_t catch_up_threads = 2;  //!< resumed connections reading older facts at once
};

//! Live updates for GET /v1/live: one consumer tails the facts topic (every partition, from
//! where it was when the gateway started) and fans each user's live facts out to that user's
//! connections. A connection that resumes from a position first reads the facts between that
//! position and the tail with a consumer of its own (a catch-up), while the tail's frames for it
//! wait in a bounded buffer; then it joins the tail. Frames carry their position, and delivery
//! skips anything at or before a connection's position, so resuming loses and repeats nothing.
class LiveFeed {
  public:
    LiveFeed(LiveFeedOptions options, const privacy::KeyLookup& keys);
    ~LiveFeed();
    LiveFeed(const LiveFeed&) = delete;
    LiveFeed& operator=(const LiveFeed&) = delete;

    //! The connection `user` asks for, resuming after `resume` (as a frame carried it) if given:
    //! a peer to accept the WebSocket with, or why not (a resume position that is malformed, not
    //! the user's partition, past the end or already deleted from the topic; too many
    //! connections; the feed not running yet). @warning May block briefly (asks the broker).
    Result<std::shared_ptr<http::WebSocketPeer>> connect(const std::string& user, const std::string* resume);

    struct State;  //!< shared with the connections' peers, which may outlive the feed

  private:
    std::shared_ptr<State> state_;
};

}  // namespace aimi::live
