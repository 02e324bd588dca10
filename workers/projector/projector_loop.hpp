#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "projections/kafka/kafka_config.hpp"
#include "projections/projection.hpp"

namespace aimi {

struct ProjectorOptions {
    std::string pg_url;
    std::string pg_schema;
    std::string bootstrap;
    std::string topic;
    std::string group_id;  //!< one consumer group per projection (and per rebuild target schema)
    std::size_t max_batch = 2000;
    std::chrono::milliseconds linger{0};  //!< extra wait for more records after the first
    kafka::Properties overrides;
    //! Commit with synchronous_commit off: a commit returns before its WAL is flushed, and a
    //! database crash can lose the last ~0.6 s of commits (3 x wal_writer_delay). Only for a read
    //! model that can be derived again from its topic — never for the decider, whose commits are
    //! acknowledged to clients; after any failure the projector resumes from the offsets the
    //! database holds, so lost commits are applied again (~3.7 ms per assistant turn; docs/benchmarks.md, phase k).
    bool asynchronous_commit = false;
    //! Called after each committed batch (e.g. to wake the fact relay).
    std::function<void()> on_committed;
};

//! Runs one projection: consumes the topic in its consumer group, applies each batch exactly
//! once (projections/batch_applier), seeks from the offsets stored in PostgreSQL on every
//! assignment and after a failed batch (with backoff, until the database takes it).
//! Returns when `stop` becomes true. @warning This is a blocking call.
void run_projector(const ProjectorOptions& options, Projection& projection, const std::atomic<bool>& stop);

}  // namespace aimi
