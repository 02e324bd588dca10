#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace aimi::testing {

//! A child process with its own environment; stdout and stderr go to `log_path`.
//! The destructor stops it (SIGTERM, then SIGKILL after 10 s).
class ChildProcess {
  public:
    ChildProcess(const std::string& program, const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env, std::string log_path);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    bool running();
    //! Sends `signal` and waits for the exit; returns the wait status.
    int stop(int signal, int timeout_ms = 10000);
    //! Waits for the child to exit by itself (SIGKILL after `timeout`); returns the wait status.
    int wait(std::chrono::milliseconds timeout);
    //! The last `bytes` of the log (for failure messages).
    std::string log_tail(std::size_t bytes = 4000) const;
    const std::string& log_path() const { return log_path_; }

  private:
    pid_t pid_ = -1;
    bool exited_ = false;
    std::string log_path_;
};

}  // namespace aimi::testing
