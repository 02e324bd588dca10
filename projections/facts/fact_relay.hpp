#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "projections/kafka/kafka_config.hpp"
#include "projections/pg/connection.hpp"

namespace aimi::kafka {
class EventLogWriter;
}

namespace aimi::facts {

struct RelayOptions {
    std::string pg_url;
    std::string pg_schema;  //!< where fact_outbox lives (the entity store's schema)
    std::string bootstrap;
    std::string facts_topic;  //!< partition i of it holds the facts of intake partition i
    std::chrono::milliseconds message_timeout{5000};
    std::chrono::milliseconds sweep_interval{500};  //!< also publishes what a crashed relay left
    std::size_t max_batch = 2000;
    kafka::Properties overrides;
};

//! Publishes staged facts (fact_outbox) to the facts topic and deletes them once the broker
//! acknowledged them. Per origin partition it holds a transaction-scoped advisory lock while it
//! publishes, so any number of relays (one per projector instance) publish each partition in
//! origin order and never interleave; a relay that dies after the broker's acknowledgement but
//! before its delete commits leaves rows that are published again: identical copies, which
//! consumers drop by origin position. Runs on its own thread until destroyed.
class FactRelay {
  public:
    explicit FactRelay(RelayOptions options);
    ~FactRelay();
    FactRelay(const FactRelay&) = delete;
    FactRelay& operator=(const FactRelay&) = delete;

    //! Asks for a round now (after a commit that staged facts) instead of at the next sweep.
    void wake();

    //! Facts published since start (copies included).
    std::uint64_t published() const { return published_; }

  private:
    void run();
    //! One pass over every partition with staged facts; returns how many it published.
    std::size_t round();

    RelayOptions options_;
    std::unique_ptr<kafka::EventLogWriter> writer_;
    std::unique_ptr<pqxx::connection> connection_;  //!< used on the relay thread only
    std::mutex mutex_;
    std::condition_variable woken_;
    bool pending_ = false;
    std::atomic<bool> stop_{false};
    std::atomic<std::uint64_t> published_{0};
    std::thread thread_;
};

}  // namespace aimi::facts
