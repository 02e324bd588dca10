// Forgetting a user in an append-only log: personal fields travel sealed with the user's key;
// erasure blanks every read model and destroys the key; afterwards no topic, table, dump, export
// or rebuild holds a readable personal value of theirs, and nothing of anybody else changes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "tests/support/test_stack.hpp"

namespace aimi::testing {
namespace {

namespace bj = boost::json;

struct Person {
    std::string id, token, chat, marker;
    //! Every personal value of the person carries the marker.
    std::vector<std::string> markers() const {
        return {marker + "-name",    marker + "@example.com", marker + "-setting", marker + "-title",
                marker + "-content", marker + "-meta",        marker + "-device"};
    }
};

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

class Privacy : public ::testing::Test {
  protected:
    void SetUp() override {
        entities_ = env_.start_projector();
        search_ = env_.start_projector({{"AIMI_PROJECTION", "message_search"}});
        gateway_ = env_.start_gateway();
        ann_ = person();
        bob_ = person();
    }
    HttpClient http() const { return gateway_.client(); }

    Person person() {
        Person p{random_id()};
        p.token = env_.token(p.id);
        p.marker = "mk" + random_id().substr(0, 8);
        const auto body = bj::serialize(bj::object{{"display_name", p.marker + "-name"},
                                                   {"email", p.marker + "@example.com"},
                                                   {"locale", "en"},
                                                   {"settings", {{"note", p.marker + "-setting"}}}});
        EXPECT_EQ(http().post("/v1/users", p.token, body).status, 201);
        EXPECT_EQ(http()
                      .post("/v1/users/" + p.id + "/devices", p.token,
                            bj::serialize(bj::object{{"token", p.marker + "-device"}, {"platform", "ios"}}))
                      .status,
                  201);
        auto chat = http().post("/v1/chats", p.token, bj::serialize(bj::object{{"title", p.marker + "-title"}}));
        p.chat = std::string(chat.json().at("id").as_string());
        for (int i = 0; i < 3; ++i)
            EXPECT_EQ(http()
                          .post("/v1/chats/" + p.chat + "/messages", p.token,
                                bj::serialize(bj::object{{"content", fmt::format("{}-content {}", p.marker, i)},
                                                         {"metadata", {{"k", p.marker + "-meta"}}}}))
                          .status,
                      201);
        return p;
    }

    //! Where a marker of `p` shows up in `haystack`, if anywhere.
    static std::string found(const Person& p, const std::string& haystack) {
        for (const auto& m : p.markers())
            if (haystack.find(m) != std::string::npos) return m;
        if (haystack.find(p.marker) != std::string::npos) return p.marker;
        return "";
    }
    static bool all_found(const Person& p, const std::string& haystack) {
        for (const auto& m : p.markers())
            if (haystack.find(m) == std::string::npos) return false;
        return true;
    }

    std::string raw_topics() const {
        std::string all;
        for (const auto& topic : {env_.topic(), env_.facts_topic()})
            for (const auto& r : env_.read_topic(topic)) all += r.key + "\n" + r.value + "\n";
        return all;
    }
    std::string dump(const std::string& schema) const {
        const auto out = env_.log_path("dump-" + schema + ".sql");
        const auto command = fmt::format("pg_dump --no-owner --schema='{}' --schema=aimi_keys '{}' > '{}' 2>&1", schema,
                                         StackCoordinates::get().pg_url, out);
        EXPECT_EQ(std::system(command.c_str()), 0) << slurp(out);
        return slurp(out);
    }
    std::string export_of(const std::string& args) const {
        const auto out = env_.log_path("export.jsonl");
        std::string command = "env";
        for (const auto& [k, v] : env_.child_env()) command += " '" + k + "=" + v + "'";
        command += fmt::format(" '{}/aimi-admin' export {} > '{}' 2>/dev/null", AIMI_BIN_DIR, args, out);
        EXPECT_EQ(std::system(command.c_str()), 0);
        return slurp(out);
    }
    void wait_until_caught_up() {
        ASSERT_TRUE(eventually([&] { return env_.records_in(env_.facts_topic()) >= env_.records_in_topic(); }));
        ASSERT_TRUE(eventually([&] {
            return env_.scalar(
                       "SELECT coalesce(sum(next_offset), 0) FROM projection_offsets WHERE projection = "
                       "'message_search' AND topic = '" +
                       env_.topic() + "'") == env_.records_in_topic();
        }));
    }

    TestEnv env_;
    std::unique_ptr<ChildProcess> entities_, search_;
    Gateway gateway_;
    Person ann_, bob_;
};

TEST_F(Privacy, PersonalFieldsAreSealedInEveryTopicAndReadableThroughTheApi) {
    wait_until_caught_up();
    const auto raw = raw_topics();
    EXPECT_EQ(found(ann_, raw), "") << "a personal value in clear text on a topic";
    EXPECT_EQ(found(bob_, raw), "");
    EXPECT_NE(raw.find(ann_.id), std::string::npos) << "ids stay readable";
    EXPECT_NE(raw.find("aimi:sealed:v1:"), std::string::npos);
    EXPECT_NE(raw.find("\"type\":\"message.posted\""), std::string::npos);

    auto me = http().get("/v1/users/" + ann_.id, ann_.token);
    EXPECT_EQ(me.json().at("display_name").as_string(), ann_.marker + "-name");
    auto found_search = http().get("/v1/search/messages?q=" + ann_.marker + "-content", ann_.token);
    EXPECT_EQ(found_search.json().at("items").as_array().size(), 3u) << found_search.body;
    EXPECT_TRUE(all_found(ann_, export_of("--decrypt")));
    EXPECT_TRUE(all_found(ann_, export_of("--decrypt --source events")));

    auto mine = http().get("/v1/users/" + ann_.id + "/export", ann_.token);
    ASSERT_EQ(mine.status, 200) << mine.body;
    EXPECT_TRUE(all_found(ann_, mine.body)) << mine.body;
    EXPECT_EQ(found(bob_, mine.body), "");
    EXPECT_EQ(http().get("/v1/users/" + bob_.id + "/export", ann_.token).status, 403);
}

TEST_F(Privacy, AnErasedUserIsGoneFromEveryTableTopicDumpExportAndRebuildAndNobodyElseChanges) {
    EXPECT_EQ(http().request("DELETE", "/v1/users/" + ann_.id, "", {{"Authorization", "Bearer " + bob_.token}}).status,
              403);
    auto erased = http().request("DELETE", "/v1/users/" + ann_.id, "", {{"Authorization", "Bearer " + ann_.token}});
    ASSERT_EQ(erased.status, 204) << erased.body;
    wait_until_caught_up();

    // The API: gone, and the id stays taken.
    EXPECT_EQ(http().get("/v1/users/" + ann_.id, ann_.token).status, 410);
    EXPECT_EQ(http().get("/v1/users/" + ann_.id + "/export", ann_.token).status, 410);
    EXPECT_EQ(http().post("/v1/chats", ann_.token, "{}").status, 410);
    EXPECT_EQ(http().post("/v1/users", ann_.token, R"({"display_name":"again"})").status, 410);
    EXPECT_EQ(http().get("/v1/chats/" + ann_.chat, ann_.token).status, 404);
    EXPECT_EQ(http().request("DELETE", "/v1/users/" + ann_.id, "", {{"Authorization", "Bearer " + ann_.token}}).status,
              410);
    auto search = http().get("/v1/search/messages?q=" + ann_.marker + "-content", ann_.token);
    EXPECT_EQ(search.json().at("items").as_array().size(), 0u);
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM aimi_keys.user_keys WHERE user_id = '" + ann_.id +
                          "' AND wrapped_key IS NULL"),
              1);

    // Nothing readable of Ann anywhere; Bob's values all still there (decrypted where sealed).
    const auto db = dump(env_.schema());
    EXPECT_EQ(found(ann_, db), "") << "in the database dump";
    EXPECT_TRUE(all_found(bob_, db));
    EXPECT_EQ(found(ann_, raw_topics()), "") << "in the raw topics";
    for (const std::string args : {"", "--decrypt", "--source events", "--source events --decrypt"}) {
        const auto exported = export_of(args);
        EXPECT_EQ(found(ann_, exported), "") << "export " << args;
        if (args.find("--decrypt") != std::string::npos) {
            EXPECT_TRUE(all_found(bob_, exported)) << args;
        }
    }

    // A rebuild from offset 0 shows Ann erased and Bob unchanged.
    const auto rebuilt = env_.schema() + "_rb";
    std::string command = "env";
    for (const auto& [k, v] : env_.child_env()) command += " '" + k + "=" + v + "'";
    for (const std::string projection : {"entity_store", "message_search"})
        ASSERT_EQ(std::system((command + fmt::format(" '{}/aimi-admin' rebuild {} --schema {} >/dev/null 2>&1",
                                                     AIMI_BIN_DIR, projection, rebuilt))
                                  .c_str()),
                  0);
    const auto rebuilt_dump = dump(rebuilt);
    EXPECT_EQ(found(ann_, rebuilt_dump), "") << "in the rebuilt schema";
    EXPECT_TRUE(all_found(bob_, rebuilt_dump));
    EXPECT_EQ(env_.scalar(fmt::format("SELECT count(*) FROM \"{}\".users WHERE id = '{}' AND erased_at IS NOT NULL "
                                      "AND display_name = ''",
                                      rebuilt, ann_.id)),
              1);
    for (const std::string table : {"messages", "chats", "devices", "sessions", "search_messages"})
        EXPECT_EQ(
            env_.scalar(fmt::format("SELECT count(*) FROM \"{}\".{} WHERE user_id = '{}'", rebuilt, table, ann_.id)), 0)
            << table;
    const auto bob_rows = [&](const std::string& schema) {
        return env_.scalar(fmt::format(
            "SELECT hashtext(string_agg(m::text, '|' ORDER BY id)) FROM \"{}\".messages m WHERE user_id = '{}'", schema,
            bob_.id));
    };
    EXPECT_EQ(bob_rows(rebuilt), bob_rows(env_.schema()));
    auto bob = http().get("/v1/users/" + bob_.id, bob_.token);
    EXPECT_EQ(bob.json().at("display_name").as_string(), bob_.marker + "-name");
}

}  // namespace
}  // namespace aimi::testing
