#pragma once

#include <atomic>

namespace aimi {

//! Installs SIGINT/SIGTERM handlers that set the returned flag (graceful shutdown).
const std::atomic<bool>& install_shutdown_handlers();

}  // namespace aimi
