#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "projections/kafka/kafka_config.hpp"

namespace RdKafka {
class Producer;
}

namespace aimi::kafka {

//! The consumer group of a projection's projectors for the read-model schema they write:
//! aimi.projection.<projection>.<schema>. One place, so the processes and the operators' view of
//! them (GET /v1/admin/workers) name the same group.
inline std::string projection_group_id(std::string_view projection, std::string_view schema) {
    return "aimi.projection." + std::string(projection) + "." + std::string(schema);
}
//! The consumer group of a worker kind (reminder-dispatcher, assistant, embedder, summarizer):
//! aimi.<worker>.<schema>.
inline std::string worker_group_id(std::string_view worker, std::string_view schema) {
    return "aimi." + std::string(worker) + "." + std::string(schema);
}

//! One live member of a consumer group: a worker instance and the partitions it owns.
struct GroupMember {
    std::string client_id;
    std::string consumer_id;
    std::string host;
    std::vector<std::pair<std::string, std::int32_t>> partitions;  //!< (topic, partition)
};

struct GroupDescription {
    std::string group_id;
    std::string state;  //!< the broker's: Stable, PreparingRebalance, CompletingRebalance, Empty, Dead, Unknown
    std::vector<GroupMember> members;
    std::string error;  //!< non-empty when the broker could not describe the group
};

//! Asks the broker who is in which consumer group (the admin API's DescribeConsumerGroups), so an
//! operator sees the worker instances behind each projection and worker. One client handle, kept.
class ConsumerGroupInspector {
  public:
    ConsumerGroupInspector(const std::string& bootstrap, const Properties& overrides);
    ~ConsumerGroupInspector();
    ConsumerGroupInspector(const ConsumerGroupInspector&) = delete;
    ConsumerGroupInspector& operator=(const ConsumerGroupInspector&) = delete;

    //! The groups in the order asked. @throws std::runtime_error when the broker does not answer
    //! within `timeout`.
    std::vector<GroupDescription> describe(const std::vector<std::string>& group_ids,
                                           std::chrono::milliseconds timeout);

  private:
    std::unique_ptr<RdKafka::Producer> client_;
};

}  // namespace aimi::kafka
