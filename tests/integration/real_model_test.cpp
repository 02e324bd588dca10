// The OpenAI-compatible chat provider against a real local model server (tests/llm/real_model.sh
// starts llama-cpp-python's server with SmolLM2-135M-Instruct, both from PyPI, and runs this with
// AIMI_REAL_MODEL_URL set; skipped otherwise, e.g. in .ci/run). A model this small picks poor
// arguments: what is checked is the protocol — the request with the generated tools is accepted,
// the answer parses into text or well-formed tool calls, a second request carrying the results of
// those calls as tool messages is accepted too, and tokens are reported.
#include <gtest/gtest.h>

#include <cstdlib>

#include <boost/json.hpp>

#include "domain/assistant/context_builder.hpp"
#include "domain/assistant/tools.hpp"
#include "domain/uuid.hpp"
#include "workers/providers/openai/openai_chat_provider.hpp"

namespace aimi::testing {
namespace {

namespace bj = boost::json;
using namespace std::chrono_literals;

TEST(RealModel, SpeaksTheToolCallingProtocol) {
    const char* url = std::getenv("AIMI_REAL_MODEL_URL");
    if (!url || !*url) GTEST_SKIP() << "AIMI_REAL_MODEL_URL is not set (tests/llm/real_model.sh sets it)";
    providers::openai::ProviderSettings settings;
    settings.base_url = url;
    settings.model = std::getenv("AIMI_REAL_MODEL_NAME") ? std::getenv("AIMI_REAL_MODEL_NAME") : "smollm2";
    settings.timeout = 120s;
    settings.max_attempts = 2;
    providers::openai::ChatOptions options;
    options.max_tokens = 128;
    options.rate_per_minute = 0;
    providers::openai::OpenAiChatProvider provider(settings, options);

    assistant::Context context;
    context.user_id = new_uuid();
    context.user_name = "Ann";
    context.time_zone = "Europe/Berlin";
    context.now = *parse_timestamp("2026-12-03T10:00:00Z");
    context.local_now = "2026-12-03T11:00:00";
    const std::string message = "Remind me to call mom tomorrow at 6pm.";
    const auto built = assistant::build_context(context, message, assistant::Budget{});
    assistant::TurnRequest request{built.context, message, {}, built.rendered};

    const auto first = provider.respond(request);
    EXPECT_GT(first.usage.tokens_in, 0);
    EXPECT_TRUE(!first.text.empty() || !first.tool_calls.empty());
    for (const auto& call : first.tool_calls) {
        EXPECT_FALSE(call.id.empty());
        EXPECT_FALSE(call.name.empty());
        if (call.invalid_arguments) {
            EXPECT_TRUE(call.arguments.empty());
        }
    }
    if (first.tool_calls.empty()) return;  // the model answered in text: the first half is the check

    // The results go back as tool messages; the server must take them and answer.
    assistant::Step step{first.tool_calls, {}};
    for (const auto& call : first.tool_calls)
        step.results.push_back(
            {call.id, call.name, true, bj::object{{"resource_type", "calendar_event"}, {"resource_id", new_uuid()}}});
    request.steps.push_back(std::move(step));
    const auto second = provider.respond(request);
    EXPECT_TRUE(!second.text.empty() || !second.tool_calls.empty());
    EXPECT_GT(second.usage.tokens_in, first.usage.tokens_in);
}

}  // namespace
}  // namespace aimi::testing
