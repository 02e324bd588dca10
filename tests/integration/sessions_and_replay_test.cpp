// The idle-session closer, and rebuilding a read model from offset 0 into a fresh schema.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "projections/pg/migrate.hpp"
#include "tests/support/test_stack.hpp"

namespace aimi::testing {
namespace {

TEST(IdleSessions, CloserEndsAnIdleSessionAndTheNextMessageOpensANewOne) {
    TestEnv env;
    const std::map<std::string, std::string> one_second{{"AIMI_SESSION_IDLE_TIMEOUT_S", "1"},
                                                        {"AIMI_SESSION_SWEEP_INTERVAL_MS", "200"}};
    auto projector = env.start_projector();
    auto closer = env.start_session_closer(one_second);
    auto gateway = env.start_gateway(one_second);
    const auto user = random_id();
    const auto token = env.token(user);
    auto http = gateway.client();
    ASSERT_EQ(http.post("/v1/users", token, R"({"display_name":"Ann"})").status, 201);
    const std::string chat(http.post("/v1/chats", token, "{}").json().at("id").as_string());
    const auto first = http.post("/v1/chats/" + chat + "/messages", token, R"({"content":"hello"})").json();

    ASSERT_TRUE(eventually(
        [&] {
            const auto sessions = http.get("/v1/chats/" + chat + "/sessions", token).json();
            const auto& s = sessions.at("items").at(0);
            return !s.at("open").as_bool() && s.at("end_reason") == "idle_timeout";
        },
        std::chrono::seconds(20)))
        << closer->log_tail();

    const auto second = http.post("/v1/chats/" + chat + "/messages", token, R"({"content":"back again"})").json();
    EXPECT_NE(second.at("session_id"), first.at("session_id"));
    EXPECT_EQ(second.at("seq").as_int64(), 2);
    EXPECT_EQ(env.scalar("SELECT count(*) FROM sessions WHERE ended_at IS NULL"), 1);
    EXPECT_EQ(env.scalar("SELECT count(*) FROM dead_letters"), 0);
}

//! A table's rows as text, in a stable order (the columns that replay must reproduce exactly).
std::string dump(pqxx::connection& db, const std::string& schema, const std::string& select) {
    pqxx::read_transaction tx(db);
    tx.exec("SET LOCAL search_path TO " + tx.quote_name(schema));
    std::string out;
    for (const auto& row : tx.exec(select)) {
        for (const auto& field : row) out += (field.is_null() ? "NULL" : field.c_str()) + std::string("|");
        out += "\n";
    }
    return out;
}

TEST(Replay, RebuildingFromOffsetZeroIntoAFreshSchemaGivesIdenticalReadModels) {
    TestEnv env;
    auto projector = env.start_projector();
    auto gateway = env.start_gateway();
    auto http = gateway.client();
    for (int u = 0; u < 3; ++u) {
        const auto user = random_id();
        const auto token = env.token(user);
        ASSERT_EQ(http.post("/v1/users", token, R"({"display_name":"U"})").status, 201);
        ASSERT_EQ(http.patch("/v1/users/" + user, token, R"({"settings":{"theme":"dark"}})").status, 200);
        ASSERT_EQ(http.post("/v1/users/" + user + "/devices", token, R"({"token":"t","platform":"web"})").status, 201);
        const std::string chat(http.post("/v1/chats", token, "{}").json().at("id").as_string());
        for (int m = 0; m < 5; ++m)
            ASSERT_EQ(http.post("/v1/chats/" + chat + "/messages", token,
                                fmt::format(R"({{"content":"m{}","client_msg_id":"c{}"}})", m, m % 3))
                          .status,
                      201);
        ASSERT_EQ(http.post("/v1/chats/" + chat + "/sessions/current/end", token, "").status, 200);
        ASSERT_EQ(http.post("/v1/chats/" + chat + "/archive", token, "").status, 200);
        ASSERT_EQ(http.post("/v1/users", token, R"({"display_name":"again"})").status, 409);
    }

    // Rebuild: a new schema, its own consumer group, from offset 0, while the old one serves.
    const auto fresh = env.schema() + "_rebuild";
    auto db = env.connect();
    pg::migrate(*db, fresh);
    auto rebuild = env.start_projector({{"AIMI_PG_SCHEMA", fresh}, {"AIMI_PROJECTOR_GROUP", "rebuild-" + fresh}});
    const auto outcomes = env.scalar("SELECT count(*) FROM batch_outcomes");
    ASSERT_TRUE(eventually([&] {
        pqxx::read_transaction tx(*db);
        return tx.exec1("SELECT count(*) FROM " + tx.quote_name(fresh) + ".batch_outcomes")[0].as<std::int64_t>() ==
               outcomes;
    })) << rebuild->log_tail();

    const std::vector<std::string> selects = {
        "SELECT * FROM users ORDER BY id",
        "SELECT * FROM devices ORDER BY id",
        "SELECT * FROM chats ORDER BY id",
        "SELECT * FROM sessions ORDER BY id",
        "SELECT * FROM messages ORDER BY id",
        "SELECT user_id, version FROM user_streams ORDER BY user_id",
        "SELECT batch_id, outcome, code, duplicate_of, resource_type, resource_id, stream_version, partition, "
        "\"offset\" "
        "FROM batch_outcomes ORDER BY batch_id",
    };
    for (const auto& select : selects) {
        SCOPED_TRACE(select);
        EXPECT_EQ(dump(*db, env.schema(), select), dump(*db, fresh, select));
    }
    pqxx::nontransaction(*db).exec("DROP SCHEMA " + db->quote_name(fresh) + " CASCADE");
}

}  // namespace
}  // namespace aimi::testing
