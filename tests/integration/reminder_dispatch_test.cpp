// The reminder dispatcher against the real stack: due reminders reach the chat (as assistant
// messages in its history) and a webhook exactly once in effect — also when the dispatcher is
// SIGKILLed mid-delivery, when two dispatchers trade partitions, and when the webhook is down
// for a minute — and their logs and the series' next occurrence follow from the facts.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "domain/time.hpp"
#include "tests/support/test_stack.hpp"
#include "tests/support/webhook_receiver.hpp"

namespace aimi::testing {
namespace {

namespace bj = boost::json;
using namespace std::chrono_literals;

class ReminderDispatch : public ::testing::Test {
  protected:
    void SetUp() override {
        entities_ = env_.start_projector();
        schedule_ = env_.start_projector({{"AIMI_PROJECTION", "schedule"}});
        queue_ = env_.start_projector({{"AIMI_PROJECTION", "reminder_queue"}});
        gateway_ = env_.start_gateway();
        ann_.id = random_id();
        ann_.token = env_.token(ann_.id);
        // One reminder per event, two hours ahead.
        auto r = http().post("/v1/users", ann_.token,
                             R"({"display_name":"Ann","settings":{"reminders":{"offsets_minutes":[120]}}})");
        ASSERT_EQ(r.status, 201) << r.body;
        r = http().post("/v1/chats", ann_.token, R"({"title":"Coach"})");
        ASSERT_EQ(r.status, 201) << r.body;
        chat_ = std::string(r.json().at("id").as_string());
    }

    HttpClient http() const { return gateway_.client(); }
    std::map<std::string, std::string> dispatcher_env(const std::string& backoff_ms = "200") const {
        return {{"AIMI_WEBHOOK_URL", webhook_.url()},
                {"AIMI_DISPATCH_INTERVAL_MS", "100"},
                {"AIMI_DELIVERY_BACKOFF_MS", backoff_ms},
                {"AIMI_DELIVERY_BACKOFF_MAX_MS", "8000"},
                {"AIMI_DELIVERY_MAX_ATTEMPTS", "40"}};
    }

    //! `count` single events (UTC) whose one reminder comes due `lead` after now; their ids.
    std::vector<std::string> events_due_in(int count, std::chrono::seconds lead, const std::string& rrule = "") {
        const auto start = std::chrono::floor<std::chrono::seconds>(now_utc()) + 2h + lead;
        const auto local = format_timestamp(start).substr(0, 19);
        std::vector<std::string> ids;
        for (int i = 0; i < count; ++i) {
            bj::object body{{"title", fmt::format("Task {}", i)}, {"start", local}, {"time_zone", "UTC"}};
            if (!rrule.empty()) body["rrule"] = rrule;
            auto r = http().post("/v1/calendar-events", ann_.token, bj::serialize(body), {{"Prefer", "respond-async"}});
            EXPECT_EQ(r.status, 202) << r.body;
            ids.push_back(local);
        }
        return ids;
    }
    std::int64_t logs(const std::string& where) const {
        return env_.scalar("SELECT count(*) FROM reminder_logs WHERE " + where);
    }
    //! The reminders' assistant messages in the chat: reminder id -> how many messages name it.
    std::map<std::string, int> chat_reminders() {
        std::map<std::string, int> out;
        auto r = http().get("/v1/chats/" + chat_ + "/messages?limit=500", ann_.token);
        EXPECT_EQ(r.status, 200) << r.body;
        const auto json = r.json();
        for (const auto& m : json.at("items").as_array())
            if (m.at("role") == "assistant") ++out[std::string(m.at("metadata").at("reminder_id").as_string())];
        return out;
    }
    bool all_delivered(int n) const {
        return logs("channel = 'chat' AND status = 'sent'") == n && logs("channel = 'webhook'") == n;
    }
    void expect_each_once(int n) {
        const auto messages = chat_reminders();
        EXPECT_EQ(messages.size(), static_cast<std::size_t>(n));
        for (const auto& [id, count] : messages) EXPECT_EQ(count, 1) << id;
        EXPECT_EQ(logs("channel = 'chat' AND status = 'sent'"), n);
        EXPECT_EQ(logs("channel = 'webhook' AND status = 'sent'"), n);
        EXPECT_EQ(env_.scalar("SELECT count(*) FROM reminder_queue WHERE status = 'scheduled' AND trigger_at < now()"),
                  0);
        // A receiver that honours Idempotency-Key took each reminder once.
        EXPECT_EQ(webhook_.accepted_keys().size(), static_cast<std::size_t>(n));
    }

    TestEnv env_;
    WebhookReceiver webhook_;
    std::unique_ptr<ChildProcess> entities_, schedule_, queue_;
    Gateway gateway_;
    struct {
        std::string id, token;
    } ann_;
    std::string chat_;
};

TEST_F(ReminderDispatch, DueRemindersReachTheChatTheWebhookAndTheDevicesOnceAndTheSeriesMovesOn) {
    WebhookReceiver push_gateway;
    auto r =
        http().post("/v1/users/" + ann_.id + "/devices", ann_.token, R"({"token":"apns-token-1","platform":"ios"})");
    ASSERT_EQ(r.status, 201) << r.body;
    events_due_in(5, 4s);
    events_due_in(1, 4s, "FREQ=DAILY");
    // An hour ahead: its two-hours-before reminder is past when planned, and says so.
    const auto soon = format_timestamp(now_utc() + 1h).substr(0, 19);
    ASSERT_EQ(http()
                  .post("/v1/calendar-events", ann_.token,
                        bj::serialize(bj::object{{"title", "Soon"}, {"start", soon}, {"time_zone", "UTC"}}))
                  .status,
              201);
    auto env = dispatcher_env();
    env["AIMI_PUSH_URL"] = push_gateway.url();
    auto dispatcher = env_.start_dispatcher(env);
    ASSERT_TRUE(eventually([&] { return all_delivered(6) && logs("channel = 'push'") == 6; }, 60s));
    expect_each_once(6);
    EXPECT_EQ(logs("channel = 'push' AND status = 'sent'"), 6);
    EXPECT_EQ(push_gateway.accepted_keys().size(), 6u);
    EXPECT_NE(push_gateway.requests().front().body.find("apns-token-1"), std::string::npos);
    EXPECT_TRUE(eventually([&] { return logs("channel = 'chat' AND status = 'skipped' AND reason = 'past'") == 1; }));
    const auto messages = http().get("/v1/chats/" + chat_ + "/messages?limit=500", ann_.token).json();
    const auto& first = messages.at("items").as_array().back().as_object();
    EXPECT_EQ(first.at("source"), "reminder");
    EXPECT_TRUE(std::string(first.at("content").as_string()).starts_with("Reminder: Task ")) << first;
    // The daily series now reminds of tomorrow's occurrence.
    ASSERT_TRUE(eventually([&] {
        return env_.scalar(
                   "SELECT count(*) FROM reminder_queue WHERE status = 'scheduled' AND "
                   "occurrence_at > now() + interval '20 hours'") == 1;
    }));
    // Lateness, for the record: trigger to appended record.
    const auto late_ms = env_.scalar(
        "SELECT max(extract(epoch FROM l.at - q.trigger_at) * 1000)::bigint FROM reminder_logs l "
        "JOIN reminder_queue q USING (user_id, reminder_id) WHERE l.channel = 'chat'");
    std::printf("max lateness of a chat reminder: %lld ms\n", static_cast<long long>(late_ms));
}

TEST_F(ReminderDispatch, ADispatcherKilledMidDeliveryLosesAndRepeatsNothing) {
    constexpr int kReminders = 150;
    webhook_.set_delay_ms(10);  // a delivery run of a few seconds, to kill it in the middle
    events_due_in(kReminders, 8s);
    std::mt19937 rng(7);
    auto dispatcher = env_.start_dispatcher(dispatcher_env());
    ASSERT_TRUE(eventually([&] { return logs("true") > 0; }, 60s));
    int mid_delivery = 0;
    for (int kill = 0; kill < 4 && !all_delivered(kReminders); ++kill) {
        std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<>(100, 500)(rng)));
        if (!all_delivered(kReminders)) ++mid_delivery;
        dispatcher->stop(SIGKILL);
        dispatcher = env_.start_dispatcher(dispatcher_env());
    }
    EXPECT_GE(mid_delivery, 2);
    ASSERT_TRUE(eventually([&] { return all_delivered(kReminders); }, 120s));
    expect_each_once(kReminders);
    std::printf("webhook requests %zu for %d reminders (repeats carry the same Idempotency-Key)\n",
                webhook_.requests().size(), kReminders);
}

TEST_F(ReminderDispatch, TwoDispatchersTradingPartitionsDeliverEachOnce) {
    constexpr int kReminders = 150;
    webhook_.set_delay_ms(10);
    events_due_in(kReminders, 8s);
    auto a = env_.start_dispatcher(dispatcher_env());
    auto b = env_.start_dispatcher(dispatcher_env());
    ASSERT_TRUE(eventually([&] { return logs("true") > 0; }, 60s));
    // b leaves mid-delivery (its partitions move to a), then c joins (they move again).
    std::this_thread::sleep_for(200ms);
    EXPECT_LT(logs("channel = 'webhook'"), kReminders);  // still delivering
    b->stop(SIGTERM);
    auto c = env_.start_dispatcher(dispatcher_env());
    ASSERT_TRUE(eventually([&] { return all_delivered(kReminders); }, 120s));
    expect_each_once(kReminders);
}

TEST_F(ReminderDispatch, AWebhookDownForAMinuteGetsEveryReminderOnceItIsBack) {
    constexpr int kReminders = 10;
    webhook_.set_status(503);
    events_due_in(kReminders, 4s);
    auto dispatcher = env_.start_dispatcher(dispatcher_env("1000"));
    // The chat does not wait for the webhook.
    ASSERT_TRUE(eventually([&] { return logs("channel = 'chat' AND status = 'sent'") == kReminders; }, 60s));
    std::this_thread::sleep_for(60s);
    EXPECT_EQ(logs("channel = 'webhook'"), 0);
    EXPECT_GT(webhook_.requests().size(), static_cast<std::size_t>(kReminders));  // retried
    webhook_.set_status(200);
    ASSERT_TRUE(eventually([&] { return all_delivered(kReminders); }, 60s));
    expect_each_once(kReminders);
    EXPECT_EQ(logs("channel = 'webhook' AND attempts > 1"), kReminders);
}

}  // namespace
}  // namespace aimi::testing
