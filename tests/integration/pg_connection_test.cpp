// How pg::connect sets up a session: the read-model schema and the plan cache, and how pg::exec
// keeps cached plans from outliving a table's growth.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "projections/pg/statement.hpp"
#include "tests/support/test_stack.hpp"

namespace aimi::testing {
namespace {

TEST(PgConnection, StartsInTheSchemaWithPostgresqlsPlanCache) {
    TestEnv env;
    auto db = env.connect();
    pqxx::read_transaction tx(*db);
    EXPECT_EQ(tx.exec1("SHOW search_path")[0].as<std::string>(), env.schema());
    EXPECT_EQ(tx.exec1("SHOW plan_cache_mode")[0].as<std::string>(), "auto");

    // A statement runs prepared, any number of times, on the same connection.
    const pg::Statement count{"test.count_offsets", "SELECT count(*) FROM projection_offsets WHERE projection = $1"};
    for (int i = 0; i < 7; ++i) EXPECT_EQ(pg::exec(tx, count, "none").at(0)[0].as<int>(), 0);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_prepared_statements WHERE name = 'test.count_offsets'")[0].as<int>(),
              1);
}

// Optional filters are planned for their parameters: never prepared (so no generic plan), and
// NULL and non-NULL filters both answer right on the same connection.
TEST(PgConnection, StatementsWithOptionalFiltersRunUnprepared) {
    TestEnv env;
    auto db = env.connect();
    pqxx::work tx(*db);
    tx.exec0(
        "CREATE TEMP TABLE probe_items AS SELECT i AS id, CASE WHEN i % 3 = 0 THEN 'open' ELSE 'done' END "
        "AS status FROM generate_series(1, 300) i");
    const pg::Statement page{"test.optional_filter",
                             "SELECT count(*) FROM (SELECT id FROM probe_items WHERE ($1::text IS NULL OR status = $1) "
                             "AND ($2::int IS NULL OR id > $2) ORDER BY id LIMIT $3) p",
                             pg::Planning::per_execution};
    for (int i = 0; i < 7; ++i) {
        EXPECT_EQ(pg::exec(tx, page, "open", nullptr, 500).at(0)[0].as<int>(), 100);
        EXPECT_EQ(pg::exec(tx, page, nullptr, nullptr, 500).at(0)[0].as<int>(), 300);
        EXPECT_EQ(pg::exec(tx, page, "done", 290, 5).at(0)[0].as<int>(), 5);
    }
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_prepared_statements WHERE name = 'test.optional_filter'")[0].as<int>(),
              0);
}

std::string plan_of(pqxx::work& tx) {
    std::string plan;
    for (const auto& row : tx.exec(R"(EXPLAIN EXECUTE "test.plan_probe"(1, 'a'))")) plan += row[0].c_str();
    return plan;
}

// The trap the plan lifetime closes: a generic plan made while the table was tiny stays a
// sequential scan however big the table grows, until something drops it. A temporary table, so
// autovacuum cannot refresh its statistics (and the plan) behind the test's back.
TEST(PgConnection, CachedPlansAreDroppedOnceTheirLifetimeIsOver) {
    TestEnv env;
    auto db = env.connect();
    pqxx::work tx(*db);
    tx.exec0("CREATE TEMP TABLE plan_probe (u int NOT NULL, k text NOT NULL, v text)");
    tx.exec0("CREATE UNIQUE INDEX ON plan_probe (u, k)");
    tx.exec0("INSERT INTO plan_probe SELECT g % 5, 'k' || g, 'x' FROM generate_series(1, 20) g");
    tx.exec0("ANALYZE plan_probe");
    const pg::Statement probe{"test.plan_probe", "SELECT v FROM plan_probe WHERE u = $1 AND k = $2"};
    for (int i = 0; i < 7; ++i) EXPECT_TRUE(pg::exec(tx, probe, 1, "a").empty());
    tx.exec0("INSERT INTO plan_probe SELECT g % 5, 'k' || g, 'x' FROM generate_series(21, 100000) g");
    EXPECT_NE(plan_of(tx).find("Seq Scan"), std::string::npos) << plan_of(tx);

    pg::refresh_plans_if_due(tx, std::chrono::hours(1));  // not due: the plan stays
    EXPECT_NE(plan_of(tx).find("Seq Scan"), std::string::npos) << plan_of(tx);
    pg::refresh_plans_if_due(tx, std::chrono::seconds(0));
    EXPECT_NE(plan_of(tx).find("Index Scan"), std::string::npos) << plan_of(tx);
    EXPECT_TRUE(pg::exec(tx, probe, 1, "k6").size() == 1);
}

}  // namespace
}  // namespace aimi::testing
