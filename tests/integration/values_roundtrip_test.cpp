// Everything accepted reads back exactly: generated settings and metadata through the real
// gateway, Kafka, projector and PostgreSQL (2xx reads back equal, no 5xx, no dead letter), the
// real jsonb round trip for tens of thousands of generated values, and the reported cases.
#include <gtest/gtest.h>

#include <cstdlib>

#include <fmt/format.h>
#include <simdjson.h>
#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "domain/json/convert.hpp"
#include "domain/json/parse.hpp"
#include "domain/json/serialize.hpp"
#include "tests/support/json_model.hpp"
#include "tests/support/test_stack.hpp"

namespace aimi::testing {
namespace {

namespace model = json_model;
namespace bj = boost::json;

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
    const char* text = std::getenv(name);
    return text ? std::strtoull(text, nullptr, 10) : fallback;
}

//! What a JSON merge patch of `patch` into an empty object leaves: objects without their null
//! members, recursively (arrays are values, kept as they are).
model::Value merged_into_nothing(const model::Value& patch) {
    if (patch.kind != model::Value::Kind::object) return patch;
    model::Value out{model::Value::Kind::object};
    for (const auto& [key, value] : patch.members)
        if (value.kind != model::Value::Kind::null) out.members.emplace_back(key, merged_into_nothing(value));
    return out;
}

class ValuesRoundTrip : public ::testing::Test {
  protected:
    void SetUp() override {
        projector_ = env_.start_projector();
        gateway_ = env_.start_gateway();
        user_ = random_id();
        token_ = env_.token(user_);
        ASSERT_EQ(http().post("/v1/users", token_, R"({"display_name":"Ann"})").status, 201);
        auto chat = http().post("/v1/chats", token_, "{}");
        ASSERT_EQ(chat.status, 201) << chat.body;
        chat_ = std::string(chat.json().at("id").as_string());
    }

    HttpClient http() const { return gateway_.client(); }

    static model::Value member(const model::Value& object, std::string_view key) {
        for (const auto& [name, value] : object.members)
            if (name == key) return value;
        return model::Value{};
    }

    //! The value at `path` of a response body, as the model sees it (numbers as their text).
    static model::Value field(const HttpResult& r, std::initializer_list<const char*> path) {
        auto doc = model::parse(r.body);
        EXPECT_TRUE(doc.has_value()) << r.body;
        model::Value v = doc.value_or(model::Value{});
        for (const char* key : path) v = member(v, key);
        return v;
    }

    TestEnv env_;
    std::unique_ptr<ChildProcess> projector_;
    Gateway gateway_;
    std::string user_, token_, chat_;
};

TEST_F(ValuesRoundTrip, GeneratedSettingsAndMetadataReadBackExactlyOrAreRefusedWithAPointer) {
    const auto seed = env_number("AIMI_PROPERTY_SEED", 20261202);
    const auto cases = env_number("AIMI_PROPERTY_HTTP_CASES", 300);
    model::Generator generator(seed);
    int accepted = 0, refused = 0;
    for (std::uint64_t i = 0; i < cases; ++i) {
        const int kind = static_cast<int>(i % 3);
        // The free-form object sits at depth 2 (metadata, chat settings) or 3 (a settings key).
        const auto doc = generator.object(kind == 2 ? 2 : 1, 40);
        std::string body, where;
        HttpResult written;
        if (kind == 0) {
            body = R"({"content":"x","metadata":)" + doc.text + "}";
            written = http().post("/v1/chats/" + chat_ + "/messages", token_, body);
        } else if (kind == 1) {
            body = R"({"settings":)" + doc.text + "}";
            written = http().post("/v1/chats", token_, body);
        } else {
            body = fmt::format(R"({{"settings":{{"p{}":{}}}}})", i, doc.text);
            written = http().patch("/v1/users/" + user_, token_, body);
        }
        SCOPED_TRACE(fmt::format("seed {} case {}: {}", seed, i, body.substr(0, 1500)));
        ASSERT_LT(written.status, 500) << written.body;
        if (written.status >= 400) {
            ASSERT_EQ(written.status, 400) << written.body;
            ASSERT_FALSE(doc.acceptable) << "refused an acceptable body: " << written.body;
            ASSERT_TRUE(written.error_field().starts_with(kind == 0 ? "/metadata" : "/settings")) << written.body;
            ++refused;
            continue;
        }
        ASSERT_TRUE(doc.acceptable) << "accepted a body the rules refuse (" << doc.why_not << ")";
        ++accepted;

        HttpResult read;
        model::Value expected = doc.value, answered, stored;
        if (kind == 0) {
            const auto seq = written.json().at("seq").as_int64();
            read = http().get(fmt::format("/v1/chats/{}/messages?after_seq={}&limit=1", chat_, seq - 1), token_);
            answered = field(written, {"metadata"});
            const auto items = field(read, {"items"}).items;
            ASSERT_EQ(items.size(), 1u) << read.body;
            stored = member(items[0], "metadata");
        } else if (kind == 1) {
            read = http().get("/v1/chats/" + std::string(written.json().at("id").as_string()), token_);
            answered = field(written, {"settings"});
            stored = field(read, {"settings"});
        } else {
            expected = merged_into_nothing(doc.value);
            read = http().get("/v1/users/" + user_, token_);
            const auto key = fmt::format("p{}", i);
            answered = field(written, {"settings", key.c_str()});
            stored = field(read, {"settings", key.c_str()});
        }
        ASSERT_EQ(read.status, 200) << read.body;
        ASSERT_TRUE(model::equivalent(expected, answered, &where)) << "command response: " << where;
        ASSERT_TRUE(model::equivalent(expected, stored, &where)) << "query: " << where << "\n" << read.body;
    }
    EXPECT_GT(accepted, static_cast<int>(cases / 4));
    EXPECT_GT(refused, 0);
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM dead_letters"), 0);
    std::printf("seed %llu: %d accepted, %d refused\n", static_cast<unsigned long long>(seed), accepted, refused);
}

TEST_F(ValuesRoundTrip, ReportedNumbersAndDepthsBehave) {
    // 1e20 used to be applied, then make the user unreadable for good.
    auto big = http().patch("/v1/users/" + user_, token_, R"({"settings":{"n":1e20,"m":-1.5e300,"o":1e19}})");
    ASSERT_EQ(big.status, 200) << big.body;
    auto user = http().get("/v1/users/" + user_, token_);
    ASSERT_EQ(user.status, 200) << user.body;
    EXPECT_EQ(user.json().at("settings").at("n").as_double(), 1e20);
    EXPECT_EQ(user.json().at("settings").at("m").as_double(), -1.5e300);
    EXPECT_EQ(http().post("/v1/chats", token_, R"({"settings":{"n":1e20}})").status, 201);

    for (const auto& [literal, code] :
         std::vector<std::pair<std::string, std::string>>{{"18446744073709551616", "out_of_range"},
                                                          {"1e400", "out_of_range"},
                                                          {"-1e400", "out_of_range"},
                                                          {"3.14159265358979323846", "out_of_range"}}) {
        auto refused = http().patch("/v1/users/" + user_, token_, R"({"settings":{"n":)" + literal + "}}");
        EXPECT_EQ(refused.status, 400) << literal << " " << refused.body;
        EXPECT_EQ(refused.error_code(), code) << literal;
        EXPECT_EQ(refused.error_field(), "/settings/n") << literal;
    }

    const auto nested = [](int levels) {
        std::string open, close;
        for (int i = 0; i < levels; ++i) {
            open += R"({"a":)";
            close += "}";
        }
        return open + "1" + close;
    };
    const auto before = env_.records_in_topic();
    // Metadata sits at depth 2: 63 nested objects reach the limit of 64, one more is refused.
    EXPECT_EQ(http()
                  .post("/v1/chats/" + chat_ + "/messages", token_, R"({"content":"x","metadata":)" + nested(63) + "}")
                  .status,
              201);
    for (int levels : {64, 1019, 1021, 1022}) {
        auto deep = http().post("/v1/chats/" + chat_ + "/messages", token_,
                                R"({"content":"x","metadata":)" + nested(levels) + "}");
        EXPECT_EQ(deep.status, 400) << levels << " " << deep.body;
        EXPECT_EQ(deep.error_code(), "too_deep") << levels;
    }
    EXPECT_EQ(env_.records_in_topic(), before + 1) << "refused bodies append nothing";
    auto page = http().get("/v1/chats/" + chat_ + "/messages?after_seq=0&limit=50", token_);
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_EQ(page.json().at("items").as_array().size(), 1u) << "no seq is used by a refused message";
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM dead_letters"), 0);
}

TEST(JsonbRoundTrip, PostgresqlKeepsEveryValueTheGatewayAccepts) {
    // The real jsonb (not the unit tests' model): what the row writer sends comes back, through
    // the reader the gateway uses, as the same value.
    const auto seed = env_number("AIMI_PROPERTY_SEED", 20261202);
    const auto cases = env_number("AIMI_PROPERTY_JSONB_CASES", 20000);
    model::Generator generator(seed + 1);
    TestEnv env;
    auto db = env.connect();
    simdjson::dom::parser parser;
    std::vector<model::Document> docs;
    std::uint64_t checked = 0;
    auto flush = [&] {
        bj::array batch;
        for (const auto& d : docs) {
            auto parsed = json::parse(parser, d.text);
            ASSERT_TRUE(parsed) << d.text;
            batch.push_back(json::to_boost(parsed.value()));  // the projector's copy of the value
        }
        pqxx::work tx(*db);
        const auto rows = tx.exec_params(
            "SELECT value::text FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(value, n) ORDER BY n",
            json::serialize(batch));
        ASSERT_EQ(rows.size(), docs.size());
        for (std::size_t i = 0; i < docs.size(); ++i) {
            auto read = json::parse_value(rows[i][0].c_str());
            ASSERT_TRUE(read) << rows[i][0].c_str();
            auto back = model::parse(json::serialize(read.value()));
            ASSERT_TRUE(back.has_value());
            std::string where;
            ASSERT_TRUE(model::equivalent(docs[i].value, *back, &where))
                << where << "\nsent: " << docs[i].text << "\njsonb: " << rows[i][0].c_str();
            ++checked;
        }
        docs.clear();
    };
    for (std::uint64_t i = 0; i < cases; ++i) {
        auto doc = generator.object(1);
        if (!doc.acceptable) continue;
        docs.push_back(std::move(doc));
        if (docs.size() == 1000) flush();
    }
    flush();
    EXPECT_GT(checked, cases / 2);
}

}  // namespace
}  // namespace aimi::testing
