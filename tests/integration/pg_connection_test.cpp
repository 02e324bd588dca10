// How pg::connect sets up a session: the read-model schema and per-execution planning.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "projections/pg/statement.hpp"
#include "tests/support/test_stack.hpp"

namespace aimi::testing {
namespace {

TEST(PgConnection, StartsInTheSchemaAndPlansEachExecutionForItsParameters) {
    TestEnv env;
    auto db = env.connect();
    pqxx::read_transaction tx(*db);
    EXPECT_EQ(tx.exec1("SHOW search_path")[0].as<std::string>(), env.schema());
    EXPECT_EQ(tx.exec1("SHOW plan_cache_mode")[0].as<std::string>(), "force_custom_plan");

    // A statement runs prepared, any number of times, on the same connection.
    const pg::Statement count{"test.count_offsets", "SELECT count(*) FROM projection_offsets WHERE projection = $1"};
    for (int i = 0; i < 7; ++i) EXPECT_EQ(pg::exec(tx, count, "none").at(0)[0].as<int>(), 0);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_prepared_statements WHERE name = 'test.count_offsets'")[0].as<int>(),
              1);
}

}  // namespace
}  // namespace aimi::testing
