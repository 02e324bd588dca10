#include "workers/assistant/orchestrator.hpp"

#include <thread>

#include <spdlog/spdlog.h>
#include <boost/json/array.hpp>
#include <pqxx/pqxx>

#include "domain/assistant/tool_commands.hpp"
#include "domain/assistant/turn_keys.hpp"
#include "domain/events/learning_events.hpp"
#include "domain/json/serialize.hpp"
#include "domain/json/text_of.hpp"
#include "domain/learning/synopsis_notes.hpp"
#include "domain/memory/prompt_run.hpp"
#include "domain/metrics/registry.hpp"
#include "domain/text.hpp"
#include "domain/uuid.hpp"
#include "gateway/read_model.hpp"
#include "projections/errors.hpp"
#include "projections/keys/key_store.hpp"
#include "projections/pg/statement.hpp"
#include "workers/assistant/context_loader.hpp"
#include "workers/assistant/query_tools.hpp"
#include "workers/reminder_dispatcher/dispatch_record.hpp"

namespace aimi::assistant_worker {

namespace {

namespace bj = boost::json;
using json::text_of;
using Clock = std::chrono::steady_clock;

const pg::Statement kContent{"assistant.content",
                             "SELECT content FROM messages WHERE id = $1::uuid AND user_id = $2::uuid"};

// A learning track's thread (a chat with the thread's id) and its session's live synopsis, as the
// decider keeps them.
const pg::Statement kThread{"assistant.thread", R"sql(
SELECT s.details->>'live_synopsis_id' FROM goal_entities t
JOIN goal_entities s ON s.user_id = t.user_id AND s.id = (t.details->>'track_session_id')::uuid
WHERE t.user_id = $1::uuid AND t.id = $2::uuid AND t.kind = 'chat_thread')sql"};

const memory::ModelId kSynopsisNotes{"aimi", "aimi-synopsis-notes", "1"};

constexpr std::size_t kMaxReplyCodePoints = 32000;
constexpr std::size_t kMaxArgumentsBytes = 64 * 1024;

metrics::Counter& turns(const char* outcome) {
    return metrics::registry().counter("aimi_assistant_turns_total", "Messages the assistant answered or skipped",
                                       {{"outcome", outcome}});
}
metrics::Counter& tool_calls(const std::string& tool, bool ok) {
    return metrics::registry().counter("aimi_assistant_tool_calls_total", "Tool calls of the assistant's turns",
                                       {{"tool", tool}, {"result", ok ? "ok" : "refused"}});
}
metrics::Histogram& phase_seconds(const char* phase) {
    return metrics::registry().histogram("aimi_assistant_turn_phase_seconds",
                                         "Time of a turn spent in context, provider, tools and the reply append",
                                         {{"phase", phase}});
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

//! The applied user message a fact holds, if any.
const facts::AppliedEvent* user_message(const facts::Fact& fact) {
    if (!fact.applied() || !fact.occurred_at) return nullptr;
    for (const auto& e : fact.events)
        if (e.type == "message.posted" && text_of(e.data, "role") == "user") return &e;
    return nullptr;
}

assistant::ToolResult refused(const assistant::ToolCall& call, const Problem& problem) {
    return {call.id, call.name, false, assistant::problem_content(problem)};
}

//! The reply as the chat can keep it: a provider may answer NUL, invalid UTF-8 or too much.
std::pair<std::string, std::string> guard_reply(std::string text) {
    if (text.empty()) return {"Sorry, I have no answer to that.", "empty_reply"};
    if (!is_storable_text(text)) return {"Sorry, I could not put my answer into words.", "reply_refused_unstorable"};
    auto clipped = clip_utf8(text, kMaxReplyCodePoints);
    if (clipped.size() != text.size()) return {std::move(clipped), "reply_clipped"};
    return {std::move(text), ""};
}

bj::object context_record(const assistant::BuiltContext& built, int calls, int steps) {
    bj::object items, dropped;
    for (const auto& [k, v] : built.items) items[k] = v;
    for (const auto& [k, v] : built.dropped) dropped[k] = v;
    return bj::object{{"hash", built.hash},
                      {"tokens", built.tokens},
                      {"items", std::move(items)},
                      {"dropped", std::move(dropped)},
                      {"truncated", built.truncated},
                      {"tool_calls", calls},
                      {"steps", steps}};
}

}  // namespace

struct Orchestrator::Turn {
    TriggerMessage message;
    std::string key_base;   //!< assistant:<message id>
    std::string causation;  //!< the request id of the message's batch
    assistant::BuiltContext built;
    conversation::DecisionContext decision_context;
    bj::array tool_log;  //!< what the reply's metadata says the turn did
    //! One record for the whole turn: write calls are staged (their results as decided), not appended.
    bool one_record = false;
    std::vector<events::EventData> staged;
    std::vector<events::EventData> failed_runs;  //!< a provider that failed is a prompt run too
};

Orchestrator::Orchestrator(OrchestratorOptions options, assistant::ChatProvider& provider, kafka::EventLogWriter& log,
                           keys::KeyStore& keys, OutcomeWaiter& waiter, gateway::MemoryRecall* recall,
                           assistant::ChatProvider* fallback, pg::ConnectionPool* readers)
    : options_(std::move(options)),
      provider_(provider),
      log_(log),
      keys_(keys),
      waiter_(waiter),
      recall_(recall),
      fallback_(fallback),
      readers_(readers) {}

void Orchestrator::append(const Turn& turn, const std::string& key, std::vector<events::EventData> events) {
    const auto& user_id = turn.message.user_id;
    // Caused by the request that posted the message: its id leads from the reply to the request.
    auto record = dispatch::encode_record({user_id, key, turn.causation, options_.producer, std::move(events)}, keys_);
    if (!record) throw std::runtime_error("user " + user_id + " has no data key (erased)");
    log_.append(options_.events_topic, record->key, record->value);
}

assistant::ToolResult Orchestrator::run_tool(Turn& turn, const assistant::ToolCall& call, int index) {
    if (index >= options_.max_tool_calls)
        return refused(call, {ProblemKind::too_many_requests, "too_many_tool_calls",
                              "a turn makes at most " + std::to_string(options_.max_tool_calls) + " tool calls", ""});
    if (call.invalid_arguments)
        return refused(call, Problem::invalid("invalid_arguments",
                                              "the arguments are not a JSON object: " + *call.invalid_arguments, ""));
    if (json::serialize(call.arguments).size() > kMaxArgumentsBytes)
        return refused(call, {ProblemKind::payload_too_large, "arguments_too_large", "tool arguments over 64 KiB", ""});
    if (assistant::is_query_tool(call.name)) {
        pqxx::read_transaction tx(waiter_.connection());
        return run_query_tool(tx, options_.main_schema, turn.built.context, call);
    }
    if (!assistant::is_write_tool(call.name))
        return refused(call, Problem::not_found("unknown_tool", "no such tool: " + call.name, "/name"));
    const auto key = turn.key_base + ":tool:" + std::to_string(index);
    // Ids named by the call's place in the turn: whichever record carries the call (the turn's one
    // record, or its own), a second run of the turn creates the same entity, which the fold keeps once.
    turn.decision_context.new_id = [user = turn.message.user_id, key, n = 0]() mutable {
        return name_based_uuid(user, key + ":id:" + std::to_string(n++));
    };
    auto decision = assistant::decide_tool_call(turn.decision_context, call, turn.message.posted_at);
    if (!decision) return refused(call, decision.problem());
    if (decision->events.empty()) return {call.id, call.name, true, bj::object{{"changed", false}}};
    if (turn.one_record) {
        auto [type, id] = assistant::decided_resource(decision->events.front());
        for (auto& event : decision->events) turn.staged.push_back(std::move(event));
        return {call.id, call.name, true,
                bj::object{{"resource_type", type}, {"resource_id", id}, {"arguments", call.arguments}}};
    }
    append(turn, key, std::move(decision->events));
    const auto outcome = waiter_.wait(turn.message.user_id, key, Clock::now() + options_.outcome_timeout);
    if (!outcome) throw std::runtime_error("no outcome for " + key + " in time");
    if (outcome->outcome != "applied")
        return refused(call, {ProblemKind::conflict, outcome->code, outcome->message, ""});
    return {call.id, call.name, true,
            bj::object{{"resource_type", outcome->resource_type},
                       {"resource_id", outcome->resource_id},
                       {"arguments", call.arguments}}};
}

Orchestrator::Conversation Orchestrator::converse(Turn& turn, assistant::ChatProvider& provider,
                                                  assistant::TurnRequest& request, int& calls) {
    Conversation out;
    out.provider = &provider;
    for (int step = 0; step < options_.max_steps; ++step) {
        const auto asked = Clock::now();
        assistant::ProviderAnswer answer;
        try {
            answer = provider.respond(request);
        } catch (const memory::ProviderError& e) {
            out.latency += std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - asked);
            out.failure = e.what();
            return out;
        }
        out.latency += std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - asked);
        phase_seconds("provider").observe(seconds_since(asked));
        out.usage.tokens_in += answer.usage.tokens_in;
        out.usage.tokens_out += answer.usage.tokens_out;
        if (answer.tool_calls.empty()) {
            out.text = std::move(answer.text);
            out.answered = true;
            return out;
        }
        const auto tools_started = Clock::now();
        assistant::Step done{std::move(answer.tool_calls), {}};
        for (const auto& call : done.calls) {
            auto result = run_tool(turn, call, calls++);
            tool_calls(call.name, result.ok).add();
            bj::object entry{{"name", call.name}, {"ok", result.ok}};
            if (result.ok && result.content.contains("resource_id"))
                entry["resource_id"] = result.content.at("resource_id");
            if (!result.ok) entry["code"] = result.content.at("code");
            turn.tool_log.push_back(std::move(entry));
            done.results.push_back(std::move(result));
        }
        phase_seconds("tools").observe(seconds_since(tools_started));
        request.steps.push_back(std::move(done));
    }
    return out;
}

events::EventData Orchestrator::prompt_run(const Turn& turn, const assistant::ChatProvider& provider,
                                           const Conversation& c, int calls, std::size_t steps) const {
    auto run = memory::prompt_run_event({provider.model(), "assistant_reply", turn.message.message_id, calls, c.usage,
                                         c.latency, c.failure.value_or("")});
    auto& data = std::get<events::PromptRunRecorded>(run).data;
    data["prompt_version"] = provider.prompt_version();
    data["context"] = context_record(turn.built, calls, static_cast<int>(steps) + (c.answered ? 1 : 0));
    return run;
}

TurnOutcome Orchestrator::note_in_synopsis(const Turn& turn, const std::string& synopsis_id) {
    const auto started = Clock::now();
    const auto& m = turn.message;
    const auto notes = learning::synopsis_notes(m.content);
    if (notes.empty()) {
        turns("nothing_to_note").add();
        return TurnOutcome::noted;
    }
    const auto key = turn.key_base + ":synopsis";
    if (waiter_.find(m.user_id, key)) {
        turns("already_noted").add();
        return TurnOutcome::already_replied;
    }
    bj::array items;
    for (std::size_t i = 0; i < notes.size(); ++i)
        items.push_back(bj::object{{"item_id", name_based_uuid(m.user_id, key + ":" + std::to_string(i))},
                                   {"kind", notes[i].kind},
                                   {"text", notes[i].text}});
    const auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    auto run = memory::prompt_run_event({kSynopsisNotes,
                                         "synopsis_update",
                                         m.message_id,
                                         static_cast<std::int64_t>(notes.size()),
                                         {assistant::estimate_tokens(m.content), 0},
                                         latency,
                                         ""});
    append(turn, key,
           {events::SynopsisUpdated{bj::object{{"synopsis_id", synopsis_id},
                                               {"mode", "append"},
                                               {"source", "assistant"},
                                               {"from_message_id", m.message_id},
                                               {"items", std::move(items)}}},
            std::move(run)});
    const auto outcome = waiter_.wait(m.user_id, key, Clock::now() + options_.outcome_timeout);
    if (!outcome) throw std::runtime_error("no outcome for " + key + " in time");
    turns(outcome->outcome == "applied" ? "noted" : "note_refused").add();
    if (outcome->outcome != "applied")
        spdlog::warn("synopsis note for message {} of user {} was refused: {} {}", m.message_id, m.user_id,
                     outcome->code, outcome->message);
    return TurnOutcome::noted;
}

TurnOutcome Orchestrator::handle(const facts::Fact& fact) {
    const auto* posted = user_message(fact);
    if (!posted) return TurnOutcome::not_a_turn;
    const auto started = Clock::now();
    Turn turn;
    auto& m = turn.message;
    m.user_id = fact.user_id;
    m.chat_id = text_of(posted->data, "chat_id");
    m.message_id = text_of(posted->data, "message_id");
    m.session_id = text_of(posted->applied, "session_id");
    m.seq = posted->applied.at("seq").to_number<std::int64_t>();
    m.posted_at = *fact.occurred_at;
    if (now_utc() - m.posted_at > options_.max_age) {
        turns("too_old").add();
        return TurnOutcome::too_old;
    }
    if (!keys_.key_of(m.user_id)) {  // erased: nobody to answer, and nothing of theirs may be written
        turns("gone").add();
        return TurnOutcome::not_a_turn;
    }
    turn.key_base = assistant::turn_key_base(m.message_id);
    turn.causation = fact.request_id.empty() ? "assistant-turn" : fact.request_id;
    assistant::Context snapshot;
    std::optional<std::string> live_synopsis;  // set when the chat is a learning track's thread
    std::optional<gateway::BatchOutcome> earlier_turn;
    {
        pqxx::read_transaction tx(waiter_.connection());
        use_schema(tx, options_.main_schema, "");
        // Answered before: by a reply of its own, or within the turn's one record.
        earlier_turn = gateway::read_model::find_by_idempotency_key(tx, m.user_id, turn.key_base + ":turn");
        if ((earlier_turn && earlier_turn->outcome == "applied") ||
            gateway::read_model::find_by_idempotency_key(tx, m.user_id, assistant::reply_key(m.message_id))) {
            turns("already_replied").add();
            return TurnOutcome::already_replied;
        }
        const auto rows = pg::exec(tx, kContent, m.message_id, m.user_id);
        if (rows.empty()) {  // erased since: nobody to answer
            turns("gone").add();
            return TurnOutcome::not_a_turn;
        }
        m.content = rows[0][0].as<std::string>();
        if (const auto thread = pg::exec(tx, kThread, m.user_id, m.chat_id); !thread.empty())
            live_synopsis = thread[0][0].as<std::string>();
        else
            snapshot = load_context(tx, options_.main_schema, m, recall_, options_.budget.max_memories, readers_);
    }
    if (live_synopsis) return note_in_synopsis(turn, *live_synopsis);
    turn.built = assistant::build_context(std::move(snapshot), m.content, options_.budget);
    turn.decision_context.user_id = m.user_id;
    turn.decision_context.idle_timeout_seconds = options_.idle_timeout_s;
    phase_seconds("context").observe(seconds_since(started));

    // A turn record refused before (its run was cut short after it): a record per call this time.
    turn.one_record = options_.one_record_turns && provider_.deterministic() && !earlier_turn;
    auto outcome = answer(turn);
    if (turn.one_record && outcome.outcome == "rejected") {
        // Refused whole (something changed between the context and the fold): nothing of it holds.
        // Run again with each call in its own record, so the provider learns which one was refused.
        spdlog::info("turn record for message {} of user {} was refused ({} {}); again a record per call", m.message_id,
                     m.user_id, outcome.code, outcome.message);
        turns("turn_record_refused").add();
        turn.one_record = false;
        outcome = answer(turn);
    }
    phase_seconds("turn").observe(seconds_since(started));
    // A duplicate: the reply exists already (an earlier run's turn record carried it).
    turns(outcome.outcome == "applied"     ? "replied"
          : outcome.outcome == "duplicate" ? "already_replied"
                                           : "reply_refused")
        .add();
    if (outcome.outcome == "rejected")
        spdlog::warn("reply to message {} of user {} was refused: {} {}", m.message_id, m.user_id, outcome.code,
                     outcome.message);
    return TurnOutcome::replied;
}

gateway::BatchOutcome Orchestrator::answer(Turn& turn) {
    const auto& m = turn.message;
    const auto reply_key = assistant::reply_key(m.message_id);
    turn.staged.clear();
    turn.tool_log = bj::array{};
    turn.failed_runs.clear();
    assistant::TurnRequest request{turn.built.context, m.content, {}, turn.built.rendered};
    int calls = 0;
    auto answer = converse(turn, provider_, request, calls);
    if (answer.failure && fallback_ && calls == 0) {
        // Nothing done yet: the rules answer instead (what they cannot do, they say so honestly).
        spdlog::warn("provider {} failed for message {} ({}); the rules answer", provider_.model().provider,
                     m.message_id, *answer.failure);
        turn.failed_runs.push_back(prompt_run(turn, provider_, answer, calls, request.steps.size()));
        request.steps.clear();
        answer = converse(turn, *fallback_, request, calls);
    }
    auto& provider = *answer.provider;
    std::string text = std::move(answer.text), error = answer.failure.value_or("");
    if (answer.failure) {
        text = calls == 0 ? "Sorry, I can't answer right now. Your message is saved; please try again in a moment."
                          : "I did part of what you asked, but could not finish my answer.";
    } else if (!answer.answered) {
        text = "I did what I could, but ran out of steps to tell you about it.";
        error = "max_steps";
    }
    auto [reply, refusal] = guard_reply(std::move(text));
    if (error.empty()) error = refusal;

    if (options_.pause_before_reply.count() > 0) {
        spdlog::info("turn of message {}: pausing {} ms before the reply ({}; a test setting)", m.message_id,
                     options_.pause_before_reply.count(), turn.one_record ? "one record" : "a record per call");
        std::this_thread::sleep_for(options_.pause_before_reply);
    }
    const auto reply_started = Clock::now();
    const auto& model = provider.model();
    answer.failure = error.empty() ? std::nullopt : std::optional(error);
    auto run = prompt_run(turn, provider, answer, calls, request.steps.size());
    auto& run_data = std::get<events::PromptRunRecorded>(run).data;

    events::MessagePosted message;
    message.message_id = assistant::reply_message_id(m.user_id, m.message_id);
    message.chat_id = m.chat_id;
    message.role = "assistant";
    message.content = std::move(reply);
    message.metadata = bj::object{{"reply_to", bj::object{{"message_id", m.message_id}, {"seq", m.seq}}},
                                  {"provider", model.provider},
                                  {"model", model.name},
                                  {"model_version", model.version},
                                  {"prompt_version", provider.prompt_version()},
                                  {"prompt_run_id", run_data.at("prompt_run_id")},
                                  {"tool_calls", std::move(turn.tool_log)}};
    message.source = "assistant";
    message.client_msg_id = "reply:" + m.message_id;
    message.new_session_id = name_based_uuid(m.user_id, reply_key + ":session");
    message.idle_timeout_seconds = options_.idle_timeout_s;
    std::vector<events::EventData> reply_events{std::move(message), std::move(run)};
    for (auto& failed : turn.failed_runs) reply_events.push_back(std::move(failed));
    // One record: the reply first — the record's resource, so its fact (and the live frame) shows
    // the message —, then the calls it reports in their order, as decided, then the prompt runs.
    const auto key = turn.one_record ? turn.key_base + ":turn" : reply_key;
    if (turn.one_record) {
        reply_events.insert(reply_events.begin() + 1, std::make_move_iterator(turn.staged.begin()),
                            std::make_move_iterator(turn.staged.end()));
        turn.staged.clear();
    }
    append(turn, key, std::move(reply_events));
    // The next message's turn must see this reply in its window.
    auto outcome = waiter_.wait(m.user_id, key, Clock::now() + options_.outcome_timeout);
    if (!outcome) throw std::runtime_error("no outcome for " + key + " in time");
    phase_seconds("reply").observe(seconds_since(reply_started));
    return std::move(*outcome);
}

}  // namespace aimi::assistant_worker
