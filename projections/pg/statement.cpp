#include "projections/pg/statement.hpp"

#include <unordered_map>

#include <pqxx/connection_base>

namespace aimi::pg {

void refresh_plans_if_due(pqxx::transaction_base& tx, std::chrono::steady_clock::duration lifetime) {
    // Per thread, so no lock on the hot path: a pooled connection used by several threads may
    // discard its plans once per thread and interval, which costs a few plannings. Keyed by
    // address: a new connection at a freed one's address only discards a little early.
    thread_local std::unordered_map<const pqxx::connection_base*, std::chrono::steady_clock::time_point> refreshed;
    const auto now = std::chrono::steady_clock::now();
    const auto [it, first_use] = refreshed.try_emplace(&tx.conn(), now);
    if (first_use || now - it->second < lifetime) return;
    it->second = now;
    tx.exec0("DISCARD PLANS");
}

}  // namespace aimi::pg
