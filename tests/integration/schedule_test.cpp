// Calendar events through HTTP: read back exactly, series and occurrence edits, occurrences
// across DST in the user's (changing) zone, iCalendar export parsed back with libical, and bad
// input refused with nothing appended — hand-picked and generated.
#include <gtest/gtest.h>
#include <libical/ical.h>

#include <random>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "tests/support/test_stack.hpp"

namespace aimi::testing {
namespace {

namespace bj = boost::json;

class Schedule : public ::testing::Test {
  protected:
    void SetUp() override {
        entities_ = env_.start_projector();
        goals_ = env_.start_projector({{"AIMI_PROJECTION", "goals_graph"}});
        schedule_ = env_.start_projector({{"AIMI_PROJECTION", "schedule"}});
        reminders_ = env_.start_projector({{"AIMI_PROJECTION", "reminder_queue"}});
        gateway_ = env_.start_gateway();
        ann_ = person("America/New_York");
    }

    HttpClient http() const { return gateway_.client(); }

    struct Person {
        std::string id, token;
    };
    Person person(const std::string& zone) {
        Person p{random_id()};
        p.token = env_.token(p.id);
        EXPECT_EQ(http()
                      .post("/v1/users", p.token, bj::serialize(bj::object{{"display_name", "P"}, {"time_zone", zone}}))
                      .status,
                  201);
        return p;
    }
    HttpResult create(const Person& p, const bj::object& body) {
        return http().post("/v1/calendar-events", p.token, bj::serialize(body));
    }
    std::string event(const Person& p, const bj::object& body) {
        auto r = create(p, body);
        EXPECT_EQ(r.status, 201) << r.body;
        return r.status == 201 ? std::string(r.json().at("calendar_event_id").as_string()) : std::string();
    }
    HttpResult patch(const Person& p, const std::string& id, const bj::object& body) {
        return http().patch("/v1/calendar-events/" + id, p.token, bj::serialize(body));
    }
    //! "start_local=starts_at status" of each occurrence in the window.
    std::vector<std::string> occurrences(const Person& p, const std::string& from, const std::string& to) {
        auto r = http().get("/v1/calendar/occurrences?from=" + from + "&to=" + to, p.token);
        EXPECT_EQ(r.status, 200) << r.body;
        std::vector<std::string> out;
        if (r.status != 200) return out;
        const auto json = r.json();
        for (const auto& o : json.at("items").as_array())
            out.push_back(fmt::format("{}={} {}", o.at("start_local").as_string().c_str(),
                                      o.at("starts_at").as_string().c_str(), o.at("status").as_string().c_str()));
        return out;
    }
    std::size_t event_count(const Person& p) {
        return http().get("/v1/calendar-events?limit=200", p.token).json().at("items").as_array().size();
    }
    static std::string code(const HttpResult& r) { return std::string(r.json().at("error").at("code").as_string()); }
    static std::string field(const HttpResult& r) {
        const auto json = r.json();
        const auto* f = json.at("error").as_object().if_contains("field");
        return f && f->is_string() ? std::string(f->get_string()) : std::string();
    }

    TestEnv env_;
    //! "reminder_id trigger_at status[/reason]" of an event's reminders, once the queue has the
    //! command whose response is `after`.
    std::vector<std::string> reminders(const Person& p, const std::string& event_id, const HttpResult& after) {
        auto r = http().get("/v1/reminders?calendar_event_id=" + event_id, p.token,
                            {{"Consistency-Token", after.headers.at("consistency-token")}});
        EXPECT_EQ(r.status, 200) << r.body;
        std::vector<std::string> out;
        if (r.status != 200) return out;
        const auto json = r.json();
        for (const auto& item : json.at("items").as_array()) {
            const auto& o = item.as_object();
            auto line = fmt::format("{} {} {}", o.at("reminder_id").as_string().c_str(),
                                    o.at("trigger_at").as_string().c_str(), o.at("status").as_string().c_str());
            if (o.at("skip_reason").is_string()) line += "/" + std::string(o.at("skip_reason").as_string());
            out.push_back(line.substr(line.find('/') + 1));  // without the event id
        }
        return out;
    }

    std::unique_ptr<ChildProcess> entities_, goals_, schedule_, reminders_;
    Gateway gateway_;
    Person ann_;
};

TEST_F(Schedule, WhatIsAcceptedReadsBackExactly) {
    const auto goal = http().post("/v1/goals", ann_.token, R"({"title":"Run a marathon"})");
    ASSERT_EQ(goal.status, 201) << goal.body;
    const bj::object body{{"title", "Long run"},
                          {"description", "Zone 2, \"easy\" — 🏃"},
                          {"location", "Central Park"},
                          {"type", "focus_time"},
                          {"priority", 2},
                          {"goal_id", goal.json().at("id")},
                          {"source", "assistant"},
                          {"start", "2026-03-01T07:30:00"},
                          {"end", "2026-03-01T09:00:00"},
                          {"all_day", false},
                          {"time_zone", "Europe/Berlin"},
                          {"rrule", "FREQ=WEEKLY;BYDAY=SU;COUNT=10"},
                          {"exdates", bj::array{"2026-03-08T07:30:00"}}};
    auto r = create(ann_, body);
    ASSERT_EQ(r.status, 201) << r.body;
    const auto created = r.json().as_object();
    for (const auto& [key, value] : body) EXPECT_EQ(created.at(key), value) << key;
    EXPECT_EQ(created.at("status"), "scheduled");
    EXPECT_EQ(created.at("due"), nullptr);
    EXPECT_EQ(created.at("effective_time_zone"), "Europe/Berlin");
    const auto id = std::string(created.at("calendar_event_id").as_string());
    r = http().get("/v1/calendar-events/" + id, ann_.token);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.json().as_object(), created);

    // A due-only, all-day and floating event take their defaults, and say so.
    r = create(ann_, {{"title", "Tax return"}, {"due", "2026-04-15"}, {"all_day", true}});
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.json().at("type"), "personal");
    EXPECT_EQ(r.json().at("priority"), 3);
    EXPECT_EQ(r.json().at("source"), "user");
    EXPECT_EQ(r.json().at("time_zone"), nullptr);
    EXPECT_EQ(r.json().at("effective_time_zone"), "America/New_York");
    EXPECT_EQ(r.json().at("rrule"), nullptr);
    EXPECT_EQ(event_count(ann_), 2u);
    // Another user sees none of it.
    const auto bob = person("UTC");
    EXPECT_EQ(http().get("/v1/calendar-events/" + id, bob.token).status, 404);
    EXPECT_EQ(event_count(bob), 0u);
}

TEST_F(Schedule, OccurrencesKeepTheirWallClockAcrossDstAndFollowTheUsersZone) {
    // Floating: follows ann's zone (New York, which springs forward on 2026-03-08).
    const auto daily = event(ann_, {{"title", "Stand-up"},
                                    {"start", "2026-03-06T08:00:00"},
                                    {"end", "2026-03-06T08:15:00"},
                                    {"rrule", "FREQ=DAILY;COUNT=4"}});
    // Pinned to Berlin, where nothing changes that week.
    event(ann_, {{"title", "Call Oma"}, {"start", "2026-03-07T18:00:00"}, {"time_zone", "Europe/Berlin"}});
    EXPECT_EQ(occurrences(ann_, "2026-03-06T00:00:00Z", "2026-03-10T00:00:00Z"),
              (std::vector<std::string>{"2026-03-06T08:00:00=2026-03-06T13:00:00.000000Z scheduled",
                                        "2026-03-07T08:00:00=2026-03-07T13:00:00.000000Z scheduled",
                                        "2026-03-07T18:00:00=2026-03-07T17:00:00.000000Z scheduled",
                                        "2026-03-08T08:00:00=2026-03-08T12:00:00.000000Z scheduled",
                                        "2026-03-09T08:00:00=2026-03-09T12:00:00.000000Z scheduled"}));
    // Ann moves to Berlin: the floating series moves with her, the pinned event stays.
    auto r = http().patch("/v1/users/" + ann_.id, ann_.token, R"({"time_zone":"Europe/Berlin"})");
    ASSERT_EQ(r.status, 200) << r.body;
    // The profile change is the entity store's; wait until the schedule has it as well.
    r = http().get("/v1/calendar/occurrences?from=2026-03-06T00:00:00Z&to=2026-03-07T00:00:00Z", ann_.token,
                   {{"Consistency-Token", r.headers.at("consistency-token")}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(occurrences(ann_, "2026-03-06T00:00:00Z", "2026-03-10T00:00:00Z"),
              (std::vector<std::string>{"2026-03-06T08:00:00=2026-03-06T07:00:00.000000Z scheduled",
                                        "2026-03-07T08:00:00=2026-03-07T07:00:00.000000Z scheduled",
                                        "2026-03-07T18:00:00=2026-03-07T17:00:00.000000Z scheduled",
                                        "2026-03-08T08:00:00=2026-03-08T07:00:00.000000Z scheduled",
                                        "2026-03-09T08:00:00=2026-03-09T07:00:00.000000Z scheduled"}));
    EXPECT_EQ(http().get("/v1/calendar-events/" + daily, ann_.token).json().at("effective_time_zone"), "Europe/Berlin");
}

// A page stops expanding events once no later one can make it (candidates in range_start order):
// whatever the limit, it is the start of the whole window's list.
TEST_F(Schedule, ALimitedPageIsTheStartOfTheWholeWindow) {
    const std::vector<std::string> zones{"UTC", "Asia/Tokyo", "America/Los_Angeles", "Europe/Berlin"};
    // Series that began before the window, in different zones, one of them moved once in it.
    event(ann_, {{"title", "Meditate"}, {"start", "2026-02-20T06:10:00"}, {"rrule", "FREQ=DAILY"}});
    event(ann_, {{"title", "Team"},
                 {"start", "2026-02-16T09:05:00"},
                 {"rrule", "FREQ=WEEKLY;BYDAY=MO,TH"},
                 {"time_zone", "Asia/Tokyo"}});
    const auto moved = event(ann_, {{"title", "Swim"},
                                    {"start", "2026-02-21T19:20:00"},
                                    {"rrule", "FREQ=WEEKLY"},
                                    {"time_zone", "Europe/Berlin"}});
    ASSERT_EQ(patch(ann_, moved,
                    {{"scope", "occurrence"}, {"occurrence", "2026-03-07T19:20:00"}, {"start", "2026-03-01T05:35:00"}})
                  .status,
              200);
    // One-off events spread over the week at distinct minutes, in the four zones.
    std::mt19937 rng(20261204);
    for (int i = 0; i < 30; ++i) {
        const int minute = static_cast<int>(rng() % (7 * 24 * 60 / 30)) + i * (7 * 24 * 60 / 30);
        event(ann_, {{"title", fmt::format("one-off {}", i)},
                     {"start",
                      fmt::format("2026-03-{:02}T{:02}:{:02}:00", 1 + minute / 1440, minute % 1440 / 60, minute % 60)},
                     {"time_zone", zones[i % zones.size()]}});
    }
    const auto page = [&](int limit) {
        auto r = http().get(fmt::format("/v1/calendar/occurrences?from=2026-03-01T00:00:00Z&to=2026-03-08T00:00:00Z"
                                        "&limit={}",
                                        limit),
                            ann_.token);
        EXPECT_EQ(r.status, 200) << r.body;
        std::vector<std::string> out;
        if (r.status != 200) return out;
        const auto json = r.json();  // the items live in it
        for (const auto& o : json.at("items").as_array())
            out.push_back(fmt::format("{} {} {}", o.at("starts_at").as_string().c_str(),
                                      o.at("calendar_event_id").as_string().c_str(),
                                      bj::serialize(o.at("occurrence"))));
        return out;
    };
    const auto whole = page(5000);
    ASSERT_GT(whole.size(), 35u);
    EXPECT_TRUE(std::is_sorted(whole.begin(), whole.end()));
    for (const int limit : {1, 2, 5, 13, 40}) {
        const auto part = page(limit);
        EXPECT_EQ(part, std::vector<std::string>(whole.begin(), whole.begin() + limit)) << "limit " << limit;
    }
}

TEST_F(Schedule, EditOneOccurrenceThisAndFollowingOrTheWholeSeries) {
    const auto id = event(ann_, {{"title", "Swim"},
                                 {"start", "2026-06-01T07:00:00"},
                                 {"end", "2026-06-01T08:00:00"},
                                 {"time_zone", "UTC"},
                                 {"rrule", "FREQ=DAILY;COUNT=6"}});
    auto r = patch(ann_, id,
                   {{"scope", "occurrence"},
                    {"occurrence", "2026-06-02T07:00:00"},
                    {"start", "2026-06-02T18:00:00"},
                    {"title", "Evening swim"}});
    ASSERT_EQ(r.status, 200) << r.body;
    r = http().post("/v1/calendar-events/" + id + "/cancel", ann_.token,
                    R"({"scope":"occurrence","occurrence":"2026-06-03T07:00:00"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("status"), "scheduled");
    r = http().post("/v1/calendar-events/" + id + "/complete", ann_.token,
                    R"({"scope":"occurrence","occurrence":"2026-06-01T07:00:00"})");
    ASSERT_EQ(r.status, 200) << r.body;
    r = patch(ann_, id,
              {{"scope", "following"},
               {"occurrence", "2026-06-05T07:00:00"},
               {"start", "2026-06-05T06:00:00"},
               {"end", "2026-06-05T06:30:00"},
               {"title", "Early swim"}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_NE(std::string(r.json().at("rrule").as_string()).find("COUNT=4"), std::string::npos) << r.body;
    EXPECT_EQ(occurrences(ann_, "2026-06-01T00:00:00Z", "2026-06-30T00:00:00Z"),
              (std::vector<std::string>{"2026-06-01T07:00:00=2026-06-01T07:00:00.000000Z completed",
                                        "2026-06-02T18:00:00=2026-06-02T18:00:00.000000Z scheduled",
                                        "2026-06-04T07:00:00=2026-06-04T07:00:00.000000Z scheduled",
                                        "2026-06-05T06:00:00=2026-06-05T06:00:00.000000Z scheduled",
                                        "2026-06-06T06:00:00=2026-06-06T06:00:00.000000Z scheduled"}));
    const auto items = http().get("/v1/calendar-events", ann_.token).json().at("items").as_array();
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[1].at("split_from"), bj::value(id));
    EXPECT_EQ(items[1].at("title"), "Early swim");
    EXPECT_EQ(items[0].at("title"), "Swim");
    const auto occ =
        http().get("/v1/calendar/occurrences?from=2026-06-02T00:00:00Z&to=2026-06-03T00:00:00Z", ann_.token);
    EXPECT_EQ(occ.json().at("items").at(0).at("title"), "Evening swim");

    // The whole series, and what no longer exists.
    r = patch(ann_, id, {{"title", "Pool"}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("title"), "Pool");
    r = patch(ann_, id, {{"scope", "occurrence"}, {"occurrence", "2026-06-03T07:00:00"}, {"title", "x"}});
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(code(r), "occurrence_not_found");
    r = patch(ann_, id, {{"scope", "occurrence"}, {"occurrence", "2026-06-05T07:00:00"}, {"title", "x"}});
    EXPECT_EQ(code(r), "occurrence_not_found");  // it belongs to the new series now
    r = http().post("/v1/calendar-events/" + id + "/cancel", ann_.token, "");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("status"), "cancelled");
    EXPECT_EQ(occurrences(ann_, "2026-06-01T00:00:00Z", "2026-06-05T00:00:00Z").size(), 0u);
}

TEST_F(Schedule, BadInputIsRefusedWithAClearErrorAndChangesNothing) {
    const auto single = event(ann_, {{"title", "Dentist"}, {"start", "2026-05-04T09:00:00"}});
    const struct {
        bj::object body;
        int status;
        std::string code, field;
    } cases[] = {
        {{{"title", "x"}, {"start", "2026-05-04T09:00:00"}, {"end", "2026-05-04T08:00:00"}},
         422,
         "end_before_start",
         "/end"},
        {{{"title", "x"}, {"start", "2026-05-04T09:00:00"}, {"rrule", "FREQ=DAILY;COUNT=10000"}},
         422,
         "rrule_too_many_occurrences",
         "/rrule"},
        {{{"title", "x"}, {"start", "2026-05-04T09:00:00"}, {"rrule", "FREQ=MINUTELY"}},
         422,
         "rrule_too_frequent",
         "/rrule"},
        {{{"title", "x"}, {"start", "2026-05-04T09:00:00"}, {"rrule", "FREQ=FORTNIGHTLY"}},
         422,
         "invalid_rrule",
         "/rrule"},
        {{{"title", "x"}, {"start", "2026-05-04T09:00:00"}, {"time_zone", "Europe/Atlantis"}},
         400,
         "invalid_value",
         "/time_zone"},
        {{{"title", "x"}, {"start", "2026-05-04T09:00"}}, 400, "invalid_format", "/start"},
        {{{"title", "x"}, {"start", "2026-05-04T09:00:00+02:00"}}, 400, "invalid_format", "/start"},
        {{{"title", "x"}, {"start", "2026-02-30T09:00:00"}}, 400, "invalid_format", "/start"},
        {{{"title", "x"}, {"start", "2026-05-04"}}, 422, "all_day_mismatch", "/start"},
        {{{"title", "x"}}, 422, "start_or_due_required", "/start"},
        {{{"title", "x"}, {"start", "2026-05-04T09:00:00"}, {"due", "2026-05-04T10:00:00"}},
         422,
         "start_and_due",
         "/due"},
        {{{"title", "x"}, {"start", "2026-05-04T09:00:00"}, {"goal_id", random_id()}},
         404,
         "goal_not_found",
         "/goal_id"},
        {{{"title", ""}, {"start", "2026-05-04T09:00:00"}}, 400, "too_short", "/title"},
        {{{"title", "x"}, {"start", "2026-05-04T09:00:00"}, {"priority", 9}}, 400, "out_of_range", "/priority"},
    };
    for (const auto& c : cases) {
        const auto r = create(ann_, c.body);
        EXPECT_EQ(r.status, c.status) << bj::serialize(c.body) << " -> " << r.body;
        if (r.status >= 400) {
            EXPECT_EQ(code(r), c.code) << r.body;
            EXPECT_EQ(field(r), c.field) << r.body;
        }
    }
    const struct {
        bj::object body;
        int status;
        std::string code;
    } changes[] = {
        {{{"end", "2026-05-04T08:00:00"}}, 422, "end_before_start"},
        {{{"scope", "occurrence"}, {"occurrence", "2026-05-04T09:00:00"}, {"title", "x"}}, 422, "not_recurring"},
        {{{"scope", "occurrence"}, {"title", "x"}}, 400, "missing_field"},
        {{{"occurrence", "2026-05-04T09:00:00"}}, 400, "unknown_field"},
        {{{"rrule", "FREQ=DAILY;UNTIL=20200101T000000"}}, 422, "rrule_no_occurrences"},
        {{{"status", "paused"}}, 400, "invalid_value"},
    };
    for (const auto& c : changes) {
        const auto r = patch(ann_, single, c.body);
        EXPECT_EQ(r.status, c.status) << bj::serialize(c.body) << " -> " << r.body;
        EXPECT_EQ(code(r), c.code) << r.body;
    }
    EXPECT_EQ(
        http().get("/v1/calendar/occurrences?from=2026-01-01T00:00:00Z&to=2090-06-01T00:00:00Z", ann_.token).status,
        400);  // a window over 366 days
    EXPECT_EQ(patch(ann_, random_id(), {{"title", "x"}}).status, 404);
    // What the body alone refutes never reaches the log; what needs the event's state (its end,
    // its rule, whether it exists, the goal) is decided by the fold and recorded as rejected.
    const auto outcomes = [&](const std::string& filter) {
        return env_.scalar(fmt::format("SELECT count(*) FROM batch_outcomes WHERE user_id = '{}' {}", ann_.id, filter));
    };
    EXPECT_EQ(outcomes("AND outcome = 'applied'"), 2);  // registration and the dentist
    EXPECT_EQ(outcomes("AND outcome = 'rejected'"), 5);
    EXPECT_EQ(outcomes(""), 7);
    // Only the dentist exists, unchanged.
    EXPECT_EQ(event_count(ann_), 1u);
    const auto r = http().get("/v1/calendar-events/" + single, ann_.token);
    EXPECT_EQ(r.json().at("start"), "2026-05-04T09:00:00");
    EXPECT_EQ(r.json().at("end"), nullptr);
    EXPECT_EQ(r.json().at("created_at"), r.json().at("updated_at"));
}

//! Generated bodies: every answer is a 201 whose event reads back exactly or a 4xx naming its
//! code and field, never a 5xx; the accepted ones are exactly the events listed afterwards.
TEST_F(Schedule, GeneratedBodiesAreAcceptedExactlyOrRefusedClearly) {
    std::mt19937 rng(20261203);
    const auto pick = [&](std::initializer_list<bj::value> values) {
        std::uniform_int_distribution<std::size_t> d(0, values.size() - 1);
        return *(values.begin() + d(rng));
    };
    const auto maybe = [&](double p) { return std::uniform_real_distribution<>(0, 1)(rng) < p; };
    std::size_t accepted = 0;
    for (int i = 0; i < 80; ++i) {
        bj::object body{{"title", pick({"Run", "x", "Zahnarzt 🦷", "", "\u00e9t\u00e9"})}};
        const bool all_day = maybe(0.3);
        if (maybe(0.9)) body["all_day"] = all_day;
        const auto time = [&]() -> bj::value {
            return all_day ? pick({"2026-03-08", "2026-11-01", "2026-02-29", "2026-12-31"})
                           : pick({"2026-03-08T02:30:00", "2026-11-01T01:30:00", "2026-03-29T02:30:00",
                                   "2026-06-01T24:00:00", "2026-10-25T02:30:00", "2026-06-01T09:00"});
        };
        if (maybe(0.85)) body[maybe(0.8) ? "start" : "due"] = time();
        if (maybe(0.4)) body["end"] = time();
        if (maybe(0.5)) body["time_zone"] = pick({"America/New_York", "Europe/Berlin", "UTC", "Nowhere/City"});
        if (maybe(0.5))
            body["rrule"] = pick({"FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,FR", "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=12",
                                  "FREQ=HOURLY;COUNT=1001", "FREQ=YEARLY;INTERVAL=0", "FREQ=DAILY;COUNT=3"});
        if (maybe(0.2)) body["priority"] = pick({0, 1, 5, 6});
        if (maybe(0.2)) body["type"] = pick({"meeting", "deadline", "nap"});
        const auto r = create(ann_, body);
        ASSERT_LT(r.status, 500) << bj::serialize(body) << " -> " << r.body;
        if (r.status == 201) {
            ++accepted;
            const auto back = http().get(
                "/v1/calendar-events/" + std::string(r.json().at("calendar_event_id").as_string()), ann_.token);
            ASSERT_EQ(back.status, 200);
            for (const auto& [key, value] : body)
                EXPECT_EQ(back.json().at(key), value) << key << " of " << bj::serialize(body);
        } else {
            ASSERT_TRUE(r.status == 400 || r.status == 404 || r.status == 422) << r.body;
            EXPECT_FALSE(code(r).empty()) << r.body;
            EXPECT_FALSE(field(r).empty()) << bj::serialize(body) << " -> " << r.body;
        }
    }
    EXPECT_GT(accepted, 5u);
    EXPECT_EQ(event_count(ann_), accepted);
    EXPECT_EQ(
        http().get("/v1/calendar/occurrences?from=2026-01-01T00:00:00Z&to=2026-12-31T00:00:00Z", ann_.token).status,
        200);
}

TEST_F(Schedule, TheCalendarExportsAsICalendarThatLibicalParses) {
    const auto id = event(ann_, {{"title", "Piano; lesson, \"grade 2\""},
                                 {"description", "Bring\nthe book"},
                                 {"start", "2026-03-02T17:00:00"},
                                 {"end", "2026-03-02T17:45:00"},
                                 {"rrule", "FREQ=WEEKLY;BYDAY=MO"}});
    ASSERT_EQ(patch(ann_, id,
                    {{"scope", "occurrence"}, {"occurrence", "2026-03-09T17:00:00"}, {"start", "2026-03-10T17:00:00"}})
                  .status,
              200);
    event(ann_, {{"title", "Holiday"}, {"start", "2026-12-24"}, {"end", "2026-12-27"}, {"all_day", true}});
    const auto r = http().get("/v1/calendar.ics", ann_.token);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.headers.at("content-type"), "text/calendar; charset=utf-8");
    icalcomponent* cal = icalparser_parse_string(r.body.c_str());
    ASSERT_NE(cal, nullptr) << r.body;
    EXPECT_EQ(icalcomponent_count_errors(cal), 0) << r.body;
    EXPECT_EQ(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), 3) << r.body;
    EXPECT_EQ(icalcomponent_count_components(cal, ICAL_VTIMEZONE_COMPONENT), 1) << r.body;
    icalcomponent* first = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
    EXPECT_STREQ(icalcomponent_get_summary(first), "Piano; lesson, \"grade 2\"");
    EXPECT_STREQ(icalcomponent_get_description(first), "Bring\nthe book");
    EXPECT_NE(r.body.find("DTSTART;TZID=America/New_York:20260302T170000"), std::string::npos) << r.body;
    icalcomponent_free(cal);
}

TEST_F(Schedule, RemindersArePlannedAndRePlannedWhenTheEventOrTheUserChanges) {
    auto r = create(ann_, {{"title", "Dentist"}, {"start", "2090-03-15T09:00:00"}});  // floating, New York
    ASSERT_EQ(r.status, 201) << r.body;
    const auto id = std::string(r.json().at("calendar_event_id").as_string());
    EXPECT_EQ(reminders(ann_, id, r),
              (std::vector<std::string>{"2090-03-15T09:00:00/1440 2090-03-14T13:00:00.000000Z scheduled",
                                        "2090-03-15T09:00:00/120 2090-03-15T11:00:00.000000Z scheduled"}));
    r = patch(ann_, id, {{"start", "2090-03-16T06:30:00"}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(reminders(ann_, id, r),
              (std::vector<std::string>{"2090-03-16T06:30:00/1440 2090-03-15T10:30:00.000000Z scheduled",
                                        "2090-03-16T06:30:00/120 2090-03-16T08:30:00.000000Z scheduled"}));
    // A window of trigger times: [from, to).
    const auto window = [&](const std::string& query) {
        const auto w = http().get("/v1/reminders?" + query, ann_.token);
        return w.status == 200 ? w.json().at("items").as_array().size() : std::size_t(1000 + w.status);
    };
    EXPECT_EQ(window("from=2090-03-15T10:30:00Z&to=2090-03-16T08:30:00Z"), 1u);
    EXPECT_EQ(window("from=2090-03-15T10:30:00Z&to=2090-03-16T08:30:00.000001Z"), 2u);
    EXPECT_EQ(window("from=2090-03-16T08:30:00.000001Z"), 0u);
    EXPECT_EQ(window("to=2090-03-15T10:30:00%2B00:00"), 0u);
    const auto bad = http().get("/v1/reminders?from=2090-03-15&to=2090-03-16T00:00:00Z", ann_.token);
    EXPECT_EQ(bad.status, 400) << bad.body;
    EXPECT_EQ(field(bad), "from");
    // Quiet hours and one offset of 90 minutes: 05:00 is quiet until 06:00; the 24h one goes.
    r = http().patch(
        "/v1/users/" + ann_.id, ann_.token,
        R"({"settings":{"reminders":{"offsets_minutes":[90],"quiet_hours":{"start":"22:00","end":"06:00"}}}})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(reminders(ann_, id, r),
              (std::vector<std::string>{"2090-03-16T06:30:00/90 2090-03-16T10:00:00.000000Z scheduled"}));
    // The user moves to Berlin: the floating event and its reminder move with her.
    r = http().patch("/v1/users/" + ann_.id, ann_.token, R"({"time_zone":"Europe/Berlin"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(reminders(ann_, id, r),
              (std::vector<std::string>{"2090-03-16T06:30:00/90 2090-03-16T05:00:00.000000Z scheduled"}));
    // Bad reminder settings are refused at the edge.
    r = http().patch("/v1/users/" + ann_.id, ann_.token, R"({"settings":{"reminders":{"offsets_minutes":[-1]}}})");
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(field(r), "/settings/reminders/offsets_minutes/0");
    // Cancelled: nothing left to remind of.
    r = http().post("/v1/calendar-events/" + id + "/cancel", ann_.token, "");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(reminders(ann_, id, r).empty());
    // A daily series reminds of its next occurrence only.
    r = create(ann_,
               {{"title", "Meds"}, {"start", "2090-01-01T08:00:00"}, {"time_zone", "UTC"}, {"rrule", "FREQ=DAILY"}});
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(reminders(ann_, std::string(r.json().at("calendar_event_id").as_string()), r),
              (std::vector<std::string>{"2090-01-01T08:00:00/90 2090-01-01T06:30:00.000000Z scheduled"}));
}

TEST_F(Schedule, RebuiltFromOffsetZeroEqualsTheServingReadModelRowForRow) {
    const auto bob = person("Europe/Berlin");
    for (int i = 0; i < 5; ++i) {
        for (const Person* p : {static_cast<const Person*>(&ann_), &bob}) {
            const auto id = event(*p, {{"title", fmt::format("Series {}", i)},
                                       {"start", fmt::format("2090-0{}-01T07:00:00", i + 1)},
                                       {"end", fmt::format("2090-0{}-01T07:45:00", i + 1)},
                                       {"rrule", "FREQ=DAILY;COUNT=20"}});
            ASSERT_EQ(patch(*p, id,
                            {{"scope", "occurrence"},
                             {"occurrence", fmt::format("2090-0{}-03T07:00:00", i + 1)},
                             {"start", fmt::format("2090-0{}-03T09:00:00", i + 1)},
                             {"location", "Gym"}})
                          .status,
                      200);
            ASSERT_EQ(patch(*p, id,
                            {{"scope", "following"},
                             {"occurrence", fmt::format("2090-0{}-10T07:00:00", i + 1)},
                             {"title", "Later"}})
                          .status,
                      200);
        }
    }
    ASSERT_EQ(http().patch("/v1/users/" + bob.id, bob.token, R"({"time_zone":"Asia/Tokyo"})").status, 200);
    const auto last = http().post(
        "/v1/calendar-events/" + event(ann_, {{"title", "Last"}, {"due", "2090-09-01T12:00:00"}}) + "/complete",
        ann_.token, "");
    ASSERT_EQ(last.status, 200);

    TestEnv rebuilt_env(3);
    auto rebuild = env_.start_projector({{"AIMI_PROJECTION", "schedule"}, {"AIMI_PG_SCHEMA", rebuilt_env.schema()}});
    auto rebuild_queue =
        env_.start_projector({{"AIMI_PROJECTION", "reminder_queue"}, {"AIMI_PG_SCHEMA", rebuilt_env.schema()}});
    const auto count = env_.scalar("SELECT count(*) FROM calendar_events");
    ASSERT_EQ(count, 21);
    const auto digest = [](const TestEnv& e, const std::string& table, const std::string& order) {
        return e.scalar("SELECT hashtext(string_agg(t::text, '|' ORDER BY " + order + ")) FROM " + table + " t");
    };
    ASSERT_TRUE(eventually([&] {
        return rebuilt_env.scalar("SELECT count(*) FROM calendar_events WHERE status = 'completed'") == 1 &&
               rebuilt_env.scalar("SELECT count(*) FROM schedule_users WHERE time_zone = 'Asia/Tokyo'") == 1 &&
               rebuilt_env.scalar("SELECT count(*) FROM reminder_users WHERE time_zone = 'Asia/Tokyo'") == 1 &&
               rebuilt_env.scalar("SELECT count(*) FROM reminder_events") == count;
    }));
    // The queue waits for the serving copy to have everything too.
    ASSERT_TRUE(eventually([&] { return env_.scalar("SELECT count(*) FROM reminder_events") == count; }));
    EXPECT_GT(env_.scalar("SELECT count(*) FROM reminder_queue"), 0);
    for (const auto* table : {"reminder_queue", "reminder_events", "reminder_users"})
        EXPECT_EQ(digest(env_, table, "t::text"), digest(rebuilt_env, table, "t::text")) << table;
    EXPECT_EQ(digest(env_, "calendar_events", "user_id, calendar_event_id"),
              digest(rebuilt_env, "calendar_events", "user_id, calendar_event_id"));
    EXPECT_EQ(digest(env_, "schedule_users", "user_id"), digest(rebuilt_env, "schedule_users", "user_id"));
}

}  // namespace
}  // namespace aimi::testing
