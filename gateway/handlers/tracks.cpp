#include <pqxx/pqxx>

#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/learning_support.hpp"
#include "gateway/learning_read_model.hpp"

// Tracks and their roadmaps (docs/learning.md): written by admins into the catalog stream, read by
// everybody.
namespace aimi::gateway::handlers {

namespace {

namespace bj = boost::json;
using namespace learning_api;

Result<std::pair<std::string, std::string>> track_and_item(const Call& call) {
    auto track = path_uuid(call, "track_id");
    if (!track) return track.problem();
    auto item = path_uuid(call, "roadmap_item_id");
    if (!item) return item.problem();
    return std::pair{track.value(), item.value()};
}

}  // namespace

//! POST /v1/tracks (admins)
Reply create_track(const Call& call) {
    if (auto p = require_admin(call)) return fail(call, *p);
    auto b = body(call, "track.create");
    if (!b) return fail(call, b.problem());
    return catalog_command(
        call, 201, [b = std::move(b.value())](const auto& context) { return learning::create_track(context, b); });
}

//! PATCH /v1/tracks/{track_id} (admins)
Reply update_track(const Call& call) {
    if (auto p = require_admin(call)) return fail(call, *p);
    auto id = path_uuid(call, "track_id");
    if (!id) return fail(call, id.problem());
    auto b = body(call, "track.update");
    if (!b) return fail(call, b.problem());
    return catalog_command(
        call, 200, [id = id.value(), b = std::move(b.value())](const auto&) { return learning::update_track(id, b); });
}

//! GET /v1/tracks?limit=&after= — oldest first, without roadmaps.
Reply list_tracks(const Call& call) {
    int limit = 50;
    std::optional<std::pair<std::string, std::string>> after;
    if (auto p = query_page(call, limit, after)) return fail(call, *p);
    return read_serving(call, kLearning, [&](pqxx::dbtransaction& tx) -> Reply {
        auto items = learning_read_model::list_tracks(tx, after, limit);
        auto next = next_created_cursor(items, limit, "track_id");
        return json_response(200, bj::object{{"items", std::move(items)}, {"next_cursor", next}});
    });
}

//! GET /v1/tracks/{track_id} — with its roadmap.
Reply get_track(const Call& call) {
    auto id = path_uuid(call, "track_id");
    if (!id) return fail(call, id.problem());
    return read_serving(call, kLearning, [&](pqxx::dbtransaction& tx) -> Reply {
        auto found = learning_read_model::find_track(tx, id.value());
        if (!found) return fail(call, Problem::not_found("track_not_found", "no such track", "track_id"));
        return json_response(200, *found);
    });
}

//! POST /v1/tracks/{track_id}/roadmap-items (admins): at `position` (1..n+1), or last.
Reply add_roadmap_item(const Call& call) {
    if (auto p = require_admin(call)) return fail(call, *p);
    auto id = path_uuid(call, "track_id");
    if (!id) return fail(call, id.problem());
    auto b = body(call, "roadmap_item.add");
    if (!b) return fail(call, b.problem());
    return catalog_command(call, 201, [id = id.value(), b = std::move(b.value())](const auto& context) {
        return learning::add_roadmap_item(context, id, b);
    });
}

//! PATCH /v1/tracks/{track_id}/roadmap-items/{roadmap_item_id} (admins): text, or a move to `position` (1..n).
Reply update_roadmap_item(const Call& call) {
    if (auto p = require_admin(call)) return fail(call, *p);
    auto ids = track_and_item(call);
    if (!ids) return fail(call, ids.problem());
    auto b = body(call, "roadmap_item.update");
    if (!b) return fail(call, b.problem());
    return catalog_command(call, 200, [ids = ids.value(), b = std::move(b.value())](const auto&) {
        return learning::update_roadmap_item(ids.first, ids.second, b);
    });
}

//! DELETE /v1/tracks/{track_id}/roadmap-items/{roadmap_item_id} (admins): the items after it move up.
Reply remove_roadmap_item(const Call& call) {
    if (auto p = require_admin(call)) return fail(call, *p);
    auto ids = track_and_item(call);
    if (!ids) return fail(call, ids.problem());
    return catalog_command(call, 204, [ids = ids.value()](const auto&) -> Result<conversation::Decision> {
        return learning::remove_roadmap_item(ids.first, ids.second);
    });
}

}  // namespace aimi::gateway::handlers
