#include "workers/providers/openai/openai_text_generator.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <simdjson.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "domain/json/serialize.hpp"

namespace aimi::providers::openai {

using memory::ProviderError;

namespace {

// Bump with every change of the prompts: the same items could then get another summary.
constexpr std::string_view kPromptVersion = "p1";

constexpr std::array kKinds = {"fact", "plan", "preference", "date", "mood"};

//! What the items are, per purpose.
std::string_view material(const std::string& purpose) {
    if (purpose == "session_summary") return "the messages of one conversation session";
    if (purpose == "daily_summary") return "the summaries of one day's conversation sessions";
    if (purpose == "weekly_summary") return "the session summaries of one week";
    throw std::invalid_argument("unknown summary purpose: '" + purpose + "'");
}

//! A 2xx answer that is not what was asked for: the model may well do better next time.
[[noreturn]] void garbage(const std::string& why) {
    throw ProviderError("unusable answer: " + why, true);
}

std::string_view string_at(simdjson::dom::element object, const char* key, const char* where) {
    std::string_view value;
    if (object[key].get(value)) garbage(fmt::format("{}.{} is not a string", where, key));
    return value;
}

//! Calls `visit` with each element of the array `object[key]`, if there is one.
template <class Visit>
void for_each_in(simdjson::dom::element object, const char* key, const char* where, const Visit& visit) {
    simdjson::dom::array array;
    const auto error = object[key].get(array);
    if (error == simdjson::NO_SUCH_FIELD) return;
    if (error) garbage(fmt::format("{}.{} is not an array", where, key));
    for (const auto element : array) visit(element);
}

memory::Summary parse_content(std::string_view content, const std::set<std::string, std::less<>>& refs) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (const auto error = parser.parse(content.data(), content.size()).get(doc))
        garbage(fmt::format("the content is not JSON ({})", simdjson::error_message(error)));
    if (!doc.is_object()) garbage("the content is not a JSON object");

    memory::Summary summary;
    std::string_view text;
    if (doc["text"].get(text) || text.empty()) garbage("no text in the summary");
    summary.text = text;
    for_each_in(doc, "key_points", "content", [&](simdjson::dom::element point) {
        std::string_view value;
        if (point.get(value)) garbage("content.key_points holds a non-string");
        if (!value.empty()) summary.key_points.emplace_back(value);
    });
    for_each_in(doc, "facts", "content", [&](simdjson::dom::element item) {
        if (!item.is_object()) garbage("content.facts holds a non-object");
        memory::ExtractedFact fact;
        fact.kind = string_at(item, "kind", "fact");
        fact.text = string_at(item, "text", "fact");
        for_each_in(item, "refs", "fact", [&](simdjson::dom::element ref) {
            std::string_view value;
            if (ref.get(value)) garbage("fact.refs holds a non-string");
            // A ref the request did not hold would cite something the summary was not made from.
            if (refs.contains(value) && std::find(fact.refs.begin(), fact.refs.end(), value) == fact.refs.end())
                fact.refs.emplace_back(value);
        });
        // An unknown kind has no place in memory; the rest of the answer stands.
        if (std::find(kKinds.begin(), kKinds.end(), fact.kind) == kKinds.end() || fact.text.empty()) return;
        summary.facts.push_back(std::move(fact));
    });
    return summary;
}

}  // namespace

std::string summary_system_prompt(const memory::SummaryRequest& request) {
    const std::string language =
        request.locale.empty() ? "" : fmt::format(" (when unsure, that of the user's locale, {})", request.locale);
    return fmt::format(
        "You keep the long-term memory of a personal coach. The user message holds {}, one item per line as "
        "\"[ref] role: text\" (an item's further lines are indented).\n"
        "Answer with one JSON object and nothing else:\n"
        "{{\"text\": string, \"key_points\": [string], \"facts\": [{{\"kind\": "
        "\"fact\"|\"plan\"|\"preference\"|\"date\"|\"mood\", \"text\": string, \"refs\": [string]}}]}}\n"
        "- text: a short summary, in the third person about the user.\n"
        "- key_points: the few things worth remembering, one short sentence each.\n"
        "- facts: what the user states about themselves: facts, plans, preferences, dates and moods; refs are "
        "the refs of the items each comes from, as written between the brackets.\n"
        "Use only what the items say; add no advice. Write in the language the conversation is in{}.",
        material(request.purpose), language);
}

std::string summary_user_message(const memory::SummaryRequest& request) {
    std::string out;
    for (const auto& item : request.items) {
        std::string text = item.text;
        for (auto at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 1))
            text.insert(at + 1, "  ");
        out += fmt::format("[{}] {}: {}\n", item.ref, item.role, text);
    }
    return out;
}

OpenAiTextGenerator::OpenAiTextGenerator(const ProviderSettings& settings)
    : settings_(settings),
      client_(settings, "/v1/chat/completions"),
      model_{"openai", settings.model, fmt::format("{}/{}", settings.model, kPromptVersion)} {}

memory::Summary OpenAiTextGenerator::summarize(const memory::SummaryRequest& request) {
    if (request.items.empty()) throw std::invalid_argument("a summary needs at least one item");
    const std::set<std::string, std::less<>> refs = [&] {
        std::set<std::string, std::less<>> out;
        for (const auto& item : request.items) out.insert(item.ref);
        return out;
    }();
    const boost::json::object body{
        {"model", settings_.model},
        {"messages",
         boost::json::array{
             boost::json::object{{"role", "system"}, {"content", summary_system_prompt(request)}},
             boost::json::object{{"role", "user"}, {"content", summary_user_message(request)}},
         }},
        {"response_format", boost::json::object{{"type", "json_object"}}},
    };

    memory::Summary summary;
    client_.post(json::serialize(body), [&](std::string_view answer) {
        simdjson::dom::parser parser;
        simdjson::dom::element doc;
        if (const auto error = parser.parse(answer.data(), answer.size()).get(doc))
            garbage(std::string("not JSON: ") + simdjson::error_message(error));
        std::string_view content;
        if (doc["choices"].at(0)["message"]["content"].get(content)) {
            std::string_view refusal;
            if (!doc["choices"].at(0)["message"]["refusal"].get(refusal))
                garbage("the model refused: " + std::string(refusal));
            garbage("no choices[0].message.content string");
        }
        auto parsed = parse_content(content, refs);
        std::int64_t tokens = 0;
        if (doc["usage"]["prompt_tokens"].get(tokens) == simdjson::INCORRECT_TYPE)
            garbage("usage.prompt_tokens is not an integer");
        parsed.usage.tokens_in = tokens;
        tokens = 0;
        if (doc["usage"]["completion_tokens"].get(tokens) == simdjson::INCORRECT_TYPE)
            garbage("usage.completion_tokens is not an integer");
        parsed.usage.tokens_out = tokens;
        summary = std::move(parsed);
    });
    return summary;
}

}  // namespace aimi::providers::openai
