// The first read model built from facts: full-text message search, its own projector, its own
// consistency, isolation between users, bad queries refused, rebuilt from 0 row for row.
#include <gtest/gtest.h>

#include <set>

#include <fmt/format.h>
#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "gateway/search_read_model.hpp"
#include "tests/support/test_stack.hpp"

namespace aimi::testing {
namespace {

namespace bj = boost::json;

std::string url_encode(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            out += static_cast<char>(c);
        else
            out += fmt::format("%{:02X}", c);
    }
    return out;
}

class MessageSearch : public ::testing::Test {
  protected:
    void SetUp() override {
        entities_ = env_.start_projector();
        search_ = env_.start_projector({{"AIMI_PROJECTION", "message_search"}});
        gateway_ = env_.start_gateway();
    }

    HttpClient http() const { return gateway_.client(); }

    struct Person {
        std::string id, token, chat;
    };
    Person person(const std::string& locale) {
        Person p{random_id()};
        p.token = env_.token(p.id);
        EXPECT_EQ(
            http().post("/v1/users", p.token, fmt::format(R"({{"display_name":"P","locale":"{}"}})", locale)).status,
            201);
        auto chat = http().post("/v1/chats", p.token, "{}");
        p.chat = std::string(chat.json().at("id").as_string());
        return p;
    }
    //! Posts and returns the command's consistency token.
    std::string say(const Person& p, const std::string& content, const std::string& chat = "") {
        auto r = http().post("/v1/chats/" + (chat.empty() ? p.chat : chat) + "/messages", p.token,
                             bj::serialize(bj::object{{"content", content}}));
        EXPECT_EQ(r.status, 201) << r.body;
        return r.headers["consistency-token"];
    }
    HttpResult find(const Person& p, const std::string& query, const std::string& token = "",
                    const std::string& extra = "") {
        std::map<std::string, std::string> headers;
        if (!token.empty()) headers["Consistency-Token"] = token;
        return http().get("/v1/search/messages?q=" + url_encode(query) + extra, p.token, headers);
    }
    static std::vector<std::string> snippets(const HttpResult& r) {
        std::vector<std::string> out;
        const auto body = r.json();  // a range-for over a temporary's member would dangle
        for (const auto& item : body.at("items").as_array()) out.emplace_back(item.at("snippet").as_string());
        return out;
    }

    TestEnv env_;
    std::unique_ptr<ChildProcess> entities_, search_;
    Gateway gateway_;
};

TEST_F(MessageSearch, FindsStemmedWordsRankedWithSnippetsOnceTheTokenIsApplied) {
    const auto ann = person("en-US");
    say(ann, "I want to run a half marathon in May");
    say(ann, "Running every morning is hard, but running with friends helps");
    const auto token = say(ann, "Buy groceries and call mom");

    auto r = find(ann, "runs", token);  // english stemming: runs ~ run ~ running
    ASSERT_EQ(r.status, 200) << r.body;
    const auto hits = snippets(r);
    ASSERT_EQ(hits.size(), 2u) << r.body;
    EXPECT_NE(hits[0].find("«Running»"), std::string::npos) << hits[0] << " (two matches rank first)";
    EXPECT_NE(hits[1].find("«run»"), std::string::npos) << hits[1];
    EXPECT_GT(r.json().at("items").at(0).at("rank").as_double(), r.json().at("items").at(1).at("rank").as_double());

    EXPECT_EQ(snippets(find(ann, "\"call mom\"", token)).size(), 1u);
    EXPECT_EQ(snippets(find(ann, "marathon -may", token)).size(), 0u);
    EXPECT_EQ(snippets(find(ann, "groceries or marathon", token)).size(), 2u);
}

TEST_F(MessageSearch, UsesTheLocalesConfigurationAndSimpleForUnknownLanguages) {
    const auto hans = person("de-DE");
    const auto token = say(hans, "Wir laufen morgen im Park");           // german stems laufen -> lauf
    EXPECT_EQ(snippets(find(hans, "läuft laufend", token)).size(), 0u);  // umlaut form is another stem
    EXPECT_EQ(snippets(find(hans, "laufen", token)).size(), 1u);
    const auto kim = person("ko-KR");  // no Korean configuration: simple
    const auto t2 = say(kim, "running 달리기");
    EXPECT_EQ(snippets(find(kim, "달리기", t2)).size(), 1u);
    EXPECT_EQ(snippets(find(kim, "run", t2)).size(), 0u) << "simple does not stem";
}

TEST_F(MessageSearch, FiltersByChatAndTimeAndPagesWithoutGapsOrRepeats) {
    const auto ann = person("en");
    auto other = http().post("/v1/chats", ann.token, "{}");
    const auto other_chat = std::string(other.json().at("id").as_string());
    std::string token;
    for (int i = 0; i < 25; ++i) token = say(ann, fmt::format("note {} about the garden", i));
    token = say(ann, "garden in the other chat", other_chat);

    auto in_chat = find(ann, "garden", token, "&chat_id=" + other_chat);
    ASSERT_EQ(in_chat.status, 200);
    EXPECT_EQ(snippets(in_chat).size(), 1u);
    EXPECT_EQ(snippets(find(ann, "garden", token, "&to=2000-01-01T00:00:00Z")).size(), 0u);
    EXPECT_EQ(snippets(find(ann, "garden", token, "&from=2000-01-01T00:00:00Z")).size(), 20u);

    for (const std::string order : {"rank", "recent"}) {
        std::set<std::string> seen;
        std::string cursor;
        int pages = 0;
        do {
            auto page = find(ann, "garden", token,
                             "&limit=7&order=" + order + (cursor.empty() ? "" : "&cursor=" + url_encode(cursor)));
            ASSERT_EQ(page.status, 200) << page.body;
            const auto body = page.json();
            for (const auto& item : body.at("items").as_array())
                EXPECT_TRUE(seen.insert(std::string(item.at("message_id").as_string())).second) << "repeated";
            const auto& next = body.at("next_cursor");
            cursor = next.is_null() ? "" : std::string(next.as_string());
            ++pages;
        } while (!cursor.empty() && pages < 10);
        EXPECT_EQ(seen.size(), 26u) << order;
    }
}

TEST_F(MessageSearch, OneUserNeverSeesAnothersMessages) {
    const auto ann = person("en");
    const auto bob = person("en");
    say(ann, "secret plan alpha");
    const auto token = say(bob, "my own plan");
    EXPECT_EQ(snippets(find(bob, "alpha", token)).size(), 0u);
    EXPECT_EQ(snippets(find(bob, "plan", token)).size(), 1u);
    auto peek = http().get("/v1/search/messages?q=alpha&user_id=" + ann.id, bob.token);
    EXPECT_EQ(peek.status, 403) << peek.body;
    const auto admin = env_.token(random_id(), "admin");
    auto audit = http().get("/v1/search/messages?q=alpha&user_id=" + ann.id, admin, {{"Consistency-Token", token}});
    EXPECT_EQ(audit.status, 200) << audit.body;
    EXPECT_EQ(snippets(audit).size(), 1u);
}

TEST_F(MessageSearch, BadQueriesAre400NeverAServerError) {
    const auto ann = person("en");
    say(ann, "hello");
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"/v1/search/messages", "q"},
        {"/v1/search/messages?q=", "q"},
        {"/v1/search/messages?q=%20%20", "q"},
        {"/v1/search/messages?q=" + std::string(10000, 'a'), "q"},
        {"/v1/search/messages?q=%26%20%7C%20%21", "q"},  // operators only
        {"/v1/search/messages?q=%28%29%3A%2A", "q"},
        {"/v1/search/messages?q=a%00b", "q"},
        {"/v1/search/messages?q=%FF%FE", "q"},
        {"/v1/search/messages?q=hi&limit=0", "limit"},
        {"/v1/search/messages?q=hi&limit=101", "limit"},
        {"/v1/search/messages?q=hi&chat_id=nope", "chat_id"},
        {"/v1/search/messages?q=hi&from=yesterday", "from"},
        {"/v1/search/messages?q=hi&order=best", "order"},
        {"/v1/search/messages?q=hi&cursor=garbage", "cursor"},
        {"/v1/search/messages?q=hi&cursor=_2026-01-01T00:00:00Z_" + random_id(), "cursor"},  // a "recent" cursor
    };
    for (const auto& [target, field] : cases) {
        SCOPED_TRACE(target.substr(0, 80));
        auto r = http().get(target, ann.token);
        EXPECT_EQ(r.status, 400) << r.body;
        EXPECT_EQ(r.error_field(), field) << r.body;
    }
    // Odd but meaningful input is searched, not refused.
    for (const std::string q : {"\"", "-", "or", "a:*", "'; DROP TABLE search_messages; --", "\\", "(((("}) {
        auto r = find(ann, q);
        EXPECT_TRUE(r.status == 200 || r.status == 400) << q << " " << r.body;
    }
}

TEST_F(MessageSearch, RebuiltFromOffsetZeroEqualsTheServingReadModelRowForRow) {
    std::vector<Person> people;
    for (const std::string locale : {"en", "de", "fr", "xx"}) people.push_back(person(locale));
    std::string token;
    for (int i = 0; i < 40; ++i)
        for (const auto& p : people) token = say(p, fmt::format("message {} with words like running and Häuser", i));
    ASSERT_EQ(find(people[0], "running", token).status, 200);

    // A second copy of the projection into a fresh schema, from offset 0 of the facts topic.
    TestEnv rebuilt_env(3);
    const auto rebuilt_schema = rebuilt_env.schema();
    auto rebuild = env_.start_projector({{"AIMI_PROJECTION", "message_search"}, {"AIMI_PG_SCHEMA", rebuilt_schema}});
    const auto count = env_.scalar("SELECT count(*) FROM search_messages");
    ASSERT_EQ(count, 160);
    ASSERT_TRUE(eventually([&] { return rebuilt_env.scalar("SELECT count(*) FROM search_messages") == count; }));
    const auto digest = [](const TestEnv& e, const std::string& table, const std::string& order) {
        return e.scalar("SELECT hashtext(string_agg(t::text, '|' ORDER BY " + order + ")) FROM " + table + " t");
    };
    EXPECT_EQ(digest(env_, "search_messages", "message_id"), digest(rebuilt_env, "search_messages", "message_id"));
    EXPECT_EQ(digest(env_, "search_users", "user_id"), digest(rebuilt_env, "search_users", "user_id"));
}

// Recall's first page by term frequency ranks the matches among the user's newest kRecentWindow
// messages when they hold a page of them, else every match (gateway/search_read_model.hpp).
TEST(MessageSearchRecall, RanksTheNewestMessagesMatchesWhenTheyFillAPage) {
    namespace search = gateway::search_read_model;
    TestEnv env;
    auto db = env.connect();
    pqxx::work tx(*db);
    const auto user = random_id(), other = random_id();
    const auto window = search::kRecentWindow;
    tx.exec_params0("INSERT INTO search_users VALUES ($1::uuid, 'english')", user);
    // Message i posted at minute i: every one matches "stretch"; the oldest (i = 0) and one among
    // the newest `window` (i = window + 50 of 0 … 2 window) "legs" too; another user's both.
    tx.exec_params0(R"sql(
        INSERT INTO search_messages
        SELECT gen_random_uuid(), $1::uuid, gen_random_uuid(), i, 'user',
               timestamptz '2026-01-01 00:00Z' + i * interval '1 minute', c, 'english'::regconfig, to_tsvector('english', c)
        FROM generate_series(0, 2 * $2::int) i,
             LATERAL (SELECT CASE WHEN i IN (0, $3::int) THEN 'stretching my legs' ELSE 'stretch now' END) t(c)
        UNION ALL
        SELECT gen_random_uuid(), $4::uuid, gen_random_uuid(), 1, 'user', timestamptz '2026-06-01 00:00Z',
               'stretch legs', 'english'::regconfig, to_tsvector('english', 'stretch legs'))sql",
                    user, window, window + 50, other);

    search::Query query;
    query.user_id = user;
    query.text = "stretches or leg";
    query.rank = search::Query::Rank::frequency;
    query.snippets = false;
    query.limit = 5;
    auto hits = search::search(tx, query);
    ASSERT_EQ(hits.size(), 5u);
    EXPECT_EQ(hits[0].seq, window + 50) << "the best match among the newest ranks first";
    EXPECT_GT(std::stod(hits[0].rank), std::stod(hits[1].rank));
    for (std::size_t i = 1; i < hits.size(); ++i) {
        EXPECT_EQ(hits[i].seq, 2 * window - static_cast<int>(i) + 1) << "equal ranks: newest first";
        EXPECT_TRUE(hits[i].snippet.empty());
    }

    // More than the newest hold: every match, the oldest "legs" second (equal rank, older).
    query.limit = 2 * window + 10;
    hits = search::search(tx, query);
    ASSERT_EQ(hits.size(), static_cast<std::size_t>(2 * window + 1)) << "every match of this user, no other's";
    EXPECT_EQ(hits[0].seq, window + 50);
    EXPECT_EQ(hits[1].seq, 0);

    // The time filters apply before the window; snippets on request.
    query.limit = 5;
    query.to = "2026-01-01T00:01:00Z";
    query.snippets = true;
    hits = search::search(tx, query);
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].seq, 0);
    EXPECT_NE(hits[0].snippet.find("«legs»"), std::string::npos) << hits[0].snippet;
    query.to.reset();
    query.from = "2026-01-01T00:01:00Z";
    hits = search::search(tx, query);
    ASSERT_EQ(hits.size(), 5u);
    EXPECT_EQ(hits[0].seq, window + 50);
}

}  // namespace
}  // namespace aimi::testing
