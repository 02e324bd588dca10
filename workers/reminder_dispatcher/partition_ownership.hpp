#pragma once

#include <memory>
#include <set>
#include <string>

#include "projections/kafka/kafka_config.hpp"

// Which users' reminders this dispatcher delivers: those of the partitions its consumer group
// assigns it on the facts topic (users are keyed by partition everywhere). No two members own a
// partition at once, and a member that dies loses its partitions to the others.
namespace aimi::dispatch {

class PartitionOwnership {
  public:
    PartitionOwnership(const std::string& bootstrap, const std::string& topic, const std::string& group,
                       const kafka::Properties& overrides);
    ~PartitionOwnership();

    //! Serves the group protocol (heartbeats, rebalances) for up to `timeout_ms`; call often.
    void poll(int timeout_ms);
    //! The partitions owned now (changes only inside poll()).
    const std::set<int>& owned() const;
    //! Leaves the group, so the partitions move at once instead of after the session timeout.
    void close();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace aimi::dispatch
