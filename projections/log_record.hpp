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
};

}  // namespace aimi
