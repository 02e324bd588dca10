// Memory against the real stack (docs/memory.md): check-ins validated and read back exactly; the
// summarizer's session summaries (facts with their message seqs, moods extracted from messages)
// and daily/weekly roll-ups; the embedder's vectors and hybrid recall (an exact term, a paraphrase
// with MiniLM, users isolated); a provider that is down, then back, with a worker killed meanwhile
// (nothing lost, nothing doubled); and read models rebuilt from offset 0 equal to the serving ones.
#include <gtest/gtest.h>

#include <csignal>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "tests/support/fake_openai_server.hpp"
#include "tests/support/test_stack.hpp"

namespace aimi::testing {
namespace {

namespace bj = boost::json;
using namespace std::chrono_literals;

struct Person {
    std::string id, token, chat;
};

class Memory : public ::testing::Test {
  protected:
    void start(const std::map<std::string, std::string>& provider_env) {
        provider_env_ = provider_env;
        entities_ = env_.start_projector();
        memory_ = env_.start_projector({{"AIMI_PROJECTION", "memory"}});
        vectors_ = env_.start_projector({{"AIMI_PROJECTION", "memory_vectors"}});
        search_ = env_.start_projector({{"AIMI_PROJECTION", "message_search"}});
        gateway_ = env_.start_gateway(provider_env);
    }
    std::unique_ptr<ChildProcess> start_summarizer(std::map<std::string, std::string> extra = {}) {
        extra.insert(provider_env_.begin(), provider_env_.end());
        extra.emplace("AIMI_SUMMARIZER_INTERVAL_MS", "100");
        extra.emplace("AIMI_SUMMARIZER_LOOKAHEAD_S", "864000");  // today's and this week's roll-ups too
        return std::make_unique<ChildProcess>(std::string(AIMI_BIN_DIR) + "/aimi-summarizer",
                                              std::vector<std::string>{}, env_.child_env(extra),
                                              env_.log_path(fmt::format("summarizer{}", children_++)));
    }
    std::unique_ptr<ChildProcess> start_embedder(std::map<std::string, std::string> extra = {}) {
        extra.insert(provider_env_.begin(), provider_env_.end());
        extra.emplace("AIMI_EMBEDDER_INTERVAL_MS", "100");
        return std::make_unique<ChildProcess>(std::string(AIMI_BIN_DIR) + "/aimi-embedder", std::vector<std::string>{},
                                              env_.child_env(extra),
                                              env_.log_path(fmt::format("embedder{}", children_++)));
    }

    HttpClient http() const { return gateway_.client(); }

    Person person(const std::string& name) {
        Person p{random_id(), "", ""};
        p.token = env_.token(p.id);
        auto r =
            http().post("/v1/users", p.token,
                        fmt::format(R"({{"display_name":"{}","time_zone":"Europe/Berlin","locale":"en-US"}})", name));
        EXPECT_EQ(r.status, 201) << r.body;
        r = http().post("/v1/chats", p.token, R"({"title":"Coach"})");
        EXPECT_EQ(r.status, 201) << r.body;
        p.chat = std::string(r.json().at("id").as_string());
        return p;
    }
    std::string post(const Person& p, const std::string& content) {
        auto r = http().post("/v1/chats/" + p.chat + "/messages", p.token,
                             bj::serialize(bj::object{{"role", "user"}, {"content", content}}));
        EXPECT_EQ(r.status, 201) << r.body;
        return r.status == 201 ? std::string(r.json().at("id").as_string()) : "";
    }
    void end_session(const Person& p) {
        auto r = http().post("/v1/chats/" + p.chat + "/sessions/current/end", p.token, "");
        EXPECT_EQ(r.status, 200) << r.body;
    }
    bj::array items(const Person& p, const std::string& target) {
        auto r = http().get(target, p.token);
        EXPECT_EQ(r.status, 200) << target << ": " << r.body;
        return r.status == 200 ? r.json().at("items").as_array() : bj::array{};
    }
    //! Waits until every source has a vector.
    bool all_embedded() {
        return eventually(
            [&] {
                return env_.scalar("SELECT count(*) FROM memory_sources") > 0 &&
                       env_.scalar(
                           "SELECT count(*) FROM memory_sources s WHERE NOT EXISTS (SELECT 1 FROM "
                           "memory_vectors v WHERE v.user_id = s.user_id AND v.source_kind = s.source_kind "
                           "AND v.source_id = s.source_id AND v.revision = s.revision)") == 0;
            },
            90s);
    }
    std::vector<std::string> recalled(const Person& p, const std::string& query) {
        std::vector<std::string> ids;
        for (const auto& hit : items(p, "/v1/memory/search?q=" + query + "&limit=5"))
            ids.emplace_back(hit.at("source_id").as_string());
        return ids;
    }
    static std::string code(const HttpResult& r) {
        const auto json = r.json();
        return std::string(json.at("error").at("code").as_string());
    }
    static std::string field(const HttpResult& r) {
        const auto json = r.json();
        return std::string(json.at("error").at("field").as_string());
    }
    //! A digest of a query's rows in `env`'s schema.
    static std::int64_t digest(const TestEnv& env, const std::string& query) {
        return env.scalar("SELECT coalesce(hashtext(string_agg(t::text, '|' ORDER BY t::text)), 0) FROM (" + query +
                          ") t");
    }

    TestEnv env_;
    std::map<std::string, std::string> provider_env_;
    std::unique_ptr<ChildProcess> entities_, memory_, vectors_, search_;
    Gateway gateway_;
    int children_ = 0;
};

const std::map<std::string, std::string> kHashed{{"AIMI_EMBEDDER", "hashed"}};

TEST_F(Memory, CheckInsAreValidatedReadBackExactlyAndForgotten) {
    start(kHashed);
    const auto ann = person("Ann");
    const auto before = env_.records_in_topic();
    const std::vector<std::tuple<std::string, int, std::string, std::string>> bad{
        {R"({})", 400, "missing_field", "/mood"},
        {R"({"mood":0})", 400, "out_of_range", "/mood"},
        {R"({"mood":11})", 400, "out_of_range", "/mood"},
        {R"({"mood":5.5})", 400, "invalid_type", "/mood"},
        {R"({"mood":5,"energy":-1})", 400, "out_of_range", "/energy"},
        {R"({"mood":5,"emotions":["joy","joy"]})", 400, "duplicate_item", "/emotions/1"},
        {R"({"mood":5,"emotions":["elated"]})", 400, "invalid_value", "/emotions/0"},
        {R"({"mood":5,"note":"a\u0000b"})", 400, "invalid_value", "/note"},
        {R"({"mood":5,"feeling":"x"})", 400, "unknown_field", "/feeling"},
    };
    for (const auto& [body, status, error, at] : bad) {
        const auto r = http().post("/v1/mental-states", ann.token, body);
        ASSERT_EQ(r.status, status) << body << ": " << r.body;
        EXPECT_EQ(field(r), at) << body << ": " << r.body;
        EXPECT_FALSE(code(r).empty());
        EXPECT_EQ(code(r), error) << body;
    }
    EXPECT_EQ(env_.records_in_topic(), before) << "a refused check-in appended something";

    // Generated check-ins: each is refused with a field, or read back exactly.
    std::mt19937 rng(20261203);
    const std::vector<std::string> emotions{"joy", "calm", "stress", "tiredness", "hope", "sadness", "elated", "JOY"};
    const std::vector<std::string> notes{"",
                                         "ok",
                                         "Устал, но доволен 🙂",
                                         "line\nbreak",
                                         "quote \" and \\ slash",
                                         std::string(2000, 'x'),
                                         std::string(2001, 'y')};
    int accepted = 0;
    for (int i = 0; i < 60; ++i) {
        bj::object body;
        const int mood = static_cast<int>(rng() % 14) - 2;
        body["mood"] = mood;
        bool valid = mood >= 1 && mood <= 10;
        if (rng() % 2) {
            const int energy = static_cast<int>(rng() % 12);
            body["energy"] = energy;
            valid = valid && energy >= 1 && energy <= 10;
        }
        if (rng() % 2) {
            bj::array list;
            std::set<std::string> seen;
            for (int k = static_cast<int>(rng() % 4); k > 0; --k) {
                const auto& e = emotions[rng() % emotions.size()];
                valid = valid && e != "elated" && e != "JOY" && seen.insert(e).second;
                list.emplace_back(e);
            }
            body["emotions"] = std::move(list);
        }
        if (rng() % 2) {
            const auto& note = notes[rng() % notes.size()];
            valid = valid && note.size() <= 2000;
            body["note"] = note;
        }
        const auto r = http().post("/v1/mental-states", ann.token, bj::serialize(body));
        if (!valid) {
            ASSERT_EQ(r.status, 400) << bj::serialize(body) << ": " << r.body;
            EXPECT_FALSE(field(r).empty());
            continue;
        }
        ASSERT_EQ(r.status, 201) << bj::serialize(body) << ": " << r.body;
        ++accepted;
        const auto state = r.json().as_object();
        const auto id = std::string(state.at("mental_state_id").as_string());
        const auto read = http().get("/v1/mental-states/" + id, ann.token);
        ASSERT_EQ(read.status, 200) << read.body;
        EXPECT_EQ(read.json(), bj::value(state));
        for (const auto& [key, value] : body) EXPECT_EQ(state.at(key), value) << key;
        EXPECT_EQ(state.at("source"), "check_in");
    }
    EXPECT_GT(accepted, 5);
    EXPECT_EQ(static_cast<int>(items(ann, "/v1/mental-states?limit=200").size()), accepted);

    // Forgotten: gone from reads; a second time, and another user's, are 404.
    auto first = http().post("/v1/mental-states", ann.token, R"({"mood":7,"emotions":["hope"],"note":"better"})");
    ASSERT_EQ(first.status, 201) << first.body;
    const auto id = std::string(first.json().at("mental_state_id").as_string());
    const auto bob = person("Bob");
    EXPECT_EQ(http().request("DELETE", "/v1/memory/items/" + id, "", {{"Authorization", "Bearer " + bob.token}}).status,
              404);
    EXPECT_EQ(http().request("DELETE", "/v1/memory/items/" + id, "", {{"Authorization", "Bearer " + ann.token}}).status,
              204);
    EXPECT_EQ(http().get("/v1/mental-states/" + id, ann.token).status, 404);
    const auto again =
        http().request("DELETE", "/v1/memory/items/" + id, "", {{"Authorization", "Bearer " + ann.token}});
    EXPECT_EQ(again.status, 404) << again.body;
    EXPECT_EQ(code(again), "memory_item_not_found");
}

TEST_F(Memory, SessionSummariesRollUpsUserStateAndAReplayThatEqualsThem) {
    start(kHashed);
    auto summarizer = start_summarizer();
    const auto ann = person("Ann");
    post(ann, "Hi! I'm a teacher and I live in Berlin.");
    post(ann, "Honestly I feel really tired and stressed this week.");
    post(ann, "Tomorrow I will call my sister at 6pm.");
    post(ann, "I love hiking in the mountains on weekends.");
    end_session(ann);

    bj::array sessions;
    ASSERT_TRUE(eventually([&] { return !(sessions = items(ann, "/v1/summaries?kind=session")).empty(); }, 60s));
    const auto& summary = sessions.at(0).as_object();
    EXPECT_FALSE(summary.at("text").as_string().empty());
    EXPECT_EQ(summary.at("source_count"), 4);
    std::set<std::string> kinds;
    for (const auto& f : summary.at("facts").as_array()) {
        kinds.emplace(f.at("kind").as_string());
        ASSERT_FALSE(f.at("message_seqs").as_array().empty()) << bj::serialize(f);
        for (const auto& seq : f.at("message_seqs").as_array()) EXPECT_TRUE(seq.as_int64() >= 1 && seq.as_int64() <= 4);
    }
    EXPECT_TRUE(kinds.contains("fact") && kinds.contains("plan") && kinds.contains("preference"))
        << bj::serialize(summary);

    // Moods the messages showed, marked as extracted, with the message they came from.
    bj::array extracted;
    ASSERT_TRUE(eventually([&] { return !(extracted = items(ann, "/v1/mental-states?source=extracted")).empty(); }));
    EXPECT_EQ(extracted.at(0).at("message_seq"), 2);

    // Roll-ups of the day and the week, made from the session summary.
    const auto session_id = std::string(summary.at("summary_id").as_string());
    for (const auto* kind : {"daily", "weekly"}) {
        bj::array rollups;
        ASSERT_TRUE(
            eventually([&] { return !(rollups = items(ann, std::string("/v1/summaries?kind=") + kind)).empty(); }, 60s))
            << kind;
        EXPECT_EQ(rollups.at(0).at("source_count"), 1);
        EXPECT_EQ(rollups.at(0).at("time_zone"), "Europe/Berlin");
        bool cites = false;
        for (const auto& f : rollups.at(0).at("facts").as_array())
            if (const auto* ids = f.as_object().if_contains("summary_ids"))
                for (const auto& id : ids->as_array()) cites = cites || id.as_string() == session_id;
        EXPECT_TRUE(cites) << bj::serialize(rollups.at(0));
    }

    // The user state gathers them.
    auto state = http().get("/v1/user-state", ann.token);
    ASSERT_EQ(state.status, 200) << state.body;
    const auto s = state.json().as_object();
    EXPECT_FALSE(s.at("last_summary").is_null());
    EXPECT_FALSE(s.at("traits").as_array().empty()) << state.body;
    EXPECT_FALSE(s.at("recent_context").as_array().empty()) << state.body;
    EXPECT_EQ(s.at("mood_trend").at("last_7_days").at("states"), static_cast<std::int64_t>(extracted.size()));

    // Every provider call is a prompt run, for admins only.
    EXPECT_EQ(http().get("/v1/admin/prompt-runs", ann.token).status, 403);
    auto runs =
        http().get("/v1/admin/prompt-runs?purpose=session_summary&user_id=" + ann.id, env_.token(random_id(), "admin"));
    ASSERT_EQ(runs.status, 200) << runs.body;
    ASSERT_EQ(runs.json().at("items").as_array().size(), 1u) << runs.body;
    EXPECT_EQ(runs.json().at("items").at(0).at("status"), "ok");

    // Replayed from offset 0 into a fresh schema, the read model is the same.
    summarizer->stop(SIGTERM);
    TestEnv rebuilt(3);
    auto rebuild = env_.start_projector({{"AIMI_PROJECTION", "memory"}, {"AIMI_PG_SCHEMA", rebuilt.schema()}});
    const auto count = env_.scalar("SELECT count(*) FROM summaries");
    ASSERT_TRUE(eventually([&] { return rebuilt.scalar("SELECT count(*) FROM summaries") == count; }));
    ASSERT_TRUE(eventually([&] {
        return rebuilt.scalar("SELECT count(*) FROM prompt_runs") == env_.scalar("SELECT count(*) FROM prompt_runs");
    }));
    for (const auto* query :
         {"SELECT * FROM summaries", "SELECT * FROM mental_states", "SELECT * FROM summary_jobs",
          "SELECT * FROM context_items", "SELECT * FROM memory_messages", "SELECT * FROM prompt_runs"})
        EXPECT_EQ(digest(env_, query), digest(rebuilt, query)) << query;

    // Erasure takes every memory of the user: summaries, states, jobs, context, runs, sources.
    ASSERT_GT(env_.scalar("SELECT count(*) FROM memory_sources"), 0);
    auto erased = http().request("DELETE", "/v1/users/" + ann.id, "", {{"Authorization", "Bearer " + ann.token}});
    ASSERT_EQ(erased.status, 204) << erased.body;
    ASSERT_TRUE(eventually([&] {
        return env_.scalar(
                   "SELECT (SELECT count(*) FROM summaries) + (SELECT count(*) FROM mental_states) + "
                   "(SELECT count(*) FROM summary_jobs) + (SELECT count(*) FROM context_items) + "
                   "(SELECT count(*) FROM prompt_runs) + (SELECT count(*) FROM memory_messages) + "
                   "(SELECT count(*) FROM memory_sources) + (SELECT count(*) FROM memory_vectors)") == 0;
    }));
}

TEST_F(Memory, RecallFindsThePlantedMemoryForItsOwnerOnly) {
    auto gateway_env = kHashed;
    gateway_env["AIMI_RECALL_HNSW_MIN"] = "20";  // Ann's vectors get an HNSW index
    start(gateway_env);
    auto embedder = start_embedder();
    const auto ann = person("Ann");
    const auto bob = person("Bob");
    for (int i = 0; i < 30; ++i)
        post(ann, fmt::format("Note {}: the {} meeting moved to room {}", i, i % 2 ? "weekly" : "budget", 100 + i));
    const auto planted = post(ann, "My passport expires in August, renew it before the trip to Lisbon");
    const auto bobs = post(bob, "My passport expires in August as well");
    ASSERT_TRUE(all_embedded());

    const auto hits = recalled(ann, "passport%20expires");
    EXPECT_NE(std::find(hits.begin(), hits.end(), planted), hits.end());
    EXPECT_EQ(std::find(hits.begin(), hits.end(), bobs), hits.end()) << "another user's memory was recalled";
    const auto theirs = recalled(bob, "passport%20expires");
    EXPECT_EQ(std::find(theirs.begin(), theirs.end(), planted), theirs.end());
    EXPECT_NE(std::find(theirs.begin(), theirs.end(), bobs), theirs.end());

    // The gateway's query embeddings are prompt runs too.
    const auto admin = env_.token(random_id(), "admin");
    ASSERT_TRUE(eventually([&] {
        auto runs = http().get("/v1/admin/prompt-runs?purpose=recall_query&user_id=" + ann.id, admin);
        return runs.status == 200 && !runs.json().at("items").as_array().empty();
    }));

    // Each hit says what it is, when, and why it ranked.
    const auto first = items(ann, "/v1/memory/search?q=passport&limit=1").at(0).as_object();
    EXPECT_EQ(first.at("kind"), "message");
    EXPECT_FALSE(first.at("snippet").as_string().empty());
    EXPECT_GT(first.at("scores").at("fused").as_double(), 0);

    for (const auto* bad : {"/v1/memory/search", "/v1/memory/search?q=%20", "/v1/memory/search?q=x&kinds=bogus",
                            "/v1/memory/search?q=x&limit=0", "/v1/memory/search?q=x&from=yesterday"}) {
        const auto r = http().get(bad, ann.token);
        EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
    }

    // The first query scanned exactly and started the index; the same query through the index, and
    // through the index a restarted gateway builds again, finds the same.
    const auto ranked = [&] {
        auto r = http().get("/v1/memory/search?q=passport%20expires&limit=10", ann.token);
        EXPECT_EQ(r.status, 200) << r.body;
        const auto json = r.json();
        std::vector<std::string> ids;
        for (const auto& hit : json.at("items").as_array()) ids.emplace_back(hit.at("source_id").as_string());
        return std::make_pair(std::string(json.at("vector_index").as_string()), ids);
    };
    const auto exact = ranked();
    std::pair<std::string, std::vector<std::string>> indexed;
    ASSERT_TRUE(eventually([&] { return (indexed = ranked()).first == "hnsw"; }));
    EXPECT_EQ(indexed.second, exact.second);
    gateway_.process->stop(SIGTERM);
    gateway_ = env_.start_gateway(gateway_env);
    ASSERT_TRUE(eventually([&] { return (indexed = ranked()).first == "hnsw"; }));
    EXPECT_EQ(indexed.second, exact.second);

    // The vectors read model replayed from offset 0 equals the serving one.
    TestEnv rebuilt(3);
    auto rebuild = env_.start_projector({{"AIMI_PROJECTION", "memory_vectors"}, {"AIMI_PG_SCHEMA", rebuilt.schema()}});
    const auto count = env_.scalar("SELECT count(*) FROM memory_vectors");
    ASSERT_TRUE(eventually([&] { return rebuilt.scalar("SELECT count(*) FROM memory_vectors") == count; }));
    for (const auto* query :
         {"SELECT * FROM memory_vectors", "SELECT * FROM memory_sources", "SELECT * FROM memory_vector_models"})
        EXPECT_EQ(digest(env_, query), digest(rebuilt, query)) << query;
}

TEST_F(Memory, MiniLmRecallsAParaphraseThatSharesNoWord) {
    start({{"AIMI_EMBEDDER", "minilm"}});
    auto embedder = start_embedder();
    const auto ann = person("Ann");
    for (const auto* text : {"The quarterly report is due on Friday", "Buy milk, eggs and bread on the way home",
                             "Remember to water the tomatoes", "The train to Hamburg leaves at nine",
                             "I need to renew my car insurance", "Book a table for dinner with colleagues",
                             "Finish the slides for the budget review", "Call the plumber about the leaking sink",
                             "Pay the electricity bill", "Upgrade the laptop's operating system"})
        post(ann, text);
    const auto planted = post(ann, "Last weekend we adopted a little puppy");
    ASSERT_TRUE(all_embedded());
    const auto hits = recalled(ann, "new%20dog");
    EXPECT_NE(std::find(hits.begin(), hits.end(), planted), hits.end()) << "paraphrase not recalled";
}

TEST_F(Memory, ANewModelReEmbedsEverythingWhileRecallKeepsServingTheOldVectors) {
    start({{"AIMI_EMBEDDER", "minilm"}});  // the gateway embeds queries with MiniLM, or hashed n-grams
    const auto ann = person("Ann");
    for (const auto* text : {"The quarterly report is due on Friday", "Buy milk, eggs and bread on the way home",
                             "Remember to water the tomatoes", "Call the plumber about the leaking sink"})
        post(ann, text);
    const auto planted = post(ann, "Last weekend we adopted a little puppy");
    auto hashed = start_embedder({{"AIMI_EMBEDDER", "hashed"}});
    ASSERT_TRUE(all_embedded());
    auto r = http().get("/v1/memory/search?q=puppy", ann.token);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("items").at(0).at("model").as_string().subview(0, 7), "hashed/") << r.body;

    hashed->stop(SIGTERM);
    auto minilm = start_embedder({{"AIMI_EMBEDDER", "minilm"}});
    const auto sources = env_.scalar("SELECT count(*) FROM memory_sources");
    ASSERT_TRUE(eventually(
        [&] { return env_.scalar("SELECT count(*) FROM memory_vectors WHERE model LIKE 'minilm/%'") == sources; },
        90s));
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM memory_vectors WHERE model LIKE 'hashed/%'"), sources)
        << "the old vectors stay until nobody needs them";
    r = http().get("/v1/memory/search?q=new%20dog&limit=3", ann.token);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto json = r.json();
    EXPECT_EQ(json.at("items").at(0).at("model").as_string().subview(0, 7), "minilm/") << r.body;
    EXPECT_EQ(json.at("items").at(0).at("source_id").as_string(), planted) << r.body;
}

TEST_F(Memory, ProvidersDownThenBackLoseAndDoubleNothing) {
    FakeOpenAiServer provider;
    provider.set_default_dimensions(64);
    start({{"AIMI_EMBEDDER", "openai"},
           {"AIMI_EMBEDDING_URL", provider.base_url()},
           {"AIMI_EMBEDDING_MODEL", "fake-embedding"},
           {"AIMI_EMBEDDING_DIMENSIONS", "64"},
           {"AIMI_EMBEDDING_MAX_ATTEMPTS", "1"},
           {"AIMI_SUMMARIZER", "openai"},
           {"AIMI_SUMMARY_URL", provider.base_url()},
           {"AIMI_SUMMARY_MODEL", "fake-chat"},
           {"AIMI_SUMMARY_MAX_ATTEMPTS", "1"},
           {"AIMI_PROVIDER_BACKOFF_MS", "200"},
           {"AIMI_PROVIDER_BACKOFF_MAX_MS", "1000"}});
    const auto ann = person("Ann");
    provider.fail_next(8, 503);
    auto summarizer = start_summarizer();
    auto embedder = start_embedder({{"AIMI_EMBEDDER_BATCH", "4"}});
    for (int i = 0; i < 12; ++i) post(ann, fmt::format("Message {} about the plan; I will practise scales", i));
    end_session(ann);
    // Killed while working, then started again.
    std::this_thread::sleep_for(1s);
    embedder->stop(SIGKILL);
    embedder = start_embedder({{"AIMI_EMBEDDER_BATCH", "4"}});
    ASSERT_TRUE(all_embedded());
    ASSERT_TRUE(eventually([&] { return !items(ann, "/v1/summaries?kind=session").empty(); }, 60s));
    std::this_thread::sleep_for(2s);  // anything doubled would have arrived by now
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM summaries WHERE kind = 'session'"), 1);
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM memory_vectors"), env_.scalar("SELECT count(*) FROM memory_sources"));
    // The 12 messages, the summaries (the session's, the day's, the week's) and their facts.
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM memory_sources WHERE source_kind = 'message'"), 12);
    EXPECT_GT(env_.scalar("SELECT count(*) FROM memory_sources WHERE source_kind = 'fact'"), 0);
    const auto admin = env_.token(random_id(), "admin");
    auto failed = http().get("/v1/admin/prompt-runs?status=error&user_id=" + ann.id, admin);
    ASSERT_EQ(failed.status, 200) << failed.body;
    EXPECT_FALSE(failed.json().at("items").as_array().empty()) << "the failed calls were not recorded";
    EXPECT_NE(failed.body.find("503"), std::string::npos) << failed.body;
    // Recall embeds the query with the same provider.
    EXPECT_FALSE(recalled(ann, "scales").empty());
}

}  // namespace
}  // namespace aimi::testing

namespace aimi::testing {
namespace {

TEST_F(Memory, AGoalComesBackWithTheGoalsThatMeanAboutTheSame) {
    start({{"AIMI_EMBEDDER", "minilm"}});
    auto goals = env_.start_projector({{"AIMI_PROJECTION", "goals_graph"}});
    const auto ann = person("Ann");
    auto r = http().post("/v1/goals", ann.token, R"({"title":"Learn to speak Spanish"})");
    ASSERT_EQ(r.status, 201) << r.body;
    const auto first = std::string(r.json().at("id").as_string());
    EXPECT_TRUE(r.json().at("similar_goals").as_array().empty()) << r.body;
    r = http().post("/v1/goals", ann.token, R"({"title":"Run a marathon"})");
    ASSERT_EQ(r.status, 201) << r.body;

    r = http().post("/v1/goals", ann.token, R"({"title":"Learn Spanish"})");
    ASSERT_EQ(r.status, 201) << r.body;
    const auto similar = r.json().at("similar_goals").as_array();
    ASSERT_EQ(similar.size(), 1u) << r.body;
    EXPECT_EQ(similar.at(0).at("goal_id").as_string(), first);
    EXPECT_GT(similar.at(0).at("similarity").as_double(), 0.85);

    r = http().post("/v1/goals", ann.token, R"({"title":"Repaint the kitchen"})");
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_TRUE(r.json().at("similar_goals").as_array().empty()) << r.body;
    // The exact duplicate is the fold's: 409 unless allowed (in the body or the query).
    EXPECT_EQ(http().post("/v1/goals", ann.token, R"({"title":"learn spanish"})").status, 409);
    EXPECT_EQ(http().post("/v1/goals?allow_duplicate=true", ann.token, R"({"title":"learn spanish"})").status, 201);
    EXPECT_EQ(http().post("/v1/goals?allow_duplicate=maybe", ann.token, R"({"title":"x"})").status, 400);
}

}  // namespace
}  // namespace aimi::testing
