#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace aimi::testing {

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env, std::string log_path)
    : log_path_(std::move(log_path)) {
    std::map<std::string, std::string> merged;
    for (char** e = environ; *e; ++e) {
        std::string entry(*e);
        const auto eq = entry.find('=');
        if (eq != std::string::npos) merged[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    for (const auto& [k, v] : env) merged[k] = v;
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : merged) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp, argv;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_strings{program};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    for (auto& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);

    const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log_fd < 0) throw std::runtime_error("cannot open log " + log_path_);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a crashed test must not leave servers behind
        ::dup2(log_fd, STDOUT_FILENO);
        ::dup2(log_fd, STDERR_FILENO);
        ::execve(program.c_str(), argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(log_fd);
}

ChildProcess::~ChildProcess() {
    if (!exited_) stop(SIGTERM);
}

bool ChildProcess::running() {
    if (exited_) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) exited_ = true;
    return !exited_;
}

int ChildProcess::stop(int signal, int timeout_ms) {
    if (exited_) return 0;
    ::kill(pid_, signal);
    return wait(std::chrono::milliseconds(timeout_ms));
}

int ChildProcess::wait(std::chrono::milliseconds timeout) {
    if (exited_) return 0;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    exited_ = true;
    return status;
}

std::string ChildProcess::log_tail(std::size_t bytes) const {
    std::ifstream in(log_path_);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const auto text = buffer.str();
    return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

}  // namespace aimi::testing
