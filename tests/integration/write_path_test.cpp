// The conversation slice through the real gateway, projector, Kafka and PostgreSQL.
#include <gtest/gtest.h>

#include <set>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "projections/kafka/event_log_writer.hpp"
#include "tests/support/event_factory.hpp"
#include "tests/support/test_stack.hpp"

namespace aimi::testing {
namespace {

namespace bj = boost::json;

class WritePath : public ::testing::Test {
  protected:
    void SetUp() override {
        projector_ = env_.start_projector();
        gateway_ = env_.start_gateway();
        user_ = random_id();
        token_ = env_.token(user_);
    }

    HttpClient http() const { return gateway_.client(); }

    std::string create_user(const std::string& display_name = "Ann") {
        auto r = http().post("/v1/users", token_,
                             fmt::format(R"({{"display_name":"{}","time_zone":"Europe/Berlin"}})", display_name));
        EXPECT_EQ(r.status, 201) << r.body;
        return user_;
    }
    std::string create_chat(const std::string& title = "Plans") {
        auto r = http().post("/v1/chats", token_, fmt::format(R"({{"title":"{}"}})", title));
        EXPECT_EQ(r.status, 201) << r.body;
        return std::string(r.json().at("id").as_string());
    }
    HttpResult post_message(const std::string& chat, const std::string& content,
                            std::map<std::string, std::string> headers = {}) {
        return http().post("/v1/chats/" + chat + "/messages", token_, bj::serialize(bj::object{{"content", content}}),
                           std::move(headers));
    }

    TestEnv env_;
    std::unique_ptr<ChildProcess> projector_;
    Gateway gateway_;
    std::string user_;
    std::string token_;
};

TEST_F(WritePath, CreatedUserIsReturnedAndReadableAtOnce) {
    auto created = http().post(
        "/v1/users", token_,
        R"({"display_name":"Ann","email":"ann@example.com","time_zone":"Europe/Berlin","locale":"de-DE","settings":{"quiet_hours":"22-7"}})");
    ASSERT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(created.json().at("id").as_string(), user_);
    EXPECT_EQ(created.json().at("email").as_string(), "ann@example.com");

    auto read = http().get("/v1/users/" + user_, token_);
    ASSERT_EQ(read.status, 200) << read.body;
    EXPECT_EQ(read.json().at("display_name").as_string(), "Ann");
    EXPECT_EQ(read.json().at("settings").at("quiet_hours").as_string(), "22-7");
}

TEST_F(WritePath, SecondRegistrationOfTheSameUserConflicts) {
    create_user();
    auto again = http().post("/v1/users", token_, R"({"display_name":"Ann again"})");
    EXPECT_EQ(again.status, 409) << again.body;
    EXPECT_EQ(again.error_code(), "user_exists");
}

TEST_F(WritePath, ProfileUpdateMergesSettingsAndKeepsOtherFields) {
    create_user();
    ASSERT_EQ(http().patch("/v1/users/" + user_, token_, R"({"settings":{"a":1,"b":{"c":2}}})").status, 200);
    auto updated =
        http().patch("/v1/users/" + user_, token_,
                     R"({"display_name":"Anna","settings":{"a":null,"b":{"d":3}},"email":"anna@example.com"})");
    ASSERT_EQ(updated.status, 200) << updated.body;
    const auto user = updated.json();
    EXPECT_EQ(user.at("display_name").as_string(), "Anna");
    EXPECT_EQ(user.at("time_zone").as_string(), "Europe/Berlin");
    EXPECT_FALSE(user.at("settings").as_object().contains("a"));
    EXPECT_EQ(user.at("settings").at("b").at("c").as_int64(), 2);
    EXPECT_EQ(user.at("settings").at("b").at("d").as_int64(), 3);
    auto cleared = http().patch("/v1/users/" + user_, token_, R"({"email":null})");
    EXPECT_TRUE(cleared.json().at("email").is_null()) << cleared.body;
}

TEST_F(WritePath, DevicesAreRegisteredPerUserAndATokenIsRegisteredOnce) {
    create_user();
    auto first = http().post("/v1/users/" + user_ + "/devices", token_, R"({"token":"apns-1","platform":"ios"})");
    ASSERT_EQ(first.status, 201) << first.body;
    auto again = http().post("/v1/users/" + user_ + "/devices", token_,
                             R"({"token":"apns-1","platform":"ios","locale":"en-GB"})");
    ASSERT_EQ(again.status, 201) << again.body;
    EXPECT_EQ(again.json().at("id"), first.json().at("id"));
    EXPECT_EQ(again.json().at("locale").as_string(), "en-GB");
    ASSERT_EQ(
        http().post("/v1/users/" + user_ + "/devices", token_, R"({"token":"fcm-2","platform":"android"})").status,
        201);
    auto list = http().get("/v1/users/" + user_ + "/devices", token_);
    ASSERT_EQ(list.status, 200);
    EXPECT_EQ(list.json().at("items").as_array().size(), 2u);
}

TEST_F(WritePath, MessagesGetContiguousSeqAndPageByCursor) {
    create_user();
    const auto chat = create_chat();
    for (int i = 1; i <= 7; ++i) {
        auto r = post_message(chat, fmt::format("message {}", i));
        ASSERT_EQ(r.status, 201) << r.body;
        EXPECT_EQ(r.json().at("seq").as_int64(), i);
    }
    std::vector<std::int64_t> seqs;
    std::string cursor = "0";
    for (int page = 0; page < 10 && !cursor.empty(); ++page) {
        auto r = http().get(fmt::format("/v1/chats/{}/messages?after_seq={}&limit=3", chat, cursor), token_);
        ASSERT_EQ(r.status, 200) << r.body;
        const auto body = r.json();
        for (const auto& item : body.at("items").as_array()) seqs.push_back(item.at("seq").as_int64());
        const auto& next = body.at("next_cursor");
        cursor = next.is_null() ? "" : std::string(next.as_string());
    }
    EXPECT_EQ(seqs, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7}));
    auto chat_now = http().get("/v1/chats/" + chat, token_);
    EXPECT_EQ(chat_now.json().at("last_seq").as_int64(), 7);
}

TEST_F(WritePath, ChatsPageNewestFirstWithoutSkipsEvenWhenCreatedInTheSameMicrosecond) {
    create_user();
    std::set<std::string> expected;
    for (int i = 0; i < 3; ++i) expected.insert(create_chat(fmt::format("own clock {}", i)));
    // Three more with one creation time, as two gateways could stamp them.
    const auto at = now_utc();
    std::string last;
    for (int i = 0; i < 3; ++i) {
        auto batch = make_batch(user_, events::ChatCreated{random_id(), "same instant", "aimi-rule-based", {}});
        batch.occurred_at = at;
        expected.insert(std::get<events::ChatCreated>(batch.events[0].data).chat_id);
        const auto appended = env_.writer().append(env_.topic(), user_, events::encode(batch));
        last = fmt::format("v1.{}.{}", appended.partition, appended.offset);
    }

    std::vector<std::string> seen;
    std::string cursor;
    for (int page = 0; page < 10; ++page) {
        auto r = http().get("/v1/chats?limit=2" + (cursor.empty() ? "" : "&before=" + cursor), token_,
                            {{"Consistency-Token", last}});
        ASSERT_EQ(r.status, 200) << r.body;
        const auto page_body = r.json();
        for (const auto& chat : page_body.at("items").as_array()) seen.emplace_back(chat.at("id").as_string());
        if (page_body.at("next_cursor").is_null()) break;
        cursor = std::string(page_body.at("next_cursor").as_string());
    }
    EXPECT_EQ(seen.size(), 6u) << "no chat twice";
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), expected) << "no chat skipped";
    EXPECT_EQ(http().get("/v1/chats?before=yesterday", token_).error_code(), "invalid_query");
}

TEST_F(WritePath, RecentWindowHoldsTheLastThirtyMessagesOfTheSession) {
    create_user();
    const auto chat = create_chat();
    for (int i = 1; i <= 35; ++i) ASSERT_EQ(post_message(chat, fmt::format("m{}", i)).status, 201);
    auto window = http().get("/v1/chats/" + chat + "/messages/recent", token_);
    ASSERT_EQ(window.status, 200) << window.body;
    const auto body = window.json();
    const auto& items = body.at("items").as_array();
    ASSERT_EQ(items.size(), 30u);
    EXPECT_EQ(items.front().at("seq").as_int64(), 6);
    EXPECT_EQ(items.back().at("seq").as_int64(), 35);
}

TEST_F(WritePath, IdempotencyKeyReplaysTheFirstResponseWithoutASecondEvent) {
    create_user();
    const auto chat = create_chat();
    const std::map<std::string, std::string> key{{"Idempotency-Key", "send-1"}};
    auto first = post_message(chat, "hello", key);
    ASSERT_EQ(first.status, 201) << first.body;
    const auto records = env_.records_in_topic();
    auto retry = post_message(chat, "hello", key);
    EXPECT_EQ(retry.status, 201);
    EXPECT_EQ(retry.body, first.body);
    EXPECT_EQ(retry.headers["idempotent-replayed"], "true");
    EXPECT_EQ(env_.records_in_topic(), records) << "a replay must not append";
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM messages"), 1);
}

TEST_F(WritePath, RequestIdIsForTracingAndDeduplicatesNothing) {
    create_user();
    const auto chat = create_chat();
    const std::map<std::string, std::string> traced{{"X-Request-Id", "trace-me"}};
    auto first = post_message(chat, "one", traced);
    auto second = post_message(chat, "two", traced);
    ASSERT_EQ(first.status, 201) << first.body;
    ASSERT_EQ(second.status, 201) << second.body;
    EXPECT_EQ(second.headers.count("idempotent-replayed"), 0u);
    EXPECT_EQ(second.json().at("seq").as_int64(), 2);
    EXPECT_EQ(second.headers.at("x-request-id"), "trace-me");
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM messages WHERE request_id = 'trace-me'"), 2);
}

TEST_F(WritePath, IdempotencyKeyReusedForADifferentRequestIs422) {
    create_user();
    const auto chat = create_chat();
    ASSERT_EQ(post_message(chat, "hello", {{"Idempotency-Key", "k"}}).status, 201);
    auto reused = post_message(chat, "something else", {{"Idempotency-Key", "k"}});
    EXPECT_EQ(reused.status, 422) << reused.body;
    EXPECT_EQ(reused.error_code(), "idempotency_key_reused");
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM messages"), 1);
}

TEST_F(WritePath, RetryRacingTheFirstAttemptIsDeduplicatedByTheFold) {
    create_user();
    const auto chat = create_chat();
    // Both attempts are in flight together (async mode returns before the fold runs), so the
    // gateway's pre-check cannot see the first one: the fold must drop the second.
    const std::map<std::string, std::string> headers{{"Idempotency-Key", "race"}, {"Prefer", "respond-async"}};
    auto a = post_message(chat, "once", headers);
    auto b = post_message(chat, "once", headers);
    ASSERT_EQ(a.status, 202) << a.body;
    ASSERT_EQ(b.status, 202) << b.body;
    ASSERT_TRUE(eventually(
        [&] { return env_.scalar("SELECT count(*) FROM batch_outcomes WHERE idempotency_key = 'race'") == 2; }));
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM messages"), 1);
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM batch_outcomes WHERE outcome = 'duplicate'"), 1);
    auto replay = post_message(chat, "once", {{"Idempotency-Key", "race"}});
    EXPECT_EQ(replay.status, 201) << replay.body;
    EXPECT_EQ(replay.json().at("seq").as_int64(), 1);
}

TEST_F(WritePath, ClientMsgIdIsDeduplicatedPerSource) {
    create_user();
    const auto chat = create_chat();
    const auto target = "/v1/chats/" + chat + "/messages";
    auto first = http().post(target, token_, R"({"content":"hi","client_msg_id":"c-1","source":"ios"})");
    ASSERT_EQ(first.status, 201) << first.body;
    auto repeat = http().post(target, token_, R"({"content":"hi","client_msg_id":"c-1","source":"ios"})");
    EXPECT_EQ(repeat.json().at("id"), first.json().at("id"));
    auto other_source = http().post(target, token_, R"({"content":"hi","client_msg_id":"c-1","source":"web"})");
    EXPECT_NE(other_source.json().at("id"), first.json().at("id"));
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM messages"), 2);
}

TEST_F(WritePath, AsyncCommandReturns202AndItsTokenMakesAQueryWait) {
    create_user();
    auto accepted = http().post("/v1/chats", token_, R"({"title":"later"})", {{"Prefer", "respond-async"}});
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    const std::string token(accepted.json().at("consistency_token").as_string());
    const std::string batch(accepted.json().at("batch_id").as_string());
    auto chats = http().get("/v1/chats", token_, {{"Consistency-Token", token}});
    ASSERT_EQ(chats.status, 200) << chats.body;
    ASSERT_EQ(chats.json().at("items").as_array().size(), 1u);
    EXPECT_EQ(chats.json().at("items").at(0).at("title").as_string(), "later");
    auto outcome = http().get("/v1/batches/" + batch, token_);
    ASSERT_EQ(outcome.status, 200) << outcome.body;
    EXPECT_EQ(outcome.json().at("outcome").as_string(), "applied");
}

TEST_F(WritePath, ArchivedChatKeepsHistoryAndRefusesNewMessages) {
    create_user();
    const auto chat = create_chat();
    ASSERT_EQ(post_message(chat, "before").status, 201);
    auto archived = http().post("/v1/chats/" + chat + "/archive", token_, "");
    ASSERT_EQ(archived.status, 200) << archived.body;
    EXPECT_TRUE(archived.json().at("archived").as_bool());
    EXPECT_EQ(http().post("/v1/chats/" + chat + "/archive", token_, "").status, 200) << "archiving twice is fine";
    auto refused = post_message(chat, "after");
    EXPECT_EQ(refused.status, 409);
    EXPECT_EQ(refused.error_code(), "chat_archived");
    EXPECT_EQ(http().get("/v1/chats", token_).json().at("items").as_array().size(), 0u);
    EXPECT_EQ(http().get("/v1/chats?include_archived=true", token_).json().at("items").as_array().size(), 1u);
}

TEST_F(WritePath, EndingASessionMakesTheNextMessageStartANewOne) {
    create_user();
    const auto chat = create_chat();
    const auto first = post_message(chat, "one").json();
    auto ended = http().post("/v1/chats/" + chat + "/sessions/current/end", token_, "");
    ASSERT_EQ(ended.status, 200) << ended.body;
    EXPECT_EQ(ended.json().at("end_reason").as_string(), "user");
    auto again = http().post("/v1/chats/" + chat + "/sessions/current/end", token_, "");
    EXPECT_EQ(again.status, 409);
    EXPECT_EQ(again.error_code(), "no_open_session");
    const auto second = post_message(chat, "two").json();
    EXPECT_NE(second.at("session_id"), first.at("session_id"));
    EXPECT_EQ(second.at("seq").as_int64(), 2);
    auto sessions = http().get("/v1/chats/" + chat + "/sessions", token_);
    EXPECT_EQ(sessions.json().at("items").as_array().size(), 2u);
}

TEST_F(WritePath, UsersSeeOnlyTheirOwnDataAndAdminsSeeAll) {
    create_user();
    const auto chat = create_chat();
    ASSERT_EQ(post_message(chat, "private").status, 201);
    const auto stranger = random_id();
    const auto stranger_token = env_.token(stranger);
    ASSERT_EQ(http().post("/v1/users", stranger_token, R"({"display_name":"Eve"})").status, 201);

    EXPECT_EQ(http().get("/v1/chats/" + chat, stranger_token).status, 404);
    EXPECT_EQ(http().get("/v1/chats/" + chat + "/messages", stranger_token).status, 404);
    EXPECT_EQ(http().post("/v1/chats/" + chat + "/messages", stranger_token, R"({"content":"x"})").status, 404);
    EXPECT_EQ(http().post("/v1/chats/" + chat + "/archive", stranger_token, "").status, 404);
    EXPECT_EQ(http().get("/v1/users/" + user_, stranger_token).status, 403);
    EXPECT_EQ(http().patch("/v1/users/" + user_, stranger_token, R"({"display_name":"x"})").status, 403);
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM messages"), 1);

    const auto admin_token = env_.token(random_id(), "admin");
    EXPECT_EQ(http().get("/v1/users/" + user_, admin_token).status, 200);
    EXPECT_EQ(http().get("/v1/chats/" + chat + "/messages", admin_token).status, 200);
    EXPECT_EQ(http().get("/v1/chats?user_id=" + user_, admin_token).json().at("items").as_array().size(), 1u);
}

TEST_F(WritePath, ClientExpectingContinueIsToldToSendItsBodyAndAnOversizeOneIsRefusedBeforeSending) {
    create_user();
    const auto chat = create_chat();
    auto posted = post_message(chat, "with a go-ahead", {{"Expect", "100-continue"}});
    EXPECT_EQ(posted.interim_status, 100);
    ASSERT_EQ(posted.status, 201) << posted.body;
    EXPECT_EQ(posted.json().at("content").as_string(), "with a go-ahead");

    auto oversize = post_message(chat, std::string(70'000, 'x'), {{"Expect", "100-continue"}});
    EXPECT_EQ(oversize.interim_status, 0) << "the body is refused unseen";
    EXPECT_EQ(oversize.status, 413);
    EXPECT_EQ(oversize.error_code(), "body_too_large");
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM messages"), 1);
}

TEST_F(WritePath, HealthAndReadinessNeedNoToken) {
    EXPECT_EQ(http().request("GET", "/health").status, 200);
    ASSERT_TRUE(eventually([&] { return http().request("GET", "/ready").status == 200; }));
    auto ready = http().request("GET", "/ready");
    EXPECT_TRUE(ready.json().at("checks").at("kafka").at("ok").as_bool()) << ready.body;
}

}  // namespace
}  // namespace aimi::testing
