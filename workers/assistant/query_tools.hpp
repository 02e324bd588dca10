#pragma once

#include <string>

#include "domain/assistant/chat_provider.hpp"

namespace pqxx {
class dbtransaction;
}

// The assistant's read-only tools (domain/assistant/tools.hpp), answered from the read models of the
// turn's user only: a goal id of another user is "not found", as over HTTP.
namespace aimi::assistant_worker {

assistant::ToolResult run_query_tool(pqxx::dbtransaction& tx, const std::string& main_schema,
                                     const assistant::Context& context, const assistant::ToolCall& call);

}  // namespace aimi::assistant_worker
