#include "gateway/command_pipeline.hpp"

#include <array>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include "domain/conversation/resource_json.hpp"
#include "domain/events/envelope.hpp"
#include "domain/sha256.hpp"
#include "domain/uuid.hpp"
#include "gateway/api_error.hpp"
#include "gateway/consistency_token.hpp"
#include "gateway/gateway_metrics.hpp"
#include "gateway/goals_read_model.hpp"
#include "gateway/learning_read_model.hpp"
#include "gateway/memory_read_model.hpp"
#include "gateway/notifications_read_model.hpp"
#include "gateway/progress_watcher.hpp"
#include "gateway/read_model.hpp"
#include "gateway/schedule_read_model.hpp"
#include "projections/entity_store/entity_store_projection.hpp"
#include "projections/errors.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/pg/connection.hpp"

namespace aimi::gateway {

namespace {

namespace bj = boost::json;

//! The client's Idempotency-Key; nullopt when it sent none.
Result<std::optional<std::string>> client_idempotency_key(const http::Request& request) {
    const auto* key = request.header("idempotency-key");
    if (!key) return std::optional<std::string>{};
    bool printable = !key->empty() && key->size() <= 200;
    for (char c : *key) printable = printable && c > 0x20 && c < 0x7F;
    if (!printable)
        return Problem::invalid("invalid_idempotency_key", "must be 1-200 visible ASCII characters", "Idempotency-Key");
    return std::optional<std::string>(*key);
}

//! Where a resource type's read model is, when a projection built from facts holds it: the
//! projection (a synchronous command waits for it) and how to read the resource there.
struct DerivedResource {
    std::string projection;
    std::optional<bj::object> (*read)(pqxx::dbtransaction&, const std::string& user_id, const std::string& type,
                                      const std::string& id);
};

const DerivedResource* derived_resource(const std::string& resource_type) {
    static const DerivedResource goals{"goals_graph", goals_read_model::resource};
    static const DerivedResource schedule{
        "schedule", [](pqxx::dbtransaction& tx, const std::string& user, const std::string&, const std::string& id) {
            return schedule_read_model::find_event(tx, user, id);
        }};
    if (resource_type == "goal" || resource_type == "dependency" || resource_type == "task" ||
        resource_type == "problem" || resource_type == "habit" || resource_type == "link")
        return &goals;
    if (resource_type == "calendar_event") return &schedule;
    static const DerivedResource notifications{
        "notifications", [](pqxx::dbtransaction& tx, const std::string& user, const std::string&,
                            const std::string& id) { return notifications_read_model::find(tx, user, id); }};
    if (resource_type == "notification") return &notifications;
    static const DerivedResource memory{
        "memory", [](pqxx::dbtransaction& tx, const std::string& user, const std::string&, const std::string& id) {
            return memory_read_model::find_mental_state(tx, user, id);
        }};
    if (resource_type == "mental_state") return &memory;
    static const DerivedResource learning{"learning", learning_read_model::resource};
    static const std::set<std::string, std::less<>> learning_types{
        "track", "roadmap_item", "chat_template", "track_session", "chat_thread", "synopsis", "agent_reply"};
    if (learning_types.contains(resource_type)) return &learning;
    return nullptr;
}

bool wants_async(const http::Request& request) {
    const auto* prefer = request.header("prefer");
    return prefer && prefer->find("respond-async") != std::string::npos;
}

//! A rejection as the client sees it; `details` (from the fold) may name the field at fault.
Problem rejection_problem(const std::string& code, const std::string& message, boost::json::object details = {}) {
    std::string field;
    if (auto it = details.find("field"); it != details.end() && it->value().is_string()) {
        field = std::string(it->value().get_string());
        details.erase(it);
    }
    // Every "<thing>_not_found" is a 404; the fold's checks of one body's values are 422 (a
    // malformed value it meets, which the gateway's own checks should have stopped, a 400).
    static const std::set<std::string, std::less<>> unprocessable{"self_dependency",
                                                                  "deadline_before_creation",
                                                                  "self_link",
                                                                  "invalid_link",
                                                                  "invalid_rrule",
                                                                  "rrule_too_frequent",
                                                                  "rrule_too_many_occurrences",
                                                                  "rrule_no_occurrences",
                                                                  "start_and_due",
                                                                  "start_or_due_required",
                                                                  "end_without_start",
                                                                  "all_day_mismatch",
                                                                  "end_before_start",
                                                                  "not_recurring",
                                                                  "not_per_occurrence",
                                                                  "synopsis_full"};
    static const std::set<std::string, std::less<>> invalid{"invalid_value", "invalid_format", "missing_field",
                                                            "position_out_of_range"};
    ProblemKind kind = ProblemKind::conflict;
    if (code.ends_with("_not_found"))
        kind = ProblemKind::not_found;
    else if (code == "user_erased")
        return Problem{ProblemKind::gone, code, message, "user_id"};
    else if (unprocessable.contains(code))
        kind = ProblemKind::unprocessable;
    else if (invalid.contains(code))
        kind = ProblemKind::invalid_input;
    return Problem{kind, code, message, std::move(field), std::move(details)};
}

http::Response accepted(const std::string& batch_id, LogPosition position) {
    gateway_metrics::count_outcome("accepted");
    const auto token = format_consistency_token(position);
    auto response =
        json_response(202, bj::object{{"status", "accepted"}, {"batch_id", batch_id}, {"consistency_token", token}});
    response.headers.emplace_back("Consistency-Token", token);
    response.headers.emplace_back("Location", "/v1/batches/" + batch_id);
    return response;
}

//! The HTTP answer an outcome stands for: the resource (applied, or a replay of an applied
//! batch) or the rejection it recorded.
http::Response answer(const Call& call, pqxx::dbtransaction& tx, const BatchOutcome& outcome, int success_status,
                      bool replayed) {
    if (outcome.resource_type.empty() || outcome.outcome == "rejected")
        return error_response(rejection_problem(outcome.code, outcome.message, outcome.details),
                              call.request.request_id);
    http::Response response;
    if (success_status == 204) {  // nothing left to show (an erasure)
        response.status = 204;
    } else {
        std::optional<bj::object> resource;
        if (const auto* derived = derived_resource(outcome.resource_type)) {
            // Read where that projection's serving schema is. A replayed key may find the
            // projection still behind its outcome: the client gets the position to wait for.
            const auto schema = call.gateway.watcher.serving_schema(derived->projection);
            if (schema != call.gateway.settings.pg_schema) tx.exec("SET LOCAL search_path TO " + tx.quote_name(schema));
            resource = derived->read(tx, outcome.user_id, outcome.resource_type, outcome.resource_id);
            if (!resource) return accepted(outcome.batch_id, {outcome.partition, outcome.offset});
        } else {
            resource = read_resource(tx, outcome.resource_type, outcome.resource_id);
        }
        if (!resource) throw std::runtime_error("outcome names a missing resource " + outcome.resource_id);
        response = json_response(success_status, *resource);
    }
    if (replayed) response.headers.emplace_back("Idempotent-Replayed", "true");
    response.headers.emplace_back("Consistency-Token", format_consistency_token({outcome.partition, outcome.offset}));
    return response;
}

http::Response key_reused(const Call& call) {
    return error_response({ProblemKind::unprocessable, "idempotency_key_reused",
                           "this Idempotency-Key was used for a different request", "Idempotency-Key"},
                          call.request.request_id);
}

conversation::DecisionContext load_context(const Call& call, const CommandSpec& spec) {
    auto lease = call.gateway.pool.acquire();
    pqxx::read_transaction tx(*lease, "decision_context");
    conversation::DecisionContext context;
    context.user_id = spec.user_id.value_or(call.principal.user_id);
    context.stream_version = read_model::stream_version(tx, context.user_id);
    context.user = read_model::find_user(tx, context.user_id);
    if (spec.chat_id) {
        auto chat = read_model::find_chat(tx, *spec.chat_id);
        if (chat && chat->user_id == context.user_id) {
            context.chat = std::move(chat);
            context.open_session = read_model::open_session(tx, *spec.chat_id);
        }
    }
    context.idle_timeout_seconds = call.gateway.settings.session_idle_timeout_s;
    context.new_id = [] { return new_uuid(); };
    return context;
}

template <class F>
auto with_read_tx(const Call& call, F f) {
    auto lease = call.gateway.pool.acquire();
    pqxx::read_transaction tx(*lease);
    return f(tx);
}

}  // namespace

std::optional<boost::json::object> read_resource(pqxx::dbtransaction& tx, const std::string& type,
                                                 const std::string& id) {
    if (type == "user") {
        if (auto v = read_model::find_user(tx, id)) return to_json(*v);
    } else if (type == "device") {
        if (auto v = read_model::find_device(tx, id)) return to_json(*v);
    } else if (type == "chat") {
        if (auto v = read_model::find_chat(tx, id)) return to_json(*v);
    } else if (type == "message") {
        if (auto v = read_model::find_message(tx, id)) return to_json(*v);
    } else if (type == "session") {
        if (auto v = read_model::find_session(tx, id)) return to_json(*v);
    }
    return std::nullopt;
}

std::optional<boost::json::object> load_resource(const Call& call, const std::string& type, const std::string& id) {
    return with_read_tx(call, [&](pqxx::dbtransaction& tx) { return read_resource(tx, type, id); });
}

namespace {

//! One command through the write path: what every attempt needs. Shared by the attempts and the
//! continuations that wait for the projection.
struct Attempt {
    std::shared_ptr<const CommandSpec> spec;
    std::optional<std::string> client_key;
    std::string hash;
    int number = 0;
};

Reply attempt(const Call& call, const Attempt& current);

//! After the wait: the outcome decides the answer; a conflict re-decides on fresh state.
Reply after_append(const Call& call, const Attempt& current, const std::string& batch_id, LogPosition position,
                   bool applied, bool read_model_seen = false) {
    if (!applied) return accepted(batch_id, position);
    // Two stages for a resource of a derived read model: the entity store's outcome first (a
    // rejection answers at once), then, if applied, the wait for that read model.
    if (current.spec->wait_for && !read_model_seen) {
        const auto decided = with_read_tx(call, [&](auto& tx) { return read_model::find_outcome(tx, batch_id); });
        if (decided && decided->outcome == "applied")
            return Continuation{*current.spec->wait_for, position.partition, position.offset,
                                std::chrono::steady_clock::now() + call.gateway.command_wait_timeout,
                                [call, current, batch_id, position](bool seen) {
                                    return after_append(call, current, batch_id, position, seen, true);
                                }};
    }
    const auto& request = call.request;
    // One snapshot for the outcome and the resource it names.
    auto response = with_read_tx(call, [&](auto& tx) -> std::optional<http::Response> {
        const auto outcome = read_model::find_outcome(tx, batch_id);
        if (!outcome) throw std::runtime_error("projection passed the batch's offset but recorded no outcome");
        gateway_metrics::count_outcome(outcome->outcome);
        if (outcome->outcome == "conflict") {
            spdlog::debug("request {}: {} (attempt {})", request.request_id, outcome->message, current.number + 1);
            return std::nullopt;
        }
        if (outcome->outcome == "duplicate" && outcome->code != "duplicate_client_msg_id" && outcome->duplicate_of) {
            // A retry raced the first attempt; the first one won and decides the answer.
            const auto first = read_model::find_outcome(tx, *outcome->duplicate_of);
            if (first && first->request_hash != current.hash) return key_reused(call);
            if (first) return answer(call, tx, *first, current.spec->success_status, true);
        }
        return answer(call, tx, *outcome, current.spec->success_status, outcome->outcome == "duplicate");
    });
    if (response) return std::move(*response);
    if (current.number >= call.gateway.max_conflict_retries)
        return error_response(Problem::conflict("concurrent_modification",
                                                "the user's data kept changing concurrently; retry the request"),
                              request.request_id);
    // Full jitter, exponential: racing deciders spread out instead of colliding again.
    thread_local std::minstd_rand jitter{std::random_device{}()};
    std::this_thread::sleep_for(std::chrono::milliseconds(jitter() % (2u << std::min(current.number, 8)) + 1));
    Attempt next = current;
    ++next.number;
    return attempt(call, next);
}

Reply attempt(const Call& call, const Attempt& current) {
    const auto& request = call.request;
    const auto& spec = *current.spec;
    const std::string user_id = spec.user_id.value_or(call.principal.user_id);
    const auto context = load_context(call, spec);
    auto decision = spec.decide(context);
    if (!decision) return error_response(decision.problem(), request.request_id);
    if (decision->events.empty()) {
        auto resource = load_resource(call, spec.noop_resource_type, spec.noop_resource_id);
        if (!resource) return error_response(Problem::not_found("not_found", "no such resource"), request.request_id);
        return json_response(spec.success_status, *resource);
    }

    events::EventBatch batch;
    batch.batch_id = new_uuid();
    batch.user_id = user_id;
    if (decision->check_version) batch.expected_version = context.stream_version;
    batch.occurred_at = now_utc();
    batch.request_id = request.request_id;
    batch.idempotency_key = current.client_key.value_or("auto:" + batch.batch_id);
    batch.request_hash = current.hash;
    batch.causation_id = request.request_id;
    batch.producer = "gateway@" + call.gateway.settings.instance;
    for (auto& data : decision->events) batch.events.push_back(events::Event{new_uuid(), std::move(data)});

    // Personal fields leave this process sealed with the user's key (created on first use).
    const auto key = call.gateway.keys.get_or_create(user_id);
    const auto value = events::encode(batch, key ? &*key : nullptr);
    const auto append_started = std::chrono::steady_clock::now();
    kafka::AppendedRecord appended;
    try {
        appended = call.gateway.log.append(call.gateway.settings.events_topic, user_id, value);
    } catch (const KafkaUnavailable&) {
        gateway_metrics::count_append_error();
        throw;
    }
    gateway_metrics::observe_append(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - append_started).count());
    if (spec.after_append) spec.after_append();
    const LogPosition position{appended.partition, appended.offset};
    if (wants_async(request)) return accepted(batch.batch_id, position);
    return Continuation{std::string(entity_store::EntityStoreProjection::kName), position.partition, position.offset,
                        std::chrono::steady_clock::now() + call.gateway.command_wait_timeout,
                        [call, current, batch_id = batch.batch_id, position](bool applied) {
                            return after_append(call, current, batch_id, position, applied);
                        }};
}

}  // namespace

Reply execute_command(const Call& call, CommandSpec spec) {
    const auto& request = call.request;
    const auto client_key = client_idempotency_key(request);
    if (!client_key) return error_response(client_key.problem(), request.request_id);
    Attempt first{std::make_shared<const CommandSpec>(std::move(spec)), client_key.value(),
                  sha256_hex(request.method + " " + request.path + "\n" + request.body)};

    // Only a key the client chose can have been used before; without one, the batch gets a key of
    // its own (never the request id: clients reuse those for tracing, not for retries).
    if (first.client_key) {
        const auto replayed = with_read_tx(call, [&](auto& tx) -> std::optional<http::Response> {
            const auto earlier = read_model::find_by_idempotency_key(
                tx, first.spec->user_id.value_or(call.principal.user_id), *first.client_key);
            if (!earlier) return std::nullopt;
            if (earlier->request_hash != first.hash) return key_reused(call);
            return answer(call, tx, *earlier, first.spec->success_status, true);
        });
        if (replayed) return *replayed;
    }
    return attempt(call, first);
}

}  // namespace aimi::gateway
