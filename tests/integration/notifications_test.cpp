// Smart notifications against the real stack: created through the API and sent by the dispatcher
// into the chat when due, dismissed (then never sent), refused with clear errors and nothing
// appended; and the real triggers — a goal reminder when an active goal's deadline is near, a
// celebration when a goal is completed — fired by the dispatcher as facts.
#include <gtest/gtest.h>

#include <chrono>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "domain/time.hpp"
#include "tests/support/test_stack.hpp"

namespace aimi::testing {
namespace {

namespace bj = boost::json;
using namespace std::chrono_literals;

class Notifications : public ::testing::Test {
  protected:
    void SetUp() override {
        entities_ = env_.start_projector();
        goals_ = env_.start_projector({{"AIMI_PROJECTION", "goals_graph"}});
        notifications_ = env_.start_projector({{"AIMI_PROJECTION", "notifications"}});
        dispatcher_ = env_.start_dispatcher({{"AIMI_DISPATCH_INTERVAL_MS", "100"}});
        gateway_ = env_.start_gateway();
        user_ = random_id();
        token_ = env_.token(user_);
        auto r = http().post("/v1/users", token_, R"({"display_name":"Ann","time_zone":"UTC"})");
        ASSERT_EQ(r.status, 201) << r.body;
        r = http().post("/v1/chats", token_, R"({"title":"Coach"})");
        ASSERT_EQ(r.status, 201) << r.body;
        chat_ = std::string(r.json().at("id").as_string());
    }

    HttpClient http() const { return gateway_.client(); }
    bj::object notification(const std::string& id) {
        auto r = http().get("/v1/notifications/" + id, token_);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.status == 200 ? r.json().as_object() : bj::object{};
    }
    bj::array list(const std::string& query = "") {
        auto r = http().get("/v1/notifications" + query, token_);
        EXPECT_EQ(r.status, 200) << r.body;
        const auto json = r.json();
        return json.at("items").as_array();
    }
    //! The chat's assistant messages sent for notifications: notification id -> content.
    std::map<std::string, std::string> chat_notifications() {
        std::map<std::string, std::string> out;
        auto r = http().get("/v1/chats/" + chat_ + "/messages?limit=500", token_);
        EXPECT_EQ(r.status, 200) << r.body;
        const auto json = r.json();
        for (const auto& m : json.at("items").as_array())
            if (const auto* id = m.at("metadata").as_object().if_contains("notification_id"))
                out[std::string(id->as_string())] = std::string(m.at("content").as_string());
        return out;
    }
    static std::string code(const HttpResult& r) {
        const auto json = r.json();
        return std::string(json.at("error").at("code").as_string());
    }

    TestEnv env_;
    std::unique_ptr<ChildProcess> entities_, goals_, notifications_, dispatcher_;
    Gateway gateway_;
    std::string user_, token_, chat_;
};

TEST_F(Notifications, SentWhenDueIntoTheChatAndDismissible) {
    auto r = http().post("/v1/notifications", token_, R"({"type":"motivation","message":"Keep going!"})");
    ASSERT_EQ(r.status, 201) << r.body;
    const auto now_id = std::string(r.json().at("notification_id").as_string());
    EXPECT_EQ(r.json().at("source"), "user");
    const auto later = format_timestamp(now_utc() + 1h);
    r = http().post(
        "/v1/notifications", token_,
        fmt::format(R"({{"type":"rest_suggestion","message":"Take a break","scheduled_for":"{}"}})", later));
    ASSERT_EQ(r.status, 201) << r.body;
    const auto later_id = std::string(r.json().at("notification_id").as_string());
    EXPECT_EQ(r.json().at("status"), "pending");

    ASSERT_TRUE(eventually([&] { return notification(now_id).at("status") == "sent"; }));
    auto sent = notification(now_id);
    EXPECT_FALSE(sent.at("sent_at").is_null());
    EXPECT_FALSE(sent.at("message_id").is_null());
    ASSERT_TRUE(eventually([&] { return chat_notifications().contains(now_id); }));
    EXPECT_EQ(chat_notifications().at(now_id), "Keep going!");

    // Dismissed before its time: never sent; a second dismissal is a conflict.
    r = http().post("/v1/notifications/" + later_id + "/dismiss", token_, "");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("status"), "dismissed");
    r = http().post("/v1/notifications/" + later_id + "/dismiss", token_, "");
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_EQ(code(r), "notification_dismissed");
    EXPECT_EQ(list("?status=dismissed").size(), 1u);
    EXPECT_EQ(list("?status=sent").size(), 1u);
    EXPECT_EQ(list("?type=motivation").size(), 1u);
    EXPECT_EQ(list().size(), 2u);
    EXPECT_FALSE(chat_notifications().contains(later_id));
}

TEST_F(Notifications, BadInputIsRefusedAndAppendsNothing) {
    const auto before = env_.records_in_topic();
    struct Case {
        std::string body;
        int status;
        std::string code;
    };
    const std::vector<Case> cases = {
        {R"({"type":"spam","message":"x"})", 400, ""},
        {R"({"type":"motivation","message":""})", 400, ""},
        {R"({"type":"motivation"})", 400, ""},
        {R"({"type":"motivation","message":"x","scheduled_for":"tomorrow"})", 400, ""},
        {R"({"type":"motivation","message":"x","source":"system"})", 400, ""},
        {R"({"type":"motivation","message":"x","extra":1})", 400, ""},
        {R"({"type":"goal_reminder","message":"x","goal_id":"not-a-uuid"})", 400, ""},
    };
    for (const auto& c : cases) {
        auto r = http().post("/v1/notifications", token_, c.body);
        EXPECT_EQ(r.status, c.status) << c.body << " -> " << r.body;
        if (!c.code.empty()) EXPECT_EQ(code(r), c.code) << c.body;
    }
    EXPECT_EQ(env_.records_in_topic(), before);
    // Decided by the fold: refused, and nothing in the read model.
    auto r = http().post("/v1/notifications", token_,
                         fmt::format(R"({{"type":"goal_reminder","message":"x","goal_id":"{}"}})", random_id()));
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(code(r), "goal_not_found");
    r = http().post("/v1/notifications/" + random_id() + "/dismiss", token_, "");
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(code(r), "notification_not_found");
    r = http().get("/v1/notifications?status=late", token_);
    EXPECT_EQ(r.status, 400) << r.body;
    r = http().get("/v1/notifications/" + random_id(), token_);
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_TRUE(list().empty());
}

TEST_F(Notifications, GoalDeadlineAndCompletionTriggerThem) {
    const auto today = format_date(std::chrono::floor<std::chrono::days>(now_utc()));
    auto r = http().post("/v1/goals", token_, fmt::format(R"({{"title":"Ship it","deadline":"{}"}})", today));
    ASSERT_EQ(r.status, 201) << r.body;
    const auto goal = std::string(r.json().at("id").as_string());
    r = http().post("/v1/goals", token_, R"({"title":"Someday","deadline":"2099-01-01"})");
    ASSERT_EQ(r.status, 201) << r.body;
    const auto distant = std::string(r.json().at("id").as_string());

    // The deadline is today: the reminder is due at once.
    ASSERT_TRUE(eventually([&] { return list("?type=goal_reminder&status=sent").size() == 1; }));
    const auto reminder = list("?type=goal_reminder")[0].as_object();
    EXPECT_EQ(reminder.at("goal_id").as_string(), goal);
    EXPECT_EQ(reminder.at("source"), "system");
    EXPECT_EQ(reminder.at("trigger_id").as_string(), "goal_reminder:" + goal + ":" + today);
    EXPECT_NE(std::string(reminder.at("message").as_string()).find("Ship it"), std::string::npos);
    // The distant one is planned (09:00 UTC on 2098-12-31), not fired.
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM notification_triggers WHERE goal_id = '" + distant +
                          "' AND NOT fired AND due_at = '2098-12-31 09:00:00+00'"),
              1);

    r = http().post("/v1/goals/" + goal + "/complete", token_, "");
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_TRUE(eventually([&] { return list("?type=celebration&status=sent").size() == 1; }));
    const auto celebration = list("?type=celebration")[0].as_object();
    EXPECT_NE(std::string(celebration.at("message").as_string()).find("Ship it"), std::string::npos);
    ASSERT_TRUE(eventually([&] { return chat_notifications().size() == 2; }));

    // Cancelling a goal drops its reminder still to come; moving the user's zone moves the others.
    r = http().patch("/v1/users/" + user_, token_, R"({"time_zone":"Asia/Tokyo"})");
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_TRUE(eventually([&] {
        return env_.scalar("SELECT count(*) FROM notification_triggers WHERE goal_id = '" + distant +
                           "' AND due_at = '2098-12-31 00:00:00+00'") == 1;
    }));
    r = http().post("/v1/goals/" + distant + "/cancel", token_, "");
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_TRUE(eventually([&] {
        return env_.scalar("SELECT count(*) FROM notification_triggers WHERE goal_id = '" + distant + "'") == 0;
    }));
    // Nothing fired twice.
    EXPECT_EQ(list().size(), 2u);
}

}  // namespace
}  // namespace aimi::testing
