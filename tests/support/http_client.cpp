#include "tests/support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <stdexcept>

#include <fmt/format.h>
#include <boost/json/parse.hpp>

namespace aimi::testing {

boost::json::value HttpResult::json() const {
    boost::system::error_code ec;
    boost::json::parse_options options;
    options.max_depth = 1000;  // bodies may nest as deep as the API allows (64), and error tests go deeper
    auto value = boost::json::parse(body, ec, {}, options);
    return ec ? boost::json::value(nullptr) : value;
}

std::string HttpResult::error_code() const {
    const auto v = json();
    if (!v.is_object() || !v.as_object().contains("error")) return "";
    return std::string(v.at("error").at("code").as_string());
}

std::string HttpResult::error_field() const {
    const auto v = json();
    if (!v.is_object() || !v.as_object().contains("error")) return "";
    const auto& field = v.at("error").at("field");
    return field.is_string() ? std::string(field.as_string()) : "";
}

HttpResult HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                               const std::map<std::string, std::string>& headers) const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    timeval timeout{120, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port_);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
        throw std::runtime_error(fmt::format("cannot connect to 127.0.0.1:{}", port_));

    std::string head = fmt::format("{} {} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n", method, target);
    bool expect_continue = false;
    for (const auto& [name, value] : headers) {
        head += fmt::format("{}: {}\r\n", name, value);
        std::string lower = name;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        expect_continue = expect_continue || (lower == "expect" && value == "100-continue");
    }
    if (!body.empty() || method == "POST" || method == "PATCH")
        head += fmt::format("Content-Length: {}\r\n", body.size());
    head += "\r\n";

    const auto send_all = [fd](const std::string& data) {
        for (std::size_t sent = 0; sent < data.size();) {
            const auto n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) break;  // the server may refuse early (e.g. 413) and close; read what it said
            sent += static_cast<std::size_t>(n);
        }
    };
    std::string in;
    char buffer[16384];
    const auto receive = [&](bool until_header_end) {
        while (!until_header_end || in.find("\r\n\r\n") == std::string::npos) {
            const auto n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0) break;
            in.append(buffer, static_cast<std::size_t>(n));
        }
    };

    HttpResult result;
    if (expect_continue) {
        send_all(head);
        receive(true);
        if (in.starts_with("HTTP/1.1 100")) {
            result.interim_status = 100;
            in.erase(0, in.find("\r\n\r\n") + 4);
            send_all(body);
        }
    } else {
        send_all(head + body);
    }
    receive(false);
    const auto header_end = in.find("\r\n\r\n");
    if (header_end == std::string::npos) throw std::runtime_error("no HTTP response from the server");
    result.status = std::stoi(in.substr(9, 3));
    std::size_t line_start = in.find("\r\n") + 2;
    while (line_start < header_end) {
        const auto line_end = in.find("\r\n", line_start);
        const auto line = in.substr(line_start, line_end - line_start);
        const auto colon = line.find(':');
        if (colon != std::string::npos) {
            std::string name = line.substr(0, colon);
            for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            auto value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            result.headers[name] = value;
        }
        line_start = line_end + 2;
    }
    result.body = in.substr(header_end + 4);
    return result;
}

namespace {
std::map<std::string, std::string> with_auth(std::map<std::string, std::string> headers, const std::string& token) {
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return headers;
}
}  // namespace

HttpResult HttpClient::get(const std::string& target, const std::string& token,
                           const std::map<std::string, std::string>& headers) const {
    return request("GET", target, "", with_auth(headers, token));
}

HttpResult HttpClient::post(const std::string& target, const std::string& token, const std::string& body,
                            std::map<std::string, std::string> headers) const {
    headers.emplace("Content-Type", "application/json");
    return request("POST", target, body, with_auth(std::move(headers), token));
}

HttpResult HttpClient::patch(const std::string& target, const std::string& token, const std::string& body,
                             std::map<std::string, std::string> headers) const {
    headers.emplace("Content-Type", "application/json");
    return request("PATCH", target, body, with_auth(std::move(headers), token));
}

HttpResult HttpClient::put(const std::string& target, const std::string& token, const std::string& body,
                           std::map<std::string, std::string> headers) const {
    headers.emplace("Content-Type", "application/json");
    return request("PUT", target, body, with_auth(std::move(headers), token));
}

HttpResult HttpClient::del(const std::string& target, const std::string& token,
                           std::map<std::string, std::string> headers) const {
    return request("DELETE", target, "", with_auth(std::move(headers), token));
}

}  // namespace aimi::testing
