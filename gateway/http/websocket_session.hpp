#pragma once

#include <cstddef>
#include <memory>

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "gateway/http/http_server.hpp"

// Private to the HTTP server (includes Beast): the WebSocket side of a connection whose upgrade
// request a handler accepted.
namespace aimi::http {

//! Completes the handshake on `stream` for `upgrade` and serves `peer` until the connection ends.
void start_websocket(boost::beast::tcp_stream&& stream,
                     boost::beast::http::request<boost::beast::http::string_body> upgrade,
                     std::shared_ptr<WebSocketPeer> peer, std::size_t queue_limit);

}  // namespace aimi::http
