#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace aimi::testing {

//! A local HTTP receiver for outbound channels (the dispatcher's webhook): records every POST and
//! answers `status()` (e.g. 503 while "down"). Counts requests per Idempotency-Key, as a
//! receiver that honours the key would dedupe them.
class WebhookReceiver {
  public:
    WebhookReceiver();
    ~WebhookReceiver();
    std::uint16_t port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
    void set_status(int status) { status_ = status; }
    //! Answers each request only after `ms` (a slow receiver stretches a delivery run).
    void set_delay_ms(int ms) { delay_ms_ = ms; }

    struct Request {
        std::string idempotency_key, body;
        int answered = 0;
    };
    std::vector<Request> requests() const;
    //! Keys answered with 2xx, and how often each was.
    std::map<std::string, int> accepted_keys() const;

  private:
    void serve();
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::uint16_t port_ = 0;
    std::atomic<int> status_{200};
    std::atomic<int> delay_ms_{0};
    mutable std::mutex mutex_;
    std::vector<Request> requests_;
    std::thread thread_;
};

}  // namespace aimi::testing
