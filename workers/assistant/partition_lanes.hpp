#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>

#include "workers/assistant/fact_feed.hpp"

// Turns of different users run at once, a user's in order: each partition of the facts topic (a
// user's facts are all on one) gets a lane — a thread with a bounded queue and its own worker —
// that takes its records one after the other. A turn mostly waits (for the broker, the decider, a
// provider), so lanes overlap those waits instead of queueing every user behind one turn.
namespace aimi::assistant_worker {

class PartitionLanes {
  public:
    //! Takes one record to the end: runs its turn (retrying as long as it must) and commits it.
    using Work = std::function<void(const FactFeed::Record&)>;

    //! `make_work` is called once per lane, on the lane's first record, so that each lane has its own
    //! connections. At most `queue_limit` records wait per lane.
    PartitionLanes(std::function<Work()> make_work, std::size_t queue_limit);
    ~PartitionLanes();
    PartitionLanes(const PartitionLanes&) = delete;
    PartitionLanes& operator=(const PartitionLanes&) = delete;

    //! Queues `record` on its partition's lane; waits while that lane is full (or until `stop`).
    void push(FactFeed::Record record, const std::atomic<bool>& stop);
    //! Lets each lane finish the record in hand and stops the threads; the records still queued are
    //! not committed, so whoever owns their partitions next reads them again.
    void stop();

  private:
    struct Lane;
    std::function<Work()> make_work_;
    std::size_t queue_limit_;
    std::map<std::int32_t, std::unique_ptr<Lane>> lanes_;
};

}  // namespace aimi::assistant_worker
