#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "projections/kafka/kafka_config.hpp"

// The assistant's input: the facts topic, read as a member of a consumer group, so each partition
// (each user) has one orchestrator at a time and instances scale the work. A record is committed
// only after its turn is complete: after a crash or a rebalance its turn runs again, and the
// idempotency keys of what the turn appends make the second run change nothing.
namespace aimi::assistant_worker {

class FactFeed {
  public:
    FactFeed(const std::string& bootstrap, const std::string& topic, const std::string& group,
             const kafka::Properties& overrides);
    ~FactFeed();
    FactFeed(const FactFeed&) = delete;
    FactFeed& operator=(const FactFeed&) = delete;

    struct Record {
        std::int32_t partition = 0;
        std::int64_t offset = 0;
        std::string value;
    };
    //! The next record, or nullopt after `timeout_ms` without one (the group protocol is served
    //! meanwhile). Errors of the consumer are logged; a partition's end is not an error.
    std::optional<Record> next(int timeout_ms);
    //! Commits the position after `record` (asynchronously: a lost commit only repeats a turn).
    void done(const Record& record);
    //! Leaves the group, so the partitions move at once.
    void close();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace aimi::assistant_worker
