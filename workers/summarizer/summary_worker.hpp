#pragma once

#include <chrono>
#include <map>
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

// The summarizer (docs/memory.md, "Summaries"): makes the due summary jobs of the partitions it
// owns. A job's summary — and, for a session, the mental states its messages show — enter the log
// as one record (summary.created, mental_state.recorded…, prompt_run.recorded) under the key
// summary:<scope>:<generation>, so the fold keeps one whatever is retried. A failed provider call
// is recorded as a prompt run and the job is tried again after a backoff.
namespace aimi::memory_workers {

class SummaryWorker {
  public:
    SummaryWorker(WorkerOptions options, memory::TextGenerator& generator, kafka::EventLogWriter& log,
                  keys::KeyStore& keys);

    //! One pass; returns the records appended.
    std::size_t run_once(pqxx::connection& db, const std::set<int>& owned);

  private:
    struct Job;
    void summarize(pqxx::connection& db, const std::string& schema, const Job& job);

    WorkerOptions options_;
    memory::TextGenerator& generator_;
    kafka::EventLogWriter& log_;
    keys::KeyStore& keys_;
    dispatch::InFlightAppends in_flight_;
    struct Retry {
        int failures = 0;
        std::chrono::steady_clock::time_point not_before;
    };
    std::map<std::string, Retry> retries_;  //!< by job key
};

}  // namespace aimi::memory_workers
