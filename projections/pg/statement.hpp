#pragma once

#include <chrono>
#include <string>
#include <utility>

#include <pqxx/transaction_base>

namespace aimi::pg {

//! A named SQL statement. It runs as a server-side prepared statement, parsed once per connection
//! and, under PostgreSQL's default plan cache, planned once too when a generic plan serves every
//! parameter as well as a fresh one would (pg::connect; docs/architecture.md, "Statements").
//! @warning A migration that drops or retypes a column a statement selects invalidates it on open
//! connections; restart the processes after such a migration.
struct Statement {
    std::string name;  //!< unique among the project's statements
    std::string sql;
};

//! How long a connection keeps its cached plans: a generic plan chosen while a table was tiny (a
//! sequential scan) would otherwise outlive the table's growth until statistics are refreshed.
inline constexpr std::chrono::seconds kPlanLifetime{60};

//! Drops the cached plans of `tx`'s connection (DISCARD PLANS) if it has not done so for
//! `lifetime`, as seen by this thread; the next executions plan again for today's table sizes.
//! Cheap when not due: one look-up in a thread-local map.
void refresh_plans_if_due(pqxx::transaction_base& tx, std::chrono::steady_clock::duration lifetime = kPlanLifetime);

//! Executes `statement` with `args`. libpqxx registers the statement with the server the first
//! time it runs on a connection (and again after a reconnect); defining it again with the same
//! text is a no-op.
template <class... Args>
pqxx::result exec(pqxx::transaction_base& tx, const Statement& statement, Args&&... args) {
    refresh_plans_if_due(tx);
    tx.conn().prepare(statement.name, statement.sql);
    return tx.exec_prepared(statement.name, std::forward<Args>(args)...);
}

}  // namespace aimi::pg
