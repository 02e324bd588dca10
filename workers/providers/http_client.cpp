#include "workers/providers/http_client.hpp"

#include <algorithm>
#include <cctype>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace aimi::providers {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Beast's default (8 MB) is below a large embeddings batch (64 × 3072 floats as text).
constexpr std::uint64_t kMaxBody = 64 * 1024 * 1024;

bool is_port(const std::string& text) {
    if (text.empty() || text.size() > 5 ||
        !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }))
        return false;
    const int port = std::stoi(text);
    return port >= 1 && port <= 65535;
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

}  // namespace

HttpUrl parse_http_url(const std::string& url) {
    constexpr std::string_view scheme = "http://";
    if (url.starts_with("https://"))
        throw std::invalid_argument("https:// is not supported (no TLS here; use a local relay): " + url);
    if (!url.starts_with(scheme)) throw std::invalid_argument("only http:// URLs are supported: " + url);
    const auto rest = url.substr(scheme.size());
    const auto slash = rest.find_first_of("/?#");
    const auto authority = rest.substr(0, slash);
    if (authority.find('@') != std::string::npos)
        throw std::invalid_argument("credentials in the URL are not supported: " + url);
    HttpUrl out{"", "80", slash == std::string::npos ? "/" : rest.substr(slash)};
    if (!out.path.starts_with('/')) out.path.insert(0, "/");
    std::size_t port_colon = std::string::npos;
    if (authority.starts_with('[')) {  // [::1]:8080
        const auto close = authority.find(']');
        if (close == std::string::npos) throw std::invalid_argument("malformed URL: " + url);
        out.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':') throw std::invalid_argument("malformed URL: " + url);
            port_colon = close + 1;
        }
    } else {
        port_colon = authority.rfind(':');
        out.host = authority.substr(0, port_colon);
    }
    if (port_colon != std::string::npos) out.port = authority.substr(port_colon + 1);
    if (out.host.empty()) throw std::invalid_argument("malformed URL (no host): " + url);
    if (!is_port(out.port)) throw std::invalid_argument("malformed URL (bad port): " + url);
    return out;
}

const std::string* HttpResponse::header(const std::string& lower_case_name) const {
    const auto found = headers.find(lower_case_name);
    return found == headers.end() ? nullptr : &found->second;
}

HttpResponse send_http(const HttpUrl& url, const HttpRequest& request, std::chrono::milliseconds timeout) {
    const auto verb = http::string_to_verb(request.method);
    if (verb == http::verb::unknown) throw std::invalid_argument("unknown HTTP method: " + request.method);
    const std::string where = request.method + " http://" + url.host + ":" + url.port + url.path;

    http::request<http::string_body> message{verb, url.path, 11};
    message.set(http::field::host, url.port == "80" ? url.host : url.host + ":" + url.port);
    message.set(http::field::user_agent, "aimi");
    for (const auto& [name, value] : request.headers) message.set(name, value);
    message.body() = request.body;
    if (!request.body.empty() || verb == http::verb::post || verb == http::verb::put) message.prepare_payload();

    // Asynchronous operations under one deadline timer: Beast's stream timeouts do not apply to
    // synchronous calls, and the timer also bounds name resolution.
    asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    asio::steady_timer deadline(io, timeout);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBody);
    bool timed_out = false, done = false;
    beast::error_code failure;
    const char* stage = "resolve";

    const auto fail = [&](const beast::error_code& ec) {
        failure = ec;
        deadline.cancel();
    };
    deadline.async_wait([&](const beast::error_code& ec) {
        if (ec) return;  // cancelled: finished or failed first
        timed_out = true;
        resolver.cancel();
        beast::error_code ignored;
        stream.socket().close(ignored);
    });
    resolver.async_resolve(url.host, url.port, [&](const beast::error_code& ec, tcp::resolver::results_type found) {
        if (ec) return fail(ec);
        stage = "connect";
        stream.async_connect(found, [&](const beast::error_code& ec, const tcp::endpoint&) {
            if (ec) return fail(ec);
            stage = "write";
            http::async_write(stream, message, [&](const beast::error_code& ec, std::size_t) {
                if (ec) return fail(ec);
                stage = "read";
                http::async_read(stream, buffer, parser, [&](const beast::error_code& ec, std::size_t) {
                    if (ec) return fail(ec);
                    done = true;
                    deadline.cancel();
                });
            });
        });
    });
    io.run();

    if (!done) {
        if (timed_out)
            throw HttpError(where + ": no answer within " + std::to_string(timeout.count()) + " ms (" + stage + ")",
                            true);
        throw HttpError(where + ": " + stage + ": " + failure.message(), false);
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);

    auto& answer = parser.get();
    HttpResponse response;
    response.status = static_cast<int>(answer.result_int());
    for (const auto& field : answer) {
        auto [it, inserted] = response.headers.emplace(lower(field.name_string()), std::string(field.value()));
        if (!inserted) it->second += ", " + std::string(field.value());
    }
    response.body = std::move(answer.body());
    return response;
}

}  // namespace aimi::providers
