#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "domain/assistant/chat_provider.hpp"
#include "domain/assistant/context_builder.hpp"
#include "domain/events/events.hpp"
#include "domain/facts/fact.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "workers/assistant/outcome_waiter.hpp"

namespace aimi::keys {
class KeyStore;
}
namespace aimi::gateway {
class MemoryRecall;
}
namespace aimi::pg {
class ConnectionPool;
}

// The orchestrator (docs/assistant.md, "A turn"): an applied user message becomes one turn —
// context, provider, tool calls through decide and the fold, the reply — and every record a turn
// appends carries an idempotency key derived from the message (assistant:<message id>:…), so a
// turn run again after a crash, a rebalance or a replay of the facts changes nothing.
namespace aimi::assistant_worker {

struct OrchestratorOptions {
    std::string events_topic;
    std::string main_schema;
    std::string producer;  //!< assistant@host/pid
    std::int64_t idle_timeout_s = 1800;
    std::chrono::seconds max_age{3600};  //!< AIMI_ASSISTANT_MAX_AGE_S: older messages get no turn
    int max_steps = 3;                   //!< provider calls per turn
    int max_tool_calls = 5;              //!< AIMI_ASSISTANT_MAX_TOOL_CALLS per turn
    std::chrono::milliseconds outcome_timeout{30000};
    assistant::Budget budget;
    //! AIMI_ASSISTANT_ONE_RECORD_TURNS: a deterministic provider's turn — its tool calls as decided,
    //! its reply and its prompt run — is appended as one record (assistant:<message id>:turn) that
    //! the fold applies whole or refuses whole; refused, the turn runs again a record per call.
    bool one_record_turns = true;
    //! AIMI_ASSISTANT_TEST_PAUSE_BEFORE_REPLY_MS: a pause after the tool calls, before the reply is
    //! appended — only so that tests can SIGKILL a turn exactly there.
    std::chrono::milliseconds pause_before_reply{0};
};

//! What handle() did with a fact.
//! `noted`: a message of a learning track's thread, which the assistant does not answer (the
//! agent routes do) but notes in the session's live synopsis.
enum class TurnOutcome { not_a_turn, too_old, already_replied, replied, noted };

class Orchestrator {
  public:
    //! `fallback` (may be null) answers a turn when `provider` fails before any tool call.
    //! `readers` (may be null): connections that read the context's read models at once.
    Orchestrator(OrchestratorOptions options, assistant::ChatProvider& provider, kafka::EventLogWriter& log,
                 keys::KeyStore& keys, OutcomeWaiter& waiter, gateway::MemoryRecall* recall,
                 assistant::ChatProvider* fallback = nullptr, pg::ConnectionPool* readers = nullptr);

    //! A turn for an applied user message; anything else is not a turn.
    //! @throws on an unreachable broker or database: nothing is lost, the caller runs it again.
    TurnOutcome handle(const facts::Fact& fact);

  private:
    struct Turn;
    //! What a provider made of a turn: text, or a failure (its message), with what it cost.
    struct Conversation {
        assistant::ChatProvider* provider = nullptr;
        std::string text;
        bool answered = false;
        std::optional<std::string> failure;
        memory::Usage usage;
        std::chrono::milliseconds latency{0};
    };
    //! The provider loop: ask, run the tool calls, ask again with their results, up to max_steps.
    Conversation converse(Turn& turn, assistant::ChatProvider& provider, assistant::TurnRequest& request, int& calls);
    events::EventData prompt_run(const Turn& turn, const assistant::ChatProvider& provider, const Conversation& c,
                                 int calls, std::size_t steps) const;
    assistant::ToolResult run_tool(Turn& turn, const assistant::ToolCall& call, int index);
    //! A thread's message: appended to the live synopsis `synopsis_id` under assistant:<id>:synopsis.
    TurnOutcome note_in_synopsis(const Turn& turn, const std::string& synopsis_id);
    //! Runs the provider loop and appends the reply: in one record with the staged tool calls
    //! when `turn.one_record`, else alone (each call was its own record). The reply's outcome.
    gateway::BatchOutcome answer(Turn& turn);
    void append(const Turn& turn, const std::string& key, std::vector<events::EventData> events);

    OrchestratorOptions options_;
    assistant::ChatProvider& provider_;
    kafka::EventLogWriter& log_;
    keys::KeyStore& keys_;
    OutcomeWaiter& waiter_;
    gateway::MemoryRecall* recall_;
    assistant::ChatProvider* fallback_;
    pg::ConnectionPool* readers_;
};

}  // namespace aimi::assistant_worker
