#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace aimi::gateway {

//! Tracks how far a projection has applied each partition of a topic, from the projector's
//! NOTIFYs (LISTEN on a dedicated connection) with a periodic re-read of projection_offsets as a
//! safety net (a notification sent while the listener reconnects is otherwise lost).
class ProgressWatcher {
  public:
    ProgressWatcher(std::string pg_url, std::string schema, std::string projection, std::string topic);
    ~ProgressWatcher();

    //! Blocks until the record at (partition, offset) has been applied, or `timeout` passes.
    //! @returns false on timeout. @warning This is a blocking call.
    bool wait_applied(std::int32_t partition, std::int64_t offset, std::chrono::milliseconds timeout);

    //! Stored next offsets per partition as last seen.
    std::map<std::int32_t, std::int64_t> snapshot() const;

  private:
    void run();
    void advance(std::int32_t partition, std::int64_t next_offset);

    std::string pg_url_, schema_, projection_, topic_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::map<std::int32_t, std::int64_t> next_offsets_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace aimi::gateway
