// Poison records: a record no projection can apply is kept in dead_letters, in the same
// transaction as its offset, and its partition moves on. Real Kafka and PostgreSQL.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <pqxx/pqxx>

#include "domain/events/envelope.hpp"
#include "projections/batch_applier.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "tests/support/event_factory.hpp"
#include "tests/support/test_stack.hpp"

namespace aimi::testing {
namespace {

events::EventBatch post_with_id(const std::string& user, const std::string& chat, const std::string& message_id,
                                const std::string& content) {
    return make_batch(
        user, events::MessagePosted{message_id, chat, "user", content, {}, "test", std::nullopt, new_uuid(), 1800});
}

TEST(PoisonRecords, EntityStoreDeadLettersWhatItCannotApplyAndKeepsTheRestContiguous) {
    TestEnv env(1);  // one partition: every poison record sits in the way of the good ones
    const auto user = random_id(), chat = random_id(), message_id = random_id();
    auto& log = env.writer();
    const auto append = [&](const std::string& key, const std::string& value) { log.append(env.topic(), key, value); };

    append(user, events::encode(register_user(user)));                               // 0
    append(user, events::encode(create_chat(user, chat)));                           // 1
    append(user, events::encode(post_with_id(user, chat, message_id, "first")));     // 2
    append(user, "this is not an envelope");                                         // 3: undecodable
    append(user, events::encode(post_message(user, chat, std::string("a\0b", 3))));  // 4: U+0000 (an older producer)
    append(user, events::encode(post_message(random_id(), chat, "forked")));        // 5: key is not the envelope's user
    append(user, events::encode(post_with_id(user, chat, message_id, "same id")));  // 6: PostgreSQL refuses the id
    append(user, events::encode(post_message(user, chat, "last")));                 // 7

    auto projector = env.start_projector();
    ASSERT_TRUE(eventually([&] {
        return env.scalar("SELECT coalesce(sum(next_offset), 0) FROM projection_offsets") == 8;
    })) << projector->log_tail();

    auto db = env.connect();
    pqxx::read_transaction tx(*db);
    std::vector<std::int64_t> offsets;
    std::string duplicate_error;
    for (const auto& row : tx.exec(R"(SELECT "offset", error FROM dead_letters ORDER BY "offset")")) {
        offsets.push_back(row[0].as<std::int64_t>());
        if (offsets.back() == 6) duplicate_error = row[1].as<std::string>();
    }
    EXPECT_EQ(offsets, (std::vector<std::int64_t>{3, 4, 5, 6}));
    EXPECT_NE(duplicate_error.find("SQLSTATE 23505"), std::string::npos) << duplicate_error;

    std::vector<std::string> messages;
    for (const auto& row : tx.exec("SELECT seq, content FROM messages ORDER BY seq"))
        messages.push_back(fmt::format("{}:{}", row[0].as<int>(), row[1].as<std::string>()));
    EXPECT_EQ(messages, (std::vector<std::string>{"1:first", "2:last"})) << "seq stays contiguous";
    EXPECT_EQ(tx.exec1("SELECT last_seq FROM chats")[0].as<int>(), 2);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM batch_outcomes WHERE outcome = 'applied'")[0].as<int>(), 4);
}

//! Writes each record's value (an integer) into a table whose CHECK refuses negatives, or raises
//! the SQLSTATE a value names ("raise:40001"): the database decides what is poison, not the test.
class CheckedNumbers final : public Projection {
  public:
    const std::string& name() const override { return name_; }
    void apply(pqxx::dbtransaction& tx, std::span<const LogRecord> records, BatchOffsets&) override {
        std::vector<std::int64_t> keys, values;
        for (const auto& record : records) {
            if (record.value.starts_with("raise:"))
                tx.exec(fmt::format("DO $$ BEGIN RAISE EXCEPTION 'induced' USING ERRCODE = '{}'; END $$",
                                    record.value.substr(6)));
            keys.push_back(record.offset);
            values.push_back(std::stoll(record.value));
        }
        tx.exec_params("INSERT INTO checked_numbers SELECT * FROM unnest($1::bigint[], $2::bigint[])",
                       fmt::format("{{{}}}", fmt::join(keys, ",")), fmt::format("{{{}}}", fmt::join(values, ",")));
    }

  private:
    std::string name_ = "checked_numbers";
};

std::vector<LogRecord> records(const std::vector<std::pair<std::string, std::string>>& key_values) {
    std::vector<LogRecord> out;
    for (const auto& [key, value] : key_values)
        out.push_back(LogRecord{"numbers", 0, static_cast<std::int64_t>(out.size()), key, value});
    return out;
}

class BatchApplier : public ::testing::Test {
  protected:
    void SetUp() override {
        db_ = env_.connect();
        pqxx::work tx(*db_);
        tx.exec(
            "CREATE TABLE checked_numbers (record_offset bigint PRIMARY KEY, value bigint NOT NULL CHECK (value >= "
            "0))");
        tx.commit();
    }

    TestEnv env_;
    std::unique_ptr<pqxx::connection> db_;
    CheckedNumbers projection_;
};

TEST_F(BatchApplier, IsolatesEachRecordTheDatabaseRefusesAndAppliesTheRestExactlyOnce) {
    const auto batch = records({{"a", "1"},
                                {"a", "2"},
                                {"a", "-3"},
                                {"a", "4"},
                                {"a", "5"},
                                {"a", "6"},
                                {std::string("\xff\0k", 3), "-7"},
                                {"a", "8"},
                                {"a", "9"}});
    const auto result = apply_isolating_poison(*db_, projection_, batch);
    EXPECT_EQ(result.applied, 7u);
    EXPECT_EQ(result.dead_lettered, 2u);
    EXPECT_EQ(result.next_offsets.at({"numbers", 0}), 9);

    EXPECT_EQ(env_.scalar("SELECT count(*) FROM checked_numbers"), 7);
    EXPECT_EQ(env_.scalar("SELECT sum(value) FROM checked_numbers"), 1 + 2 + 4 + 5 + 6 + 8 + 9);
    EXPECT_EQ(
        env_.scalar(R"(SELECT count(*) FROM dead_letters WHERE "offset" IN (2, 6) AND error LIKE '%SQLSTATE 23514%')"),
        2);
    // A key that is not text is kept as hex rather than failing the dead letter itself.
    EXPECT_EQ(env_.scalar(R"(SELECT count(*) FROM dead_letters WHERE "offset" = 6 AND record_key = 'hex:ff006b')"), 1);
    EXPECT_EQ(env_.scalar("SELECT next_offset FROM projection_offsets WHERE projection = 'checked_numbers'"), 9);

    // Redelivered (a crash before Kafka heard of it): nothing is applied or dead-lettered twice.
    const auto again = apply_isolating_poison(*db_, projection_, batch);
    EXPECT_EQ(again.skipped, batch.size());
    EXPECT_EQ(again.applied + again.dead_lettered, 0u);
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM checked_numbers"), 7);
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM dead_letters"), 2);
}

TEST_F(BatchApplier, AnErrorThatRetryingCanCureIsNotPoisonAndLeavesTheBatchUnapplied) {
    for (const char* state : {"40001", "40P01", "57014"}) {  // serialization failure, deadlock, query cancelled
        SCOPED_TRACE(state);
        const auto batch = records({{"a", "1"}, {"a", fmt::format("raise:{}", state)}, {"a", "3"}});
        EXPECT_THROW(apply_isolating_poison(*db_, projection_, batch), pqxx::failure);
        EXPECT_EQ(env_.scalar("SELECT count(*) FROM checked_numbers"), 0);
        EXPECT_EQ(env_.scalar("SELECT count(*) FROM dead_letters"), 0);
        EXPECT_EQ(env_.scalar("SELECT count(*) FROM projection_offsets"), 0);
    }
}

}  // namespace
}  // namespace aimi::testing
