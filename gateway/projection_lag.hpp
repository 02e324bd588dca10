#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/gateway_context.hpp"

namespace aimi::gateway {

//! How far one projection is behind the intake topic, per partition (derived projections count
//! the intake records whose facts they applied).
struct ProjectionLag {
    std::string projection;
    bool gates_readiness = false;  //!< the entity store
    struct Partition {
        std::int32_t partition = 0;
        std::int64_t end = 0;      //!< the partition's high watermark
        std::int64_t applied = 0;  //!< the next offset the projection will apply
    };
    std::vector<Partition> partitions;  //!< empty when Kafka did not answer
    std::int64_t total() const;
};

//! Every registered projection's lag (asks the broker for the partitions' ends).
std::vector<ProjectionLag> projection_lags(GatewayContext& context);

}  // namespace aimi::gateway
