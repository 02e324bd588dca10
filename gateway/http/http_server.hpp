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
