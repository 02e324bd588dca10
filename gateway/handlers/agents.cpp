#include <chrono>

#include <pqxx/pqxx>

#include "domain/assistant/context_builder.hpp"
#include "domain/events/learning_events.hpp"
#include "domain/json/text_of.hpp"
#include "domain/learning/agents.hpp"
#include "domain/memory/prompt_run.hpp"
#include "domain/uuid.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/learning_support.hpp"
#include "gateway/learning_read_model.hpp"
#include "gateway/read_model.hpp"
#include "projections/pg/connection.hpp"

// The agent routes of seed 004 (docs/learning.md, "Agents"): POST /v1/agents/{agent}/{version}/{action}.
// The reply is a fact (agent.replied) with its prompt run; with apply_side_effects and a session
// whose thread for the agent's tab exists, it is also an assistant message in that thread — all in
// one record, so a retry with the same Idempotency-Key replays it instead of writing again.
namespace aimi::gateway::handlers {

namespace {

namespace bj = boost::json;
using namespace learning_api;

const memory::ModelId kRuleBased{"aimi", "aimi-rule-based", "learning-agents-1"};
constexpr int kHistory = 20;

//! What the handler read before deciding.
struct AgentRequest {
    const learning::AgentRoute* route = nullptr;
    std::string message;
    bool apply_side_effects = false;
    std::optional<learning_read_model::AgentSession> session;
    std::optional<learning_read_model::TemplateUse> template_use;
    std::string instructions;
    std::vector<learning::ThreadMessage> history;
};

//! The variables a template may use without the caller naming them.
std::map<std::string, std::string> provided_variables(const AgentRequest& request) {
    std::map<std::string, std::string> out{{"agent_id", std::string(request.route->agent_id)},
                                           {"tab", std::string(request.route->tab)}};
    if (request.session) {
        out["track_title"] = request.session->track_title;
        out["track_goal"] = request.session->track_goal;
    }
    return out;
}

conversation::Decision decide_reply(const conversation::DecisionContext& context, const AgentRequest& request) {
    const auto started = std::chrono::steady_clock::now();
    learning::AgentInput input;
    input.instructions = request.instructions;
    input.message = request.message;
    input.history = request.history;
    input.locale = context.user ? context.user->locale : "en";
    if (request.session) {
        input.track_title = request.session->track_title;
        for (const auto& [title, description] : request.session->roadmap) input.roadmap.push_back({title, description});
    }
    const auto reply = learning::rule_based_agent_reply(*request.route, input);
    const auto latency =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);

    const auto& route = *request.route;
    bj::object data{{"agent_reply_id", context.new_id()},
                    {"agent_id", route.agent_id},
                    {"agent_version", route.version},
                    {"action", route.action},
                    {"tab", route.tab},
                    {"input", request.message},
                    {"reply", reply},
                    {"apply_side_effects", request.apply_side_effects},
                    {"provider", kRuleBased.provider},
                    {"model", kRuleBased.name}};
    if (request.session) data["track_session_id"] = request.session->session_id;
    if (request.template_use) {
        data["template_id"] = request.template_use->template_id;
        data["template_version"] = request.template_use->version;
    }
    std::vector<events::EventData> events;
    std::optional<events::MessagePosted> message;
    if (!request.apply_side_effects) {
        data["skipped_reason"] = "not_requested";
    } else if (!request.session) {
        data["skipped_reason"] = "no_session";
    } else if (!request.session->thread_id || !context.chat) {
        data["skipped_reason"] = "no_thread";
    } else {
        const auto message_id = context.new_id();
        data["thread_id"] = *request.session->thread_id;
        data["message_id"] = message_id;
        message = events::MessagePosted{message_id,
                                        context.chat->id,
                                        "assistant",
                                        reply,
                                        bj::object{{"agent_id", route.agent_id}, {"version", route.version}},
                                        "assistant",
                                        std::nullopt,
                                        context.new_id(),
                                        context.idle_timeout_seconds};
    }
    events.push_back(events::AgentReplied{std::move(data)});
    if (message) events.push_back(std::move(*message));

    memory::ProviderCall call{
        kRuleBased,
        "agent_reply",
        std::string(route.agent_id),
        1,
        {assistant::estimate_tokens(request.instructions) + assistant::estimate_tokens(request.message),
         assistant::estimate_tokens(reply)},
        latency,
        ""};
    auto run = memory::prompt_run_event(call);
    if (request.template_use) {
        auto& run_data = std::get<events::PromptRunRecorded>(run).data;
        run_data["template_id"] = request.template_use->template_id;
        run_data["template_version"] = request.template_use->version;
    }
    events.push_back(std::move(run));
    return conversation::Decision{std::move(events), false};
}

}  // namespace

//! POST /v1/agents/{agent_id}/{version}/{action} {message, session_id?, apply_side_effects?, variables?}
Reply agent_reply(const Call& call) {
    AgentRequest request;
    request.route =
        learning::find_agent_route(call.params.at("agent_id"), call.params.at("version"), call.params.at("action"));
    if (!request.route)
        return fail(call, Problem::not_found("agent_not_found",
                                             "agents are mentor_chat/v1/reply, practice_coach/v1/hint and "
                                             "simulation_mentor/v1/turn",
                                             "agent_id"));
    auto b = body(call, "agent.request");
    if (!b) return fail(call, b.problem());
    request.message = json::text_of(b.value(), "message");
    if (const auto* v = b->if_contains("apply_side_effects")) request.apply_side_effects = v->as_bool();
    const auto session_id = json::optional_text_of(b.value(), "session_id");
    {
        auto lease = call.gateway.pool.acquire();
        pqxx::read_transaction tx(*lease);
        use_serving_schema(tx, call, kLearning);
        const std::string agent_id(request.route->agent_id);
        if (session_id) {
            request.session = learning_read_model::agent_session(
                tx, call.principal.user_id, normalize_uuid(*session_id), agent_id, std::string(request.route->tab));
            if (!request.session)
                return fail(call,
                            Problem::not_found("track_session_not_found", "no such track session", "/session_id"));
            request.template_use = request.session->pinned;
        }
        if (!request.template_use) request.template_use = learning_read_model::latest_global_template(tx, agent_id);
    }
    static const bj::object kNone;
    const auto* supplied = b->if_contains("variables");
    if (request.template_use) {
        auto declared = learning::decode_template_variables(request.template_use->variables, "/variables");
        if (!declared)
            throw std::runtime_error("stored template " + request.template_use->template_id + " has invalid variables");
        auto rendered =
            learning::render_template(request.template_use->content, declared.value(),
                                      supplied ? supplied->as_object() : kNone, provided_variables(request));
        if (!rendered) return fail(call, rendered.problem());
        request.instructions = std::move(rendered.value());
    } else if (supplied && !supplied->as_object().empty()) {
        return fail(call, Problem::invalid("unknown_variable", "no chat template of this agent declares variables",
                                           "/variables/" + std::string(supplied->as_object().begin()->key())));
    }
    std::optional<std::string> thread;
    if (request.session && request.session->thread_id) {
        thread = request.session->thread_id;
        auto lease = call.gateway.pool.acquire();
        pqxx::read_transaction tx(*lease);
        for (const auto& m : read_model::recent_window(tx, *thread, kHistory))
            request.history.push_back({m.role, m.content});
    }
    // The thread's chat (and its open session) is loaded only when the reply goes into it.
    auto chat_id = request.apply_side_effects ? thread : std::nullopt;
    return user_command(
        call, 200,
        [request = std::move(request)](const auto& context) -> Result<conversation::Decision> {
            return decide_reply(context, request);
        },
        std::move(chat_id));
}

//! GET /v1/agent-replies/{agent_reply_id}
Reply get_agent_reply(const Call& call) {
    auto id = path_uuid(call, "agent_reply_id");
    if (!id) return fail(call, id.problem());
    return read_serving(call, kLearning, [&](pqxx::dbtransaction& tx) -> Reply {
        auto found = learning_read_model::find_agent_reply(tx, call.principal.user_id, id.value());
        if (!found)
            return fail(call, Problem::not_found("agent_reply_not_found", "no such agent reply", "agent_reply_id"));
        return json_response(200, *found);
    });
}

}  // namespace aimi::gateway::handlers
