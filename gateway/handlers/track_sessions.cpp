#include <pqxx/pqxx>

#include "domain/json/text_of.hpp"
#include "domain/uuid.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/learning_support.hpp"
#include "gateway/learning_read_model.hpp"
#include "projections/pg/connection.hpp"

// A user's work on a track (docs/learning.md): sessions, their threads (one per tab; each is a
// chat of the conversation model) and synopses. All on the user's own stream: another user's ids
// are simply not found.
namespace aimi::gateway::handlers {

namespace {

namespace bj = boost::json;
using namespace learning_api;

Problem no_session() {
    return Problem::not_found("track_session_not_found", "no such track session", "track_session_id");
}

Reply update_items(const Call& call, std::string_view mode, std::string_view schema) {
    auto id = path_uuid(call, "synopsis_id");
    if (!id) return fail(call, id.problem());
    auto b = body(call, schema);
    if (!b) return fail(call, b.problem());
    return user_command(
        call, 200,
        [id = id.value(), mode, b = std::move(b.value())](const auto& context) -> Result<conversation::Decision> {
            return learning::update_synopsis(context, id, mode, "user", b);
        });
}

}  // namespace

//! POST /v1/track-sessions {track_id, active_tab?, sidebar_visible?}: pins the template versions
//! the catalog has now.
Reply start_track_session(const Call& call) {
    auto b = body(call, "track_session.start");
    if (!b) return fail(call, b.problem());
    const auto track_id = normalize_uuid(json::text_of(b.value(), "track_id"));
    std::vector<learning::PinnedTemplate> pins;
    {
        auto lease = call.gateway.pool.acquire();
        pqxx::read_transaction tx(*lease);
        use_serving_schema(tx, call, kLearning);
        if (!learning_read_model::find_track(tx, track_id))
            return fail(call, Problem::not_found("track_not_found", "no such track", "/track_id"));
        for (auto& [id, version] : learning_read_model::templates_to_pin(tx, track_id))
            pins.push_back({std::move(id), version});
    }
    return user_command(call, 201,
                        [b = std::move(b.value()), pins](const auto& context) -> Result<conversation::Decision> {
                            return learning::start_track_session(context, b, pins);
                        });
}

//! GET /v1/track-sessions?track_id=&limit=&after= — the caller's, oldest first.
Reply list_track_sessions(const Call& call) {
    std::optional<std::string> track_id;
    if (const auto it = call.request.query.find("track_id"); it != call.request.query.end()) {
        if (!is_uuid(it->second))
            return fail(call, Problem::invalid("invalid_query", "track_id must be a UUID", "track_id"));
        track_id = normalize_uuid(it->second);
    }
    int limit = 50;
    std::optional<std::pair<std::string, std::string>> after;
    if (auto p = query_page(call, limit, after)) return fail(call, *p);
    return read_serving(call, kLearning, [&](pqxx::dbtransaction& tx) -> Reply {
        auto items = learning_read_model::list_sessions(tx, call.principal.user_id, track_id, after, limit);
        auto next = next_created_cursor(items, limit, "track_session_id");
        return json_response(200, bj::object{{"items", std::move(items)}, {"next_cursor", next}});
    });
}

//! GET /v1/track-sessions/{track_session_id} — with its threads.
Reply get_track_session(const Call& call) {
    auto id = path_uuid(call, "track_session_id");
    if (!id) return fail(call, id.problem());
    return read_serving(call, kLearning, [&](pqxx::dbtransaction& tx) -> Reply {
        auto found = learning_read_model::find_session(tx, call.principal.user_id, id.value());
        if (!found) return fail(call, no_session());
        return json_response(200, *found);
    });
}

//! PATCH /v1/track-sessions/{track_session_id} {active_tab?, sidebar_visible?}
Reply update_track_session(const Call& call) {
    auto id = path_uuid(call, "track_session_id");
    if (!id) return fail(call, id.problem());
    auto b = body(call, "track_session.update");
    if (!b) return fail(call, b.problem());
    return user_command(call, 200, [id = id.value(), b = std::move(b.value())](const auto&) {
        return learning::update_track_session(id, b);
    });
}

//! POST /v1/track-sessions/{track_session_id}/threads {tab, title?}: one per tab (409
//! thread_exists names the existing one). The thread is also a chat with the same id.
Reply create_chat_thread(const Call& call) {
    auto id = path_uuid(call, "track_session_id");
    if (!id) return fail(call, id.problem());
    auto b = body(call, "chat_thread.create");
    if (!b) return fail(call, b.problem());
    std::string title;
    {
        auto lease = call.gateway.pool.acquire();
        pqxx::read_transaction tx(*lease);
        use_serving_schema(tx, call, kLearning);
        const auto session = learning_read_model::find_session(tx, call.principal.user_id, id.value());
        if (!session) return fail(call, no_session());
        if (const auto track = learning_read_model::find_track(tx, json::text_of(*session, "track_id")))
            title = json::text_of(*track, "title");
    }
    return user_command(
        call, 201,
        [id = id.value(), title, b = std::move(b.value())](const auto& context) -> Result<conversation::Decision> {
            return learning::create_thread(context, id, title.empty() ? "Track session" : title, b);
        });
}

//! GET /v1/track-sessions/{track_session_id}/threads
Reply list_chat_threads(const Call& call) {
    auto id = path_uuid(call, "track_session_id");
    if (!id) return fail(call, id.problem());
    return read_serving(call, kLearning, [&](pqxx::dbtransaction& tx) -> Reply {
        if (!learning_read_model::find_session(tx, call.principal.user_id, id.value())) return fail(call, no_session());
        return json_response(
            200, bj::object{{"items", learning_read_model::list_threads(tx, call.principal.user_id, id.value())}});
    });
}

//! POST /v1/track-sessions/{track_session_id}/synopses {origin: snapshot|imported, title?, items?}
Reply create_synopsis(const Call& call) {
    auto id = path_uuid(call, "track_session_id");
    if (!id) return fail(call, id.problem());
    auto b = body(call, "synopsis.create");
    if (!b) return fail(call, b.problem());
    return user_command(call, 201, [id = id.value(), b = std::move(b.value())](const auto& context) {
        return learning::create_synopsis(context, id, b);
    });
}

//! GET /v1/track-sessions/{track_session_id}/synopses — the live one first.
Reply list_synopses(const Call& call) {
    auto id = path_uuid(call, "track_session_id");
    if (!id) return fail(call, id.problem());
    return read_serving(call, kLearning, [&](pqxx::dbtransaction& tx) -> Reply {
        if (!learning_read_model::find_session(tx, call.principal.user_id, id.value())) return fail(call, no_session());
        return json_response(
            200, bj::object{{"items", learning_read_model::list_synopses(tx, call.principal.user_id, id.value())}});
    });
}

//! GET /v1/synopses/{synopsis_id}
Reply get_synopsis(const Call& call) {
    auto id = path_uuid(call, "synopsis_id");
    if (!id) return fail(call, id.problem());
    return read_serving(call, kLearning, [&](pqxx::dbtransaction& tx) -> Reply {
        auto found = learning_read_model::find_synopsis(tx, call.principal.user_id, id.value());
        if (!found) return fail(call, Problem::not_found("synopsis_not_found", "no such synopsis", "synopsis_id"));
        return json_response(200, *found);
    });
}

//! PUT /v1/synopses/{synopsis_id}/items {items, if_revision?} — the live synopsis only.
Reply replace_synopsis_items(const Call& call) {
    return update_items(call, "replace", "synopsis.replace");
}

//! POST /v1/synopses/{synopsis_id}/items {items} — the live synopsis only.
Reply append_synopsis_items(const Call& call) {
    return update_items(call, "append", "synopsis.append");
}

}  // namespace aimi::gateway::handlers
