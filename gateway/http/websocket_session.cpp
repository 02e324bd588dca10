#include "gateway/http/websocket_session.hpp"

#include <atomic>
#include <deque>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace aimi::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

//! How long a closing connection may take to flush its last frame and the close handshake before
//! the socket is torn down (a client that stopped reading never completes either).
constexpr auto kCloseGrace = std::chrono::seconds(5);
//! Clients send nothing the server needs; a bound keeps a hostile one from buffering much.
constexpr std::size_t kMaxClientMessage = 4096;

class WebSocketSession final : public WebSocketChannel, public std::enable_shared_from_this<WebSocketSession> {
  public:
    WebSocketSession(beast::tcp_stream&& stream, std::shared_ptr<WebSocketPeer> peer, std::size_t queue_limit)
        : ws_(std::move(stream)), peer_(std::move(peer)), queue_limit_(queue_limit), grace_(ws_.get_executor()) {}

    void start(beast::http::request<beast::http::string_body> upgrade) {
        beast::get_lowest_layer(ws_).expires_never();  // the websocket's own timeouts take over
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.set_option(websocket::stream_base::decorator(
            [](websocket::response_type& response) { response.set(beast::http::field::server, "aimi-gateway"); }));
        ws_.read_message_max(kMaxClientMessage);
        ws_.text(true);
        auto request = std::make_shared<beast::http::request<beast::http::string_body>>(std::move(upgrade));
        ws_.async_accept(*request, [self = shared_from_this(), request](beast::error_code ec) {
            if (ec) return self->finished();
            self->peer_->on_open(self);
            self->read();
        });
    }

    bool send(std::string text) override {
        if (closing_) return false;
        const auto queued = queued_bytes_ += text.size();
        if (queued > queue_limit_) {
            close(static_cast<std::uint16_t>(websocket::close_code::policy_error),
                  fmt::format("client too slow: more than {} bytes queued", queue_limit_));
            return false;
        }
        asio::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
            self->queue_.push_back(std::move(text));
            self->write_next();
        });
        return true;
    }

    void close(std::uint16_t code, std::string reason) override {
        if (closing_.exchange(true)) return;
        asio::post(ws_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
            self->reason_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
            // Drop what was not started; the frame being written (front) finishes first.
            while (self->queue_.size() > (self->writing_ ? 1u : 0u)) self->queue_.pop_back();
            self->grace_.expires_after(kCloseGrace);
            self->grace_.async_wait([self](beast::error_code ec) {
                if (!ec) self->tear_down();
            });
            if (!self->writing_) self->send_close();
        });
    }

  private:
    void read() {
        ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->finished();
            self->in_.consume(self->in_.size());  // nothing a client says is acted on
            self->read();
        });
    }

    void write_next() {
        if (writing_ || queue_.empty() || done_) return;
        if (closing_ && reason_.code != websocket::close_code::none) return send_close();
        writing_ = true;
        ws_.async_write(asio::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            self->writing_ = false;
            self->queued_bytes_ -= self->queue_.front().size();
            self->queue_.pop_front();
            if (ec) return self->tear_down();
            if (self->closing_ && self->reason_.code != websocket::close_code::none) return self->send_close();
            self->write_next();
        });
    }

    void send_close() {
        if (close_sent_ || done_) return;
        close_sent_ = true;
        ws_.async_close(reason_, [self = shared_from_this()](beast::error_code) { self->tear_down(); });
    }

    void tear_down() {
        grace_.cancel();
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
        finished();
    }

    void finished() {
        if (done_) return;
        done_ = true;
        closing_ = true;
        grace_.cancel();
        peer_->on_close();
        peer_.reset();  // the peer holds this channel: break the cycle
    }

    websocket::stream<beast::tcp_stream> ws_;
    std::shared_ptr<WebSocketPeer> peer_;
    const std::size_t queue_limit_;
    asio::steady_timer grace_;
    beast::flat_buffer in_;
    std::deque<std::string> queue_;  // strand only, as are the flags below
    bool writing_ = false;
    bool close_sent_ = false;
    bool done_ = false;
    websocket::close_reason reason_;
    std::atomic<std::size_t> queued_bytes_{0};
    std::atomic<bool> closing_{false};
};

}  // namespace

void start_websocket(beast::tcp_stream&& stream, beast::http::request<beast::http::string_body> upgrade,
                     std::shared_ptr<WebSocketPeer> peer, std::size_t queue_limit) {
    std::make_shared<WebSocketSession>(std::move(stream), std::move(peer), queue_limit)->start(std::move(upgrade));
}

}  // namespace aimi::http
