#include "workers/assistant/partition_lanes.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace aimi::assistant_worker {

struct PartitionLanes::Lane {
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<FactFeed::Record> queue;
    bool stopping = false;
    std::thread thread;

    explicit Lane(Work work) {
        thread = std::thread([this, work = std::move(work)] {
            for (;;) {
                FactFeed::Record record;
                {
                    std::unique_lock lock(mutex);
                    changed.wait(lock, [&] { return stopping || !queue.empty(); });
                    // What waits is not committed: whoever owns the partition next reads it again.
                    if (stopping) return;
                    record = std::move(queue.front());
                }
                work(record);
                {
                    std::lock_guard lock(mutex);
                    queue.pop_front();
                }
                changed.notify_all();
            }
        });
    }
};

PartitionLanes::PartitionLanes(std::function<Work()> make_work, std::size_t queue_limit)
    : make_work_(std::move(make_work)), queue_limit_(queue_limit) {}

PartitionLanes::~PartitionLanes() {
    stop();
}

void PartitionLanes::push(FactFeed::Record record, const std::atomic<bool>& stop) {
    auto& lane = lanes_[record.partition];
    if (!lane) lane = std::make_unique<Lane>(make_work_());
    std::unique_lock lock(lane->mutex);
    // The record being worked on stays at the front until done: the queue holds it and what waits.
    while (lane->queue.size() > queue_limit_ && !stop) lane->changed.wait_for(lock, std::chrono::milliseconds(100));
    lane->queue.push_back(std::move(record));
    lock.unlock();
    lane->changed.notify_all();
}

void PartitionLanes::stop() {
    for (auto& [partition, lane] : lanes_) {
        {
            std::lock_guard lock(lane->mutex);
            lane->stopping = true;
        }
        lane->changed.notify_all();
    }
    for (auto& [partition, lane] : lanes_)
        if (lane->thread.joinable()) lane->thread.join();
    lanes_.clear();
}

}  // namespace aimi::assistant_worker
