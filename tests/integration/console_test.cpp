// The web console (gateway/console/, docs/console.md): how the gateway serves it and its
// development sign-in, and the page itself in a real headless Chromium (tests/console/).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <string>

#include <fmt/format.h>

#include <random>

#include "tests/support/json_model.hpp"
#include "tests/support/test_stack.hpp"

namespace aimi::testing {
namespace {

using namespace std::chrono_literals;

TEST(Console, ServesThePageWithAStrictPolicyAndNoDevSignInByDefault) {
    TestEnv env;
    auto entities = env.start_projector();
    auto gateway = env.start_gateway();
    auto http = gateway.client();

    auto page = http.request("GET", "/console");
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_EQ(page.headers["content-type"], "text/html; charset=utf-8");
    const auto csp = page.headers["content-security-policy"];
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
    EXPECT_EQ(page.headers["x-content-type-options"], "nosniff");
    EXPECT_NE(page.body.find(R"(<meta name="aimi-dev-sign-in" content="off">)"), std::string::npos);
    for (const auto* file : {"app.js", "chat.js", "goals.js", "console.css", "icon.svg"}) {
        auto asset = http.request("GET", std::string("/console/") + file);
        EXPECT_EQ(asset.status, 200) << file;
        EXPECT_FALSE(asset.headers["content-security-policy"].empty()) << file;
    }
    EXPECT_EQ(http.request("GET", "/console/app.js").headers["content-type"], "text/javascript; charset=utf-8");
    // Files come from the compiled-in table, never from a path on disk.
    EXPECT_EQ(http.request("GET", "/console/..%2Fmain.cpp").status, 404);
    EXPECT_EQ(http.request("GET", "/console/secrets.txt").json().at("error").at("code").as_string(),
              "console_file_not_found");

    // Off unless asked for: the route answers like one that does not exist.
    const auto refused = http.request("POST", "/v1/dev/sign-in", "{}", {{"Content-Type", "application/json"}});
    EXPECT_EQ(refused.status, 404) << refused.body;
    EXPECT_EQ(refused.json().at("error").at("code").as_string(), "route_not_found");

    // Admin endpoint behind the operations view.
    const auto user = random_id();
    EXPECT_EQ(http.get("/v1/admin/dead-letters", env.token(user)).status, 403);
    const auto letters = http.get("/v1/admin/dead-letters?limit=5", env.token(user, "admin"));
    ASSERT_EQ(letters.status, 200) << letters.body;
    EXPECT_TRUE(letters.json().at("items").as_array().empty());
    EXPECT_EQ(http.get("/v1/admin/dead-letters?limit=0", env.token(user, "admin")).status, 400);
    // Generated query values: an integer in range reads, anything else is a 400 naming the parameter.
    std::mt19937_64 rng(20261204);
    const std::vector<std::string> pieces{
        "0",   "1",   "7",      "200", "201", "-1",   "+3",    "%205", "1e2", "9223372036854775808",
        "abc", "%00", "%C3%A9", "",    "12x", "0x10", "00012", "3.0"};
    for (int i = 0; i < 120; ++i) {
        const auto& limit = pieces[rng() % pieces.size()];
        const auto& before = pieces[rng() % pieces.size()];
        const auto answer =
            http.get(fmt::format("/v1/admin/dead-letters?limit={}&before={}", limit, before), env.token(user, "admin"));
        ASSERT_LT(answer.status, 500) << limit << " " << before << " " << answer.body;
        if (answer.status == 400) {
            const auto field = answer.json().at("error").at("field");
            EXPECT_TRUE(field == "limit" || field == "before") << limit << "/" << before << answer.body;
        } else {
            EXPECT_EQ(answer.status, 200) << answer.body;
        }
        const bool in_range = (limit == "1" || limit == "7" || limit == "200") &&
                              (before == "1" || before == "7" || before == "200" || before == "201");
        if (in_range) {
            EXPECT_EQ(answer.status, 200) << limit << " " << before << " " << answer.body;
        }
    }

    // Worker instances as the broker sees the consumer groups: the one entity-store projector.
    EXPECT_EQ(http.get("/v1/admin/workers", env.token(user)).status, 403);
    ASSERT_TRUE(eventually([&] {
        const auto workers = http.get("/v1/admin/workers", env.token(user, "admin"));
        if (workers.status != 200) return false;
        const auto body = workers.json();
        for (const auto& group : body.at("items").as_array()) {
            if (group.at("name") != "entity_store") continue;
            return group.at("state") == "Stable" && group.at("instances").as_array().size() == 1 &&
                   group.at("instances").at(0).at("partitions").as_array().size() == 3;
        }
        return false;
    })) << http.get("/v1/admin/workers", env.token(user, "admin")).body;
}

TEST(Console, DevSignInOnLoopbackOnlyAndOnlyWhenAskedFor) {
    TestEnv env;
    auto entities = env.start_projector();
    auto gateway = env.start_gateway({{"AIMI_DEV_SIGN_IN", "1"}});
    auto http = gateway.client();
    EXPECT_NE(http.request("GET", "/console").body.find(R"(<meta name="aimi-dev-sign-in" content="on">)"),
              std::string::npos);

    const auto json = std::map<std::string, std::string>{{"Content-Type", "application/json"}};
    auto signed_in = http.request("POST", "/v1/dev/sign-in", R"({"role":"admin"})", json);
    ASSERT_EQ(signed_in.status, 200) << signed_in.body;
    const auto answer = signed_in.json();
    EXPECT_EQ(answer.at("role").as_string(), "admin");
    EXPECT_FALSE(answer.at("registered").as_bool());
    const auto token = std::string(answer.at("token").as_string());
    EXPECT_EQ(http.get("/v1/chats", token).status, 200);
    EXPECT_EQ(http.get("/v1/admin/dead-letters", token).status, 200);

    auto as_user = http.request("POST", "/v1/dev/sign-in", "", {});
    ASSERT_EQ(as_user.status, 200) << as_user.body;
    EXPECT_EQ(as_user.json().at("role").as_string(), "user");
    const auto user_token = std::string(as_user.json().at("token").as_string());
    const auto user_id = std::string(as_user.json().at("user_id").as_string());
    EXPECT_EQ(http.post("/v1/users", user_token, R"({"display_name":"Demo"})").status, 201);
    EXPECT_TRUE(http.request("POST", "/v1/dev/sign-in", "{}", json).json().at("registered").as_bool());
    EXPECT_EQ(http.get("/v1/admin/dead-letters", user_token).status, 403);

    for (const auto* body : {R"({"role":"root"})", R"({"role":"user","sub":"x"})", R"([])", R"({"role":)"}) {
        const auto bad = http.request("POST", "/v1/dev/sign-in", body, json);
        EXPECT_EQ(bad.status, 400) << body << " " << bad.body;
        EXPECT_TRUE(bad.json().at("error").at("code").is_string()) << bad.body;
    }

    // Generated bodies: only {} and {"role": "user" | "admin"} sign in; everything else is a 400
    // naming a code, never a 5xx.
    json_model::Generator generator(20261204);
    for (int i = 0; i < 150; ++i) {
        auto doc = generator.object(1, 12);
        const auto bad = http.request("POST", "/v1/dev/sign-in", doc.text, json);
        ASSERT_LT(bad.status, 500) << doc.text << " " << bad.body;
        const bool valid = doc.text == "{}";
        EXPECT_EQ(bad.status, valid ? 200 : 400) << doc.text << " " << bad.body;
        if (bad.status == 400) {
            EXPECT_FALSE(bad.json().at("error").at("code").as_string().empty());
        }
    }
    for (const auto* role :
         {R"("user")", R"("admin")", R"("User")", R"(null)", R"(1)", R"(["admin"])", R"("admin\u0000")"}) {
        const auto answer = http.request("POST", "/v1/dev/sign-in", fmt::format(R"({{"role":{}}})", role), json);
        const bool valid = std::string(role) == R"("user")" || std::string(role) == R"("admin")";
        EXPECT_EQ(answer.status, valid ? 200 : 400) << role << " " << answer.body;
        if (!valid) {
            EXPECT_EQ(answer.json().at("error").at("field"), "/role") << answer.body;
        }
    }

    // A gateway listening beyond loopback refuses to start with it.
    ChildProcess exposed(
        std::string(AIMI_BIN_DIR) + "/aimi-gateway", {},
        env.child_env({{"AIMI_DEV_SIGN_IN", "1"}, {"AIMI_HTTP_ADDRESS", "0.0.0.0"}, {"AIMI_HTTP_PORT", "0"}}),
        env.log_path("exposed_gateway"));
    const int status = exposed.wait(30s);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << exposed.log_tail();
    EXPECT_NE(exposed.log_tail().find("AIMI_DEV_SIGN_IN=1 needs AIMI_HTTP_ADDRESS on loopback"), std::string::npos)
        << exposed.log_tail();
}

//! The page in Chromium: tests/console/console_browser.py runs its own gateway under the page.
TEST(Console, BrowserChecks) {
    TestEnv env;
    const std::map<std::string, std::string> hashed{{"AIMI_EMBEDDER", "hashed"}};
    auto entities = env.start_projector();
    std::vector<std::unique_ptr<ChildProcess>> workers;
    for (const auto* name :
         {"goals_graph", "schedule", "reminder_queue", "memory", "memory_vectors", "message_search", "notifications"})
        workers.push_back(env.start_projector({{"AIMI_PROJECTION", name}}));
    workers.push_back(env.start_dispatcher({{"AIMI_DISPATCH_INTERVAL_MS", "100"}}));
    workers.push_back(std::make_unique<ChildProcess>(
        std::string(AIMI_BIN_DIR) + "/aimi-assistant", std::vector<std::string>{},
        env.child_env({{"AIMI_EMBEDDER", "hashed"}, {"AIMI_ASSISTANT_MEMORIES", "0"}}), env.log_path("assistant")));
    workers.push_back(std::make_unique<ChildProcess>(
        std::string(AIMI_BIN_DIR) + "/aimi-embedder", std::vector<std::string>{},
        env.child_env({{"AIMI_EMBEDDER", "hashed"}, {"AIMI_EMBEDDER_INTERVAL_MS", "100"}}), env.log_path("embedder")));

    auto screenshots = env.log_path("console-screenshots");
    screenshots.resize(screenshots.size() - std::string_view(".log").size());
    ChildProcess browser(std::string(AIMI_SOURCE_DIR) + "/tests/support/python.sh",
                         {std::string(AIMI_SOURCE_DIR) + "/tests/console/console_browser.py", "--gateway",
                          std::string(AIMI_BIN_DIR) + "/aimi-gateway", "--gateway-log", env.log_path("console_gateway"),
                          "--screenshots", screenshots},
                         env.child_env(hashed), env.log_path("console_browser"));
    const int status = browser.wait(std::chrono::minutes(8));
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "console_browser.py failed (screenshots in " << screenshots << "):\n"
        << browser.log_tail(6000);
}

}  // namespace
}  // namespace aimi::testing
