#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

namespace aimi::http {
class Server;
}

namespace aimi {

//! GET /metrics (Prometheus text format, the process's metrics::registry()) and GET /health on a
//! port of the worker's own, served on a thread of its own. AIMI_METRICS_PORT: unset = none,
//! 0 = any free port; AIMI_METRICS_ADDRESS (127.0.0.1); AIMI_METRICS_PORT_FILE receives the port.
class MetricsServer {
  public:
    //! nullptr when AIMI_METRICS_PORT is not set.
    static std::unique_ptr<MetricsServer> from_env();
    MetricsServer(const std::string& address, std::uint16_t port, const std::string& port_file);
    ~MetricsServer();
    std::uint16_t port() const { return port_; }

  private:
    std::unique_ptr<http::Server> server_;
    std::atomic<bool> stop_{false};
    std::uint16_t port_ = 0;
    std::thread thread_;
};

}  // namespace aimi
