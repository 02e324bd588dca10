#pragma once

#include <cstdint>
#include <string>

namespace aimi {

//! A Kafka record as a projection sees it (copied out of librdkafka's buffers).
struct LogRecord {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::string key;
    std::string value;
    std::int64_t timestamp_ms = 0;  //!< the record's Kafka timestamp (CreateTime: when it was appended)
};

}  // namespace aimi
