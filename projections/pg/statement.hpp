#pragma once

#include <chrono>
#include <string>
#include <utility>

#include <pqxx/transaction_base>

namespace aimi::pg {

//! How a statement is planned.
enum class Planning {
    //! A server-side prepared statement, parsed once per connection and, under PostgreSQL's
    //! default plan cache, planned once too when a generic plan serves every parameter as well as
    //! a fresh one would (pg::connect; docs/architecture.md, "Statements").
    cached,
    //! Sent with its parameters each time (libpq's unnamed statement: one round trip all the same)
    //! and planned for them. For optional filters ("$2::text IS NULL OR status = $2"): a generic
    //! plan cannot turn them into index conditions, estimates one row, and reads and sorts all of
    //! a user's rows (1.7 against 0.1 ms for the first 10 of 274 reminders; docs/benchmarks.md, phase k).
    per_execution,
};

//! A named SQL statement.
//! @warning A migration that drops or retypes a column a statement selects invalidates it on open
//! connections; restart the processes after such a migration.
struct Statement {
    std::string name;  //!< unique among the project's statements
    std::string sql;
    Planning planning = Planning::cached;
};

//! How long a connection keeps its cached plans: a generic plan chosen while a table was tiny (a
//! sequential scan) would otherwise outlive the table's growth until statistics are refreshed.
inline constexpr std::chrono::seconds kPlanLifetime{60};

//! Drops the cached plans of `tx`'s connection (DISCARD PLANS) if it has not done so for
//! `lifetime`, as seen by this thread; the next executions plan again for today's table sizes.
//! Cheap when not due: one look-up in a thread-local map.
void refresh_plans_if_due(pqxx::transaction_base& tx, std::chrono::steady_clock::duration lifetime = kPlanLifetime);

//! Executes `statement` with `args`. libpqxx registers a cached statement with the server the
//! first time it runs on a connection (and again after a reconnect); defining it again with the
//! same text is a no-op.
template <class... Args>
pqxx::result exec(pqxx::transaction_base& tx, const Statement& statement, Args&&... args) {
    if (statement.planning == Planning::per_execution)
        return tx.exec_params(statement.sql, std::forward<Args>(args)...);
    refresh_plans_if_due(tx);
    tx.conn().prepare(statement.name, statement.sql);
    return tx.exec_prepared(statement.name, std::forward<Args>(args)...);
}

}  // namespace aimi::pg
