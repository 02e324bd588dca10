// GET /v1/live with a real WebSocket client: tests/live/live_client.py (Python's websockets, from
// PyPI, in a venv tests/support/python.sh makes) runs its checks against this test's gateway —
// refusals, live messages per user, resume without loss or repeats across many reconnects, a
// reminder delivered while connected, a client too slow to read being cut off with a reason, and
// the assistant's reply arriving live after the message it answers.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <string>

#include <fmt/format.h>

#include "tests/support/test_stack.hpp"

namespace aimi::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kQueueLimit = "65536";

TEST(Live, WebSocketClientChecks) {
    TestEnv env;
    auto entities = env.start_projector();
    auto schedule = env.start_projector({{"AIMI_PROJECTION", "schedule"}});
    auto queue = env.start_projector({{"AIMI_PROJECTION", "reminder_queue"}});
    auto dispatcher = env.start_dispatcher({{"AIMI_DISPATCH_INTERVAL_MS", "100"}});
    auto gateway = env.start_gateway({{"AIMI_LIVE_QUEUE_LIMIT_BYTES", kQueueLimit}});

    ChildProcess client(
        std::string(AIMI_SOURCE_DIR) + "/tests/support/python.sh",
        {std::string(AIMI_SOURCE_DIR) + "/tests/live/live_client.py", "--port", std::to_string(gateway.port),
         "--secret", TestEnv::kJwtSecret, "--dispatcher", "--queue-limit", kQueueLimit},
        env.child_env(), env.log_path("live_client"));
    const int status = client.wait(std::chrono::minutes(8));
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "live_client.py failed:\n"
                                                               << client.log_tail(6000) << "\ngateway log:\n"
                                                               << gateway.process->log_tail(3000);
}

// The assistant's reply reaches a connected client live, right after the message it answers.
TEST(Live, AssistantRepliesArriveLive) {
    TestEnv env;
    auto entities = env.start_projector();
    auto gateway = env.start_gateway({{"AIMI_EMBEDDER", "hashed"}});
    ChildProcess assistant(std::string(AIMI_BIN_DIR) + "/aimi-assistant", {},
                           env.child_env({{"AIMI_EMBEDDER", "hashed"}, {"AIMI_ASSISTANT_MEMORIES", "0"}}),
                           env.log_path("assistant"));
    ChildProcess client(std::string(AIMI_SOURCE_DIR) + "/tests/support/python.sh",
                        {std::string(AIMI_SOURCE_DIR) + "/tests/live/live_client.py", "--port",
                         std::to_string(gateway.port), "--secret", TestEnv::kJwtSecret, "--assistant"},
                        env.child_env(), env.log_path("live_client_assistant"));
    const int status = client.wait(std::chrono::minutes(4));
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "live_client.py --assistant failed:\n"
                                                               << client.log_tail(6000) << "\nassistant log:\n"
                                                               << assistant.log_tail(3000);
}

}  // namespace
}  // namespace aimi::testing
