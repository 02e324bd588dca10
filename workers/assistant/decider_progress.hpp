#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

// The entity store's progress in one schema, as its notifications arrive, for every lane of a
// process: one connection listens, and its own thread reads it all the time. A listening
// connection that is not read (an idle lane's, when each lane listened on its own) fills its
// socket; its backend then blocks sending notifications inside a transaction, holding a snapshot
// that stops vacuum for the whole database (docs/assistant.md, "Waiting for an outcome").
namespace aimi::assistant_worker {

class DeciderProgress {
  public:
    using Clock = std::chrono::steady_clock;

    //! Starts listening (in the background: a database that is down now is retried).
    DeciderProgress(std::string pg_url, std::string schema);
    ~DeciderProgress();
    DeciderProgress(const DeciderProgress&) = delete;
    DeciderProgress& operator=(const DeciderProgress&) = delete;

    //! Moves on with every notification of the entity store's progress in the schema, and when
    //! the listener (re)connects (notifications may have been missed meanwhile).
    std::uint64_t generation() const;
    //! Waits until generation() is past `seen`, or until `until`, whichever comes first.
    void wait_past(std::uint64_t seen, Clock::time_point until) const;

  private:
    void listen();
    void bump();

    std::string pg_url_, schema_;
    mutable std::mutex mutex_;
    mutable std::condition_variable moved_;
    std::uint64_t generation_ = 0;
    std::atomic<bool> stop_{false};
    std::thread listener_;  // last: it uses the members above
};

}  // namespace aimi::assistant_worker
