// What an analyst or operator does with the log: export it as JSON lines, rebuild a projection
// into a fresh schema and switch to it with no restart, and build one as it was at an instant.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "domain/facts/fact.hpp"
#include "domain/time.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/keys/key_store.hpp"
#include "tests/support/event_factory.hpp"
#include "tests/support/test_stack.hpp"

namespace aimi::testing {
namespace {

namespace bj = boost::json;

//! Runs aimi-admin with the test's environment; stdout goes to `out` (if given).
int admin(const TestEnv& env, const std::string& args, const std::string& out = "/dev/null",
          const std::map<std::string, std::string>& extra = {}) {
    std::string command = "env";
    for (const auto& [k, v] : env.child_env(extra)) command += " '" + k + "=" + v + "'";
    command += fmt::format(" '{}/aimi-admin' {} > '{}' 2>> '{}'", AIMI_BIN_DIR, args, out, env.log_path("admin"));
    return std::system(command.c_str());
}

std::vector<std::string> lines_of(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

std::string digest(const TestEnv& env, const std::string& schema, const std::string& table, const std::string& columns,
                   const std::string& order) {
    auto db = env.connect();
    pqxx::read_transaction tx(*db);
    const std::string row = columns == "*" ? "t::text" : "row(" + columns + ")::text";
    return tx
        .exec1("SELECT coalesce(md5(string_agg(" + row + ", '|' ORDER BY " + order + ")), '') FROM " +
               tx.quote_name(schema) + "." + table + " t")[0]
        .as<std::string>();
}

class Analysts : public ::testing::Test {
  protected:
    void SetUp() override {
        entities_ = env_.start_projector();
        search_ = env_.start_projector({{"AIMI_PROJECTION", "message_search"}});
        gateway_ = env_.start_gateway();
    }
    HttpClient http() const { return gateway_.client(); }

    std::pair<std::string, std::string> user_with_chat() {
        const auto user = random_id();
        const auto token = env_.token(user);
        EXPECT_EQ(http().post("/v1/users", token, R"({"display_name":"A","locale":"en"})").status, 201);
        auto chat = http().post("/v1/chats", token, "{}");
        return {token, std::string(chat.json().at("id").as_string())};
    }
    std::string say(const std::string& token, const std::string& chat, const std::string& content) {
        auto r = http().post("/v1/chats/" + chat + "/messages", token, bj::serialize(bj::object{{"content", content}}));
        EXPECT_EQ(r.status, 201) << r.body;
        return r.headers["consistency-token"];
    }
    void wait_for_facts() {
        ASSERT_TRUE(eventually([&] { return env_.records_in(env_.facts_topic()) >= env_.records_in_topic(); }));
    }

    TestEnv env_;
    std::unique_ptr<ChildProcess> entities_, search_;
    Gateway gateway_;
};

TEST_F(Analysts, ExportWritesEveryFactOrIntakeRecordAsOneJsonLine) {
    const auto [ann, ann_chat] = user_with_chat();
    const auto [bob, bob_chat] = user_with_chat();
    for (int i = 0; i < 30; ++i) say(ann, ann_chat, fmt::format("ann {}", i));
    for (int i = 0; i < 10; ++i) say(bob, bob_chat, fmt::format("bob {}", i));
    env_.writer().append(env_.topic(), "not-a-user", "not json");  // a poison record is exported too
    wait_for_facts();
    const auto out = env_.log_path("export.jsonl");

    ASSERT_EQ(admin(env_, "export", out), 0);
    const auto facts = lines_of(out);
    EXPECT_EQ(static_cast<std::int64_t>(facts.size()), env_.records_in_topic());
    std::set<std::pair<int, std::int64_t>> origins;
    for (const auto& line : facts) {
        auto fact = facts::decode(line, &env_.keys());
        ASSERT_TRUE(fact) << line;
        origins.emplace(fact->origin.partition, fact->origin.offset);
    }
    EXPECT_EQ(origins.size(), facts.size()) << "one line per intake record";

    ASSERT_EQ(admin(env_, "export --source events", out), 0);
    EXPECT_EQ(static_cast<std::int64_t>(lines_of(out).size()), env_.records_in_topic());

    // Any exported envelope names a user (the poison record, which may come first, does not parse).
    std::string ann_id;
    for (const auto& line : lines_of(out)) {
        boost::system::error_code ec;
        const auto value = bj::parse(line, ec);
        if (!ec && value.is_object() && value.as_object().contains("user_id")) {
            ann_id = std::string(value.at("user_id").as_string());
            break;
        }
    }
    ASSERT_FALSE(ann_id.empty());
    ASSERT_EQ(admin(env_, "export --user " + ann_id, out), 0);
    const auto own = lines_of(out);
    EXPECT_TRUE(own.size() == 32u || own.size() == 12u) << own.size();  // register + chat + messages
    for (const auto& line : own) EXPECT_EQ(facts::decode(line, &env_.keys())->user_id, ann_id);

    ASSERT_EQ(admin(env_, "export --source events --with-position --partition 0 --from-offset 1 --to-offset 3", out),
              0);
    for (const auto& line : lines_of(out)) {
        const auto wrapped = bj::parse(line);
        EXPECT_EQ(wrapped.at("partition").as_int64(), 0);
        EXPECT_GE(wrapped.at("offset").as_int64(), 1);
        EXPECT_LT(wrapped.at("offset").as_int64(), 3);
        EXPECT_TRUE(wrapped.at("value").is_object() || wrapped.at("value").is_string());
    }
    ASSERT_EQ(admin(env_, "export --from 2999-01-01T00:00:00Z", out), 0);
    EXPECT_TRUE(lines_of(out).empty());
    EXPECT_NE(admin(env_, "export --from yesterday", out), 0);
}

TEST_F(Analysts, RebuildIntoAFreshSchemaReportsEqualRowsAndSwitchesWithNoRestart) {
    const auto [ann, chat] = user_with_chat();
    for (int i = 0; i < 50; ++i) say(ann, chat, fmt::format("before the rebuild {} running", i));
    wait_for_facts();
    const auto schema = env_.schema() + "_r1";
    ASSERT_EQ(admin(env_, "rebuild message_search --switch --schema " + schema), 0);
    EXPECT_EQ(digest(env_, schema, "search_messages", "message_id, seq, content, text_config, document", "message_id"),
              digest(env_, env_.schema(), "search_messages", "message_id, seq, content, text_config, document",
                     "message_id"));

    // The running projector follows the switch; the gateway reads the new schema; tokens work.
    const auto token = say(ann, chat, "after the switch running");
    auto found = http().get("/v1/search/messages?q=switch", ann, {{"Consistency-Token", token}});
    ASSERT_EQ(found.status, 200) << found.body;
    EXPECT_EQ(found.json().at("items").as_array().size(), 1u) << found.body;
    EXPECT_TRUE(eventually([&] {
        return env_.scalar(fmt::format("SELECT count(*) FROM \"{}\".search_messages", schema)) == 51;
    })) << "the projector follows the switch";
    // Once the projector writes the new schema, the old copy no longer moves.
    const auto old_rows = env_.scalar("SELECT count(*) FROM search_messages");
    const auto later = say(ann, chat, "later still running");
    EXPECT_TRUE(eventually(
        [&] { return env_.scalar(fmt::format("SELECT count(*) FROM \"{}\".search_messages", schema)) == 52; }));
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM search_messages"), old_rows);
    auto all = http().get("/v1/search/messages?q=running&limit=100", ann, {{"Consistency-Token", later}});
    EXPECT_EQ(all.json().at("items").as_array().size(), 52u);

    EXPECT_NE(admin(env_, "rebuild entity_store --switch"), 0) << "the decider is not switched online";
    EXPECT_NE(admin(env_, "rebuild no_such_projection"), 0);
}

TEST_F(Analysts, AsOfEqualsARebuildStoppedAtThatInstant) {
    const auto [ann, chat] = user_with_chat();
    for (int i = 0; i < 20; ++i) say(ann, chat, fmt::format("early {}", i));
    wait_for_facts();
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    const auto instant = format_timestamp(now_utc());
    // A rebuild run at that instant, before anything newer exists.
    const auto then = env_.schema() + "_then";
    ASSERT_EQ(admin(env_, "rebuild entity_store --schema " + then), 0);
    ASSERT_EQ(admin(env_, "rebuild message_search --schema " + then), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));

    for (int i = 0; i < 20; ++i) say(ann, chat, fmt::format("late {}", i));
    wait_for_facts();

    const auto as_of = env_.schema() + "_asof";
    ASSERT_EQ(admin(env_, "rebuild entity_store --as-of " + instant + " --schema " + as_of), 0);
    ASSERT_EQ(admin(env_, "rebuild message_search --as-of " + instant + " --schema " + as_of), 0);
    for (const auto& [table, columns, order] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"users", "*", "id"},
             {"chats", "*", "id"},
             {"sessions", "*", "id"},
             {"messages", "*", "id"},
             {"batch_outcomes", "batch_id, outcome, code, resource_id, stream_version, partition, \"offset\"",
              "batch_id"},  // applied_at is when the rebuild wrote it
             {"user_streams", "user_id, version", "user_id"},
             {"search_messages", "*", "message_id"},
             {"search_users", "*", "user_id"}}) {
        SCOPED_TRACE(table);
        EXPECT_EQ(digest(env_, as_of, table, columns, order), digest(env_, then, table, columns, order));
    }
    EXPECT_EQ(env_.scalar(fmt::format("SELECT count(*) FROM \"{}\".messages", as_of)), 20);
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM messages"), 40);
}

}  // namespace
}  // namespace aimi::testing
