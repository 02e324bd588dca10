// Learning tracks' pure rules: the Mustache templates (checked, rendered, errors naming the
// variable), the fold's catalog and session rules (unique slugs, dense positions under random
// edits against a reference list, template versions, one thread per tab, the live synopsis), and
// the deterministic agents.
#include <gtest/gtest.h>

#include <random>

#include <boost/json.hpp>

#include "domain/events/learning_events.hpp"
#include "domain/json/text_of.hpp"
#include "domain/learning/agents.hpp"
#include "domain/learning/apply_event.hpp"
#include "domain/learning/chat_template.hpp"
#include "domain/learning/synopsis_notes.hpp"

namespace aimi::learning {
namespace {

namespace bj = boost::json;
using goals::Applied;
using goals::GoalGraph;
using goals::Refusal;

// Templates.

TEST(ChatTemplate, RendersDeclaredVariablesWithDefaultsAndSuppliedValues) {
    const TemplateVariables vars{{"name", std::nullopt}, {"tone", std::string("warm")}};
    auto out = render_template("Hello {{name}}, be {{tone}}.", vars, bj::object{{"name", "Ann"}});
    ASSERT_TRUE(out) << out.problem().message;
    EXPECT_EQ(out.value(), "Hello Ann, be warm.");
    out = render_template("Hello {{name}}, be {{tone}}.", vars, bj::object{{"name", "Bo"}, {"tone", "brief"}});
    EXPECT_EQ(out.value(), "Hello Bo, be brief.");
}

TEST(ChatTemplate, ProvidedValuesComeBetweenSuppliedAndDefaults) {
    const TemplateVariables vars{{"track_title", std::string("a track")}};
    auto out = render_template("On {{track_title}}", vars, {}, {{"track_title", "Speaking"}});
    EXPECT_EQ(out.value(), "On Speaking");
    out =
        render_template("On {{track_title}}", vars, bj::object{{"track_title", "Mine"}}, {{"track_title", "Speaking"}});
    EXPECT_EQ(out.value(), "On Mine");
}

TEST(ChatTemplate, DoesNotHtmlEscape) {
    auto out = render_template("{{q}}", {{"q", std::nullopt}}, bj::object{{"q", "<a & \"b\">"}});
    EXPECT_EQ(out.value(), "<a & \"b\">");
}

TEST(ChatTemplate, SectionsRenderOnBooleans) {
    const TemplateVariables vars{{"formal", std::nullopt}, {"name", std::string("you")}};
    EXPECT_EQ(render_template("{{#formal}}Dear {{/formal}}{{name}}", vars, bj::object{{"formal", true}}).value(),
              "Dear you");
    EXPECT_EQ(render_template("{{#formal}}Dear {{/formal}}{{name}}", vars, bj::object{{"formal", false}}).value(),
              "you");
}

TEST(ChatTemplate, MissingAndUnknownVariablesNameTheVariable) {
    const TemplateVariables vars{{"name", std::nullopt}};
    auto out = render_template("Hi {{name}}", vars, {});
    ASSERT_FALSE(out);
    EXPECT_EQ(out.problem().code, "missing_variable");
    EXPECT_EQ(out.problem().field, "/variables/name");
    out = render_template("Hi {{name}}", vars, bj::object{{"name", "A"}, {"nickname", "B"}});
    ASSERT_FALSE(out);
    EXPECT_EQ(out.problem().code, "unknown_variable");
    EXPECT_EQ(out.problem().field, "/variables/nickname");
    out = render_template("Hi {{name}}", vars, bj::object{{"name", bj::array{}}});
    ASSERT_FALSE(out);
    EXPECT_EQ(out.problem().code, "invalid_value");
}

TEST(ChatTemplate, CheckRefusesUnclosedTagsAndSectionsAndUndeclaredVariables) {
    for (const char* bad : {"Hello {{name", "{{#a}}never closed", "{{/a}}", "{{#a}}x{{/b}}"}) {
        const auto p = check_template(bad, {{"name", std::nullopt}, {"a", std::nullopt}});
        ASSERT_TRUE(p) << bad;
        EXPECT_EQ(p->code, "invalid_template") << bad;
        EXPECT_EQ(p->field, "/content");
    }
    const auto p = check_template("{{#ok}}{{inner}}{{/ok}}", {{"ok", std::nullopt}});
    ASSERT_TRUE(p);
    EXPECT_EQ(p->code, "undeclared_variable");
    EXPECT_EQ(p->field, "/variables/inner");
    EXPECT_FALSE(check_template("{{#ok}}{{inner}}{{/ok}}", {{"ok", std::nullopt}, {"inner", std::string("x")}}));
}

TEST(ChatTemplate, VariableNamesAndDefaultsAreChecked) {
    EXPECT_TRUE(decode_template_variables(bj::object{{"ok_1", "x"}, {"other", nullptr}}, "/variables"));
    for (const char* bad : {"1x", "a-b", "", "a b"}) {
        auto r = decode_template_variables(bj::object{{bad, "x"}}, "/variables");
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.problem().code, "invalid_variable_name");
    }
    auto r = decode_template_variables(bj::object{{"n", 3}}, "/variables");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.problem().field, "/variables/n");
}

//! Generated: any set of declared names with generated values renders each value exactly once,
//! in order, whatever characters it holds.
TEST(ChatTemplate, GeneratedValuesRenderVerbatim) {
    std::mt19937 rng(20261204);
    const std::string alphabet = "abcXYZ019 _-<>&\"'{}!\xc3\xa9\xd0\xb6";
    for (int round = 0; round < 300; ++round) {
        const int n = 1 + static_cast<int>(rng() % 6);
        TemplateVariables vars;
        bj::object supplied;
        std::string content, expected;
        for (int i = 0; i < n; ++i) {
            const auto name = "v" + std::to_string(i);
            std::string value;
            for (int k = static_cast<int>(rng() % 12); k > 0; --k) value += alphabet[rng() % (alphabet.size() - 4)];
            vars[name] = std::nullopt;
            supplied[name] = value;
            content += "[{{" + name + "}}]";
            expected += "[" + value + "]";
        }
        ASSERT_FALSE(check_template(content, vars));
        auto out = render_template(content, vars, supplied);
        ASSERT_TRUE(out) << out.problem().message;
        EXPECT_EQ(out.value(), expected);
    }
}

// The fold's rules.

class LearningFold : public ::testing::Test {
  protected:
    template <class E>
    std::variant<Applied, Refusal> apply(bj::object data) {
        return apply_event(graph_, events::EventData{E{std::move(data)}});
    }
    template <class E>
    Applied ok(bj::object data) {
        auto r = apply<E>(std::move(data));
        if (auto* refusal = std::get_if<Refusal>(&r)) ADD_FAILURE() << refusal->code << ": " << refusal->message;
        return std::holds_alternative<Applied>(r) ? std::get<Applied>(r) : Applied{};
    }
    template <class E>
    Refusal refused(bj::object data) {
        auto r = apply<E>(std::move(data));
        EXPECT_TRUE(std::holds_alternative<Refusal>(r));
        return std::holds_alternative<Refusal>(r) ? std::get<Refusal>(r) : Refusal{};
    }
    std::vector<std::string> order(const std::string& track) {
        std::vector<std::string> out;
        for (const auto& id : graph_.entity(track)->details.at("items").as_array()) out.emplace_back(id.as_string());
        return out;
    }
    std::string id(int n) { return fmt_id(n); }
    static std::string fmt_id(int n) {
        char buf[40];
        std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", n);
        return buf;
    }

    GoalGraph graph_;
};

TEST_F(LearningFold, SlugsAreUnique) {
    ok<events::TrackCreated>({{"track_id", id(1)}, {"slug", "speaking"}, {"title", "A"}});
    const auto r = refused<events::TrackCreated>({{"track_id", id(2)}, {"slug", "speaking"}, {"title", "B"}});
    EXPECT_EQ(r.code, "track_slug_taken");
    EXPECT_EQ(r.field, "/slug");
    ok<events::TrackCreated>({{"track_id", id(3)}, {"slug", "writing"}, {"title", "C"}});
}

TEST_F(LearningFold, PositionsOutOfRangeAreRefusedWithTheMaximum) {
    ok<events::TrackCreated>({{"track_id", id(1)}, {"slug", "t"}, {"title", "T"}});
    auto r = refused<events::RoadmapItemAdded>(
        {{"roadmap_item_id", id(10)}, {"track_id", id(1)}, {"title", "x"}, {"position", 2}});
    EXPECT_EQ(r.code, "position_out_of_range");
    EXPECT_EQ(r.details.at("max_position").as_int64(), 1);
    ok<events::RoadmapItemAdded>({{"roadmap_item_id", id(10)}, {"track_id", id(1)}, {"title", "x"}});
    r = refused<events::RoadmapItemUpdated>({{"roadmap_item_id", id(10)}, {"track_id", id(1)}, {"position", 2}});
    EXPECT_EQ(r.code, "position_out_of_range");
    r = refused<events::RoadmapItemAdded>({{"roadmap_item_id", id(11)}, {"track_id", id(2)}, {"title", "x"}});
    EXPECT_EQ(r.code, "track_not_found");
}

//! Generated: random inserts, moves and removals keep the order the same as a plain list would.
TEST_F(LearningFold, GeneratedRoadmapEditsKeepDensePositions) {
    ok<events::TrackCreated>({{"track_id", id(1)}, {"slug", "t"}, {"title", "T"}});
    std::mt19937 rng(4);
    std::vector<std::string> reference;
    int next = 100;
    for (int step = 0; step < 2000; ++step) {
        const auto op = rng() % 3;
        if (op == 0 || reference.empty()) {
            const auto n = static_cast<std::int64_t>(reference.size());
            const auto position = static_cast<std::int64_t>(rng() % (n + 3)) + 1;  // sometimes out of range
            const auto item = id(next++);
            auto r = apply<events::RoadmapItemAdded>(
                {{"roadmap_item_id", item}, {"track_id", id(1)}, {"title", "s"}, {"position", position}});
            if (position > n + 1) {
                ASSERT_TRUE(std::holds_alternative<Refusal>(r));
                continue;
            }
            ASSERT_TRUE(std::holds_alternative<Applied>(r));
            EXPECT_EQ(std::get<Applied>(r).assigned.at("position").as_int64(), position);
            reference.insert(reference.begin() + (position - 1), item);
        } else if (op == 1) {
            const auto n = static_cast<std::int64_t>(reference.size());
            const auto& item = reference[rng() % reference.size()];
            const auto position = static_cast<std::int64_t>(rng() % (n + 1)) + 1;
            auto r = apply<events::RoadmapItemUpdated>(
                {{"roadmap_item_id", item}, {"track_id", id(1)}, {"position", position}});
            if (position > n) {
                ASSERT_TRUE(std::holds_alternative<Refusal>(r));
                continue;
            }
            ASSERT_TRUE(std::holds_alternative<Applied>(r));
            const auto copy = item;
            std::erase(reference, copy);
            reference.insert(reference.begin() + (position - 1), copy);
        } else {
            const auto item = reference[rng() % reference.size()];
            ok<events::RoadmapItemRemoved>({{"roadmap_item_id", item}, {"track_id", id(1)}});
            std::erase(reference, item);
            EXPECT_EQ(refused<events::RoadmapItemRemoved>({{"roadmap_item_id", item}, {"track_id", id(1)}}).code,
                      "roadmap_item_not_found");
        }
        ASSERT_EQ(order(id(1)), reference) << "step " << step;
    }
}

TEST_F(LearningFold, TemplatesAreUniquePerScopeAndNameAndPublishingNumbersVersions) {
    ok<events::TrackCreated>({{"track_id", id(1)}, {"slug", "t"}, {"title", "T"}});
    auto a = ok<events::ChatTemplateCreated>(
        {{"template_id", id(20)}, {"name", "mentor_chat"}, {"scope", "global"}, {"content", "x"}});
    EXPECT_EQ(a.assigned.at("version").as_int64(), 1);
    EXPECT_EQ(refused<events::ChatTemplateCreated>(
                  {{"template_id", id(21)}, {"name", "mentor_chat"}, {"scope", "global"}, {"content", "y"}})
                  .code,
              "template_name_taken");
    // The same name in a track's scope is another template.
    ok<events::ChatTemplateCreated>(
        {{"template_id", id(22)}, {"name", "mentor_chat"}, {"scope", "track"}, {"track_id", id(1)}, {"content", "z"}});
    EXPECT_EQ(refused<events::ChatTemplateCreated>(
                  {{"template_id", id(23)}, {"name", "m"}, {"scope", "track"}, {"track_id", id(9)}, {"content", "z"}})
                  .code,
              "track_not_found");
    for (int v = 2; v <= 5; ++v)
        EXPECT_EQ(ok<events::ChatTemplatePublished>({{"template_id", id(20)}, {"content", "v"}}).assigned.at("version"),
                  v);
    EXPECT_EQ(refused<events::ChatTemplatePublished>({{"template_id", id(29)}, {"content", "v"}}).code,
              "template_not_found");
}

TEST_F(LearningFold, OneThreadPerSessionAndTab) {
    ok<events::TrackSessionStarted>(
        {{"track_session_id", id(30)}, {"track_id", id(1)}, {"live_synopsis_id", id(31)}, {"active_tab", "chat"}});
    ok<events::ChatThreadCreated>({{"thread_id", id(40)}, {"track_session_id", id(30)}, {"tab", "chat"}});
    const auto r =
        refused<events::ChatThreadCreated>({{"thread_id", id(41)}, {"track_session_id", id(30)}, {"tab", "chat"}});
    EXPECT_EQ(r.code, "thread_exists");
    EXPECT_EQ(r.details.at("thread_id").as_string(), id(40));
    ok<events::ChatThreadCreated>({{"thread_id", id(42)}, {"track_session_id", id(30)}, {"tab", "practice"}});
    EXPECT_EQ(
        refused<events::ChatThreadCreated>({{"thread_id", id(43)}, {"track_session_id", id(39)}, {"tab", "chat"}}).code,
        "track_session_not_found");
}

TEST_F(LearningFold, OnlyTheLiveSynopsisChangesAndSnapshotsRecordItsRevision) {
    ok<events::TrackSessionStarted>(
        {{"track_session_id", id(30)}, {"track_id", id(1)}, {"live_synopsis_id", id(31)}, {"active_tab", "chat"}});
    const bj::array two{bj::object{{"kind", "note"}, {"text", "a"}}, bj::object{{"kind", "note"}, {"text", "b"}}};
    auto u = ok<events::SynopsisUpdated>({{"synopsis_id", id(31)}, {"mode", "replace"}, {"items", two}});
    EXPECT_EQ(u.assigned.at("revision").as_int64(), 1);
    u = ok<events::SynopsisUpdated>({{"synopsis_id", id(31)}, {"mode", "append"}, {"items", two}});
    EXPECT_EQ(u.assigned.at("items").as_int64(), 4);
    auto s =
        ok<events::SynopsisCreated>({{"synopsis_id", id(50)}, {"track_session_id", id(30)}, {"origin", "snapshot"}});
    EXPECT_EQ(s.assigned.at("copied_synopsis_id").as_string(), id(31));
    EXPECT_EQ(s.assigned.at("copied_revision").as_int64(), 2);
    EXPECT_EQ(refused<events::SynopsisUpdated>({{"synopsis_id", id(50)}, {"mode", "append"}, {"items", two}}).code,
              "synopsis_read_only");
    auto conflict = refused<events::SynopsisUpdated>(
        {{"synopsis_id", id(31)}, {"mode", "replace"}, {"items", two}, {"if_revision", 1}});
    EXPECT_EQ(conflict.code, "synopsis_revision_conflict");
    EXPECT_EQ(conflict.details.at("revision").as_int64(), 2);
    ok<events::SynopsisUpdated>({{"synopsis_id", id(31)}, {"mode", "replace"}, {"items", two}, {"if_revision", 2}});
    bj::array many;
    for (int i = 0; i < 250; ++i) many.push_back(bj::object{{"kind", "note"}, {"text", "x"}});
    ok<events::SynopsisUpdated>({{"synopsis_id", id(31)}, {"mode", "append"}, {"items", many}});
    EXPECT_EQ(refused<events::SynopsisUpdated>({{"synopsis_id", id(31)}, {"mode", "append"}, {"items", many}}).code,
              "synopsis_full");
}

TEST_F(LearningFold, AnAgentReplyNamesOnlyTheSessionsThreadOfItsTab) {
    ok<events::TrackSessionStarted>(
        {{"track_session_id", id(30)}, {"track_id", id(1)}, {"live_synopsis_id", id(31)}, {"active_tab", "chat"}});
    ok<events::ChatThreadCreated>({{"thread_id", id(40)}, {"track_session_id", id(30)}, {"tab", "practice"}});
    const bj::object base{{"agent_reply_id", id(60)}, {"agent_id", "practice_coach"},
                          {"agent_version", "v1"},    {"action", "hint"},
                          {"tab", "practice"},        {"track_session_id", id(30)}};
    auto with_thread = base;
    with_thread["thread_id"] = id(40);
    EXPECT_EQ(ok<events::AgentReplied>(with_thread).resource_type, "agent_reply");
    auto wrong_tab = with_thread;
    wrong_tab["tab"] = "chat";
    EXPECT_EQ(refused<events::AgentReplied>(wrong_tab).code, "thread_not_found");
    auto other_session = base;
    other_session["track_session_id"] = id(39);
    EXPECT_EQ(refused<events::AgentReplied>(other_session).code, "track_session_not_found");
}

// Agents.

TEST(Agents, RoutesAreVersionedAndMapToTabs) {
    ASSERT_NE(find_agent_route("mentor_chat", "v1", "reply"), nullptr);
    EXPECT_EQ(find_agent_route("mentor_chat", "v1", "reply")->tab, "chat");
    EXPECT_EQ(find_agent_route("practice_coach", "v1", "hint")->tab, "practice");
    EXPECT_EQ(find_agent_route("simulation_mentor", "v1", "turn")->tab, "simulation");
    EXPECT_EQ(find_agent_route("mentor_chat", "v2", "reply"), nullptr);
    EXPECT_EQ(find_agent_route("mentor_chat", "v1", "hint"), nullptr);
}

TEST(Agents, PicksTheStepTheMessageIsAboutAndAnswersDeterministically) {
    AgentInput input;
    input.track_title = "Public speaking";
    input.roadmap = {{"Breathing", "Slow breathing calms the voice."},
                     {"Eye contact", "Look at one person per sentence."},
                     {"Pauses", "A pause gives weight to what follows."}};
    input.message = "How do I keep eye contact with a big audience?";
    EXPECT_EQ(pick_roadmap_step(input), 2u);
    const auto* route = find_agent_route("mentor_chat", "v1", "reply");
    const auto reply = rule_based_agent_reply(*route, input);
    EXPECT_NE(reply.find("Eye contact"), std::string::npos) << reply;
    EXPECT_NE(reply.find("Pauses"), std::string::npos) << reply;  // what comes next
    EXPECT_EQ(reply, rule_based_agent_reply(*route, input));
    input.locale = "ru";
    EXPECT_NE(rule_based_agent_reply(*route, input).find("Шаг 2 из 3"), std::string::npos);
    const auto hint = rule_based_agent_reply(*find_agent_route("practice_coach", "v1", "hint"), input);
    EXPECT_NE(hint.find("Подсказка"), std::string::npos) << hint;
}

TEST(Agents, WithoutATrackOrAMatchingWordTheyStillAnswer) {
    AgentInput input;
    input.message = "hello";
    for (const auto& route : agent_routes()) EXPECT_FALSE(rule_based_agent_reply(route, input).empty());
    input.roadmap = {{"One", ""}, {"Two", ""}};
    input.history = {{"user", "hi"}, {"assistant", "a"}};
    EXPECT_EQ(pick_roadmap_step(input), 2u);  // the step after those already answered
}

TEST(SynopsisNotes, QuestionsAndStatementsBecomeItemsGreetingsNothing) {
    auto notes = synopsis_notes("When do I breathe? And where do I look?");
    ASSERT_EQ(notes.size(), 2u);
    EXPECT_EQ(notes[0].kind, "question");
    EXPECT_EQ(notes[1].text, "And where do I look?");
    notes = synopsis_notes("I practised the opening three times today. It went well.");
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0].kind, "note");
    EXPECT_EQ(notes[0].text, "I practised the opening three times today.");
    EXPECT_TRUE(synopsis_notes("ok").empty());
    EXPECT_TRUE(synopsis_notes("").empty());
    EXPECT_TRUE(synopsis_notes("Спасибо!").empty());
    EXPECT_EQ(synopsis_notes("Как держать паузу?")[0].kind, "question");
}

}  // namespace
}  // namespace aimi::learning
