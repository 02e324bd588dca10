#include "tests/support/webhook_receiver.hpp"

#include <chrono>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace aimi::testing {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

struct WebhookReceiver::Impl {
    boost::asio::io_context io;
    tcp::acceptor acceptor{io};
    std::atomic<bool> stopping{false};
};

WebhookReceiver::WebhookReceiver() : impl_(std::make_unique<Impl>()) {
    const tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen();
    port_ = impl_->acceptor.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
}

WebhookReceiver::~WebhookReceiver() {
    impl_->stopping = true;
    try {  // wake the blocking accept with a connection of our own
        boost::asio::io_context io;
        tcp::socket s(io);
        s.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
    } catch (const std::exception&) {
    }
    thread_.join();
}

void WebhookReceiver::serve() {
    while (!impl_->stopping) {
        tcp::socket socket(impl_->io);
        boost::system::error_code ec;
        impl_->acceptor.accept(socket, ec);
        if (ec || impl_->stopping) continue;
        beast::flat_buffer buffer;
        http::request<http::string_body> request;
        http::read(socket, buffer, request, ec);
        if (ec) continue;
        if (const int delay = delay_ms_; delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
        const int status = status_;
        {
            std::lock_guard lock(mutex_);
            requests_.push_back(Request{std::string(request["Idempotency-Key"]), request.body(), status});
        }
        http::response<http::string_body> response{static_cast<http::status>(status), 11};
        response.set(http::field::content_type, "application/json");
        response.body() = "{}";
        response.prepare_payload();
        http::write(socket, response, ec);
        socket.shutdown(tcp::socket::shutdown_both, ec);
    }
}

std::vector<WebhookReceiver::Request> WebhookReceiver::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

std::map<std::string, int> WebhookReceiver::accepted_keys() const {
    std::map<std::string, int> out;
    std::lock_guard lock(mutex_);
    for (const auto& r : requests_)
        if (r.answered >= 200 && r.answered < 300) ++out[r.idempotency_key];
    return out;
}

}  // namespace aimi::testing
