#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <pqxx/connection>

#include "gateway/read_model.hpp"
#include "workers/assistant/decider_progress.hpp"

// How a turn learns what the decider made of a record it appended: the batch outcome stored under
// the record's idempotency key (the first batch applied or rejected under it — also when a
// repeated turn's record was a duplicate). It wakes on the projectors' progress notifications.
namespace aimi::assistant_worker {

class OutcomeWaiter {
  public:
    //! Looks up outcomes on a connection of its own (also the lane's: connection()), which does not
    //! listen: `progress` does, for every waiter of the process.
    OutcomeWaiter(std::string pg_url, std::string schema, const DeciderProgress& progress);

    //! The outcome now, if there is one: the batch that applied or was refused under `key`, else a
    //! duplicate under it (what it would post exists already: another run's reply).
    std::optional<gateway::BatchOutcome> find(const std::string& user_id, const std::string& key);
    //! Waits for the outcome until `deadline`. @throws std::runtime_error on a lost connection.
    std::optional<gateway::BatchOutcome> wait(const std::string& user_id, const std::string& key,
                                              std::chrono::steady_clock::time_point deadline);
    pqxx::connection& connection();

  private:
    void ensure_connected();
    std::string pg_url_, schema_;
    const DeciderProgress& progress_;
    std::unique_ptr<pqxx::connection> db_;
};

}  // namespace aimi::assistant_worker
