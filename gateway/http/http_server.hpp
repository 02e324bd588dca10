#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gateway/http/http_types.hpp"

namespace aimi::http {

struct ServerOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;  //!< 0 picks a free port (see bound_port())
    std::size_t io_threads = 2;
    std::size_t handler_threads = 32;  //!< handlers block on PostgreSQL and Kafka; they run here
    std::size_t body_limit = 64 * 1024;
    //! Bytes of text frames one WebSocket may have queued for a client that reads slowly; past it
    //! the server closes the connection (1008, with a reason) instead of growing its memory.
    std::size_t websocket_queue_limit = 1 << 20;
};

//! The server's side of one accepted WebSocket, as the application sees it: text frames out, in
//! the order send() was called. Thread-safe.
class WebSocketChannel {
  public:
    virtual ~WebSocketChannel() = default;
    //! Queues a text frame. False when the connection is closing or gone, or when the frame would
    //! take the queue past ServerOptions::websocket_queue_limit: the connection is then closed with
    //! 1008 "client too slow ..." (frames queued and not yet written are dropped).
    virtual bool send(std::string text) = 0;
    //! Sends a close frame (after the frame being written, if any) and ends the connection.
    virtual void close(std::uint16_t code, std::string reason) = 0;
};

//! The application's side of one WebSocket.
class WebSocketPeer {
  public:
    virtual ~WebSocketPeer() = default;
    //! The handshake succeeded; frames may be sent from now on (from any thread).
    virtual void on_open(std::shared_ptr<WebSocketChannel> channel) = 0;
    //! The connection is gone (closed by either side, failed, or the handshake failed). Called
    //! once, on an I/O thread; must not block.
    virtual void on_close() = 0;
};

//! One request in flight. Its handler answers it exactly once, from any thread, possibly long
//! after the handler returned (a request may wait for the read model without holding a thread).
class Exchange {
  public:
    virtual ~Exchange() = default;
    virtual Request& request() = 0;
    //! Sends the response (the server adds X-Request-Id). Only the first call counts.
    virtual void respond(Response response) = 0;
    //! Runs `work` on the handler pool; if it throws, the request is answered with a 500.
    virtual void post(std::function<void()> work) = 0;
    //! Answers the request by accepting the WebSocket handshake and handing the connection to
    //! `peer`. Only for a request with `websocket_upgrade`; counts as the answer.
    virtual void accept_websocket(std::shared_ptr<WebSocketPeer> peer) = 0;
};

//! Called on the handler pool for every parsed request. A handler that throws before answering
//! gets the request answered with a 500.
using Handler = std::function<void(const std::shared_ptr<Exchange>&)>;
//! Builds the response for a request the server refuses itself (oversize body, unparsable HTTP, a
//! handler that threw): status, stable code, message, request id.
using RefusalRenderer = std::function<Response(int status, const std::string& code, const std::string& message,
                                               const std::string& request_id)>;

//! HTTP/1.1 server on Boost.Beast. Reads and writes on `io_threads`; hands each parsed request
//! to `handler` on a separate blocking pool, so slow handlers never stall the sockets. A request
//! whose handler returned without answering stays open (and counts as in flight) until it is
//! answered.
class Server {
  public:
    Server(ServerOptions options, Handler handler, RefusalRenderer refusal);
    ~Server();

    std::uint16_t bound_port() const;

    //! Serves until `stop` becomes true, then stops accepting, lets in-flight requests finish
    //! (up to 10 s) and returns. @warning This is a blocking call.
    void run(const std::atomic<bool>& stop);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace aimi::http
