// Unit tests for the request-body decoders in domain/conversation/commands.hpp.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <string>
#include <vector>

#include "domain/conversation/commands.hpp"

namespace {

namespace bj = boost::json;
using namespace aimi::conversation;
using aimi::Problem;
using aimi::ProblemKind;

std::string repeat(std::string_view unit, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += unit;
    return out;
}

template <class T>
void expect_problem(const aimi::Result<T>& result, const std::string& code, const std::string& field) {
    ASSERT_FALSE(result.ok()) << "expected " << code;
    EXPECT_EQ(result.problem().code, code) << result.problem().message;
    EXPECT_EQ(result.problem().field, field) << result.problem().message;
    EXPECT_EQ(result.problem().kind, ProblemKind::invalid_input);
}

template <class T>
const T& expect_ok(const aimi::Result<T>& result) {
    EXPECT_TRUE(result.ok()) << (result.ok() ? ""
                                             : result.problem().code + " " + result.problem().field + ": " +
                                                   result.problem().message);
    static const T empty{};
    return result.ok() ? result.value() : empty;
}

struct BadBody {
    const char* name;
    std::string body;
    const char* code;
    const char* field;
};

// ---- register user -------------------------------------------------------------------------

TEST(DecodeRegisterUser, AppliesDefaults) {
    const auto r = decode_register_user(R"({"display_name":"Ann"})");
    const auto& c = expect_ok(r);
    EXPECT_EQ(c.display_name, "Ann");
    EXPECT_FALSE(c.email.has_value());
    EXPECT_EQ(c.time_zone, "UTC");
    EXPECT_EQ(c.locale, "en");
    EXPECT_TRUE(c.settings.empty());
}

TEST(DecodeRegisterUser, CarriesEveryField) {
    const auto r = decode_register_user(
        R"({"display_name":"Änn","email":"ann@example.com","time_zone":"Europe/Berlin","locale":"de-DE",
            "settings":{"theme":"dark","n":[1,2],"nested":{"a":null}}})");
    const auto& c = expect_ok(r);
    EXPECT_EQ(c.display_name, "Änn");
    EXPECT_EQ(c.email, "ann@example.com");
    EXPECT_EQ(c.time_zone, "Europe/Berlin");
    EXPECT_EQ(c.locale, "de-DE");
    EXPECT_EQ(c.settings, bj::parse(R"({"theme":"dark","n":[1,2],"nested":{"a":null}})").as_object());
}

TEST(DecodeRegisterUser, RejectsBadBodies) {
    const std::vector<BadBody> cases = {
        {"empty body", "", "malformed_json", ""},
        {"whitespace body", " \t\r\n ", "malformed_json", ""},
        {"not JSON", "display_name=Ann", "malformed_json", ""},
        {"truncated JSON", R"({"display_name":"Ann")", "malformed_json", ""},
        {"array", "[]", "invalid_type", "/"},
        {"missing display_name", "{}", "missing_field", "/display_name"},
        {"unknown field", R"({"display_name":"Ann","name":"x"})", "unknown_field", "/name"},
        {"display_name number", R"({"display_name":5})", "invalid_type", "/display_name"},
        {"display_name null", R"({"display_name":null})", "invalid_type", "/display_name"},
        {"display_name empty", R"({"display_name":""})", "too_short", "/display_name"},
        {"display_name too long", "{\"display_name\":\"" + repeat("a", 201) + "\"}", "too_long", "/display_name"},
        {"email malformed", R"({"display_name":"Ann","email":"ann"})", "invalid_format", "/email"},
        {"email null (not allowed at registration)", R"({"display_name":"Ann","email":null})", "invalid_type",
         "/email"},
        {"time_zone malformed", R"({"display_name":"Ann","time_zone":"Not a zone"})", "invalid_format", "/time_zone"},
        {"locale malformed", R"({"display_name":"Ann","locale":"x"})", "invalid_format", "/locale"},
        {"settings not an object", R"({"display_name":"Ann","settings":[]})", "invalid_type", "/settings"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        expect_problem(decode_register_user(c.body), c.code, c.field);
    }
}

TEST(DecodeRegisterUser, DisplayNameLimitCountsCharacters) {
    expect_ok(decode_register_user("{\"display_name\":\"" + repeat("é", 200) + "\"}"));
    expect_problem(decode_register_user("{\"display_name\":\"" + repeat("é", 201) + "\"}"), "too_long",
                   "/display_name");
}

TEST(DecodeRegisterUser, SettingsOverOneHundredKeysAreRejected) {
    std::string settings;
    for (int i = 0; i < 101; ++i) settings += (i ? "," : "") + ("\"k" + std::to_string(i) + "\":1");
    expect_problem(decode_register_user(R"({"display_name":"Ann","settings":{)" + settings + "}}"),
                   "too_many_properties", "/settings");
}

// ---- update profile ------------------------------------------------------------------------

TEST(DecodeUpdateProfile, EmptyObjectIsEmptyUpdate) {
    expect_problem(decode_update_profile("{}"), "empty_update", "/");
    expect_problem(decode_update_profile(" { } "), "empty_update", "/");
}

TEST(DecodeUpdateProfile, EmptyBodyIsMalformedJson) {
    expect_problem(decode_update_profile(""), "malformed_json", "");
}

TEST(DecodeUpdateProfile, AbsentFieldsStayUnchanged) {
    const auto r = decode_update_profile(R"({"display_name":"Bob"})");
    const auto& c = expect_ok(r);
    EXPECT_EQ(c.display_name, "Bob");
    EXPECT_FALSE(c.email.has_value());
    EXPECT_FALSE(c.time_zone.has_value());
    EXPECT_FALSE(c.locale.has_value());
    EXPECT_FALSE(c.settings_patch.has_value());
}

TEST(DecodeUpdateProfile, NullEmailClearsAndStringEmailSets) {
    {
        const auto r = decode_update_profile(R"({"email":null})");
        const auto& c = expect_ok(r);
        ASSERT_TRUE(c.email.has_value()) << "null email must mean 'clear', not 'unchanged'";
        EXPECT_FALSE(c.email->has_value());
    }
    {
        const auto r = decode_update_profile(R"({"email":"bob@example.com"})");
        const auto& c = expect_ok(r);
        ASSERT_TRUE(c.email.has_value());
        EXPECT_EQ(*c.email, "bob@example.com");
    }
}

TEST(DecodeUpdateProfile, SettingsBecomeAMergePatchKeepingNulls) {
    const auto r =
        decode_update_profile(R"({"settings":{"theme":null,"nested":{"a":1,"b":null},"list":[1]},"locale":"fr"})");
    const auto& c = expect_ok(r);
    ASSERT_TRUE(c.settings_patch.has_value());
    EXPECT_EQ(*c.settings_patch, bj::parse(R"({"theme":null,"nested":{"a":1,"b":null},"list":[1]})").as_object());
    EXPECT_EQ(c.locale, "fr");
}

TEST(DecodeUpdateProfile, EmptySettingsObjectIsStillAChange) {
    const auto r = decode_update_profile(R"({"settings":{}})");
    const auto& c = expect_ok(r);
    ASSERT_TRUE(c.settings_patch.has_value());
    EXPECT_TRUE(c.settings_patch->empty());
}

TEST(DecodeUpdateProfile, RejectsBadFields) {
    const std::vector<BadBody> cases = {
        {"unknown field", R"({"name":"x"})", "unknown_field", "/name"},
        {"settings_patch is not the wire name", R"({"settings_patch":{}})", "unknown_field", "/settings_patch"},
        {"display_name null", R"({"display_name":null})", "invalid_type", "/display_name"},
        {"display_name empty", R"({"display_name":""})", "too_short", "/display_name"},
        {"email number", R"({"email":5})", "invalid_type", "/email"},
        {"email malformed", R"({"email":"bob"})", "invalid_format", "/email"},
        {"time_zone null", R"({"time_zone":null})", "invalid_type", "/time_zone"},
        {"settings null", R"({"settings":null})", "invalid_type", "/settings"},
        {"not an object", R"("x")", "invalid_type", "/"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        expect_problem(decode_update_profile(c.body), c.code, c.field);
    }
}

// ---- register device -----------------------------------------------------------------------

TEST(DecodeRegisterDevice, CarriesFieldsAndOptionalsStayAbsent) {
    {
        const auto r = decode_register_device(R"({"token":"tok","platform":"ios"})");
        const auto& c = expect_ok(r);
        EXPECT_EQ(c.token, "tok");
        EXPECT_EQ(c.platform, "ios");
        EXPECT_FALSE(c.locale.has_value());
        EXPECT_FALSE(c.time_zone.has_value());
    }
    {
        const auto r =
            decode_register_device(R"({"token":"t","platform":"web","locale":"en-GB","time_zone":"Europe/London"})");
        const auto& c = expect_ok(r);
        EXPECT_EQ(c.platform, "web");
        EXPECT_EQ(c.locale, "en-GB");
        EXPECT_EQ(c.time_zone, "Europe/London");
    }
}

TEST(DecodeRegisterDevice, RejectsBadBodies) {
    const std::vector<BadBody> cases = {
        {"empty body", "", "malformed_json", ""},
        {"missing token", R"({"platform":"ios"})", "missing_field", "/token"},
        {"missing platform", R"({"token":"t"})", "missing_field", "/platform"},
        {"empty token", R"({"token":"","platform":"ios"})", "too_short", "/token"},
        {"token too long", "{\"platform\":\"ios\",\"token\":\"" + repeat("t", 4097) + "\"}", "too_long", "/token"},
        {"unknown platform", R"({"token":"t","platform":"symbian"})", "invalid_value", "/platform"},
        {"platform case", R"({"token":"t","platform":"iOS"})", "invalid_value", "/platform"},
        {"bad locale", R"({"token":"t","platform":"ios","locale":"1"})", "invalid_format", "/locale"},
        {"unknown field", R"({"token":"t","platform":"ios","name":"x"})", "unknown_field", "/name"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        expect_problem(decode_register_device(c.body), c.code, c.field);
    }
}

// ---- create chat ---------------------------------------------------------------------------

TEST(DecodeCreateChat, EmptyBodyMeansAllDefaults) {
    for (const char* body : {"", "  \r\n\t", "{}"}) {
        SCOPED_TRACE(std::string("'") + body + "'");
        const auto r = decode_create_chat(body);
        const auto& c = expect_ok(r);
        EXPECT_EQ(c.title, "");
        EXPECT_EQ(c.model, "aimi-rule-based");
        EXPECT_TRUE(c.settings.empty());
    }
}

TEST(DecodeCreateChat, CarriesEveryField) {
    const auto r = decode_create_chat(R"({"title":"Trip","model":"gpt","settings":{"temperature":0.5}})");
    const auto& c = expect_ok(r);
    EXPECT_EQ(c.title, "Trip");
    EXPECT_EQ(c.model, "gpt");
    EXPECT_EQ(c.settings, bj::parse(R"({"temperature":0.5})").as_object());
}

TEST(DecodeCreateChat, RejectsBadBodies) {
    const std::vector<BadBody> cases = {
        {"not JSON", "title", "malformed_json", ""},
        {"empty model", R"({"model":""})", "too_short", "/model"},
        {"title too long", "{\"title\":\"" + repeat("x", 201) + "\"}", "too_long", "/title"},
        {"title number", R"({"title":1})", "invalid_type", "/title"},
        {"unknown field", R"({"name":"x"})", "unknown_field", "/name"},
        {"array body", "[]", "invalid_type", "/"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        expect_problem(decode_create_chat(c.body), c.code, c.field);
    }
    expect_ok(decode_create_chat("{\"title\":\"" + repeat("日", 200) + "\"}"));
}

// ---- post message --------------------------------------------------------------------------

TEST(DecodePostMessage, AppliesDefaultsAndCarriesChatId) {
    const auto r = decode_post_message("chat-1", R"({"content":"hi"})");
    const auto& c = expect_ok(r);
    EXPECT_EQ(c.chat_id, "chat-1");
    EXPECT_EQ(c.content, "hi");
    EXPECT_EQ(c.role, "user");
    EXPECT_EQ(c.source, "api");
    EXPECT_TRUE(c.metadata.empty());
    EXPECT_FALSE(c.client_msg_id.has_value());
}

TEST(DecodePostMessage, CarriesEveryField) {
    const auto r = decode_post_message(
        "c", R"({"content":"yo","role":"assistant","source":"mobile","client_msg_id":"m-1","metadata":{"k":[1]}})");
    const auto& c = expect_ok(r);
    EXPECT_EQ(c.role, "assistant");
    EXPECT_EQ(c.source, "mobile");
    EXPECT_EQ(c.client_msg_id, "m-1");
    EXPECT_EQ(c.metadata, bj::parse(R"({"k":[1]})").as_object());
}

TEST(DecodePostMessage, ContentLimitIs32000Characters) {
    expect_ok(decode_post_message("c", "{\"content\":\"" + repeat("x", 32000) + "\"}"));
    expect_ok(decode_post_message("c", "{\"content\":\"" + repeat("é", 32000) + "\"}"));  // 64000 bytes
    expect_problem(decode_post_message("c", "{\"content\":\"" + repeat("x", 32001) + "\"}"), "too_long", "/content");
    expect_problem(decode_post_message("c", "{\"content\":\"" + repeat("😀", 32001) + "\"}"), "too_long", "/content");
}

TEST(DecodePostMessage, RejectsBadBodies) {
    const std::vector<BadBody> cases = {
        {"empty body", "", "malformed_json", ""},
        {"not JSON", "hello", "malformed_json", ""},
        {"missing content", "{}", "missing_field", "/content"},
        {"empty content", R"({"content":""})", "too_short", "/content"},
        {"content number", R"({"content":42})", "invalid_type", "/content"},
        {"unknown role", R"({"content":"x","role":"robot"})", "invalid_value", "/role"},
        {"empty source", R"({"content":"x","source":""})", "too_short", "/source"},
        {"source too long", "{\"content\":\"x\",\"source\":\"" + repeat("s", 65) + "\"}", "too_long", "/source"},
        {"empty client_msg_id", R"({"content":"x","client_msg_id":""})", "too_short", "/client_msg_id"},
        {"null client_msg_id", R"({"content":"x","client_msg_id":null})", "invalid_type", "/client_msg_id"},
        {"metadata array", R"({"content":"x","metadata":[]})", "invalid_type", "/metadata"},
        {"unknown field", R"({"content":"x","text":"y"})", "unknown_field", "/text"},
        {"chat_id is not a body field", R"({"content":"x","chat_id":"c"})", "unknown_field", "/chat_id"},
        {"content twice", R"({"content":"x","content":"y"})", "duplicate_field", "/content"},
        {"metadata key twice", R"({"content":"x","metadata":{"k":1,"k":2}})", "duplicate_field", "/metadata/k"},
        {"nul in content", R"({"content":"x\u0000"})", "invalid_value", "/content"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        expect_problem(decode_post_message("c", c.body), c.code, c.field);
    }
}

// ---- bodiless commands ---------------------------------------------------------------------

TEST(CheckEmptyBody, AcceptsNothingOrAnEmptyObject) {
    for (const char* body : {"", " \n", "{}", " {} "}) {
        SCOPED_TRACE(std::string("'") + body + "'");
        EXPECT_FALSE(check_empty_body(body).has_value());
    }
}

TEST(CheckEmptyBody, RejectsAnythingElse) {
    struct Case {
        const char* body;
        const char* code;
        const char* field;
    };
    for (const auto& c : std::vector<Case>{{R"({"a":1})", "unknown_field", "/a"},
                                           {"[]", "invalid_type", "/"},
                                           {"null", "invalid_type", "/"},
                                           {"{", "malformed_json", ""},
                                           {"x", "malformed_json", ""}}) {
        SCOPED_TRACE(c.body);
        const auto p = check_empty_body(c.body);
        ASSERT_TRUE(p.has_value());
        EXPECT_EQ(p->code, c.code);
        EXPECT_EQ(p->field, c.field);
        EXPECT_EQ(p->kind, ProblemKind::invalid_input);
    }
}

}  // namespace
