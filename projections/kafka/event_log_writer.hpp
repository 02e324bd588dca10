#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "projections/kafka/kafka_config.hpp"

namespace aimi::kafka {

struct AppendedRecord {
    std::int32_t partition = 0;
    std::int64_t offset = 0;
};

//! Appends records to the event log: idempotent producer, acks=all, key = stream (user) id.
//! Thread-safe; one instance per process.
class EventLogWriter {
  public:
    //! `message_timeout` bounds how long an append may wait for the broker's acknowledgement.
    EventLogWriter(const std::string& bootstrap, std::chrono::milliseconds message_timeout,
                   const Properties& overrides = {});
    ~EventLogWriter();
    EventLogWriter(const EventLogWriter&) = delete;
    EventLogWriter& operator=(const EventLogWriter&) = delete;

    //! Appends one record and waits for its acknowledgement.
    //! @throws KafkaUnavailable when the broker does not acknowledge; the record may or may not
    //! have been written (the caller retries with the same idempotency key).
    //! @warning This is a blocking call.
    AppendedRecord append(const std::string& topic, const std::string& key, const std::string& value);

    struct KeyedValue {
        std::string key;
        std::string value;
        std::int64_t timestamp_ms = 0;  //!< the record's timestamp; 0 = now
    };
    static constexpr std::int32_t kPartitionByKey = -1;
    //! Appends `records` to one partition of `topic` (or each to its key's partition with
    //! kPartitionByKey), in order (pipelined), and waits until every one is acknowledged.
    //! @throws KafkaUnavailable if any is not; some may have been written.
    //! @warning This is a blocking call.
    void append_all(const std::string& topic, std::int32_t partition, const std::vector<KeyedValue>& records);

    //! True if a broker answers a metadata request for `topic` within `timeout`.
    bool reachable(const std::string& topic, std::chrono::milliseconds timeout);

    //! The partition's high watermark (next offset to be written), if the broker answers.
    std::optional<std::int64_t> high_watermark(const std::string& topic, std::int32_t partition,
                                               std::chrono::milliseconds timeout);

    //! Number of partitions of `topic`. @throws KafkaUnavailable
    int partition_count(const std::string& topic, std::chrono::milliseconds timeout);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace aimi::kafka
