// Every rejection path: a JSON error with status, stable code and field, and nothing written.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "domain/auth/jwt.hpp"
#include "tests/support/test_stack.hpp"

namespace aimi::testing {
namespace {

struct BadRequest {
    std::string name;
    std::string method;
    std::string target;  //!< "{chat}", "{user}", "{foreign_chat}" are substituted
    std::string body;
    std::map<std::string, std::string> headers;  //!< "Authorization" defaults to the user's token
    int status;
    std::string code;
    std::string field;  //!< "" = not checked
};

class BadInput : public ::testing::Test {
  protected:
    void SetUp() override {
        projector_ = env_.start_projector();
        gateway_ = env_.start_gateway({{"AIMI_HTTP_BODY_LIMIT", "4096"}});
        user_ = random_id();
        token_ = env_.token(user_);
        auto http = gateway_.client();
        ASSERT_EQ(http.post("/v1/users", token_, R"({"display_name":"Ann"})").status, 201);
        chat_ = std::string(http.post("/v1/chats", token_, "{}").json().at("id").as_string());
        const auto other = random_id();
        const auto other_token = env_.token(other);
        ASSERT_EQ(http.post("/v1/users", other_token, R"({"display_name":"Bob"})").status, 201);
        foreign_chat_ = std::string(http.post("/v1/chats", other_token, "{}").json().at("id").as_string());
    }

    std::string expand(std::string text) const {
        for (const auto& [from, to] : std::map<std::string, std::string>{
                 {"{foreign_chat}", foreign_chat_}, {"{chat}", chat_}, {"{user}", user_}}) {
            for (std::size_t pos; (pos = text.find(from)) != std::string::npos;) text.replace(pos, from.size(), to);
        }
        return text;
    }

    TestEnv env_;
    std::unique_ptr<ChildProcess> projector_;
    Gateway gateway_;
    std::string user_, token_, chat_, foreign_chat_;
};

TEST_F(BadInput, EveryRejectionIsAClearJsonErrorAndChangesNothing) {
    const std::string json = "application/json";
    const std::vector<BadRequest> cases = {
        {"malformed json", "POST", "/v1/chats/{chat}/messages", R"({"content": "hi")", {}, 400, "malformed_json", ""},
        {"empty body", "POST", "/v1/chats/{chat}/messages", "", {}, 400, "malformed_json", ""},
        {"body not an object", "POST", "/v1/chats/{chat}/messages", R"(["hi"])", {}, 400, "invalid_type", "/"},
        {"wrong type", "POST", "/v1/chats/{chat}/messages", R"({"content": 42})", {}, 400, "invalid_type", "/content"},
        {"missing field",
         "POST",
         "/v1/chats/{chat}/messages",
         R"({"role": "user"})",
         {},
         400,
         "missing_field",
         "/content"},
        {"unknown field",
         "POST",
         "/v1/chats/{chat}/messages",
         R"({"content": "hi", "colour": "red"})",
         {},
         400,
         "unknown_field",
         "/colour"},
        {"nul character",
         "POST",
         "/v1/chats/{chat}/messages",
         R"({"content": "a\u0000b"})",
         {},
         400,
         "invalid_value",
         "/content"},
        {"nul character in free-form metadata",
         "POST",
         "/v1/chats/{chat}/messages",
         R"({"content": "hi", "metadata": {"tags": ["\u0000"]}})",
         {},
         400,
         "invalid_value",
         "/metadata/tags/0"},
        {"field twice",
         "POST",
         "/v1/chats/{chat}/messages",
         R"({"content": "hi", "content": "there"})",
         {},
         400,
         "duplicate_field",
         "/content"},
        {"bad enum",
         "POST",
         "/v1/chats/{chat}/messages",
         R"({"content": "hi", "role": "robot"})",
         {},
         400,
         "invalid_value",
         "/role"},
        {"too long",
         "POST",
         "/v1/chats",
         fmt::format(R"({{"title": "{}"}})", std::string(201, 'x')),
         {},
         400,
         "too_long",
         "/title"},
        {"empty string", "POST", "/v1/users", R"({"display_name": ""})", {}, 400, "too_short", "/display_name"},
        {"bad email", "PATCH", "/v1/users/{user}", R"({"email": "not-an-email"})", {}, 400, "invalid_format", "/email"},
        {"bad time zone",
         "PATCH",
         "/v1/users/{user}",
         R"({"time_zone": "Mars/Base 1"})",
         {},
         400,
         "invalid_format",
         "/time_zone"},
        {"unknown time zone",
         "PATCH",
         "/v1/users/{user}",
         R"({"time_zone": "Mars/Phobos"})",
         {},
         400,
         "invalid_value",
         "/time_zone"},
        {"unknown time zone at registration",
         "POST",
         "/v1/users",
         R"({"display_name": "Ann", "time_zone": "Atlantis/Capital"})",
         {},
         400,
         "invalid_value",
         "/time_zone"},
        {"time zone in the wrong case",
         "POST",
         "/v1/users/{user}/devices",
         R"({"token": "t", "platform": "ios", "time_zone": "europe/berlin"})",
         {},
         400,
         "invalid_value",
         "/time_zone"},
        {"empty patch", "PATCH", "/v1/users/{user}", "{}", {}, 400, "empty_update", "/"},
        {"settings not object",
         "PATCH",
         "/v1/users/{user}",
         R"({"settings": [1]})",
         {},
         400,
         "invalid_type",
         "/settings"},
        {"bad platform",
         "POST",
         "/v1/users/{user}/devices",
         R"({"token": "t", "platform": "palm"})",
         {},
         400,
         "invalid_value",
         "/platform"},
        {"oversize body",
         "POST",
         "/v1/chats/{chat}/messages",
         fmt::format(R"({{"content": "{}"}})", std::string(5000, 'x')),
         {},
         413,
         "body_too_large",
         ""},
        {"archive with a body",
         "POST",
         "/v1/chats/{chat}/archive",
         R"({"now": true})",
         {},
         400,
         "unknown_field",
         "/now"},
        {"not json content type",
         "POST",
         "/v1/chats",
         R"({"title": "x"})",
         {{"Content-Type", "text/plain"}},
         415,
         "unsupported_media_type",
         "Content-Type"},
        {"unknown chat",
         "POST",
         "/v1/chats/00000000-0000-4000-8000-000000000000/messages",
         R"({"content": "hi"})",
         {},
         404,
         "chat_not_found",
         "chat_id"},
        {"foreign chat",
         "POST",
         "/v1/chats/{foreign_chat}/messages",
         R"({"content": "hi"})",
         {},
         404,
         "chat_not_found",
         "chat_id"},
        {"foreign chat read", "GET", "/v1/chats/{foreign_chat}/messages", "", {}, 404, "chat_not_found", "chat_id"},
        {"malformed id",
         "POST",
         "/v1/chats/not-a-uuid/messages",
         R"({"content": "hi"})",
         {},
         400,
         "invalid_id",
         "chat_id"},
        {"other user's profile",
         "PATCH",
         "/v1/users/00000000-0000-4000-8000-000000000000",
         R"({"locale": "en"})",
         {},
         403,
         "forbidden",
         "user_id"},
        {"no token", "POST", "/v1/chats", "{}", {{"Authorization", ""}}, 401, "missing_token", "Authorization"},
        {"garbage token",
         "POST",
         "/v1/chats",
         "{}",
         {{"Authorization", "Bearer abc.def.ghi"}},
         401,
         "invalid_token",
         "Authorization"},
        {"not bearer",
         "POST",
         "/v1/chats",
         "{}",
         {{"Authorization", "Basic dXNlcjpwdw=="}},
         401,
         "invalid_token",
         "Authorization"},
        {"bad idempotency key",
         "POST",
         "/v1/chats",
         "{}",
         {{"Idempotency-Key", "has space"}},
         400,
         "invalid_idempotency_key",
         "Idempotency-Key"},
        {"bad query", "GET", "/v1/chats/{chat}/messages?limit=0", "", {}, 400, "invalid_query", "limit"},
        {"bad cursor", "GET", "/v1/chats/{chat}/messages?after_seq=abc", "", {}, 400, "invalid_query", "after_seq"},
        {"bad consistency token",
         "GET",
         "/v1/chats",
         "",
         {{"Consistency-Token", "v2.x"}},
         400,
         "invalid_consistency_token",
         "Consistency-Token"},
        {"unknown route", "GET", "/v1/nothing", "", {}, 404, "route_not_found", ""},
        {"wrong method", "DELETE", "/v1/chats/{chat}", "", {}, 405, "method_not_allowed", ""},
    };

    const auto records_before = env_.records_in_topic();
    const auto outcomes_before = env_.scalar("SELECT count(*) FROM batch_outcomes");
    auto http = gateway_.client();
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        std::map<std::string, std::string> headers{{"Authorization", "Bearer " + token_}};
        if (!c.body.empty() || c.method != "GET") headers["Content-Type"] = json;
        for (const auto& [k, v] : c.headers) headers[k] = v;
        if (headers["Authorization"].empty()) headers.erase("Authorization");
        const auto r = http.request(c.method, expand(c.target), c.body, headers);
        EXPECT_EQ(r.status, c.status) << r.body;
        EXPECT_EQ(r.headers.count("content-type") ? r.headers.at("content-type") : "", json);
        EXPECT_EQ(r.error_code(), c.code) << r.body;
        if (!c.field.empty()) {
            EXPECT_EQ(r.error_field(), c.field) << r.body;
        }
        const auto body = r.json();
        ASSERT_TRUE(body.is_object()) << r.body;
        EXPECT_FALSE(body.at("error").at("message").as_string().empty());
        EXPECT_FALSE(body.at("error").at("request_id").as_string().empty()) << r.body;
        EXPECT_EQ(r.headers.count("x-request-id") ? r.headers.at("x-request-id") : "",
                  body.at("error").at("request_id").as_string());
    }
    EXPECT_EQ(env_.records_in_topic(), records_before) << "a rejected request must not append events";
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM batch_outcomes"), outcomes_before);
    EXPECT_EQ(env_.scalar("SELECT count(*) FROM messages"), 0);
}

TEST_F(BadInput, ExpiredTokenIsRefused) {
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    const auto expired = auth::sign_token({user_, "user"}, TestEnv::kJwtSecret, now - 7200, 3600);
    auto r = gateway_.client().get("/v1/chats", expired);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.error_code(), "token_expired");
    const auto forged = auth::sign_token({user_, "admin"}, "another-secret-of-enough-length", now, 3600);
    EXPECT_EQ(gateway_.client().get("/v1/chats", forged).error_code(), "invalid_token");
}

}  // namespace
}  // namespace aimi::testing
