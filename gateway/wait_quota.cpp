#include "gateway/wait_quota.hpp"

namespace aimi::gateway {

WaitQuota::Slot WaitQuota::try_acquire(const std::string& user) {
    {
        std::lock_guard lock(mutex_);
        auto& count = held_[user];
        if (count >= per_user_) {
            if (count == 0) held_.erase(user);
            return nullptr;
        }
        ++count;
    }
    // The deleter returns the slot; the pointer itself only marks that one is held.
    return Slot(this, [this, user](void*) { release(user); });
}

std::size_t WaitQuota::held(const std::string& user) const {
    std::lock_guard lock(mutex_);
    const auto it = held_.find(user);
    return it == held_.end() ? 0 : it->second;
}

void WaitQuota::release(const std::string& user) {
    std::lock_guard lock(mutex_);
    const auto it = held_.find(user);
    if (it != held_.end() && --it->second == 0) held_.erase(it);
}

}  // namespace aimi::gateway
