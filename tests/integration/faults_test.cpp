// Failure paths: broker down, database down, projector killed mid-batch, racing gateways.
#include <signal.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "projections/kafka/event_log_writer.hpp"
#include "tests/support/event_factory.hpp"
#include "tests/support/test_stack.hpp"

namespace aimi::testing {
namespace {

//! Appends batches from several threads (each append waits for acks=all).
void append_all(TestEnv& env, const std::vector<events::EventBatch>& batches, int threads = 8) {
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&] {
            for (std::size_t i; (i = next++) < batches.size();)
                env.writer().append(env.topic(), batches[i].user_id, events::encode(batches[i]));
        });
    for (auto& w : workers) w.join();
}

//! Asserts the chat holds exactly `expected` messages with seq 1..expected, each once.
void expect_exactly_once(const TestEnv& env, const std::string& chat_id, std::int64_t expected) {
    EXPECT_EQ(env.scalar(fmt::format("SELECT count(*) FROM messages WHERE chat_id = '{}'", chat_id)), expected);
    EXPECT_EQ(env.scalar(fmt::format("SELECT count(DISTINCT seq) FROM messages WHERE chat_id = '{}'", chat_id)),
              expected);
    EXPECT_EQ(env.scalar(fmt::format("SELECT coalesce(max(seq), 0) FROM messages WHERE chat_id = '{}'", chat_id)),
              expected);
    EXPECT_EQ(env.scalar(fmt::format("SELECT last_seq FROM chats WHERE id = '{}'", chat_id)), expected);
    EXPECT_EQ(env.scalar("SELECT count(*) FROM (SELECT content FROM messages GROUP BY content HAVING count(*) > 1) d"),
              0)
        << "no message content may be applied twice";
    EXPECT_EQ(env.scalar("SELECT count(*) FROM dead_letters"), 0);
}

TEST(Faults, CommandsFailFastWith503WhileKafkaIsUnreachableAndNothingIsWritten) {
    TestEnv env;
    auto projector = env.start_projector();
    auto healthy = env.start_gateway();
    const auto user = random_id();
    const auto token = env.token(user);
    ASSERT_EQ(healthy.client().post("/v1/users", token, R"({"display_name":"Ann"})").status, 201);
    const auto records = env.records_in_topic();

    // A gateway whose broker is gone: nothing listens on port 1.
    auto cut_off =
        env.start_gateway({{"AIMI_KAFKA_BOOTSTRAP", "127.0.0.1:1"}, {"AIMI_KAFKA_MESSAGE_TIMEOUT_MS", "3000"}});
    for (int attempt = 0; attempt < 3; ++attempt) {
        auto r = cut_off.client().post("/v1/chats", token, R"({"title":"lost?"})", {{"Idempotency-Key", "chat-1"}});
        EXPECT_EQ(r.status, 503) << r.body;
        EXPECT_EQ(r.error_code(), "event_log_unavailable");
        EXPECT_EQ(r.headers["retry-after"], "1");
    }
    EXPECT_EQ(cut_off.client().get("/v1/users/" + user, token).status, 200) << "queries keep working";
    EXPECT_EQ(cut_off.client().request("GET", "/ready").status, 503);
    EXPECT_EQ(env.records_in_topic(), records);
    EXPECT_EQ(env.scalar("SELECT count(*) FROM chats"), 0);

    // The client retries with the same key once Kafka is back: exactly one chat.
    auto retried = healthy.client().post("/v1/chats", token, R"({"title":"lost?"})", {{"Idempotency-Key", "chat-1"}});
    EXPECT_EQ(retried.status, 201) << retried.body;
    EXPECT_EQ(env.scalar("SELECT count(*) FROM chats"), 1);
}

TEST(Faults, GatewayAnswers503DuringARealBrokerOutageAndRecoversAfterIt) {
    TestEnv env;
    auto projector = env.start_projector();
    auto gateway = env.start_gateway({{"AIMI_KAFKA_MESSAGE_TIMEOUT_MS", "3000"}});
    const auto user = random_id();
    const auto token = env.token(user);
    auto http = gateway.client();
    ASSERT_EQ(http.post("/v1/users", token, R"({"display_name":"Ann"})").status, 201);
    const std::string chat(http.post("/v1/chats", token, "{}").json().at("id").as_string());

    const auto& stack = StackCoordinates::get();
    stack.control("kafka-stop");
    auto during = http.post("/v1/chats/" + chat + "/messages", token, R"({"content":"in the dark"})",
                            {{"Idempotency-Key", "dark-1"}});
    EXPECT_EQ(during.status, 503) << during.body;
    EXPECT_EQ(during.error_code(), "event_log_unavailable");
    EXPECT_EQ(http.get("/v1/chats/" + chat, token).status, 200) << "queries are served from PostgreSQL";
    stack.control("kafka-start");

    // The same request, retried with its key until Kafka is back: applied exactly once.
    HttpResult after;
    ASSERT_TRUE(eventually(
        [&] {
            after = http.post("/v1/chats/" + chat + "/messages", token, R"({"content":"in the dark"})",
                              {{"Idempotency-Key", "dark-1"}});
            return after.status == 201;
        },
        std::chrono::seconds(90)))
        << after.body << "\n"
        << gateway.process->log_tail();
    EXPECT_EQ(after.json().at("seq").as_int64(), 1);
    EXPECT_TRUE(eventually([&] { return env.scalar("SELECT count(*) FROM batch_outcomes") >= 3; }));
    EXPECT_EQ(env.scalar("SELECT count(*) FROM messages"), 1);
}

TEST(Faults, GatewayAnswers503WhileThePostgresIsDownAndRecovers) {
    TestEnv env;
    auto projector = env.start_projector();
    auto gateway = env.start_gateway();
    const auto user = random_id();
    const auto token = env.token(user);
    auto http = gateway.client();
    ASSERT_EQ(http.post("/v1/users", token, R"({"display_name":"Ann"})").status, 201);

    const auto& stack = StackCoordinates::get();
    stack.control("pg-stop");
    auto read = http.get("/v1/users/" + user, token);
    auto write = http.post("/v1/chats", token, "{}");
    stack.control("pg-start");
    EXPECT_EQ(read.status, 503) << read.body;
    EXPECT_EQ(read.error_code(), "read_model_unavailable");
    EXPECT_EQ(write.status, 503) << write.body;
    EXPECT_TRUE(eventually([&] { return http.get("/v1/users/" + user, token).status == 200; }));
    EXPECT_EQ(env.scalar("SELECT count(*) FROM chats"), 0) << "the refused command appended nothing";
}

TEST(Faults, ProjectorWaitsOutADatabaseOutageAndCatchesUpExactlyOnce) {
    TestEnv env;
    auto projector = env.start_projector();
    const auto user = random_id(), chat = random_id();
    append_all(env, {register_user(user)}, 1);
    append_all(env, {create_chat(user, chat)}, 1);
    ASSERT_TRUE(eventually([&] { return env.scalar("SELECT count(*) FROM chats") == 1; }));

    const auto& stack = StackCoordinates::get();
    stack.control("pg-stop");
    std::vector<events::EventBatch> batches;
    for (int i = 0; i < 300; ++i) batches.push_back(post_message(user, chat, fmt::format("during outage {}", i)));
    append_all(env, batches);
    std::this_thread::sleep_for(std::chrono::seconds(2));  // let the projector hit the outage and back off
    stack.control("pg-start");

    ASSERT_TRUE(eventually(
        [&] {
            try {
                return env.scalar("SELECT count(*) FROM messages") == 300;
            } catch (const std::exception&) {
                return false;
            }
        },
        std::chrono::seconds(60)))
        << projector->log_tail();
    EXPECT_TRUE(projector->running()) << "the projector must survive the outage";
    expect_exactly_once(env, chat, 300);
    EXPECT_EQ(env.scalar("SELECT count(*) FROM batch_outcomes WHERE outcome <> 'applied'"), 0);
}

// A database crash (immediate stop: no checkpoint, recovery from the WAL) in the middle of a
// stream: the decider and a read model built from facts both retry until it is back, and every
// message ends up decided and searchable exactly once.
TEST(Faults, ADerivedReadModelLosesAndDoublesNothingWhenPostgresCrashes) {
    TestEnv env;
    auto entities = env.start_projector();
    auto search = env.start_projector({{"AIMI_PROJECTION", "message_search"}});
    const auto user = random_id(), chat = random_id();
    append_all(env, {register_user(user)}, 1);
    append_all(env, {create_chat(user, chat)}, 1);
    ASSERT_TRUE(eventually([&] { return env.scalar("SELECT count(*) FROM chats") == 1; }));

    constexpr int kMessages = 600;
    std::vector<events::EventBatch> batches;
    for (int i = 0; i < kMessages; ++i) batches.push_back(post_message(user, chat, fmt::format("crash {}", i)));
    std::thread writer([&] { append_all(env, batches, 2); });
    // Crash while both projectors are busy.
    ASSERT_TRUE(eventually([&] { return env.scalar("SELECT count(*) FROM search_messages") > 50; }));
    const auto& stack = StackCoordinates::get();
    stack.control("pg-crash");
    std::this_thread::sleep_for(std::chrono::seconds(1));
    stack.control("pg-start");
    writer.join();

    const auto settled = [&] {
        try {
            return env.scalar("SELECT count(*) FROM search_messages") == kMessages &&
                   env.scalar("SELECT count(*) FROM messages") == kMessages;
        } catch (const std::exception&) {
            return false;
        }
    };
    ASSERT_TRUE(eventually(settled, std::chrono::seconds(90))) << search->log_tail();
    EXPECT_TRUE(search->running() && entities->running());
    expect_exactly_once(env, chat, kMessages);
    EXPECT_EQ(env.scalar("SELECT count(DISTINCT message_id) FROM search_messages"), kMessages);
    EXPECT_EQ(env.scalar("SELECT count(DISTINCT content) FROM search_messages"), kMessages);
    EXPECT_EQ(env.scalar("SELECT count(*) FROM search_messages s JOIN messages m ON m.id = s.message_id "
                         "WHERE m.seq = s.seq AND m.chat_id = s.chat_id"),
              kMessages);
}

// What a crash does to a read model that commits asynchronously, made deterministic: the last
// commits vanish (here all of them: rows and stored offsets back to nothing) and the projector's
// connection breaks. Its next batch fails, and it must go back to the offsets the database holds,
// not retry only the batch in memory (which would leave the lost facts out for good).
TEST(Faults, ADerivedReadModelReappliesCommitsTheDatabaseLost) {
    TestEnv env;
    auto entities = env.start_projector();
    auto search = env.start_projector({{"AIMI_PROJECTION", "message_search"}});
    const auto user = random_id(), chat = random_id();
    append_all(env, {register_user(user)}, 1);
    append_all(env, {create_chat(user, chat)}, 1);
    constexpr int kBefore = 20;
    std::vector<events::EventBatch> before;
    for (int i = 0; i < kBefore; ++i) before.push_back(post_message(user, chat, fmt::format("before {}", i)));
    append_all(env, before, 1);
    ASSERT_TRUE(eventually([&] { return env.scalar("SELECT count(*) FROM search_messages") == kBefore; }))
        << search->log_tail();
    EXPECT_EQ(env.scalar(fmt::format("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                                     "'aimi-projector message_search {}' AND pg_backend_pid() <> pid",
                                     env.schema())),
              1)
        << "the projector's connection names itself";

    {
        auto db = env.connect();
        pqxx::work tx(*db);
        tx.exec("DELETE FROM search_messages");
        tx.exec("DELETE FROM projection_offsets WHERE projection = 'message_search'");
        tx.exec_params("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                       "aimi-projector message_search " + env.schema());
        tx.commit();
    }
    append_all(env, {post_message(user, chat, "after")}, 1);

    const auto settled = [&] { return env.scalar("SELECT count(*) FROM search_messages") == kBefore + 1; };
    ASSERT_TRUE(eventually(settled, std::chrono::seconds(60))) << search->log_tail();
    EXPECT_EQ(env.scalar("SELECT count(DISTINCT message_id) FROM search_messages"), kBefore + 1);
    EXPECT_EQ(env.scalar("SELECT count(*) FROM search_messages s JOIN messages m ON m.id = s.message_id "
                         "WHERE m.seq = s.seq AND m.chat_id = s.chat_id"),
              kBefore + 1);
    EXPECT_TRUE(search->running());
}

TEST(Faults, ProjectorKilledMidBatchAppliesEveryEventExactlyOnce) {
    constexpr int kMessages = 20000;
    TestEnv env;
    const auto user = random_id(), chat = random_id();
    std::vector<events::EventBatch> batches{register_user(user), create_chat(user, chat)};
    append_all(env, {batches[0]}, 1);
    append_all(env, {batches[1]}, 1);
    batches.clear();
    for (int i = 0; i < kMessages; ++i) batches.push_back(post_message(user, chat, fmt::format("m{}", i)));
    append_all(env, batches);

    // Large batches, and a short group session so a killed member's partitions move on quickly.
    const std::map<std::string, std::string> big_batches{{"AIMI_PROJECTOR_MAX_BATCH", "5000"},
                                                         {"AIMI_KAFKA_PROP_session__timeout__ms", "6000"}};
    const auto applied = [&] { return env.scalar("SELECT count(*) FROM messages"); };
    // Kill at three points: before the first commit, and twice part-way through.
    for (const std::int64_t kill_after :
         {std::int64_t{0}, std::int64_t{kMessages / 3}, std::int64_t{kMessages * 2 / 3}}) {
        auto projector = env.start_projector(big_batches);
        ASSERT_TRUE(eventually(
            [&] {
                // Kill while a transaction is open: pg_stat_activity shows the projector inside one.
                return applied() >= kill_after &&
                       env.scalar(fmt::format("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                                              "'aimi-projector entity_store {}' AND "
                                              "(state = 'idle in transaction' OR query LIKE '%jsonb_to_recordset%')",
                                              env.schema())) > 0;
            },
            std::chrono::seconds(120)))
            << projector->log_tail();
        projector->stop(SIGKILL);
        const auto at_kill = applied();
        EXPECT_LT(at_kill, kMessages) << "the kill must land before the end";
    }
    auto projector = env.start_projector(big_batches);
    ASSERT_TRUE(eventually([&] { return applied() == kMessages; }, std::chrono::seconds(180))) << projector->log_tail();
    expect_exactly_once(env, chat, kMessages);
    EXPECT_EQ(env.scalar("SELECT count(*) FROM batch_outcomes WHERE outcome <> 'applied'"), 0);
    EXPECT_EQ(env.scalar(fmt::format("SELECT version FROM user_streams WHERE user_id = '{}'", user)), kMessages + 2);
    EXPECT_EQ(env.scalar("SELECT count(*) FROM batch_outcomes"), kMessages + 2);
}

TEST(Faults, ProjectorsJoiningAndDyingMidStreamApplyEveryEventExactlyOnce) {
    constexpr int kUsers = 24, kBacklogPerUser = 250;
    TestEnv env(6);
    std::vector<std::pair<std::string, std::string>> chats;  // (user, chat)
    std::vector<events::EventBatch> setup, backlog;
    for (int u = 0; u < kUsers; ++u) {
        const auto user = random_id(), chat = random_id();
        chats.emplace_back(user, chat);
        setup.push_back(register_user(user));
        setup.push_back(create_chat(user, chat));
    }
    for (int i = 0; i < kBacklogPerUser; ++i)
        for (const auto& [user, chat] : chats)
            backlog.push_back(post_message(user, chat, fmt::format("{} m{}", chat, i)));
    append_all(env, setup, 1);  // in order: a user's registration before its chat
    append_all(env, backlog);

    // Events keep arriving while members join and die, however fast the projectors are.
    std::atomic<bool> producing{true};
    std::atomic<std::int64_t> produced{0};
    std::thread producer([&] {
        for (int i = kBacklogPerUser; producing; ++i)
            for (const auto& [user, chat] : chats) {
                const auto batch = post_message(user, chat, fmt::format("{} m{}", chat, i));
                env.writer().append(env.topic(), user, events::encode(batch));
                ++produced;
            }
    });
    struct StopProducing {
        std::atomic<bool>& flag;
        std::thread& thread;
        void operator()() {
            flag = false;
            if (thread.joinable()) thread.join();
        }
        ~StopProducing() { (*this)(); }  // also when an assertion returns early
    } stop_producing{producing, producer};

    // Small batches keep every member busy while the group rebalances under it; the short
    // session lets a killed member's partitions move on quickly.
    const std::map<std::string, std::string> settings{{"AIMI_PROJECTOR_MAX_BATCH", "40"},
                                                      {"AIMI_KAFKA_PROP_session__timeout__ms", "6000"}};
    const auto applied = [&] { return env.scalar("SELECT count(*) FROM messages"); };
    const auto was_assigned = [](const ChildProcess& projector) {
        return projector.log_tail(1 << 20).find("assigned") != std::string::npos;
    };
    auto first = env.start_projector(settings);
    ASSERT_TRUE(eventually([&] { return applied() > 0; }, std::chrono::seconds(60))) << first->log_tail();
    // A second member joins: the busy first one gives up partitions, each side seeks to the stored offsets.
    auto second = env.start_projector(settings);
    ASSERT_TRUE(eventually([&] { return was_assigned(*second); }, std::chrono::seconds(60))) << second->log_tail();
    EXPECT_NE(first->log_tail(1 << 20).find("partitions revoked"), std::string::npos) << first->log_tail();
    // The first dies, likely inside a batch; its partitions move on, and a third member joins meanwhile.
    first->stop(SIGKILL);
    auto third = env.start_projector(settings);
    ASSERT_TRUE(eventually([&] { return was_assigned(*third); }, std::chrono::seconds(60))) << third->log_tail();
    stop_producing();
    const std::int64_t total = kUsers * kBacklogPerUser + produced;
    ASSERT_TRUE(eventually([&] { return applied() == total; }, std::chrono::seconds(180)))
        << second->log_tail() << third->log_tail();

    EXPECT_EQ(env.scalar("SELECT count(*) FROM batch_outcomes"), total + 2 * kUsers);
    EXPECT_EQ(env.scalar("SELECT count(*) FROM batch_outcomes WHERE outcome <> 'applied'"), 0);
    EXPECT_EQ(env.scalar("SELECT count(*) FROM (SELECT chat_id FROM messages GROUP BY chat_id "
                         "HAVING count(*) <> max(seq) OR count(DISTINCT seq) <> count(*)) gaps"),
              0)
        << "every chat's seq must run 1..N without gaps or repeats";
    EXPECT_EQ(env.scalar("SELECT count(*) FROM (SELECT content FROM messages GROUP BY content HAVING count(*) > 1) d"),
              0)
        << "no message content may be applied twice";
    EXPECT_EQ(env.scalar("SELECT count(*) FROM dead_letters"), 0);
    EXPECT_EQ(env.scalar("SELECT sum(next_offset) FROM projection_offsets"), env.records_in_topic());
    std::cerr << "events applied: " << total << " (" << produced << " while the group changed)\n";
}

TEST(Faults, TwoGatewaysRacingOnOneUserLoseNoUpdateAndLeaveNoSeqGap) {
    constexpr int kPostsPerThread = 25, kPostThreads = 4, kPatchesPerThread = 10, kPatchThreads = 2;
    TestEnv env;
    auto projector = env.start_projector();
    std::vector<Gateway> gateways;
    gateways.push_back(env.start_gateway());
    gateways.push_back(env.start_gateway());
    const auto user = random_id();
    const auto token = env.token(user);

    // Registration is decided on "the stream is new": racing registrations through both
    // gateways must yield exactly one user (the losers conflict, re-decide, and get 409).
    std::atomic<int> created{0}, refused{0};
    std::vector<std::thread> registrations;
    for (int t = 0; t < 6; ++t)
        registrations.emplace_back([&, t] {
            auto r =
                gateways[t % 2].client().post("/v1/users", token, fmt::format(R"({{"display_name":"Ann {}"}})", t));
            if (r.status == 201)
                ++created;
            else if (r.status == 409 && r.error_code() == "user_exists")
                ++refused;
        });
    for (auto& t : registrations) t.join();
    EXPECT_EQ(created, 1);
    EXPECT_EQ(refused, 5);
    EXPECT_EQ(env.scalar("SELECT count(*) FROM users"), 1);

    auto chat_response = gateways[1].client().post("/v1/chats", token, "{}");
    ASSERT_EQ(chat_response.status, 201);
    const std::string chat(chat_response.json().at("id").as_string());

    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kPostThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPostsPerThread; ++i) {
                const auto& gw = gateways[(t + i) % 2];
                auto r = gw.client().post("/v1/chats/" + chat + "/messages", token,
                                          fmt::format(R"({{"content":"t{} m{}"}})", t, i));
                if (r.status != 201) ++failures;
            }
        });
    for (int t = 0; t < kPatchThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPatchesPerThread; ++i) {
                const auto& gw = gateways[(t + i + 1) % 2];
                auto r = gw.client().patch("/v1/users/" + user, token,
                                           fmt::format(R"({{"settings":{{"k_{}_{}":{}}}}})", t, i, i));
                if (r.status != 200) ++failures;
            }
        });
    for (auto& t : threads) t.join();

    EXPECT_EQ(failures, 0);
    expect_exactly_once(env, chat, kPostsPerThread * kPostThreads);
    auto user_now = gateways[0].client().get("/v1/users/" + user, token).json();
    const auto& settings = user_now.at("settings").as_object();
    for (int t = 0; t < kPatchThreads; ++t)
        for (int i = 0; i < kPatchesPerThread; ++i)
            EXPECT_TRUE(settings.contains(fmt::format("k_{}_{}", t, i))) << "lost update k_" << t << "_" << i;
    std::cerr << "stream-version conflicts retried: "
              << env.scalar("SELECT count(*) FROM batch_outcomes WHERE outcome = 'conflict'") << "\n";
}

}  // namespace
}  // namespace aimi::testing
