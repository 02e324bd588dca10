#include <fmt/format.h>
#include <pqxx/pqxx>

#include "domain/goals/commands.hpp"
#include "domain/schema/formats.hpp"
#include "domain/text.hpp"
#include "domain/time.hpp"
#include "domain/uuid.hpp"
#include "gateway/command_pipeline.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"
#include "gateway/memory_read_model.hpp"
#include "gateway/memory_recall.hpp"
#include "gateway/progress_watcher.hpp"
#include "gateway/search_read_model.hpp"
#include "projections/memory/memory_projection.hpp"
#include "projections/memory/vectors_projection.hpp"
#include "projections/message_search/message_search_projection.hpp"
#include "projections/pg/connection.hpp"

// Memory (docs/memory.md): check-ins, summaries, the user state, recent context, prompt runs,
// forgetting a memory item, and recall.
namespace aimi::gateway::handlers {

namespace {

namespace bj = boost::json;
const std::string kMemory = memory::MemoryProjection::kName;
const std::string kVectors = memory::VectorsProjection::kName;
constexpr std::size_t kMaxQueryLength = 500;  // code points

Problem invalid(const std::string& message, const std::string& field) {
    return Problem::invalid("invalid_query", message, field);
}

std::optional<Problem> one_of(const Call& call, const std::string& name, std::initializer_list<std::string_view> values,
                              std::optional<std::string>& out) {
    const auto it = call.request.query.find(name);
    if (it == call.request.query.end()) return std::nullopt;
    std::string list;
    for (const auto v : values) {
        if (v == it->second) {
            out = it->second;
            return std::nullopt;
        }
        list += (list.empty() ? "" : ", ") + std::string(v);
    }
    return invalid(name + " is one of " + list, name);
}

//! The cursor after a full page: "<time>_<id>" of its last item (lists newest first).
bj::value next_cursor(const bj::array& items, int limit, std::string_view time_key, std::string_view id_key) {
    if (static_cast<int>(items.size()) != limit || items.empty()) return nullptr;
    const auto& last = items.back().as_object();
    return bj::value(std::string(last.at(time_key).as_string()) + "_" + std::string(last.at(id_key).as_string()));
}

}  // namespace

//! POST /v1/mental-states: a check-in.
Reply record_mental_state(const Call& call) {
    if (auto p = require_json(call)) return fail(call, *p);
    auto command = goals::decode_create_entity("mental_state", call.request.body);
    if (!command) return fail(call, command.problem());
    return execute_command(call, {.success_status = 201,
                                  .decide = [command = std::move(command.value())](
                                                const auto& context) { return goals::decide(context, command); },
                                  .wait_for = kMemory});
}

//! ?source=check_in|extracted&from=&to=&limit=&after=; newest first.
Reply list_mental_states(const Call& call) {
    memory_read_model::MentalStateFilter filter;
    if (auto p = one_of(call, "source", {"check_in", "extracted"}, filter.source)) return fail(call, *p);
    std::optional<Problem> bad;
    filter.from = query_time(call, "from", bad);
    filter.to = query_time(call, "to", bad);
    if (bad) return fail(call, *bad);
    if (auto p = query_page(call, filter.limit, filter.after)) return fail(call, *p);
    return read_serving(call, kMemory, [&](pqxx::dbtransaction& tx) -> Reply {
        auto items = memory_read_model::list_mental_states(tx, call.principal.user_id, filter);
        auto next = next_cursor(items, filter.limit, "recorded_at", "mental_state_id");
        return json_response(200, bj::object{{"items", std::move(items)}, {"next_cursor", next}});
    });
}

Reply get_mental_state(const Call& call) {
    auto id = path_uuid(call, "mental_state_id");
    if (!id) return fail(call, id.problem());
    return read_serving(call, kMemory, [&](pqxx::dbtransaction& tx) -> Reply {
        auto found = memory_read_model::find_mental_state(tx, call.principal.user_id, id.value());
        if (!found)
            return fail(call, Problem::not_found("mental_state_not_found", "no such mental state", "mental_state_id"));
        return json_response(200, *found);
    });
}

//! ?kind=session|daily|weekly&chat_id=&include_replaced=true&limit=&after=; newest first.
Reply list_summaries(const Call& call) {
    memory_read_model::SummaryFilter filter;
    if (auto p = one_of(call, "kind", {"session", "daily", "weekly"}, filter.kind)) return fail(call, *p);
    if (const auto it = call.request.query.find("chat_id"); it != call.request.query.end()) {
        if (!is_uuid(it->second)) return fail(call, invalid("chat_id must be a UUID", "chat_id"));
        filter.chat_id = normalize_uuid(it->second);
    }
    std::optional<std::string> replaced;
    if (auto p = one_of(call, "include_replaced", {"true", "false"}, replaced)) return fail(call, *p);
    filter.include_replaced = replaced == "true";
    if (auto p = query_page(call, filter.limit, filter.after)) return fail(call, *p);
    return read_serving(call, kMemory, [&](pqxx::dbtransaction& tx) -> Reply {
        auto items = memory_read_model::list_summaries(tx, call.principal.user_id, filter);
        auto next = next_cursor(items, filter.limit, "created_at", "summary_id");
        return json_response(200, bj::object{{"items", std::move(items)}, {"next_cursor", next}});
    });
}

Reply get_summary(const Call& call) {
    auto id = path_uuid(call, "summary_id");
    if (!id) return fail(call, id.problem());
    return read_serving(call, kMemory, [&](pqxx::dbtransaction& tx) -> Reply {
        auto found = memory_read_model::find_summary(tx, call.principal.user_id, id.value());
        if (!found) return fail(call, Problem::not_found("summary_not_found", "no such summary", "summary_id"));
        return json_response(200, *found);
    });
}

//! GET /v1/user-state
Reply get_user_state(const Call& call) {
    return read_serving(call, kMemory, [&](pqxx::dbtransaction& tx) -> Reply {
        return json_response(200, memory_read_model::user_state(tx, call.principal.user_id));
    });
}

//! GET /v1/context-items?limit=
Reply list_context_items(const Call& call) {
    auto limit = query_int(call, "limit", 50, 1, 200);
    if (!limit) return fail(call, limit.problem());
    return read_serving(call, kMemory, [&](pqxx::dbtransaction& tx) -> Reply {
        return json_response(
            200, bj::object{{"items", memory_read_model::list_context_items(tx, call.principal.user_id,
                                                                            static_cast<int>(limit.value()))}});
    });
}

//! DELETE /v1/memory/items/{item_id}: forgets a summary or a mental state, with its vectors.
Reply forget_memory_item(const Call& call) {
    auto id = path_uuid(call, "item_id");
    if (!id) return fail(call, id.problem());
    return execute_command(call, {.success_status = 204,
                                  .decide = [command = goals::forget_memory_item(id.value())](
                                                const auto& context) { return goals::decide(context, command); },
                                  .wait_for = kMemory});
}

//! GET /v1/admin/prompt-runs?user_id=&purpose=&status=&limit=&after= (admins).
Reply list_prompt_runs(const Call& call) {
    if (auto p = require_admin(call, "prompt runs are for admins")) return fail(call, *p);
    memory_read_model::PromptRunFilter filter;
    if (const auto it = call.request.query.find("user_id"); it != call.request.query.end()) {
        if (!is_uuid(it->second)) return fail(call, invalid("user_id must be a UUID", "user_id"));
        filter.user_id = normalize_uuid(it->second);
    }
    if (auto p = one_of(call, "purpose",
                        {"session_summary", "daily_summary", "weekly_summary", "embedding", "recall_query",
                         "similar_goals", "assistant_reply", "agent_reply", "synopsis_update"},
                        filter.purpose))
        return fail(call, *p);
    if (auto p = one_of(call, "status", {"ok", "error"}, filter.status)) return fail(call, *p);
    if (auto p = query_page(call, filter.limit, filter.after)) return fail(call, *p);
    return read_serving(call, kMemory, [&](pqxx::dbtransaction& tx) -> Reply {
        auto items = memory_read_model::list_prompt_runs(tx, filter);
        auto next = next_cursor(items, filter.limit, "created_at", "prompt_run_id");
        return json_response(200, bj::object{{"items", std::move(items)}, {"next_cursor", next}});
    });
}

//! GET /v1/memory/search?q=&kinds=message,summary,fact,goal,calendar_event,mental_state&from=&to=&limit=
Reply search_memory(const Call& call) {
    if (!call.gateway.recall)
        return fail(call,
                    Problem{ProblemKind::unavailable, "recall_unavailable", "no embedding provider is configured", ""});
    const auto& params = call.request.query;
    MemoryRecall::Query query;
    query.user_id = call.principal.user_id;
    const auto q = params.find("q");
    if (q == params.end() || q->second.find_first_not_of(" \t\r\n") == std::string::npos)
        return fail(call, invalid("q is required: what to recall", "q"));
    if (!is_storable_text(q->second)) return fail(call, invalid("q must be UTF-8 text without the NUL character", "q"));
    if (schema::utf8_length(q->second) > kMaxQueryLength)
        return fail(call,
                    Problem::invalid("too_long", fmt::format("q must be at most {} characters", kMaxQueryLength), "q"));
    query.text = q->second;
    if (const auto it = params.find("kinds"); it != params.end()) {
        static const std::set<std::string, std::less<>> known{"message", "summary",        "fact",
                                                              "goal",    "calendar_event", "mental_state"};
        std::string_view rest = it->second;
        while (true) {
            const auto comma = rest.find(',');
            const auto kind = rest.substr(0, comma);
            if (!known.contains(kind))
                return fail(call,
                            invalid("kinds is a comma-separated list of message, summary, fact, goal, calendar_event, "
                                    "mental_state",
                                    "kinds"));
            query.kinds.emplace(kind);
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
    std::optional<Problem> bad;
    query.from = query_time(call, "from", bad);
    query.to = query_time(call, "to", bad);
    if (bad) return fail(call, *bad);
    auto limit = query_int(call, "limit", 10, 1, 50);
    if (!limit) return fail(call, limit.problem());
    query.limit = static_cast<int>(limit.value());

    auto lease = call.gateway.pool.acquire();
    pqxx::read_transaction tx(*lease);
    std::vector<search_read_model::Hit> message_hits;
    if (query.kinds.empty() || query.kinds.contains("message")) {
        use_serving_schema(tx, call, message_search::MessageSearchProjection::kName);
        if (search_read_model::has_terms(tx, query.user_id, query.text)) {
            search_read_model::Query text;
            text.user_id = query.user_id;
            text.text = query.text;
            text.from = query.from;
            text.to = query.to;
            text.limit = static_cast<int>(MemoryRecall::kCandidates);
            text.rank = search_read_model::Query::Rank::frequency;
            message_hits = search_read_model::search(tx, text);
        }
    }
    const auto schema = call.gateway.watcher.serving_schema(kVectors);
    tx.exec("SET LOCAL search_path TO " + tx.quote_name(schema));
    try {
        auto result = call.gateway.recall->search(tx, schema, query, message_hits);
        bj::object body;
        body["items"] = std::move(result.items);
        body["vector_index"] = result.vector_index;
        return json_response(200, body);
    } catch (const aimi::memory::ProviderError& e) {
        return fail(call, Problem{ProblemKind::unavailable, "embedding_provider_unavailable",
                                  std::string("the embedding provider did not answer: ") + e.what(), ""});
    }
}

}  // namespace aimi::gateway::handlers
