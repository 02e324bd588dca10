#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace aimi::gateway {

//! Caps how many parked waits (consistency tokens, commands waiting for their projection) one
//! user holds at once, so no client can fill the gateway with waits of its own.
class WaitQuota {
  public:
    explicit WaitQuota(std::size_t per_user) : per_user_(per_user) {}

    //! Held while a wait is parked; returns the slot when destroyed.
    using Slot = std::shared_ptr<void>;

    //! A slot for `user`, or nullptr when the user already holds `per_user` of them.
    Slot try_acquire(const std::string& user);

    std::size_t held(const std::string& user) const;

  private:
    void release(const std::string& user);

    std::size_t per_user_;
    mutable std::mutex mutex_;
    std::map<std::string, std::size_t> held_;
};

}  // namespace aimi::gateway
