#include "workers/common/metrics_server.hpp"

#include <fstream>

#include <spdlog/spdlog.h>

#include "domain/metrics/registry.hpp"
#include "gateway/http/http_server.hpp"
#include "projections/runtime_settings.hpp"

namespace aimi {

namespace {

http::Response plain(int status, std::string body, std::string type = "text/plain; charset=utf-8") {
    http::Response r;
    r.status = status;
    r.content_type = std::move(type);
    r.body = std::move(body);
    return r;
}

}  // namespace

std::unique_ptr<MetricsServer> MetricsServer::from_env() {
    const auto port = env_or("AIMI_METRICS_PORT", "");
    if (port.empty()) return nullptr;
    return std::make_unique<MetricsServer>(env_or("AIMI_METRICS_ADDRESS", "127.0.0.1"),
                                           static_cast<std::uint16_t>(env_int("AIMI_METRICS_PORT", 0)),
                                           env_or("AIMI_METRICS_PORT_FILE", ""));
}

MetricsServer::MetricsServer(const std::string& address, std::uint16_t port, const std::string& port_file) {
    http::ServerOptions options;
    options.address = address;
    options.port = port;
    options.io_threads = 1;
    options.handler_threads = 1;
    server_ = std::make_unique<http::Server>(
        options,
        [](const std::shared_ptr<http::Exchange>& exchange) {
            const auto& request = exchange->request();
            if (request.method == "GET" && request.path == "/metrics")
                return exchange->respond(plain(200, metrics::registry().render(), "text/plain; version=0.0.4"));
            if (request.method == "GET" && request.path == "/health") return exchange->respond(plain(200, "ok\n"));
            exchange->respond(plain(404, "not found\n"));
        },
        [](int status, const std::string&, const std::string& message, const std::string&) {
            return plain(status, message + "\n");
        });
    port_ = server_->bound_port();
    if (!port_file.empty()) std::ofstream(port_file) << port_ << "\n";
    thread_ = std::thread([this] { server_->run(stop_); });
    spdlog::info("metrics on http://{}:{}/metrics", address, port_);
}

MetricsServer::~MetricsServer() {
    stop_ = true;
    thread_.join();
}

}  // namespace aimi
