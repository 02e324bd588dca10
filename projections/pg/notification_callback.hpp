#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <pqxx/notification>

namespace aimi::pg {

//! LISTENs on `channel` while it lives and hands each notification's payload to `on_payload`
//! (delivered when the connection is read: await_notification / get_notifs). A listening
//! connection must be read all the time, or its backend blocks holding a snapshot (docs/assistant.md).
class NotificationCallback final : public pqxx::notification_receiver {
  public:
    NotificationCallback(pqxx::connection_base& connection, std::string_view channel,
                         std::function<void(const std::string&)> on_payload)
        : pqxx::notification_receiver(connection, std::string(channel)), on_payload_(std::move(on_payload)) {}
    void operator()(const std::string& payload, int) override { on_payload_(payload); }

  private:
    std::function<void(const std::string&)> on_payload_;
};

}  // namespace aimi::pg
