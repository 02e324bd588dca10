#include "workers/assistant/outcome_waiter.hpp"

#include <algorithm>

#include <pqxx/pqxx>

#include "projections/batch_applier.hpp"
#include "projections/pg/connection.hpp"

namespace aimi::assistant_worker {

//! Notes whether the entity store of this schema made progress: only then can an outcome have
//! appeared (every projection notifies on the channel, most of them about other things).
struct OutcomeWaiter::Listener final : pqxx::notification_receiver {
    Listener(pqxx::connection& c, std::string schema)
        : pqxx::notification_receiver(c, std::string(kProgressChannel)), prefix(std::move(schema) + " entity_store ") {}
    void operator()(const std::string& payload, int) override { decided = decided || payload.starts_with(prefix); }
    std::string prefix;
    bool decided = false;
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
    listener_ = std::make_unique<Listener>(*db_, schema_);
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
    auto next_look = steady_clock::now();
    for (;;) {
        if (steady_clock::now() >= next_look) {
            listener_->decided = false;  // what the look-up sees covers every progress so far
            if (auto outcome = find(user_id, key)) return outcome;
            // Without news from the entity store, look again only after a while (a missed notification).
            next_look = steady_clock::now() + milliseconds(100);
        }
        const auto left = duration_cast<microseconds>(std::min(deadline, next_look) - steady_clock::now());
        if (steady_clock::now() >= deadline) return std::nullopt;
        if (left > microseconds::zero()) db_->await_notification(0, static_cast<long>(left.count()));
        if (listener_->decided) next_look = steady_clock::now();
    }
}

}  // namespace aimi::assistant_worker
