#include <pqxx/pqxx>

#include "domain/json/text_of.hpp"
#include "domain/uuid.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/learning_support.hpp"
#include "gateway/learning_read_model.hpp"

// Chat templates and their versions (docs/learning.md): written by admins into the catalog
// stream; a version, once published, never changes.
namespace aimi::gateway::handlers {

namespace {

namespace bj = boost::json;
using namespace learning_api;

Problem no_template() {
    return Problem::not_found("template_not_found", "no such chat template", "template_id");
}

}  // namespace

//! POST /v1/chat-templates (admins): version 1.
Reply create_chat_template(const Call& call) {
    if (auto p = require_admin(call)) return fail(call, *p);
    auto b = body(call, "chat_template.create");
    if (!b) return fail(call, b.problem());
    return catalog_command(
        call, 201, [b = std::move(b.value())](const auto& context) { return learning::create_template(context, b); });
}

//! POST /v1/chat-templates/{template_id}/versions (admins): the next version.
Reply publish_chat_template(const Call& call) {
    if (auto p = require_admin(call)) return fail(call, *p);
    auto id = path_uuid(call, "template_id");
    if (!id) return fail(call, id.problem());
    auto b = body(call, "chat_template.publish");
    if (!b) return fail(call, b.problem());
    return catalog_command(call, 201, [id = id.value(), b = std::move(b.value())](const auto&) {
        return learning::publish_template(id, b);
    });
}

//! GET /v1/chat-templates?scope=&track_id=&name=&limit=&after=
Reply list_chat_templates(const Call& call) {
    learning_read_model::TemplateFilter filter;
    const auto& query = call.request.query;
    if (const auto it = query.find("scope"); it != query.end()) {
        if (it->second != "global" && it->second != "track" && it->second != "createTrack")
            return fail(call, Problem::invalid("invalid_query", "scope is global, track or createTrack", "scope"));
        filter.scope = it->second;
    }
    if (const auto it = query.find("track_id"); it != query.end()) {
        if (!is_uuid(it->second))
            return fail(call, Problem::invalid("invalid_query", "track_id must be a UUID", "track_id"));
        filter.track_id = normalize_uuid(it->second);
    }
    if (const auto it = query.find("name"); it != query.end()) filter.name = it->second;
    if (auto p = query_page(call, filter.limit, filter.after)) return fail(call, *p);
    return read_serving(call, kLearning, [&](pqxx::dbtransaction& tx) -> Reply {
        auto items = learning_read_model::list_templates(tx, filter);
        auto next = next_created_cursor(items, filter.limit, "template_id");
        return json_response(200, bj::object{{"items", std::move(items)}, {"next_cursor", next}});
    });
}

//! GET /v1/chat-templates/{template_id} — with its latest version's content.
Reply get_chat_template(const Call& call) {
    auto id = path_uuid(call, "template_id");
    if (!id) return fail(call, id.problem());
    return read_serving(call, kLearning, [&](pqxx::dbtransaction& tx) -> Reply {
        auto found = learning_read_model::find_template(tx, id.value());
        if (!found) return fail(call, no_template());
        return json_response(200, *found);
    });
}

//! GET /v1/chat-templates/{template_id}/versions — oldest first.
Reply list_chat_template_versions(const Call& call) {
    auto id = path_uuid(call, "template_id");
    if (!id) return fail(call, id.problem());
    return read_serving(call, kLearning, [&](pqxx::dbtransaction& tx) -> Reply {
        auto items = learning_read_model::list_template_versions(tx, id.value());
        if (items.empty()) return fail(call, no_template());
        return json_response(200, bj::object{{"items", std::move(items)}});
    });
}

//! GET /v1/chat-templates/{template_id}/versions/{version}
Reply get_chat_template_version(const Call& call) {
    auto id = path_uuid(call, "template_id");
    if (!id) return fail(call, id.problem());
    auto version = path_int(call, "version");
    if (!version) return fail(call, version.problem());
    return read_serving(call, kLearning, [&](pqxx::dbtransaction& tx) -> Reply {
        auto found = learning_read_model::find_template_version(tx, id.value(), version.value());
        if (!found)
            return fail(call, Problem::not_found("template_version_not_found", "no such template version", "version"));
        return json_response(200, *found);
    });
}

//! POST /v1/chat-templates/{template_id}/render {version?, variables?} — the text a prompt would
//! get; changes nothing.
Reply render_chat_template(const Call& call) {
    auto id = path_uuid(call, "template_id");
    if (!id) return fail(call, id.problem());
    auto b = body(call, "chat_template.render");
    if (!b) return fail(call, b.problem());
    return read_serving(call, kLearning, [&](pqxx::dbtransaction& tx) -> Reply {
        std::optional<bj::object> found;
        if (const auto* v = b->if_contains("version")) {
            found = learning_read_model::find_template_version(tx, id.value(), v->as_int64());
            if (!found)
                return fail(call,
                            Problem::not_found("template_version_not_found", "no such template version", "/version"));
        } else {
            found = learning_read_model::find_template(tx, id.value());
            if (!found) return fail(call, no_template());
        }
        auto declared = learning::decode_template_variables(found->at("variables").as_object(), "/variables");
        if (!declared) throw std::runtime_error("stored template " + id.value() + " has invalid variables");
        static const bj::object kNone;
        const auto* supplied = b->if_contains("variables");
        auto rendered = learning::render_template(json::text_of(*found, "content"), declared.value(),
                                                  supplied ? supplied->as_object() : kNone);
        if (!rendered) return fail(call, rendered.problem());
        const auto version = found->contains("version") ? found->at("version") : found->at("latest_version");
        return json_response(
            200,
            bj::object{{"template_id", id.value()}, {"version", version}, {"content", std::move(rendered.value())}});
    });
}

}  // namespace aimi::gateway::handlers
