// Unit tests for gateway/router.hpp (Router<T>): matching, captures, 404 vs 405.
#include <gtest/gtest.h>

#include <string>

#include "gateway/router.hpp"

namespace {

using aimi::Problem;
using aimi::ProblemKind;
using aimi::gateway::PathParams;
using Router = aimi::gateway::Router<std::string>;

Router api() {
    Router r;
    r.add("GET", "/health", "health");
    r.add("POST", "/v1/users", "create_user");
    r.add("GET", "/v1/users/{user_id}", "get_user");
    r.add("PATCH", "/v1/users/{user_id}", "update_user");
    r.add("POST", "/v1/users/{user_id}/devices", "register_device");
    r.add("GET", "/v1/chats/recent", "recent");  // literal before the capture: wins
    r.add("GET", "/v1/chats/{chat_id}", "get_chat");
    r.add("POST", "/v1/chats/{chat_id}/messages", "post_message");
    r.add("POST", "/v1/chats/{chat_id}/sessions/{session_id}/end", "end_session");
    return r;
}

//! The matched route name and its params; fails the test on a Problem.
std::pair<std::string, PathParams> hit(const Router& r, std::string_view method, std::string_view path) {
    auto result = r.match(method, path);
    if (const auto* p = std::get_if<Problem>(&result)) {
        ADD_FAILURE() << method << " " << path << " -> " << p->code;
        return {};
    }
    auto& m = std::get<Router::Match>(result);
    return {*m.target, m.params};
}

Problem miss(const Router& r, std::string_view method, std::string_view path) {
    auto result = r.match(method, path);
    if (!std::holds_alternative<Problem>(result)) {
        ADD_FAILURE() << method << " " << path << " matched " << *std::get<Router::Match>(result).target;
        return {};
    }
    return std::get<Problem>(result);
}

TEST(Router, MatchesLiteralPaths) {
    const auto r = api();
    EXPECT_EQ(hit(r, "GET", "/health").first, "health");
    EXPECT_EQ(hit(r, "POST", "/v1/users").first, "create_user");
    EXPECT_TRUE(hit(r, "POST", "/v1/users").second.empty());
}

TEST(Router, CapturesParameters) {
    const auto r = api();
    const auto [name, params] = hit(r, "GET", "/v1/users/123e4567-e89b-42d3-a456-426614174000");
    EXPECT_EQ(name, "get_user");
    EXPECT_EQ(params, (PathParams{{"user_id", "123e4567-e89b-42d3-a456-426614174000"}}));

    const auto [end, two] = hit(r, "POST", "/v1/chats/c1/sessions/s1/end");
    EXPECT_EQ(end, "end_session");
    EXPECT_EQ(two, (PathParams{{"chat_id", "c1"}, {"session_id", "s1"}}));

    // A capture takes any single segment text, validation is the handler's job.
    EXPECT_EQ(hit(r, "GET", "/v1/chats/not-a-uuid").second.at("chat_id"), "not-a-uuid");
}

TEST(Router, SameTemplateDispatchesOnMethod) {
    const auto r = api();
    EXPECT_EQ(hit(r, "GET", "/v1/users/u").first, "get_user");
    EXPECT_EQ(hit(r, "PATCH", "/v1/users/u").first, "update_user");
}

TEST(Router, FirstAddedRouteWinsSoLiteralsRegisteredFirstBeatCaptures) {
    const auto r = api();
    EXPECT_EQ(hit(r, "GET", "/v1/chats/recent").first, "recent");
    EXPECT_EQ(hit(r, "GET", "/v1/chats/other").first, "get_chat");
}

TEST(Router, UnknownPathIsRouteNotFound) {
    const auto r = api();
    for (const char* path :
         {"/", "/v1", "/v2/users", "/v1/users/u/devices/extra", "/v1/chats/c/messages/m", "/healthz", "/v1/Users"}) {
        SCOPED_TRACE(path);
        const auto p = miss(r, "GET", path);
        EXPECT_EQ(p.kind, ProblemKind::not_found);
        EXPECT_EQ(p.code, "route_not_found");
        EXPECT_NE(p.message.find(path), std::string::npos) << p.message;
    }
}

TEST(Router, UnknownPathThatIsNotTextIsNamedInHex) {
    const auto p = miss(api(), "GET", "/v1/\xff");
    EXPECT_EQ(p.code, "route_not_found");
    EXPECT_NE(p.message.find("hex:2f76312fff"), std::string::npos) << "the message stays valid UTF-8";
}

TEST(Router, KnownPathWithOtherMethodIsMethodNotAllowed) {
    const auto r = api();
    for (const auto& [method, path] :
         std::vector<std::pair<const char*, const char*>>{{"DELETE", "/v1/users/u"},
                                                          {"GET", "/v1/users"},
                                                          {"POST", "/health"},
                                                          {"get", "/health"},
                                                          {"GET", "/v1/chats/c/messages"}}) {
        SCOPED_TRACE(std::string(method) + " " + path);
        const auto p = miss(r, method, path);
        EXPECT_EQ(p.kind, ProblemKind::method_not_allowed);
        EXPECT_EQ(p.code, "method_not_allowed");
        EXPECT_NE(p.message.find(method), std::string::npos) << p.message;
    }
}

TEST(Router, ToleratesTrailingAndRepeatedSlashes) {
    const auto r = api();
    EXPECT_EQ(hit(r, "POST", "/v1/users/").first, "create_user");
    EXPECT_EQ(hit(r, "GET", "/v1/users/u/").second.at("user_id"), "u");
    EXPECT_EQ(hit(r, "GET", "//v1//users///u").second.at("user_id"), "u");
    EXPECT_EQ(hit(r, "GET", "health").first, "health");  // leading slash optional
}

TEST(Router, EmptyRouterFindsNothing) {
    const Router r;
    EXPECT_EQ(miss(r, "GET", "/").code, "route_not_found");
}

TEST(Router, RootPatternMatchesOnlyTheRoot) {
    Router r;
    r.add("GET", "/", "root");
    EXPECT_EQ(hit(r, "GET", "/").first, "root");
    EXPECT_EQ(hit(r, "GET", "").first, "root");
    EXPECT_EQ(miss(r, "GET", "/x").code, "route_not_found");
}

TEST(Router, BracesNeedANameToCapture) {
    Router r;
    r.add("GET", "/a/{}", "literal-braces");
    EXPECT_EQ(hit(r, "GET", "/a/{}").first, "literal-braces");
    EXPECT_EQ(miss(r, "GET", "/a/x").code, "route_not_found");
}

}  // namespace
