#include "workers/assistant/outcome_waiter.hpp"

#include <algorithm>

#include <pqxx/pqxx>

#include "projections/pg/connection.hpp"

namespace aimi::assistant_worker {

OutcomeWaiter::OutcomeWaiter(std::string pg_url, std::string schema, const DeciderProgress& progress)
    : pg_url_(std::move(pg_url)), schema_(std::move(schema)), progress_(progress) {}

void OutcomeWaiter::ensure_connected() {
    if (db_ && db_->is_open()) return;
    db_ = pg::connect(pg_url_, schema_);
}

pqxx::connection& OutcomeWaiter::connection() {
    ensure_connected();
    return *db_;
}

std::optional<gateway::BatchOutcome> OutcomeWaiter::find(const std::string& user_id, const std::string& key) {
    ensure_connected();
    pqxx::read_transaction tx(*db_);
    return gateway::read_model::find_any_by_idempotency_key(tx, user_id, key);
}

std::optional<gateway::BatchOutcome> OutcomeWaiter::wait(const std::string& user_id, const std::string& key,
                                                         std::chrono::steady_clock::time_point deadline) {
    using namespace std::chrono;
    for (;;) {
        // Taken before the look-up: progress made while it runs wakes the wait below at once.
        const auto seen = progress_.generation();
        if (auto outcome = find(user_id, key)) return outcome;
        if (steady_clock::now() >= deadline) return std::nullopt;
        // Without news from the entity store, look again only after a while (a missed notification).
        progress_.wait_past(seen, std::min(deadline, steady_clock::now() + milliseconds(100)));
    }
}

}  // namespace aimi::assistant_worker
