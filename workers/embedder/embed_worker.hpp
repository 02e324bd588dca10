#pragma once

#include <chrono>
#include <set>
#include <string>

#include <pqxx/connection>

#include "domain/memory/providers.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "workers/common/memory_worker.hpp"
#include "workers/reminder_dispatcher/in_flight_appends.hpp"

namespace aimi::keys {
class KeyStore;
}

// The embedder (docs/memory.md, "Vectors"): embeds the sources of the partitions it owns that have
// no vector of its model (at their current revision) yet — newest first, so a model change
// re-embeds the backlog without delaying what is new. One provider call per pass embeds up to
// `batch` texts of any users; each user's vectors enter the log as one record (memory.embedded…,
// prompt_run.recorded). A failed call is recorded as a prompt run per user and retried after a
// backoff; nothing is lost (the sources stay without a vector) and nothing doubles (vectors are
// upserted by source and model).
namespace aimi::memory_workers {

class EmbedWorker {
  public:
    EmbedWorker(WorkerOptions options, memory::Embedder& embedder, kafka::EventLogWriter& log, keys::KeyStore& keys);

    //! One pass; returns the texts embedded (0 while backing off).
    std::size_t run_once(pqxx::connection& db, const std::set<int>& owned);

  private:
    WorkerOptions options_;
    memory::Embedder& embedder_;
    kafka::EventLogWriter& log_;
    keys::KeyStore& keys_;
    dispatch::InFlightAppends in_flight_;  //!< by source key: kind:id:revision
    int failures_ = 0;
    std::chrono::steady_clock::time_point not_before_{};
};

}  // namespace aimi::memory_workers
