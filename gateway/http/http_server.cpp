#include "gateway/http/http_server.hpp"

#include <thread>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "domain/uuid.hpp"
#include "gateway/http/websocket_session.hpp"

namespace aimi::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

struct Shared {
    ServerOptions options;
    Handler handler;
    RefusalRenderer refusal;
    asio::thread_pool handlers;
    std::atomic<int> in_flight{0};

    Shared(ServerOptions o, Handler h, RefusalRenderer r)
        : options(std::move(o)), handler(std::move(h)), refusal(std::move(r)), handlers(options.handler_threads) {}
};

bool sane_request_id(std::string_view id) {
    if (id.empty() || id.size() > 100) return false;
    for (char c : id)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':'))
            return false;
    return true;
}

Request to_request(bhttp::request<bhttp::string_body>&& raw) {
    Request request;
    request.method = std::string(raw.method_string());
    request.target = std::string(raw.target());
    const auto question = request.target.find('?');
    request.path = percent_decode(std::string_view(request.target).substr(0, question), false);
    if (question != std::string::npos)
        request.query = parse_query(std::string_view(request.target).substr(question + 1));
    for (const auto& field : raw) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        request.headers[name] = std::string(field.value());
    }
    request.body = std::move(raw.body());
    const auto* id = request.header("x-request-id");
    request.request_id = id && sane_request_id(*id) ? *id : new_uuid();
    return request;
}

class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(tcp::socket&& socket, std::shared_ptr<Shared> shared)
        : stream_(std::move(socket)), shared_(std::move(shared)) {}

    void start() {
        asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
    }

  private:
    void read() {
        parser_.emplace();
        parser_->body_limit(shared_->options.body_limit);
        parser_->header_limit(16 * 1024);
        stream_.expires_after(std::chrono::seconds(60));
        bhttp::async_read_header(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
    }

    //! A client that sent "Expect: 100-continue" waits for the go-ahead before sending its body
    //! (curl, for one, gives up waiting only after a second).
    void on_header(beast::error_code ec) {
        if (ec) return on_read(ec);
        if (!beast::iequals(parser_->get()[bhttp::field::expect], "100-continue")) return read_body();
        auto go_ahead = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
        bhttp::async_write(stream_, *go_ahead,
                           [self = shared_from_this(), go_ahead](beast::error_code ec, std::size_t) {
                               if (ec) return self->close();
                               self->read_body();
                           });
    }

    void read_body() {
        bhttp::async_read(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof ||
            ec == asio::error::connection_reset || ec == asio::error::operation_aborted)
            return close();
        if (ec == bhttp::error::body_limit)
            return refuse(413, "body_too_large",
                          "request body exceeds " + std::to_string(shared_->options.body_limit) + " bytes");
        if (ec) return refuse(400, "malformed_request", "cannot parse HTTP request: " + ec.message());

        auto raw = parser_->release();
        keep_alive_ = raw.keep_alive();
        std::optional<bhttp::request<bhttp::string_body>> upgrade;
        if (beast::websocket::is_upgrade(raw)) upgrade = raw;
        ++shared_->in_flight;
        auto request = to_request(std::move(raw));
        request.websocket_upgrade = upgrade.has_value();
        auto exchange = std::make_shared<PendingExchange>(shared_from_this(), std::move(request), std::move(upgrade));
        exchange->post([exchange] { exchange->session().shared_->handler(exchange); });
    }

    //! A request of this session being handled; answers it at most once.
    class PendingExchange final : public Exchange, public std::enable_shared_from_this<PendingExchange> {
      public:
        PendingExchange(std::shared_ptr<Session> session, Request request,
                        std::optional<bhttp::request<bhttp::string_body>> upgrade)
            : session_(std::move(session)), request_(std::move(request)), upgrade_(std::move(upgrade)) {}
        ~PendingExchange() override {
            // Dropped unanswered (e.g. a shutdown dropped its wait): close rather than hang.
            if (!answered_.exchange(true))
                asio::post(session_->stream_.get_executor(), [session = session_] {
                    --session->shared_->in_flight;
                    session->close();
                });
        }

        Session& session() { return *session_; }
        Request& request() override { return request_; }

        void respond(Response response) override {
            if (answered_.exchange(true)) return;
            response.headers.emplace_back("X-Request-Id", request_.request_id);
            asio::post(session_->stream_.get_executor(),
                       [session = session_, response = std::move(response)]() mutable {
                           session->write(std::move(response));
                       });
        }

        void accept_websocket(std::shared_ptr<WebSocketPeer> peer) override {
            if (!upgrade_ || answered_.exchange(true)) return;
            asio::post(session_->stream_.get_executor(),
                       [session = session_, upgrade = std::move(*upgrade_), peer = std::move(peer)]() mutable {
                           // A WebSocket is not a request in flight: shutdown does not wait for it.
                           --session->shared_->in_flight;
                           start_websocket(std::move(session->stream_), std::move(upgrade), std::move(peer),
                                           session->shared_->options.websocket_queue_limit);
                       });
        }

        void post(std::function<void()> work) override {
            asio::post(session_->shared_->handlers, [self = shared_from_this(), work = std::move(work)] {
                try {
                    work();
                } catch (const std::exception& e) {
                    spdlog::error("request {}: unhandled: {}", self->request_.request_id, e.what());
                    self->respond(
                        self->session_->shared_->refusal(500, "internal", "internal error", self->request_.request_id));
                }
            });
        }

      private:
        std::shared_ptr<Session> session_;
        Request request_;
        std::optional<bhttp::request<bhttp::string_body>> upgrade_;
        std::atomic<bool> answered_{false};
    };

    void refuse(int status, const std::string& code, const std::string& message) {
        keep_alive_ = false;
        ++shared_->in_flight;
        std::string request_id;
        if (parser_->is_header_done()) request_id = std::string(parser_->get()["X-Request-Id"]);
        if (!sane_request_id(request_id)) request_id = new_uuid();
        auto response = shared_->refusal(status, code, message, request_id);
        response.headers.emplace_back("X-Request-Id", request_id);
        write(std::move(response));
    }

    void write(Response response) {
        auto message =
            std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(response.status), 11);
        message->set(bhttp::field::server, "aimi-gateway");
        message->set(bhttp::field::content_type, response.content_type);
        for (const auto& [name, value] : response.headers) message->set(name, value);
        message->body() = std::move(response.body);
        message->keep_alive(keep_alive_);
        message->prepare_payload();
        stream_.expires_after(std::chrono::seconds(30));
        bhttp::async_write(stream_, *message, [self = shared_from_this(), message](beast::error_code ec, std::size_t) {
            --self->shared_->in_flight;
            if (ec || !self->keep_alive_) return self->close();
            self->read();
        });
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::shared_ptr<Shared> shared_;
    bool keep_alive_ = false;
};

}  // namespace

struct Server::Impl {
    std::shared_ptr<Shared> shared;
    asio::io_context io;
    tcp::acceptor acceptor{io};

    void accept() {
        acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted) return;
            if (!ec) {
                socket.set_option(tcp::no_delay(true));
                std::make_shared<Session>(std::move(socket), shared)->start();
            }
            accept();
        });
    }
};

Server::Server(ServerOptions options, Handler handler, RefusalRenderer refusal) : impl_(std::make_unique<Impl>()) {
    impl_->shared = std::make_shared<Shared>(std::move(options), std::move(handler), std::move(refusal));
    const auto& o = impl_->shared->options;
    const tcp::endpoint endpoint{asio::ip::make_address(o.address), o.port};
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen(asio::socket_base::max_listen_connections);
}

Server::~Server() = default;

std::uint16_t Server::bound_port() const {
    return impl_->acceptor.local_endpoint().port();
}

void Server::run(const std::atomic<bool>& stop) {
    impl_->accept();
    // Watches the stop flag; on stop, closes the acceptor and waits for in-flight requests.
    asio::steady_timer timer(impl_->io);
    auto deadline = std::chrono::steady_clock::time_point::max();
    std::function<void()> watch = [&] {
        timer.expires_after(std::chrono::milliseconds(100));
        timer.async_wait([&](beast::error_code) {
            if (stop && deadline == std::chrono::steady_clock::time_point::max()) {
                beast::error_code ignored;
                impl_->acceptor.close(ignored);
                deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            }
            if (stop && (impl_->shared->in_flight == 0 || std::chrono::steady_clock::now() > deadline)) {
                impl_->io.stop();
                return;
            }
            watch();
        });
    };
    watch();
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < impl_->shared->options.io_threads; ++i)
        threads.emplace_back([this] { impl_->io.run(); });
    impl_->io.run();
    for (auto& t : threads) t.join();
    impl_->shared->handlers.join();
}

}  // namespace aimi::http
