#include "workers/assistant/outcome_waiter.hpp"

#include <algorithm>

#include <pqxx/pqxx>

#include "projections/batch_applier.hpp"
#include "projections/pg/connection.hpp"

namespace aimi::assistant_worker {

//! Only a wake-up: whatever the payload, the outcome is looked up again.
struct OutcomeWaiter::Listener final : pqxx::notification_receiver {
    explicit Listener(pqxx::connection& c) : pqxx::notification_receiver(c, std::string(kProgressChannel)) {}
    void operator()(const std::string&, int) override {}
};

OutcomeWaiter::OutcomeWaiter(std::string pg_url, std::string schema)
    : pg_url_(std::move(pg_url)), schema_(std::move(schema)) {}

OutcomeWaiter::~OutcomeWaiter() {
    listener_.reset();  // before its connection
}

void OutcomeWaiter::ensure_connected() {
    if (db_ && db_->is_open()) return;
    listener_.reset();
    db_ = pg::connect(pg_url_, schema_);
    listener_ = std::make_unique<Listener>(*db_);
}

pqxx::connection& OutcomeWaiter::connection() {
    ensure_connected();
    return *db_;
}

std::optional<gateway::BatchOutcome> OutcomeWaiter::find(const std::string& user_id, const std::string& key) {
    ensure_connected();
    pqxx::read_transaction tx(*db_);
    return gateway::read_model::find_by_idempotency_key(tx, user_id, key);
}

std::optional<gateway::BatchOutcome> OutcomeWaiter::wait(const std::string& user_id, const std::string& key,
                                                         std::chrono::steady_clock::time_point deadline) {
    using namespace std::chrono;
    for (;;) {
        if (auto outcome = find(user_id, key)) return outcome;
        const auto left = duration_cast<microseconds>(deadline - steady_clock::now());
        if (left <= microseconds::zero()) return std::nullopt;
        // A notification wakes at once; the cap re-checks in case one was missed.
        const auto wait = std::min(left, microseconds(100'000));
        db_->await_notification(0, static_cast<long>(wait.count()));
    }
}

}  // namespace aimi::assistant_worker
