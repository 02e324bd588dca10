#pragma once

#include <chrono>
#include <string>

#include "workers/reminder_dispatcher/http_post.hpp"

// Push notifications to a user's registered devices go through a provider; the real one speaks
// HTTP to a configured URL (a push gateway such as a relay to APNs/FCM), tests run a receiver.
namespace aimi::dispatch {

struct PushMessage {
    std::string device_id, token, platform;
    std::string title, body;
    std::string idempotency_key;  //!< the same on every try for one reminder and device
};

class PushProvider {
  public:
    virtual ~PushProvider() = default;
    //! @throws std::runtime_error when the provider did not take the message.
    virtual void send(const PushMessage& message) = 0;
};

//! POSTs {"device_id", "token", "platform", "title", "body"} with Idempotency-Key to `url`.
class HttpPushProvider final : public PushProvider {
  public:
    HttpPushProvider(const std::string& url, std::chrono::milliseconds timeout);
    void send(const PushMessage& message) override;

  private:
    HttpTarget target_;
    std::chrono::milliseconds timeout_;
};

}  // namespace aimi::dispatch
