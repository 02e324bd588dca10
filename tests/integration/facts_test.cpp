// The facts stream: every intake record gets exactly one fact (in effect), in intake order, also
// when the deciders (which relay the facts too) are SIGKILLed at random points; rejected,
// duplicate and conflicting batches are visible as such; facts carry what the fold assigned.
#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "domain/facts/fact.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/keys/key_store.hpp"
#include "tests/support/event_factory.hpp"
#include "tests/support/test_stack.hpp"

namespace aimi::testing {
namespace {

namespace bj = boost::json;
using Writer = kafka::EventLogWriter;

//! The facts of `topic` by origin (intake partition, offset), checking on the way that copies
//! are identical and that first occurrences come in origin order on the origin's own partition.
std::map<std::pair<std::int32_t, std::int64_t>, facts::Fact> facts_by_origin(const TestEnv& env, int* copies) {
    std::map<std::pair<std::int32_t, std::int64_t>, facts::Fact> out;
    std::map<std::pair<std::int32_t, std::int64_t>, std::string> bytes;
    std::map<std::int32_t, std::int64_t> last;  // last first-occurrence origin offset per partition
    *copies = 0;
    for (const auto& record : env.read_topic(env.facts_topic())) {
        auto fact = facts::decode(record.value, &env.keys());
        EXPECT_TRUE(fact) << fact.problem().message << " " << record.value.substr(0, 300);
        if (!fact) continue;
        EXPECT_EQ(fact->origin.topic, env.topic());
        EXPECT_EQ(fact->origin.partition, record.partition) << "a fact lives on its origin's partition";
        const std::pair key{fact->origin.partition, fact->origin.offset};
        if (const auto it = bytes.find(key); it != bytes.end()) {
            EXPECT_EQ(it->second, record.value) << "copies of a fact are identical";
            ++*copies;
            continue;
        }
        const auto previous = last.contains(key.first) ? last[key.first] : -1;
        EXPECT_GT(key.second, previous) << "facts come in intake order";
        last[key.first] = key.second;
        bytes[key] = record.value;
        out.emplace(key, std::move(fact).value());
    }
    return out;
}

TEST(Facts, EveryIntakeRecordGetsExactlyOneFactInOrderWhileDecidersAreKilled) {
    TestEnv env(3);
    constexpr int kUsers = 40, kChatsPerUser = 2, kMessagesPerChat = 120;
    std::vector<std::string> users;
    std::vector<Writer::KeyedValue> records;
    std::mt19937 rng(7);
    for (int u = 0; u < kUsers; ++u) users.push_back(random_id());
    for (const auto& user : users) {
        records.push_back({user, events::encode(register_user(user))});
        records.push_back({user, events::encode(register_user(user))});  // conflict: the stream is no longer new
    }
    std::map<std::string, std::vector<std::string>> chats;
    for (const auto& user : users)
        for (int c = 0; c < kChatsPerUser; ++c) {
            chats[user].push_back(random_id());
            records.push_back({user, events::encode(create_chat(user, chats[user].back()))});
        }
    std::vector<Writer::KeyedValue> messages;
    for (int m = 0; m < kMessagesPerChat; ++m)
        for (const auto& user : users)
            for (const auto& chat : chats[user]) {
                auto batch = post_message(user, chat, fmt::format("message {} of {}", m, chat));
                messages.push_back({user, events::encode(batch)});
                if (rng() % 50 == 0) messages.push_back({user, events::encode(batch)});  // retried: duplicate
                if (rng() % 80 == 0)
                    messages.push_back({user, events::encode(post_message(user, random_id(), "nowhere"))});  // rejected
                if (rng() % 200 == 0) messages.push_back({user, "not an envelope"});  // dead-lettered: invalid fact
            }
    records.insert(records.end(), messages.begin(), messages.end());
    env.writer().append_all(env.topic(), Writer::kPartitionByKey, records);
    const auto total = env.records_in_topic();
    ASSERT_EQ(total, static_cast<std::int64_t>(records.size()));

    // Two deciders share the partitions (and relay); each is SIGKILLed now and then mid-stream.
    std::vector<std::unique_ptr<ChildProcess>> deciders;
    deciders.push_back(env.start_projector({{"AIMI_PROJECTOR_MAX_BATCH", "300"}}));
    deciders.push_back(env.start_projector({{"AIMI_PROJECTOR_MAX_BATCH", "300"}}));
    for (int kill = 0; kill < 6; ++kill) {
        std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 900));
        auto& victim = deciders[kill % 2];
        victim->stop(SIGKILL);
        victim = env.start_projector({{"AIMI_PROJECTOR_MAX_BATCH", "300"}});
    }
    const auto applied = [&] {
        return env.scalar(
            "SELECT coalesce(sum(next_offset), 0) FROM projection_offsets WHERE projection = "
            "'entity_store'");
    };
    ASSERT_TRUE(eventually([&] { return applied() == total; }, std::chrono::seconds(240)))
        << applied() << " of " << total;
    ASSERT_TRUE(
        eventually([&] { return env.scalar("SELECT count(*) FROM fact_outbox") == 0; }, std::chrono::seconds(60)));

    int copies = 0;
    const auto facts = facts_by_origin(env, &copies);
    ASSERT_EQ(static_cast<std::int64_t>(facts.size()), total) << "one fact per intake record";
    std::printf("%zu facts, %d extra copies, %lld records\n", facts.size(), copies, static_cast<long long>(total));

    // Every fact says what the entity store recorded about its record.
    std::map<std::string, int> outcomes;
    auto db = env.connect();
    pqxx::read_transaction tx(*db);
    std::map<std::pair<std::int32_t, std::int64_t>, std::string> recorded;
    for (const auto& row : tx.exec("SELECT partition, \"offset\", outcome FROM batch_outcomes"))
        recorded[{row[0].as<std::int32_t>(), row[1].as<std::int64_t>()}] = row[2].as<std::string>();
    std::map<std::string, std::int64_t> last_seq;  // per chat: seq must be 1, 2, 3, ... in fact order
    for (const auto& [origin, fact] : facts) {
        ++outcomes[fact.outcome];
        if (fact.outcome == "invalid") {
            EXPECT_EQ(fact.code, "dead_lettered");
            continue;
        }
        // A record appended twice (same batch id) has one outcome row: the first one's.
        if (const auto it = recorded.find(origin); it != recorded.end())
            EXPECT_EQ(it->second, fact.outcome) << "origin " << origin.first << "/" << origin.second;
        else
            EXPECT_EQ(fact.outcome, "duplicate");
        for (const auto& event : fact.events) {
            if (event.type != "message.posted") continue;
            const auto chat = std::string(event.data.at("chat_id").as_string());
            EXPECT_EQ(event.applied.at("seq").as_int64(), ++last_seq[chat]) << chat;
        }
    }
    EXPECT_EQ(outcomes["invalid"], env.scalar("SELECT count(*) FROM dead_letters"));
    EXPECT_EQ(outcomes["conflict"], kUsers);
    EXPECT_GT(outcomes["duplicate"], 0);
    EXPECT_GT(outcomes["rejected"], 0);
    EXPECT_EQ(outcomes["applied"], env.scalar("SELECT count(*) FROM batch_outcomes WHERE outcome = 'applied'"));
    EXPECT_EQ(env.scalar("SELECT count(*) FROM messages"),
              static_cast<std::int64_t>(kUsers * kChatsPerUser * kMessagesPerChat));
}

TEST(Facts, CarryTheOutcomeAndWhatTheFoldAssigned) {
    TestEnv env(3);
    auto projector = env.start_projector();
    auto gateway = env.start_gateway();
    const auto http = gateway.client();
    const auto user = random_id();
    const auto token = env.token(user);
    ASSERT_EQ(http.post("/v1/users", token, R"({"display_name":"Ann","locale":"de-DE"})").status, 201);
    auto chat = http.post("/v1/chats", token, R"({"title":"t"})");
    const auto chat_id = std::string(chat.json().at("id").as_string());
    auto first = http.post("/v1/chats/" + chat_id + "/messages", token, R"({"content":"hi","client_msg_id":"c1"})");
    ASSERT_EQ(first.status, 201);
    auto again = http.post("/v1/chats/" + chat_id + "/messages", token, R"({"content":"hi","client_msg_id":"c1"})");
    ASSERT_EQ(again.status, 201);
    ASSERT_EQ(http.post("/v1/chats/" + chat_id + "/archive", token, "").status, 200);
    ASSERT_EQ(http.post("/v1/chats/" + chat_id + "/messages", token, R"({"content":"late"})").status, 409);
    // The gateway refused that one itself; a gateway that decided before the archive landed would
    // have appended it, and the fold rejects it:
    env.writer().append(env.topic(), user, events::encode(post_message(user, chat_id, "raced the archive")));

    ASSERT_TRUE(eventually([&] { return env.records_in(env.facts_topic()) >= env.records_in_topic(); }));
    int copies = 0;
    const auto facts = facts_by_origin(env, &copies);
    std::vector<const facts::Fact*> ordered;  // one user: one partition, in command order
    for (const auto& [origin, fact] : facts) ordered.push_back(&fact);
    ASSERT_EQ(ordered.size(), 6u);

    const auto& registered = *ordered[0];
    EXPECT_EQ(registered.outcome, "applied");
    EXPECT_EQ(registered.user_id, user);
    EXPECT_EQ(registered.stream_version, 1);
    ASSERT_TRUE(registered.resource && registered.resource->state);
    EXPECT_EQ(registered.resource->state->at("locale").as_string(), "de-DE");

    const auto& posted = *ordered[2];
    EXPECT_EQ(posted.outcome, "applied");
    ASSERT_EQ(posted.events.size(), 1u);
    EXPECT_EQ(posted.events[0].type, "message.posted");
    EXPECT_EQ(posted.events[0].applied.at("seq").as_int64(), 1);
    EXPECT_EQ(posted.events[0].applied.at("session_started").as_bool(), true);
    EXPECT_EQ(posted.events[0].applied.at("session_id").as_string(), first.json().at("session_id").as_string());
    EXPECT_EQ(posted.resource->id, first.json().at("id").as_string());
    EXPECT_EQ(posted.resource->state->at("content").as_string(), "hi");
    EXPECT_EQ(posted.batch_id.size(), 36u);
    EXPECT_EQ(posted.idempotency_key.rfind("auto:", 0), 0u);

    const auto& duplicate = *ordered[3];
    EXPECT_EQ(duplicate.outcome, "duplicate");
    EXPECT_EQ(duplicate.code, "duplicate_client_msg_id");
    EXPECT_EQ(duplicate.duplicate_of, posted.batch_id);
    EXPECT_TRUE(duplicate.events.empty());

    EXPECT_EQ(ordered[4]->outcome, "applied");  // archived
    const auto& refused = *ordered[5];
    EXPECT_EQ(refused.outcome, "rejected");
    EXPECT_EQ(refused.code, "chat_archived");
    EXPECT_FALSE(refused.message.empty());
    EXPECT_TRUE(refused.events.empty());
    EXPECT_EQ(refused.stream_version, ordered[4]->stream_version);
}

}  // namespace
}  // namespace aimi::testing
