#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "domain/assistant/context.hpp"
#include "domain/memory/providers.hpp"

// The assistant's chat-model provider: the same loop as an OpenAI tool-calling conversation. The
// orchestrator asks, runs the tool calls it gets through the decide path (or reads the read
// models for query tools), asks again with their results, until the answer is text only.
namespace aimi::assistant {

//! A tool the model asked for; arguments are the command body (write tools: the same JSON the HTTP
//! API takes, checked against the same schema) or the query's parameters.
struct ToolCall {
    std::string id;  //!< unique within the turn ("call_1", …)
    std::string name;
    boost::json::object arguments;
    //! Set when the model's arguments were not a JSON object (then `arguments` is empty): the call is
    //! refused back to the model (invalid_arguments), never run.
    std::optional<std::string> invalid_arguments;
};

//! What a tool call ended in. ok: `content` is the resource (write tools) or the query's answer;
//! otherwise `content` is {"code","message","field"?} as an HTTP error would carry it.
struct ToolResult {
    std::string call_id;
    std::string name;
    bool ok = false;
    boost::json::object content;
};

//! One round of the loop, in order: the user's message; then for each step so far, the calls the
//! model made and their results.
struct Step {
    std::vector<ToolCall> calls;
    std::vector<ToolResult> results;
};

struct TurnRequest {
    const Context& context;
    std::string message;      //!< the triggering user message
    std::vector<Step> steps;  //!< empty on the first call
    //! The context as the builder rendered it for a model (budgeted; stored text fenced as data).
    std::string rendered_context = {};
};

struct ProviderAnswer {
    std::string text;  //!< the reply when tool_calls is empty
    std::vector<ToolCall> tool_calls;
    memory::Usage usage;
};

class ChatProvider {
  public:
    virtual ~ChatProvider() = default;
    virtual const memory::ModelId& model() const = 0;
    //! The version of the prompt/rules; a reply's metadata names it.
    virtual const std::string& prompt_version() const = 0;
    //! @throws memory::ProviderError
    virtual ProviderAnswer respond(const TurnRequest& request) = 0;
    //! True when the same request always gets the same answer, at no cost (the rules): such a
    //! provider's turn may be computed again whenever the fold refuses it as a whole.
    virtual bool deterministic() const { return false; }
};

}  // namespace aimi::assistant
