// Unit tests for gateway/api_error: ProblemKind -> HTTP status and the error body.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "gateway/api_error.hpp"

namespace {

namespace bj = boost::json;
using aimi::Problem;
using aimi::ProblemKind;
using aimi::gateway::error_response;
using aimi::gateway::http_status;
using aimi::gateway::json_response;

struct KindStatus {
    ProblemKind kind;
    int status;
};
const std::vector<KindStatus> kAllKinds = {
    {ProblemKind::invalid_input, 400},      {ProblemKind::unauthorized, 401},
    {ProblemKind::forbidden, 403},          {ProblemKind::not_found, 404},
    {ProblemKind::method_not_allowed, 405}, {ProblemKind::conflict, 409},
    {ProblemKind::payload_too_large, 413},  {ProblemKind::unsupported_media_type, 415},
    {ProblemKind::unprocessable, 422},      {ProblemKind::internal, 500},
    {ProblemKind::unavailable, 503},        {ProblemKind::timeout, 504},
    {ProblemKind::too_many_requests, 429},  {ProblemKind::gone, 410},
};

const std::string* find_header(const aimi::http::Response& r, const std::string& name) {
    const auto it = std::find_if(r.headers.begin(), r.headers.end(), [&](const auto& h) { return h.first == name; });
    return it == r.headers.end() ? nullptr : &it->second;
}

TEST(ApiError, EveryProblemKindHasItsStatus) {
    ASSERT_EQ(kAllKinds.size(), static_cast<std::size_t>(ProblemKind::internal) + 1) << "a kind is missing here";
    for (const auto& [kind, status] : kAllKinds) {
        SCOPED_TRACE(status);
        EXPECT_EQ(http_status(kind), status);
    }
}

TEST(ApiError, ResponseBodyHasTheDocumentedShape) {
    const auto r = error_response(Problem::invalid("too_long", "must be at most 200 characters", "/title"), "req-7");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.content_type, "application/json");
    const auto body = bj::parse(r.body).as_object();
    ASSERT_EQ(body.size(), 1u);
    const auto& error = body.at("error").as_object();
    EXPECT_EQ(error.size(), 4u) << r.body;
    EXPECT_EQ(error.at("code"), "too_long");
    EXPECT_EQ(error.at("message"), "must be at most 200 characters");
    EXPECT_EQ(error.at("field"), "/title");
    EXPECT_EQ(error.at("request_id"), "req-7");
}

TEST(ApiError, EmptyFieldIsNull) {
    const auto r = error_response(Problem::not_found("chat_not_found", "no such chat"), "req-1");
    const auto error = bj::parse(r.body).at("error").as_object();
    ASSERT_TRUE(error.contains("field"));
    EXPECT_TRUE(error.at("field").is_null());
}

TEST(ApiError, TextIsJsonEscaped) {
    const auto r = error_response(Problem::invalid("c", "quote \" backslash \\ newline \n é"), "id \"x\"");
    const auto error = bj::parse(r.body).at("error").as_object();
    EXPECT_EQ(error.at("message"), "quote \" backslash \\ newline \n é");
    EXPECT_EQ(error.at("request_id"), "id \"x\"");
}

TEST(ApiError, UnauthorizedAddsWwwAuthenticate) {
    const auto r = error_response(Problem{ProblemKind::unauthorized, "invalid_token", "bad", "Authorization"}, "r");
    EXPECT_EQ(r.status, 401);
    const auto* h = find_header(r, "WWW-Authenticate");
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(*h, "Bearer");
}

TEST(ApiError, UnavailableAddsRetryAfter) {
    const auto r = error_response(Problem{ProblemKind::unavailable, "event_log_unavailable", "down", ""}, "r");
    EXPECT_EQ(r.status, 503);
    const auto* h = find_header(r, "Retry-After");
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(*h, "1");
}

TEST(ApiError, OtherKindsAddNoHeaders) {
    for (const auto& [kind, status] : kAllKinds) {
        if (kind == ProblemKind::unauthorized || kind == ProblemKind::unavailable ||
            kind == ProblemKind::too_many_requests)
            continue;
        SCOPED_TRACE(status);
        const auto r = error_response(Problem{kind, "code", "message", ""}, "r");
        EXPECT_EQ(r.status, status);
        EXPECT_TRUE(r.headers.empty());
    }
}

TEST(JsonResponse, SerializesBodyWithStatus) {
    const auto r = json_response(201, bj::object{{"id", "x"}, {"n", 1}});
    EXPECT_EQ(r.status, 201);
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(bj::parse(r.body), (bj::value(bj::object{{"id", "x"}, {"n", 1}})));
    EXPECT_TRUE(r.headers.empty());
}

}  // namespace
