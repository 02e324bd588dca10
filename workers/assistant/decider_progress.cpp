#include "workers/assistant/decider_progress.hpp"

#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include "projections/batch_applier.hpp"
#include "projections/pg/connection.hpp"
#include "projections/pg/notification_callback.hpp"

namespace aimi::assistant_worker {

DeciderProgress::DeciderProgress(std::string pg_url, std::string schema)
    : pg_url_(std::move(pg_url)), schema_(std::move(schema)), listener_([this] { listen(); }) {}

DeciderProgress::~DeciderProgress() {
    stop_ = true;
    listener_.join();
}

std::uint64_t DeciderProgress::generation() const {
    std::lock_guard lock(mutex_);
    return generation_;
}

void DeciderProgress::wait_past(std::uint64_t seen, Clock::time_point until) const {
    std::unique_lock lock(mutex_);
    moved_.wait_until(lock, until, [&] { return generation_ != seen; });
}

void DeciderProgress::bump() {
    {
        std::lock_guard lock(mutex_);
        ++generation_;
    }
    moved_.notify_all();
}

void DeciderProgress::listen() {
    while (!stop_) {
        try {
            auto connection = pg::connect(pg_url_, schema_);
            // Every projection notifies on the channel, most of them about other things.
            const pg::NotificationCallback progress(
                *connection, kProgressChannel, [this, prefix = schema_ + " entity_store "](const std::string& payload) {
                    if (payload.starts_with(prefix)) bump();
                });
            bump();  // listening from now on: what happened before is for the waiters to look up
            // Reads every notification as it comes; wakes at least every 100 ms to see stop_.
            while (!stop_) connection->await_notification(0, 100'000);
        } catch (const std::exception& e) {
            spdlog::warn("assistant: listening for the entity store's progress: {}; reconnecting", e.what());
            bump();  // waiters look again rather than wait out a notification that may not come
            for (int i = 0; i < 5 && !stop_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
}

}  // namespace aimi::assistant_worker
