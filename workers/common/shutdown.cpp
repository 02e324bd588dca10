#include "workers/common/shutdown.hpp"

#include <csignal>

namespace aimi {

namespace {
std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) {
    g_stop.store(true);
}
}  // namespace

const std::atomic<bool>& install_shutdown_handlers() {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    return g_stop;
}

}  // namespace aimi
