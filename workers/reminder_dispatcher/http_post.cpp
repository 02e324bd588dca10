#include "workers/reminder_dispatcher/http_post.hpp"

#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace aimi::dispatch {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

HttpTarget parse_http_url(const std::string& url) {
    constexpr std::string_view scheme = "http://";
    if (!url.starts_with(scheme)) throw std::invalid_argument("only http:// URLs are supported: " + url);
    const auto rest = url.substr(scheme.size());
    const auto slash = rest.find('/');
    const auto authority = rest.substr(0, slash);
    const auto colon = authority.rfind(':');
    HttpTarget t{authority.substr(0, colon), colon == std::string::npos ? "80" : authority.substr(colon + 1),
                 slash == std::string::npos ? "/" : rest.substr(slash)};
    if (t.host.empty() || t.port.empty()) throw std::invalid_argument("malformed URL: " + url);
    return t;
}

int post_json(const HttpTarget& target, const std::string& body, const std::map<std::string, std::string>& headers,
              std::chrono::milliseconds timeout) {
    try {
        boost::asio::io_context io;
        beast::tcp_stream stream(io);
        stream.expires_after(timeout);
        tcp::resolver resolver(io);
        stream.connect(resolver.resolve(target.host, target.port));
        http::request<http::string_body> request{http::verb::post, target.path, 11};
        request.set(http::field::host, target.host);
        request.set(http::field::content_type, "application/json");
        for (const auto& [name, value] : headers) request.set(name, value);
        request.body() = body;
        request.prepare_payload();
        http::write(stream, request);
        beast::flat_buffer buffer;
        http::response<http::string_body> response;
        http::read(stream, buffer, response);
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        return static_cast<int>(response.result_int());
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error("POST " + target.host + ":" + target.port + target.path + ": " + e.what());
    }
}

}  // namespace aimi::dispatch
