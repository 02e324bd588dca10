#pragma once

#include <cstdint>
#include <string>

namespace aimi {

struct TopicSpec {
    std::string name;
    int partitions = 6;
    int replication_factor = 1;
    int min_insync_replicas = 1;     //!< with acks=all, appends fail rather than land on fewer replicas
    std::int64_t retention_ms = -1;  //!< -1 keeps events forever: the log is the source of truth
};

//! Creates the topic if it does not exist (an existing topic is left as it is).
//! @throws std::runtime_error with the broker's reason on any other failure.
void create_topic(const std::string& bootstrap, const TopicSpec& spec);

}  // namespace aimi
