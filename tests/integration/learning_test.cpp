// Learning tracks against the real stack (docs/learning.md): the catalog is written by admins and
// read by everybody; templates are versioned and a session keeps the versions it pinned; one
// thread per tab even under racing creates; the live synopsis and its snapshots; every agent
// route with and without side effects, retried under one Idempotency-Key; another user's session
// is a 404; bad input is a clear 400/409 that appends nothing; and a rebuild from offset 0 into
// a fresh schema gives the same read model row for row.
#include <gtest/gtest.h>

#include <future>
#include <random>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "tests/support/test_stack.hpp"

namespace aimi::testing {
namespace {

namespace bj = boost::json;

class Learning : public ::testing::Test {
  protected:
    void SetUp() override {
        entities_ = env_.start_projector();
        learning_ = env_.start_projector({{"AIMI_PROJECTION", "learning"}});
        gateway_ = env_.start_gateway();
        admin_ = env_.token(random_id(), "admin");
        ann_ = person("Ann");
        bob_ = person("Bob");
    }

    struct Person {
        std::string id, token;
    };
    Person person(const std::string& name, const std::string& locale = "en") {
        Person p{random_id(), ""};
        p.token = env_.token(p.id);
        auto r = http().post("/v1/users", p.token,
                             fmt::format(R"({{"display_name":"{}","time_zone":"UTC","locale":"{}"}})", name, locale));
        EXPECT_EQ(r.status, 201) << r.body;
        return p;
    }

    HttpClient http() const { return gateway_.client(); }
    static std::string text(const bj::value& v, std::string_view key) { return std::string(v.at(key).as_string()); }

    //! A track with a unique slug and the given roadmap.
    std::string track(const std::string& title, const std::vector<std::string>& steps = {}) {
        auto r = http().post("/v1/tracks", admin_,
                             bj::serialize(bj::object{{"slug", "t-" + random_id().substr(0, 8)},
                                                      {"title", title},
                                                      {"description", "About " + title},
                                                      {"goal", "Get better at " + title}}));
        EXPECT_EQ(r.status, 201) << r.body;
        const auto id = text(r.json(), "track_id");
        for (const auto& step : steps) {
            r = http().post("/v1/tracks/" + id + "/roadmap-items", admin_,
                            bj::serialize(bj::object{{"title", step}, {"description", "Practice " + step + "."}}));
            EXPECT_EQ(r.status, 201) << r.body;
        }
        return id;
    }
    std::string session(const Person& p, const std::string& track_id) {
        auto r = http().post("/v1/track-sessions", p.token, bj::serialize(bj::object{{"track_id", track_id}}));
        EXPECT_EQ(r.status, 201) << r.body;
        return r.status == 201 ? text(r.json(), "track_session_id") : "";
    }
    std::string thread(const Person& p, const std::string& session_id, const std::string& tab) {
        auto r = http().post("/v1/track-sessions/" + session_id + "/threads", p.token, R"({"tab":")" + tab + R"("})");
        EXPECT_EQ(r.status, 201) << r.body;
        return r.status == 201 ? text(r.json(), "thread_id") : "";
    }
    std::vector<std::string> roadmap_titles(const std::string& track_id) {
        auto r = http().get("/v1/tracks/" + track_id, ann_.token);
        EXPECT_EQ(r.status, 200) << r.body;
        std::vector<std::string> out;
        std::int64_t expected = 1;
        const auto track = r.json();
        for (const auto& item : track.at("roadmap").as_array()) {
            EXPECT_EQ(item.at("position").as_int64(), expected++);
            out.push_back(text(item, "title"));
        }
        return out;
    }
    bj::array messages(const Person& p, const std::string& chat_id) {
        auto r = http().get("/v1/chats/" + chat_id + "/messages?limit=200", p.token);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.status == 200 ? r.json().at("items").as_array() : bj::array{};
    }

    TestEnv env_;
    std::unique_ptr<ChildProcess> entities_, learning_;
    Gateway gateway_;
    std::string admin_;
    Person ann_, bob_;
};

TEST_F(Learning, TheCatalogIsWrittenByAdminsAndReadByEveryone) {
    const auto before = env_.records_in_topic();
    auto r = http().post("/v1/tracks", ann_.token, R"({"slug":"mine","title":"Mine"})");
    EXPECT_EQ(r.status, 403) << r.body;
    r = http().post("/v1/chat-templates", ann_.token, R"({"name":"x","scope":"global","content":"x"})");
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(env_.records_in_topic(), before);

    const auto id = track("Public speaking", {"Breathing", "Eye contact", "Pauses"});
    r = http().get("/v1/tracks/" + id, bob_.token);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(text(r.json(), "title"), "Public speaking");
    EXPECT_EQ(text(r.json(), "goal"), "Get better at Public speaking");
    EXPECT_EQ(roadmap_titles(id), (std::vector<std::string>{"Breathing", "Eye contact", "Pauses"}));
    r = http().get("/v1/tracks?limit=200", bob_.token);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("items").as_array().size(), 1u);

    // Insert between, move, remove: positions stay dense.
    r = http().post("/v1/tracks/" + id + "/roadmap-items", admin_, R"({"title":"Posture","position":2})");
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.json().at("position").as_int64(), 2);
    const auto posture = text(r.json(), "roadmap_item_id");
    EXPECT_EQ(roadmap_titles(id), (std::vector<std::string>{"Breathing", "Posture", "Eye contact", "Pauses"}));
    r = http().patch("/v1/tracks/" + id + "/roadmap-items/" + posture, admin_, R"({"position":4,"title":"Stance"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(roadmap_titles(id), (std::vector<std::string>{"Breathing", "Eye contact", "Pauses", "Stance"}));
    r = http().patch("/v1/tracks/" + id + "/roadmap-items/" + posture, ann_.token, R"({"position":1})");
    EXPECT_EQ(r.status, 403) << r.body;
    r = http().del("/v1/tracks/" + id + "/roadmap-items/" + posture, admin_);
    ASSERT_EQ(r.status, 204) << r.body;
    EXPECT_EQ(roadmap_titles(id), (std::vector<std::string>{"Breathing", "Eye contact", "Pauses"}));
    r = http().del("/v1/tracks/" + id + "/roadmap-items/" + posture, admin_);
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(r.error_code(), "roadmap_item_not_found");

    r = http().patch("/v1/tracks/" + id, admin_, R"({"title":"Speaking"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(text(r.json(), "title"), "Speaking");
}

TEST_F(Learning, BadCatalogInputIsAClear400Or409AndChangesNothing) {
    const auto id = track("Writing", {"One", "Two"});
    auto r = http().get("/v1/tracks/" + id, admin_);
    const auto slug = text(r.json(), "slug");
    struct Case {
        std::string what, method, path, body;
        int status;
        std::string code, field;
    };
    const std::vector<Case> cases{
        {"duplicate slug", "POST", "/v1/tracks", R"({"slug":")" + slug + R"(","title":"Again"})", 409,
         "track_slug_taken", "/slug"},
        {"bad slug", "POST", "/v1/tracks", R"({"slug":"Not A Slug","title":"x"})", 400, "invalid_slug", "/slug"},
        {"position past the end", "POST", "/v1/tracks/" + id + "/roadmap-items", R"({"title":"x","position":4})", 400,
         "position_out_of_range", "/position"},
        {"position zero", "POST", "/v1/tracks/" + id + "/roadmap-items", R"({"title":"x","position":0})", 400, "", ""},
        {"unknown scope", "POST", "/v1/chat-templates", R"({"name":"a","scope":"planet","content":"x"})", 400, "",
         "/scope"},
        {"unclosed tag", "POST", "/v1/chat-templates",
         R"({"name":"a","scope":"global","content":"Hi {{name","variables":{"name":null}})", 400, "invalid_template",
         "/content"},
        {"unclosed section", "POST", "/v1/chat-templates",
         R"({"name":"a","scope":"global","content":"{{#a}}x","variables":{"a":null}})", 400, "invalid_template",
         "/content"},
        {"undeclared variable", "POST", "/v1/chat-templates", R"({"name":"a","scope":"global","content":"{{who}}"})",
         400, "undeclared_variable", "/variables/who"},
        {"track scope without track", "POST", "/v1/chat-templates", R"({"name":"a","scope":"track","content":"x"})",
         400, "missing_field", "/track_id"},
        {"unknown track", "POST", "/v1/track-sessions", R"({"track_id":")" + random_id() + R"("})", 404,
         "track_not_found", "/track_id"},
        {"unknown tab", "POST", "/v1/track-sessions", R"({"track_id":")" + id + R"(","active_tab":"lab"})", 400, "",
         "/active_tab"},
    };
    for (const auto& c : cases) {
        const auto before = env_.records_in_topic();
        const auto token = c.path == "/v1/track-sessions" ? ann_.token : admin_;
        r = http().request(c.method, c.path, c.body,
                           {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
        EXPECT_EQ(r.status, c.status) << c.what << ": " << r.body;
        if (!c.code.empty()) {
            EXPECT_EQ(r.error_code(), c.code) << c.what;
        }
        if (!c.field.empty()) {
            EXPECT_EQ(r.error_field(), c.field) << c.what;
        }
        // Refused by the gateway: nothing appended; by the fold: a record whose outcome is rejected.
        if (c.status == 400 && c.code != "position_out_of_range") {
            EXPECT_EQ(env_.records_in_topic(), before) << c.what;
        }
    }
    EXPECT_EQ(roadmap_titles(id), (std::vector<std::string>{"One", "Two"}));
    r = http().get("/v1/chat-templates", admin_);
    EXPECT_EQ(r.json().at("items").as_array().size(), 0u);
}

TEST_F(Learning, TemplatesAreVersionedAndASessionKeepsTheVersionItPinned) {
    const auto id = track("Negotiation", {"Anchoring", "Silence"});
    auto r = http().post(
        "/v1/chat-templates", admin_,
        R"({"name":"mentor_chat","scope":"global","content":"v1: mentor for {{track_title}}, {{tone}}","variables":{"track_title":null,"tone":"kind"}})");
    ASSERT_EQ(r.status, 201) << r.body;
    const auto template_id = text(r.json(), "template_id");
    EXPECT_EQ(r.json().at("latest_version").as_int64(), 1);
    const auto old_session = session(ann_, id);

    r = http().post("/v1/chat-templates/" + template_id + "/versions", admin_,
                    R"({"content":"v2: {{tone}} mentor","variables":{"tone":"firm"}})");
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.json().at("latest_version").as_int64(), 2);
    const auto new_session = session(ann_, id);

    r = http().get("/v1/track-sessions/" + old_session, ann_.token);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("templates").at(0).at("version").as_int64(), 1);
    r = http().get("/v1/chat-templates/" + template_id + "/versions/1", ann_.token);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(text(r.json(), "content"), "v1: mentor for {{track_title}}, {{tone}}");
    r = http().get("/v1/chat-templates/" + template_id + "/versions", ann_.token);
    EXPECT_EQ(r.json().at("items").as_array().size(), 2u);

    const auto ask = [&](const std::string& s) {
        auto reply = http().post("/v1/agents/mentor_chat/v1/reply", ann_.token,
                                 bj::serialize(bj::object{{"message", "How do I anchor?"}, {"session_id", s}}));
        EXPECT_EQ(reply.status, 200) << reply.body;
        return reply.json();
    };
    EXPECT_EQ(ask(old_session).at("template_version").as_int64(), 1);
    EXPECT_EQ(ask(new_session).at("template_version").as_int64(), 2);
    EXPECT_EQ(text(ask(new_session), "template_id"), template_id);

    // Rendering: defaults, supplied values, and clear errors naming the variable.
    r = http().post("/v1/chat-templates/" + template_id + "/render", ann_.token,
                    R"({"version":1,"variables":{"track_title":"Sales"}})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(text(r.json(), "content"), "v1: mentor for Sales, kind");
    r = http().post("/v1/chat-templates/" + template_id + "/render", ann_.token, R"({"version":1})");
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.error_code(), "missing_variable");
    EXPECT_EQ(r.error_field(), "/variables/track_title");
    r = http().post("/v1/chat-templates/" + template_id + "/render", ann_.token, R"({"variables":{"mood":"x"}})");
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.error_code(), "unknown_variable");
    EXPECT_EQ(r.error_field(), "/variables/mood");
    r = http().post("/v1/agents/mentor_chat/v1/reply", ann_.token,
                    bj::serialize(bj::object{{"message", "hi"}, {"variables", bj::object{{"mood", "x"}}}}));
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.error_code(), "unknown_variable");

    // Same name in another scope is another template; same scope and name is a 409.
    r = http().post("/v1/chat-templates", admin_, R"({"name":"mentor_chat","scope":"global","content":"dup"})");
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_EQ(r.error_code(), "template_name_taken");
    r = http().post("/v1/chat-templates", admin_,
                    bj::serialize(bj::object{
                        {"name", "mentor_chat"}, {"scope", "track"}, {"track_id", id}, {"content", "track's own"}}));
    EXPECT_EQ(r.status, 201) << r.body;
    const auto track_template = text(r.json(), "template_id");
    const auto third = session(ann_, id);
    const auto reply = ask(third);
    EXPECT_EQ(text(reply, "template_id"), track_template);  // the track's own before the global one
}

TEST_F(Learning, OneThreadPerTabEvenWhenTwoCreatesRace) {
    const auto id = track("Chess", {"Openings"});
    for (int round = 0; round < 5; ++round) {
        const auto s = session(ann_, id);
        auto create = [&] {
            return http().post("/v1/track-sessions/" + s + "/threads", ann_.token, R"({"tab":"practice"})");
        };
        auto a = std::async(std::launch::async, create);
        auto b = std::async(std::launch::async, create);
        const auto ra = a.get(), rb = b.get();
        const auto& won = ra.status == 201 ? ra : rb;
        const auto& lost = ra.status == 201 ? rb : ra;
        ASSERT_EQ(won.status, 201) << ra.body << rb.body;
        ASSERT_EQ(lost.status, 409) << lost.body;
        EXPECT_EQ(lost.error_code(), "thread_exists");
        EXPECT_EQ(lost.json().at("error").at("details").at("thread_id"), won.json().at("thread_id"));
        auto r = http().get("/v1/track-sessions/" + s + "/threads", ann_.token);
        ASSERT_EQ(r.status, 200) << r.body;
        EXPECT_EQ(r.json().at("items").as_array().size(), 1u);
    }
    // The thread is a chat of the conversation model: its messages are the chat's.
    const auto s = session(ann_, id);
    const auto t = thread(ann_, s, "chat");
    auto r = http().get("/v1/chats/" + t, ann_.token);
    ASSERT_EQ(r.status, 200) << r.body;
    r = http().post("/v1/chats/" + t + "/messages", ann_.token, R"({"content":"first move?"})");
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(messages(ann_, t).size(), 1u);
    r = http().post("/v1/track-sessions/" + s + "/threads", ann_.token, R"({"tab":"lab"})");
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.error_field(), "/tab");
    r = http().get("/v1/track-sessions/" + s, ann_.token);
    EXPECT_EQ(r.json().at("threads").as_array().size(), 1u);
}

TEST_F(Learning, TheLiveSynopsisChangesSnapshotsKeepTheirMoment) {
    const auto s = session(ann_, track("Cooking"));
    auto r = http().get("/v1/track-sessions/" + s + "/synopses", ann_.token);
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(r.json().at("items").as_array().size(), 1u);
    const auto live = text(r.json().at("items").at(0), "synopsis_id");
    EXPECT_EQ(text(r.json().at("items").at(0), "origin"), "live");

    r = http().put("/v1/synopses/" + live + "/items", ann_.token,
                   R"({"items":[{"kind":"key_point","title":"Heat","text":"Preheat the pan."}]})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("revision").as_int64(), 1);
    r = http().post("/v1/track-sessions/" + s + "/synopses", ann_.token, R"({"origin":"snapshot","title":"Week 1"})");
    ASSERT_EQ(r.status, 201) << r.body;
    const auto snapshot = text(r.json(), "synopsis_id");
    EXPECT_EQ(r.json().at("items").as_array().size(), 1u);
    EXPECT_EQ(r.json().at("copied_from").at("revision").as_int64(), 1);

    r = http().post("/v1/synopses/" + live + "/items", ann_.token,
                    R"({"items":[{"kind":"note","text":"Salt early."}]})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("items").as_array().size(), 2u);
    r = http().get("/v1/synopses/" + snapshot, ann_.token);
    EXPECT_EQ(r.json().at("items").as_array().size(), 1u);
    EXPECT_EQ(text(r.json().at("items").at(0), "text"), "Preheat the pan.");

    r = http().post("/v1/synopses/" + snapshot + "/items", ann_.token, R"({"items":[{"kind":"note","text":"x"}]})");
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_EQ(r.error_code(), "synopsis_read_only");
    r = http().put("/v1/synopses/" + live + "/items", ann_.token, R"({"items":[],"if_revision":1})");
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_EQ(r.error_code(), "synopsis_revision_conflict");
    r = http().post(
        "/v1/track-sessions/" + s + "/synopses", ann_.token,
        R"({"origin":"imported","title":"From my notes","items":[{"kind":"definition","text":"Mise en place"}]})");
    ASSERT_EQ(r.status, 201) << r.body;
    r = http().post("/v1/track-sessions/" + s + "/synopses", ann_.token, R"({"origin":"live"})");
    EXPECT_EQ(r.status, 400) << r.body;  // exactly one live synopsis, made with the session
    r = http().get("/v1/track-sessions/" + s + "/synopses", ann_.token);
    EXPECT_EQ(r.json().at("items").as_array().size(), 3u);
    EXPECT_EQ(text(r.json().at("items").at(0), "synopsis_id"), live);
    r = http().get("/v1/synopses/" + live, ann_.token);
    EXPECT_EQ(r.json().at("items").as_array().size(), 2u);  // the refused writes changed nothing
}

TEST_F(Learning, EachAgentRouteWritesIntoItsTabsThreadOnceAndSaysWhenItSkips) {
    const auto id = track("Public speaking", {"Breathing", "Eye contact", "Pauses"});
    const auto s = session(ann_, id);
    const std::vector<std::tuple<std::string, std::string>> routes{
        {"/v1/agents/mentor_chat/v1/reply", "chat"},
        {"/v1/agents/practice_coach/v1/hint", "practice"},
        {"/v1/agents/simulation_mentor/v1/turn", "simulation"}};
    for (const auto& [path, tab] : routes) {
        // Without a session, and with a session that has no thread of this tab: answered, not written.
        auto r = http().post(path, ann_.token, R"({"message":"eye contact?","apply_side_effects":true})");
        ASSERT_EQ(r.status, 200) << r.body;
        EXPECT_EQ(text(r.json(), "skipped_reason"), "no_session");
        EXPECT_FALSE(r.json().at("reply").as_string().empty());
        r = http().post(
            path, ann_.token,
            bj::serialize(bj::object{{"message", "eye contact?"}, {"session_id", s}, {"apply_side_effects", true}}));
        ASSERT_EQ(r.status, 200) << r.body;
        EXPECT_EQ(text(r.json(), "skipped_reason"), "no_thread");
        EXPECT_EQ(text(r.json(), "tab"), tab);

        const auto t = thread(ann_, s, tab);
        r = http().post(path, ann_.token, bj::serialize(bj::object{{"message", "eye contact?"}, {"session_id", s}}));
        ASSERT_EQ(r.status, 200) << r.body;
        EXPECT_EQ(text(r.json(), "skipped_reason"), "not_requested");
        EXPECT_EQ(messages(ann_, t).size(), 0u);

        const auto body = bj::serialize(
            bj::object{{"message", "How do I keep eye contact?"}, {"session_id", s}, {"apply_side_effects", true}});
        const std::map<std::string, std::string> key{{"Idempotency-Key", "agent-" + tab}};
        r = http().post(path, ann_.token, body, key);
        ASSERT_EQ(r.status, 200) << r.body;
        EXPECT_TRUE(r.json().at("skipped_reason").is_null()) << r.body;
        EXPECT_EQ(text(r.json(), "thread_id"), t);
        const auto reply_id = text(r.json(), "agent_reply_id");
        const auto message_id = text(r.json(), "message_id");
        EXPECT_NE(text(r.json(), "reply").find("Eye contact"), std::string::npos) << r.body;
        // The retry replays the first answer: same reply, still one message.
        auto again = http().post(path, ann_.token, body, key);
        ASSERT_EQ(again.status, 200) << again.body;
        EXPECT_EQ(again.headers["idempotent-replayed"], "true");
        EXPECT_EQ(text(again.json(), "agent_reply_id"), reply_id);
        const auto written = messages(ann_, t);
        ASSERT_EQ(written.size(), 1u);
        EXPECT_EQ(text(written[0], "id"), message_id);
        EXPECT_EQ(text(written[0], "role"), "assistant");
        EXPECT_EQ(written[0].at("metadata"),
                  (bj::object{{"agent_id", path.substr(11, path.find("/v1/", 11) - 11)}, {"version", "v1"}}));
        EXPECT_EQ(text(written[0], "content"), text(r.json(), "reply"));
        r = http().get("/v1/agent-replies/" + reply_id, ann_.token);
        EXPECT_EQ(r.status, 200) << r.body;
    }
    auto r = http().post("/v1/agents/mentor_chat/v2/reply", ann_.token, R"({"message":"x"})");
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(r.error_code(), "agent_not_found");
}

TEST_F(Learning, AnotherUsersSessionIsA404AndNothingIsWritten) {
    const auto s = session(ann_, track("Guitar", {"Chords"}));
    const auto t = thread(ann_, s, "chat");
    const auto before = env_.records_in_topic();
    auto r =
        http().post("/v1/agents/mentor_chat/v1/reply", bob_.token,
                    bj::serialize(bj::object{{"message", "chords?"}, {"session_id", s}, {"apply_side_effects", true}}));
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(r.error_code(), "track_session_not_found");
    EXPECT_EQ(http().get("/v1/track-sessions/" + s, bob_.token).status, 404);
    EXPECT_EQ(http().post("/v1/track-sessions/" + s + "/threads", bob_.token, R"({"tab":"practice"})").status, 404);
    EXPECT_EQ(http().get("/v1/track-sessions/" + s + "/synopses", bob_.token).status, 404);
    EXPECT_EQ(env_.records_in_topic(), before);
    // Writes the gateway cannot see the owner of are refused by the fold: bob's stream has no such session.
    r = http().post("/v1/track-sessions/" + s + "/synopses", bob_.token, R"({"origin":"snapshot"})");
    EXPECT_EQ(r.status, 404) << r.body;
    r = http().patch("/v1/track-sessions/" + s, bob_.token, R"({"active_tab":"practice"})");
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(messages(ann_, t).size(), 0u);
    r = http().get("/v1/track-sessions/" + s, ann_.token);
    EXPECT_EQ(text(r.json(), "active_tab"), "chat");
}

//! Generated: random track bodies — each a 201 that reads back exactly or a 400 naming a field;
//! never a 5xx.
TEST_F(Learning, GeneratedTrackBodiesAreAcceptedExactlyOrRefusedClearly) {
    std::mt19937 rng(1204);
    const std::vector<bj::value> values{
        bj::value(""),          bj::value("x"),         bj::value("Привет, мир"),
        bj::value("a\"b\\c\n"), bj::value(42),          bj::value(nullptr),
        bj::value(true),        bj::value(bj::array{}), bj::value(std::string(201, 'y')),
        bj::value("ok-slug"),   bj::value("UPPER")};
    int accepted = 0;
    for (int i = 0; i < 60; ++i) {
        bj::object body;
        for (const char* field : {"slug", "title", "description", "goal", "extra"})
            if (rng() % 3 != 0) body[field] = values[rng() % values.size()];
        if (body.contains("slug") && body["slug"] == "ok-slug") body["slug"] = "s-" + std::to_string(i);
        const auto before = env_.records_in_topic();
        auto r = http().post("/v1/tracks", admin_, bj::serialize(body));
        ASSERT_TRUE(r.status == 201 || r.status == 400) << bj::serialize(body) << " -> " << r.body;
        if (r.status == 400) {
            EXPECT_FALSE(r.error_code().empty());
            EXPECT_FALSE(r.error_field().empty()) << r.body;
            EXPECT_EQ(env_.records_in_topic(), before);
            continue;
        }
        ++accepted;
        auto read = http().get("/v1/tracks/" + text(r.json(), "track_id"), ann_.token);
        for (const char* field : {"slug", "title", "description", "goal"})
            if (body.contains(field)) {
                EXPECT_EQ(read.json().at(field), body[field]) << field;
            }
    }
    EXPECT_GT(accepted, 0);
}

TEST_F(Learning, ARebuildFromOffsetZeroIntoAFreshSchemaGivesTheSameReadModel) {
    const auto id = track("Drawing", {"Lines", "Shapes", "Shading"});
    std::mt19937 rng(7);
    auto r =
        http().post("/v1/chat-templates", admin_,
                    R"({"name":"practice_coach","scope":"global","content":"coach {{tab}}","variables":{"tab":null}})");
    ASSERT_EQ(r.status, 201) << r.body;
    for (const auto& p : {ann_, bob_}) {
        const auto s = session(p, id);
        thread(p, s, "practice");
        r = http().get("/v1/track-sessions/" + s, p.token);
        const auto live = text(r.json(), "live_synopsis_id");
        for (int i = 0; i < 5; ++i) {
            http().post("/v1/agents/practice_coach/v1/hint", p.token,
                        bj::serialize(bj::object{{"message", "shading " + std::to_string(rng() % 100)},
                                                 {"session_id", s},
                                                 {"apply_side_effects", true}}));
            http().post("/v1/synopses/" + live + "/items", p.token,
                        bj::serialize(bj::object{
                            {"items", bj::array{bj::object{{"kind", "note"}, {"text", "n" + std::to_string(i)}}}}}));
            if (i % 2 == 0) http().post("/v1/track-sessions/" + s + "/synopses", p.token, R"({"origin":"snapshot"})");
        }
    }
    r = http().post("/v1/tracks/" + id + "/roadmap-items", admin_, R"({"title":"Color","position":1})");
    ASSERT_EQ(r.status, 201) << r.body;

    TestEnv rebuilt_env(3);
    auto rebuild = env_.start_projector({{"AIMI_PROJECTION", "learning"}, {"AIMI_PG_SCHEMA", rebuilt_env.schema()}});
    const auto replies = env_.scalar("SELECT count(*) FROM agent_replies");
    ASSERT_EQ(replies, 10);
    ASSERT_TRUE(eventually([&] {
        return rebuilt_env.scalar("SELECT count(*) FROM agent_replies") == replies &&
               rebuilt_env.scalar("SELECT count(*) FROM track_roadmap_items") == 4;
    }));
    const auto digest = [](const TestEnv& e, const std::string& query) {
        return e.scalar("SELECT hashtext(string_agg(t::text, '|' ORDER BY t::text)) FROM (" + query + ") t");
    };
    for (const auto* table : {"tracks", "track_roadmap_items", "chat_templates", "chat_template_versions",
                              "track_sessions", "chat_threads", "synopses", "agent_replies"})
        EXPECT_EQ(digest(env_, std::string("SELECT * FROM ") + table),
                  digest(rebuilt_env, std::string("SELECT * FROM ") + table))
            << table;
}

//! The assistant does not answer a thread's messages (the agent routes do); it notes them in the
//! session's live synopsis, once, as a fact with its prompt run.
TEST_F(Learning, TheAssistantNotesAThreadsMessagesInTheLiveSynopsisOnce) {
    const auto s = session(ann_, track("Spanish", {"Greetings", "Past tense"}));
    const auto t = thread(ann_, s, "chat");
    auto r = http().get("/v1/track-sessions/" + s, ann_.token);
    const auto live = text(r.json(), "live_synopsis_id");
    const std::map<std::string, std::string> hashed{{"AIMI_EMBEDDER", "hashed"}};
    auto assistant =
        std::make_unique<ChildProcess>(std::string(AIMI_BIN_DIR) + "/aimi-assistant", std::vector<std::string>{},
                                       env_.child_env(hashed), env_.log_path("assistant"));
    r = http().post("/v1/chats/" + t + "/messages", ann_.token,
                    R"({"content":"When do I use the preterite? And when the imperfect?"})");
    ASSERT_EQ(r.status, 201) << r.body;
    r = http().post("/v1/chats/" + t + "/messages", ann_.token, R"({"content":"ok"})");
    ASSERT_EQ(r.status, 201) << r.body;
    r = http().post("/v1/chats/" + t + "/messages", ann_.token,
                    R"({"content":"I mixed up ser and estar in my homework today. Next time I check."})");
    ASSERT_EQ(r.status, 201) << r.body;
    bj::array items;
    ASSERT_TRUE(eventually([&] {
        auto got = http().get("/v1/synopses/" + live, ann_.token);
        items = got.json().at("items").as_array();
        return items.size() >= 3;
    })) << bj::serialize(items);
    ASSERT_EQ(items.size(), 3u);
    EXPECT_EQ(text(items[0], "kind"), "question");
    EXPECT_EQ(text(items[0], "text"), "When do I use the preterite?");
    EXPECT_EQ(text(items[1], "text"), "And when the imperfect?");
    EXPECT_EQ(text(items[2], "kind"), "note");
    EXPECT_EQ(text(items[2], "text"), "I mixed up ser and estar in my homework today.");
    // Restarted, it notes nothing twice; and it never replied in the thread.
    assistant.reset();
    assistant =
        std::make_unique<ChildProcess>(std::string(AIMI_BIN_DIR) + "/aimi-assistant", std::vector<std::string>{},
                                       env_.child_env(hashed), env_.log_path("assistant-again"));
    r = http().post("/v1/chats/" + t + "/messages", ann_.token, R"({"content":"Is it ser for professions?"})");
    ASSERT_EQ(r.status, 201) << r.body;
    ASSERT_TRUE(eventually([&] {
        auto got = http().get("/v1/synopses/" + live, ann_.token);
        items = got.json().at("items").as_array();
        return items.size() >= 4;
    }));
    EXPECT_EQ(items.size(), 4u);
    for (const auto& m : messages(ann_, t)) EXPECT_EQ(text(m, "role"), "user");
}

//! aimi-admin seed loads the demo catalog from the repo; a second run appends nothing and changes
//! nothing. A Russian learner on the Russian track gets the track's own (Russian) templates.
TEST_F(Learning, TheSeedCommandLoadsTheDemoCatalogOnce) {
    const auto seed = [&] {
        std::string command = "env";
        for (const auto& [k, v] : env_.child_env()) command += " '" + k + "=" + v + "'";
        command += fmt::format(" '{}/aimi-admin' seed '{}/infra/seed/learning-catalog.json' 2>> '{}'", AIMI_BIN_DIR,
                               AIMI_SOURCE_DIR, env_.log_path("admin"));
        return std::system(command.c_str());
    };
    ASSERT_EQ(seed(), 0);
    const auto digest = [&] {
        return env_.scalar(
            "SELECT hashtext(string_agg(t::text, '|' ORDER BY t::text)) FROM (SELECT * FROM tracks UNION ALL "
            "SELECT track_id, title, description, position::text, '', created_at, updated_at FROM track_roadmap_items "
            "UNION ALL SELECT template_id, name, scope, coalesce(track_id::text, ''), description, created_at, "
            "updated_at FROM chat_templates) t");
    };
    ASSERT_TRUE(eventually([&] { return env_.scalar("SELECT count(*) FROM chat_templates") == 8; }));
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM tracks"), 2);
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM track_roadmap_items"), 16);
    const auto before = digest();
    const auto records = env_.records_in_topic();
    ASSERT_EQ(seed(), 0);
    EXPECT_EQ(env_.records_in_topic(), records);
    EXPECT_EQ(digest(), before);

    auto r = http().get("/v1/tracks", ann_.token);
    std::string russian;
    const auto tracks = r.json();
    for (const auto& t : tracks.at("items").as_array())
        if (text(t, "slug") == "publichnye-vystupleniya") russian = text(t, "track_id");
    ASSERT_FALSE(russian.empty()) << r.body;
    const auto ivan = person("Ivan", "ru");
    const auto s = session(ivan, russian);
    thread(ivan, s, "practice");
    r = http().post(
        "/v1/agents/practice_coach/v1/hint", ivan.token,
        bj::serialize(bj::object{
            {"message", "Как держать паузу перед главной мыслью?"}, {"session_id", s}, {"apply_side_effects", true}}));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_NE(text(r.json(), "reply").find("Подсказка к шагу «Паузы»"), std::string::npos) << r.body;
    r = http().get("/v1/chat-templates/" + text(r.json(), "template_id"), ivan.token);
    EXPECT_EQ(text(r.json(), "scope"), "track");
    EXPECT_EQ(text(r.json(), "track_id"), russian);
}

}  // namespace
}  // namespace aimi::testing
