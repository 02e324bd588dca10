#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "projections/kafka/kafka_config.hpp"
#include "projections/projection.hpp"

namespace aimi {

struct CatchUpOptions {
    std::string pg_url;
    std::string pg_schema;  //!< the target schema (migrated); its stored offsets say where to start
    std::string bootstrap;
    std::string topic;
    std::size_t max_batch = 5000;
    //! Apply only records stamped at or before this instant (ms since the epoch): per partition,
    //! up to the first record stamped after it (aimi-admin rebuild --as-of).
    std::optional<std::int64_t> as_of_ms;
    kafka::Properties overrides;
};

struct CatchUpReport {
    std::size_t applied = 0;
    std::size_t skipped = 0;
    std::size_t dead_lettered = 0;
    std::map<std::int32_t, std::int64_t> next_offsets;  //!< where each partition stands now
    std::map<std::int32_t, std::int64_t> ends;          //!< the partitions' ends when it started
    std::chrono::duration<double> elapsed{};
};

//! Applies `topic` to `projection` exactly once (the batch applier, offsets in pg_schema) from
//! the stored offsets up to each partition's end as it is at the start (or the as-of cut), then
//! returns: a rebuild, not a consumer-group member. `progress` is called after each batch.
//! @throws on errors it cannot retry (Kafka or PostgreSQL unreachable for long is retried).
CatchUpReport catch_up(const CatchUpOptions& options, Projection& projection, const std::atomic<bool>& stop,
                       const std::function<void(const CatchUpReport&)>& progress = {});

}  // namespace aimi
