#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>

namespace pqxx {
class connection_base;
}

namespace aimi::gateway {

//! Tracks how far each projection has applied each partition of a topic, from the projectors'
//! NOTIFYs (LISTEN on a dedicated connection) with a periodic re-read of projection_offsets as a
//! safety net (a notification sent while the listener reconnects is otherwise lost), and parks
//! waits for a position without holding a thread: a waiting request costs a map entry, so any
//! number of them cannot starve the handler threads.
class ProgressWatcher {
  public:
    using Clock = std::chrono::steady_clock;
    //! Called once: true when the position was applied, false when the deadline passed first.
    using Callback = std::function<void(bool applied)>;

    ProgressWatcher(std::string pg_url, std::string schema, std::string topic);
    ~ProgressWatcher();

    //! True if `projection` has applied the record at (partition, offset).
    bool applied(const std::string& projection, std::int32_t partition, std::int64_t offset) const;

    //! Arranges for `done` to be called once the record at (partition, offset) is applied by
    //! `projection`, or with false at `deadline`. Never blocks. `done` runs on the watcher's own
    //! threads (or right here when the record is already applied), so it must be brief: post the
    //! real work elsewhere.
    void when_applied(const std::string& projection, std::int32_t partition, std::int64_t offset,
                      Clock::time_point deadline, Callback done);

    //! Stored next offsets of `projection` per partition as last seen.
    std::map<std::int32_t, std::int64_t> snapshot(const std::string& projection) const;

    //! The schema serving `projection`'s read model (serving_schemas in the main schema; the main
    //! schema itself by default). Follows `aimi-admin rebuild --switch` without a restart.
    std::string serving_schema(const std::string& projection) const;

    //! Pending waits (for tests and metrics).
    std::size_t pending() const;

    //! Drops every pending wait without calling it and stops the threads; for process shutdown,
    //! before the things the callbacks refer to go away.
    void shutdown();

  private:
    struct Waiter {
        std::string projection;
        std::int32_t partition;
        std::int64_t offset;
        Clock::time_point deadline;
        Callback done;
    };
    using PositionKey = std::tuple<std::string, std::int32_t, std::int64_t, std::uint64_t>;

    void listen();
    //! Re-reads serving_schemas and every projection's stored offsets from its serving schema.
    void poll(pqxx::connection_base& connection);
    void expire();
    void advance(const std::string& projection, std::int32_t partition, std::int64_t next_offset);

    std::string pg_url_, schema_, topic_;
    mutable std::mutex mutex_;
    std::condition_variable deadlines_changed_;
    std::map<std::string, std::map<std::int32_t, std::int64_t>> next_offsets_;  //!< projection -> partition -> next
    std::map<std::string, std::string> serving_;  //!< projection -> schema, where not the main schema
    std::uint64_t next_waiter_id_ = 0;
    std::map<std::uint64_t, Waiter> waiters_;
    std::set<PositionKey> by_position_;                                  //!< (projection, partition, offset, id)
    std::set<std::pair<Clock::time_point, std::uint64_t>> by_deadline_;  //!< (deadline, id)
    std::atomic<bool> stop_{false};
    std::thread listener_;
    std::thread expirer_;
};

}  // namespace aimi::gateway
