// The OpenAI-compatible chat provider's pure parts: the tools array generated from the command
// schemas, the request body, the reading of answers, and its settings. The HTTP side is in
// tests/integration/openai_chat_test.cpp.
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <set>

#include <boost/json.hpp>

#include "domain/assistant/tools.hpp"
#include "domain/json/serialize.hpp"
#include "workers/providers/openai/openai_chat_provider.hpp"
#include "workers/providers/openai/tool_definitions.hpp"

namespace aimi::providers::openai {
namespace {

namespace bj = boost::json;
namespace tools = assistant::tools;
using namespace std::chrono_literals;
using memory::ProviderError;

//! name → function object of tool_definitions().
std::map<std::string, bj::object> functions() {
    std::map<std::string, bj::object> out;
    for (const auto& tool : tool_definitions()) {
        EXPECT_EQ(tool.at("type"), "function");
        const auto& function = tool.at("function").as_object();
        out.emplace(std::string(function.at("name").as_string()), function);
    }
    return out;
}

//! The schema as a model should get it, computed here on its own: the removed keywords go at every
//! level except where a name is a property's.
bj::value expected_parameters(bj::value schema, bool names = false) {
    if (auto* object = schema.if_object()) {
        if (!names)
            for (const auto* key : {"$id", "$schema", "title", "x-personal", "format", "minLength", "maxLength",
                                    "minimum", "maximum", "maxItems", "uniqueItems", "maxProperties", "default"})
                object->erase(key);
        for (auto& [key, value] : *object) {
            if (!names && (key == "enum" || key == "required" || key == "default" || key == "const")) continue;
            value = expected_parameters(value, !names && key == "properties");
        }
    } else if (auto* array = schema.if_array()) {
        for (auto& element : *array) element = expected_parameters(element);
    }
    return schema;
}

//! Whether `key` occurs as a keyword anywhere in `value` (not counting property names).
bool has_keyword(const bj::value& value, std::string_view key, bool names = false) {
    if (const auto* object = value.if_object()) {
        for (const auto& [k, v] : *object) {
            if (!names && k == key) return true;
            if (has_keyword(v, key, !names && k == "properties")) return true;
        }
    } else if (const auto* array = value.if_array()) {
        for (const auto& element : *array)
            if (has_keyword(element, key)) return true;
    }
    return false;
}

TEST(OpenAiChatTools, EveryToolIsDefinedOnce) {
    const auto defined = functions();
    EXPECT_EQ(tool_definitions().size(), 8u);
    for (const auto name :
         {tools::kCreateCalendarEvent, tools::kCreateGoal, tools::kCreateTask, tools::kCreateHabit,
          tools::kRecordMentalState, tools::kUpdateTask, tools::kListSchedule, tools::kGoalProgress}) {
        SCOPED_TRACE(name);
        const auto found = defined.find(std::string(name));
        ASSERT_NE(found, defined.end());
        EXPECT_FALSE(found->second.at("description").as_string().empty());
        EXPECT_EQ(found->second.at("parameters").at("type"), "object");
    }
}

TEST(OpenAiChatTools, WriteToolParametersAreTheCommandSchemasMinusRemovedKeywords) {
    const auto defined = functions();
    const std::array<std::pair<std::string_view, std::string_view>, 5> pairs{{
        {tools::kCreateCalendarEvent, "calendar_event.create.v1.json"},
        {tools::kCreateGoal, "goal.create.v1.json"},
        {tools::kCreateTask, "task.create.v1.json"},
        {tools::kCreateHabit, "habit.create.v1.json"},
        {tools::kRecordMentalState, "mental_state.create.v1.json"},
    }};
    for (const auto& [tool, file] : pairs) {
        SCOPED_TRACE(tool);
        const auto schema = command_schema(file);
        const auto& parameters = defined.at(std::string(tool)).at("parameters");
        EXPECT_EQ(parameters, expected_parameters(schema)) << json::serialize(parameters);
        for (const auto* key : {"$id", "$schema", "title", "x-personal"})
            EXPECT_FALSE(has_keyword(parameters, key)) << key;
        // What the decoder checks is still there.
        EXPECT_EQ(parameters.at("properties"), expected_parameters(schema.at("properties"), true));
        EXPECT_EQ(parameters.at("additionalProperties"), schema.at("additionalProperties"));
    }
    // A property called "title" is a name, not the keyword.
    EXPECT_TRUE(defined.at("create_task").at("parameters").at("properties").as_object().contains("title"));
    EXPECT_EQ(defined.at("create_goal").at("parameters").at("required"), (bj::array{"title"}));
}

TEST(OpenAiChatTools, StripRemovesKeywordsAtEveryLevelButKeepsPropertyNames) {
    const auto stripped = strip_schema(bj::parse(R"({
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "x", "title": "T", "type": "object",
        "required": ["title"],
        "properties": {
            "title": {"type": "string", "title": "shown", "x-personal": true},
            "x-personal": {"type": "boolean"},
            "items": {"type": "array", "items": {"type": "object", "title": "deep", "x-personal": true,
                                                  "properties": {"$id": {"type": "string"}}}},
            "kind": {"enum": ["title"], "default": "title"}
        }
    })")
                                           .as_object());
    EXPECT_EQ(stripped, bj::parse(R"({
        "type": "object", "required": ["title"],
        "properties": {
            "title": {"type": "string"},
            "x-personal": {"type": "boolean"},
            "items": {"type": "array", "items": {"type": "object", "properties": {"$id": {"type": "string"}}}},
            "kind": {"enum": ["title"]}
        }
    })"));
    const auto all = json::serialize(tool_definitions());
    EXPECT_EQ(all.find("aimi/commands"), std::string::npos);  // no $id left
    EXPECT_EQ(all.find("x-personal"), std::string::npos);
}

TEST(OpenAiChatTools, UpdateTaskIsTheTaskPatchPlusARequiredTaskId) {
    const auto parameters = functions().at("update_task").at("parameters").as_object();
    auto expected = expected_parameters(command_schema("task.update.v1.json")).as_object();
    EXPECT_EQ(parameters.at("required"), (bj::array{"task_id"}));
    const auto& task_id = parameters.at("properties").at("task_id");
    EXPECT_EQ(task_id.at("type"), "string");
    EXPECT_EQ(task_id.at("format"), "uuid");
    auto properties = parameters.at("properties").as_object();
    properties.erase("task_id");
    EXPECT_EQ(properties, expected.at("properties"));
    EXPECT_EQ(parameters.at("additionalProperties"), false);
}

TEST(OpenAiChatTools, QueryToolsTakeTheirParameters) {
    const auto defined = functions();
    EXPECT_EQ(defined.at("list_schedule").at("parameters").at("required"), (bj::array{"from", "to"}));
    EXPECT_EQ(defined.at("list_schedule").at("parameters").at("properties").at("from").at("format"), "date");
    EXPECT_EQ(defined.at("goal_progress").at("parameters").at("required"), (bj::array{"goal_id"}));
}

TEST(OpenAiChatTools, UnknownSchemaIsALogicError) {
    EXPECT_THROW(command_schema("nope.v1.json"), std::logic_error);
}

assistant::Context context() {
    assistant::Context c;
    c.user_id = "0b8f4a0e-0000-4000-8000-000000000001";
    return c;
}

TEST(OpenAiChatRequest, FirstCallIsSystemThenTheRenderedContext) {
    const auto c = context();
    const assistant::TurnRequest request{c, "remind me", {}, "Context…\n<<<\nremind me\n>>>\n"};
    ChatOptions options;
    options.max_tokens = 77;
    const auto body = bj::parse(chat_request_body("m1", options, request)).as_object();
    EXPECT_EQ(body.at("model"), "m1");
    EXPECT_EQ(body.at("max_tokens"), 77);
    EXPECT_EQ(body.at("temperature"), 0);
    EXPECT_EQ(body.at("tool_choice"), "auto");
    EXPECT_EQ(body.at("tools"), tool_definitions());
    const auto& messages = body.at("messages").as_array();
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0].at("role"), "system");
    EXPECT_EQ(messages[0].at("content").as_string(), chat_system_prompt());
    EXPECT_EQ(messages[1].at("role"), "user");
    EXPECT_EQ(messages[1].at("content").as_string(), request.rendered_context);
}

TEST(OpenAiChatRequest, WithoutRenderingTheMessageIsSent) {
    const auto c = context();
    const assistant::TurnRequest request{c, "hello", {}};
    const auto body = bj::parse(chat_request_body("m", {}, request));
    EXPECT_EQ(body.at("messages").at(1).at("content"), "hello");
}

TEST(OpenAiChatRequest, StepsBecomeAssistantToolCallsAndToolResults) {
    const auto c = context();
    assistant::Step step;
    step.calls.push_back({"call_a", "create_task", bj::object{{"title", "Buy milk"}}, std::nullopt});
    step.calls.push_back({"call_b", "create_goal", {}, "not JSON"});
    step.results.push_back({"call_a", "create_task", true, bj::object{{"id", "t1"}}});
    step.results.push_back({"call_b", "create_goal", false, bj::object{{"code", "invalid_arguments"}}});
    const assistant::TurnRequest request{c, "x", {step}, "ctx"};
    const auto body = bj::parse(chat_request_body("m", {}, request));
    const auto& messages = body.at("messages").as_array();
    ASSERT_EQ(messages.size(), 5u);
    const auto& assistant = messages[2];
    EXPECT_EQ(assistant.at("role"), "assistant");
    EXPECT_EQ(assistant.at("content"), "");  // not null: llama-cpp-python refuses null
    const auto& calls = assistant.at("tool_calls").as_array();
    ASSERT_EQ(calls.size(), 2u);
    EXPECT_EQ(calls[0].at("id"), "call_a");
    EXPECT_EQ(calls[0].at("type"), "function");
    EXPECT_EQ(calls[0].at("function").at("name"), "create_task");
    EXPECT_EQ(bj::parse(calls[0].at("function").at("arguments").as_string()), (bj::object{{"title", "Buy milk"}}));
    EXPECT_EQ(calls[1].at("function").at("arguments"), "{}");  // garbled arguments go back as {}
    EXPECT_EQ(messages[3].at("role"), "tool");
    EXPECT_EQ(messages[3].at("tool_call_id"), "call_a");
    EXPECT_EQ(bj::parse(messages[3].at("content").as_string()), (bj::object{{"ok", true}, {"id", "t1"}}));
    EXPECT_EQ(messages[4].at("tool_call_id"), "call_b");
    EXPECT_EQ(bj::parse(messages[4].at("content").as_string()),
              (bj::object{{"ok", false}, {"code", "invalid_arguments"}}));
}

std::string answer(bj::object message, bj::value usage = bj::object{{"prompt_tokens", 11}, {"completion_tokens", 3}}) {
    bj::object body{{"id", "x"}, {"choices", bj::array{bj::object{{"index", 0}, {"message", std::move(message)}}}}};
    if (!usage.is_null()) body["usage"] = std::move(usage);
    return json::serialize(body);
}

bj::object call(std::string_view id, std::string_view name, bj::value arguments) {
    bj::object out{{"type", "function"}, {"function", bj::object{{"name", name}, {"arguments", std::move(arguments)}}}};
    if (!id.empty()) out["id"] = id;
    return out;
}

//! The ProviderError parse_chat_answer throws for `body`.
ProviderError error_of(std::string_view body) {
    try {
        parse_chat_answer(body);
    } catch (const ProviderError& e) {
        return e;
    }
    ADD_FAILURE() << "no ProviderError for " << body;
    return ProviderError("none", false);
}

TEST(OpenAiChatAnswer, ContentOnly) {
    const auto a = parse_chat_answer(answer({{"role", "assistant"}, {"content", "  Done — see you at 6.\n"}}));
    EXPECT_EQ(a.text, "Done — see you at 6.");
    EXPECT_TRUE(a.tool_calls.empty());
    EXPECT_EQ(a.usage.tokens_in, 11);
    EXPECT_EQ(a.usage.tokens_out, 3);
}

TEST(OpenAiChatAnswer, ThinkingIsNotTheReply) {
    const auto a = parse_chat_answer(answer({{"role", "assistant"}, {"content", "<think>hmm</think>\n\nHi!"}}));
    EXPECT_EQ(a.text, "Hi!");
}

TEST(OpenAiChatAnswer, ToolCallsWithArgumentsAsJsonText) {
    const auto a = parse_chat_answer(answer(
        {{"role", "assistant"},
         {"content", nullptr},
         {"tool_calls", bj::array{call("call_x", "create_task", R"({"title":"Milk"})"),
                                  call("call_y", "list_schedule", R"({"from":"2026-01-01","to":"2026-01-02"})")}}}));
    EXPECT_TRUE(a.text.empty());
    ASSERT_EQ(a.tool_calls.size(), 2u);
    EXPECT_EQ(a.tool_calls[0].id, "call_x");
    EXPECT_EQ(a.tool_calls[0].name, "create_task");
    EXPECT_EQ(a.tool_calls[0].arguments, (bj::object{{"title", "Milk"}}));
    EXPECT_FALSE(a.tool_calls[0].invalid_arguments);
    EXPECT_EQ(a.tool_calls[1].name, "list_schedule");
    EXPECT_EQ(a.tool_calls[1].arguments.at("to"), "2026-01-02");
}

TEST(OpenAiChatAnswer, MissingOrRepeatedIdsAreMadeUp) {
    const auto a = parse_chat_answer(
        answer({{"role", "assistant"},
                {"tool_calls", bj::array{call("", "create_task", "{}"), call("dup", "create_task", "{}"),
                                         call("dup", "create_goal", "{}")}}}));
    ASSERT_EQ(a.tool_calls.size(), 3u);
    EXPECT_EQ(a.tool_calls[0].id, "call_1");
    EXPECT_EQ(a.tool_calls[1].id, "dup");
    EXPECT_EQ(a.tool_calls[2].id, "call_3");
}

TEST(OpenAiChatAnswer, ArgumentsThatAreNotAJsonObjectAreInvalid) {
    for (const bj::value& arguments : {bj::value("{\"title\": "), bj::value("[1,2]"), bj::value("\"text\""),
                                       bj::value("title=Milk"), bj::value(42)}) {
        SCOPED_TRACE(json::serialize(arguments));
        const auto a = parse_chat_answer(
            answer({{"role", "assistant"}, {"tool_calls", bj::array{call("c", "create_task", arguments)}}}));
        ASSERT_EQ(a.tool_calls.size(), 1u);
        EXPECT_EQ(a.tool_calls[0].name, "create_task");
        EXPECT_TRUE(a.tool_calls[0].invalid_arguments);
        EXPECT_TRUE(a.tool_calls[0].arguments.empty());
    }
}

TEST(OpenAiChatAnswer, EmptyOrObjectArgumentsAreAccepted) {
    const auto a = parse_chat_answer(
        answer({{"role", "assistant"},
                {"tool_calls", bj::array{call("a", "goal_progress", ""),
                                         call("b", "goal_progress", bj::object{{"goal_id", "g"}})}}}));
    ASSERT_EQ(a.tool_calls.size(), 2u);
    EXPECT_FALSE(a.tool_calls[0].invalid_arguments);
    EXPECT_TRUE(a.tool_calls[0].arguments.empty());
    EXPECT_EQ(a.tool_calls[1].arguments.at("goal_id"), "g");
}

TEST(OpenAiChatAnswer, UnknownToolPassesThrough) {
    const auto a = parse_chat_answer(
        answer({{"role", "assistant"}, {"tool_calls", bj::array{call("c", "delete_everything", R"({"all":true})")}}}));
    ASSERT_EQ(a.tool_calls.size(), 1u);
    EXPECT_EQ(a.tool_calls[0].name, "delete_everything");
    EXPECT_EQ(a.tool_calls[0].arguments, (bj::object{{"all", true}}));
}

TEST(OpenAiChatAnswer, WithoutUsageCountsZero) {
    const auto a = parse_chat_answer(answer({{"role", "assistant"}, {"content", "hi"}}, nullptr));
    EXPECT_EQ(a.usage.tokens_in, 0);
    EXPECT_EQ(a.usage.tokens_out, 0);
}

TEST(OpenAiChatAnswer, ARefusalIsTheReply) {
    const auto a = parse_chat_answer(answer({{"role", "assistant"}, {"content", nullptr}, {"refusal", "I can't."}}));
    EXPECT_EQ(a.text, "I can't.");
}

TEST(OpenAiChatAnswer, UnusableAnswersAreRetryableErrors) {
    for (const std::string& body : {
             std::string(R"({"id":"x"})"),                                    // no choices
             std::string(R"({"choices":[]})"),                                // empty choices
             std::string(R"({"choices":[{"message":"hi"}]})"),                // message not an object
             std::string("<html>502</html>"),                                 // not JSON
             answer({{"role", "assistant"}, {"content", ""}}),                // no text, no calls
             answer({{"role", "assistant"}, {"content", nullptr}}),           // neither
             answer({{"role", "assistant"}, {"content", 5}}),                 // content not a string
             answer({{"role", "assistant"}, {"tool_calls", "create_task"}}),  // calls not an array
             answer({{"role", "assistant"}, {"tool_calls", bj::array{bj::object{{"id", "c"}}}}}),  // no function
             answer({{"role", "assistant"}, {"content", "hi"}}, bj::object{{"prompt_tokens", "many"}}),
         }) {
        SCOPED_TRACE(body);
        EXPECT_TRUE(error_of(body).retryable());
    }
}

EnvLookup env(std::map<std::string, std::string> values) {
    return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
        const auto found = values.find(name);
        return found == values.end() ? std::nullopt : std::optional<std::string>(found->second);
    };
}

TEST(OpenAiChatSettings, DefaultsAndOverrides) {
    const auto s = chat_settings(env({{"AIMI_CHAT_URL", "http://127.0.0.1:8000"}, {"AIMI_CHAT_MODEL", "qwen"}}));
    EXPECT_EQ(s.model, "qwen");
    EXPECT_EQ(s.timeout, 60000ms);
    const auto o = chat_options(env({}));
    EXPECT_EQ(o.max_tokens, 512);
    EXPECT_EQ(o.breaker_failures, 5);
    EXPECT_EQ(o.breaker_cooldown, 30000ms);
    EXPECT_EQ(o.rate_per_minute, 20);
    const auto set = chat_options(env({{"AIMI_CHAT_MAX_TOKENS", "100"},
                                       {"AIMI_CHAT_BREAKER_FAILURES", "2"},
                                       {"AIMI_CHAT_BREAKER_COOLDOWN_MS", "50"},
                                       {"AIMI_CHAT_RATE_PER_MINUTE", "0"}}));
    EXPECT_EQ(set.max_tokens, 100);
    EXPECT_EQ(set.breaker_failures, 2);
    EXPECT_EQ(set.breaker_cooldown, 50ms);
    EXPECT_EQ(set.rate_per_minute, 0);
    EXPECT_THROW(chat_options(env({{"AIMI_CHAT_BREAKER_FAILURES", "0"}})), std::invalid_argument);
    EXPECT_THROW(chat_options(env({{"AIMI_CHAT_MAX_TOKENS", "lots"}})), std::invalid_argument);
    EXPECT_THROW(chat_settings(env({{"AIMI_CHAT_URL", "http://127.0.0.1:8000"}})), std::invalid_argument);
}

TEST(OpenAiChatSettings, ModelAndPromptVersion) {
    const auto provider =
        make_openai_chat_provider(env({{"AIMI_CHAT_URL", "http://127.0.0.1:8000"}, {"AIMI_CHAT_MODEL", "qwen2.5-7b"}}));
    EXPECT_EQ(provider->model().provider, "openai");
    EXPECT_EQ(provider->model().name, "qwen2.5-7b");
    EXPECT_EQ(provider->model().version, "qwen2.5-7b+tools-v1");
    EXPECT_EQ(provider->prompt_version(), "assistant-v1");
}

}  // namespace
}  // namespace aimi::providers::openai
