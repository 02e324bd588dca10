#include "domain/learning/commands.hpp"

#include <boost/json/array.hpp>

#include "domain/events/learning_events.hpp"
#include "domain/json/convert.hpp"
#include "domain/json/text_of.hpp"
#include "domain/schema/command_body.hpp"
#include "domain/uuid.hpp"

namespace aimi::learning {

namespace {

namespace bj = boost::json;
using conversation::Decision;
using conversation::DecisionContext;

//! Lowercase ASCII letters and digits in words joined by single hyphens: "public-speaking-8w".
bool valid_slug(std::string_view slug) {
    if (slug.empty() || slug.front() == '-' || slug.back() == '-') return false;
    char previous = 0;
    for (const char c : slug) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        if (!ok || (c == '-' && previous == '-')) return false;
        previous = c;
    }
    return true;
}

std::optional<Problem> require_some_field(const bj::object& body) {
    if (body.empty()) return Problem::invalid("empty_update", "name at least one field to change", "/");
    return std::nullopt;
}

std::optional<Problem> check_variables(const bj::object& body) {
    if (const auto* v = body.if_contains("variables")) {
        auto variables = decode_template_variables(v->as_object(), "/variables");
        if (!variables) return variables.problem();
        return check_template(json::text_of(body, "content"), variables.value());
    }
    return check_template(json::text_of(body, "content"), {});
}

Decision one(events::EventData event) {
    return Decision{{std::move(event)}, false};
}

}  // namespace

Result<bj::object> decode_body(std::string_view body, std::string_view schema_file) {
    auto doc = schema::parse_command_body(body, schema_file);
    if (!doc) return doc.problem();
    return json::to_boost(doc.value()).as_object();
}

Result<Decision> create_track(const DecisionContext& context, bj::object body) {
    if (!valid_slug(json::text_of(body, "slug")))
        return Problem::invalid("invalid_slug", "a slug is lowercase letters and digits joined by single hyphens",
                                "/slug");
    body["track_id"] = context.new_id();
    return one(events::TrackCreated{std::move(body)});
}

Result<Decision> update_track(const std::string& track_id, bj::object body) {
    if (auto p = require_some_field(body)) return *p;
    body["track_id"] = track_id;
    return one(events::TrackUpdated{std::move(body)});
}

Result<Decision> add_roadmap_item(const DecisionContext& context, const std::string& track_id, bj::object body) {
    body["roadmap_item_id"] = context.new_id();
    body["track_id"] = track_id;
    return one(events::RoadmapItemAdded{std::move(body)});
}

Result<Decision> update_roadmap_item(const std::string& track_id, const std::string& item_id, bj::object body) {
    if (auto p = require_some_field(body)) return *p;
    body["roadmap_item_id"] = item_id;
    body["track_id"] = track_id;
    return one(events::RoadmapItemUpdated{std::move(body)});
}

Decision remove_roadmap_item(const std::string& track_id, const std::string& item_id) {
    return one(events::RoadmapItemRemoved{{{"roadmap_item_id", item_id}, {"track_id", track_id}}});
}

Result<Decision> create_template(const DecisionContext& context, bj::object body) {
    const bool track_scope = json::text_of(body, "scope") == "track";
    if (track_scope != body.contains("track_id"))
        return Problem::invalid(track_scope ? "missing_field" : "invalid_value",
                                "track_id is required with scope track, and only then", "/track_id");
    if (auto p = check_variables(body)) return *p;
    if (!body.contains("variables")) body["variables"] = bj::object{};
    if (track_scope) body["track_id"] = normalize_uuid(json::text_of(body, "track_id"));
    body["template_id"] = context.new_id();
    return one(events::ChatTemplateCreated{std::move(body)});
}

Result<Decision> publish_template(const std::string& template_id, bj::object body) {
    if (auto p = check_variables(body)) return *p;
    if (!body.contains("variables")) body["variables"] = bj::object{};
    body["template_id"] = template_id;
    return one(events::ChatTemplatePublished{std::move(body)});
}

Decision start_track_session(const DecisionContext& context, bj::object body, const std::vector<PinnedTemplate>& pins) {
    bj::array templates;
    for (const auto& pin : pins)
        templates.push_back(bj::object{{"template_id", pin.template_id}, {"version", pin.version}});
    bj::object data{{"track_session_id", context.new_id()},
                    {"track_id", normalize_uuid(json::text_of(body, "track_id"))},
                    {"live_synopsis_id", context.new_id()},
                    {"active_tab", json::optional_text_of(body, "active_tab").value_or("chat")},
                    {"sidebar_visible", body.contains("sidebar_visible") ? body.at("sidebar_visible").as_bool() : true},
                    {"templates", std::move(templates)}};
    return one(events::TrackSessionStarted{std::move(data)});
}

Result<Decision> update_track_session(const std::string& session_id, bj::object body) {
    if (auto p = require_some_field(body)) return *p;
    body["track_session_id"] = session_id;
    return one(events::TrackSessionUpdated{std::move(body)});
}

Decision create_thread(const DecisionContext& context, const std::string& session_id, const std::string& session_title,
                       bj::object body) {
    const auto id = context.new_id();
    const auto tab = json::text_of(body, "tab");
    const auto title = json::optional_text_of(body, "title").value_or(session_title);
    return Decision{
        {events::ChatThreadCreated{{{"thread_id", id}, {"track_session_id", session_id}, {"tab", tab}}},
         events::ChatCreated{id, title, "aimi-rule-based", bj::object{{"track_session_id", session_id}, {"tab", tab}}}},
        false};
}

namespace {

bj::array with_ids(const DecisionContext& context, const bj::object& body) {
    bj::array items;
    if (const auto* v = body.if_contains("items"))
        for (const auto& item : v->as_array()) {
            auto o = item.as_object();
            if (!o.contains("item_id")) o["item_id"] = context.new_id();
            items.push_back(std::move(o));
        }
    return items;
}

}  // namespace

Result<Decision> create_synopsis(const DecisionContext& context, const std::string& session_id, bj::object body) {
    const auto origin = json::text_of(body, "origin");
    if (origin == "snapshot" && body.contains("items"))
        return Problem::invalid("invalid_value", "a snapshot copies the live synopsis; it takes no items", "/items");
    bj::object data{{"synopsis_id", context.new_id()}, {"track_session_id", session_id}, {"origin", origin}};
    if (const auto title = json::optional_text_of(body, "title")) data["title"] = *title;
    if (origin == "imported") data["items"] = with_ids(context, body);
    return one(events::SynopsisCreated{std::move(data)});
}

Decision update_synopsis(const DecisionContext& context, const std::string& synopsis_id, std::string_view mode,
                         std::string_view source, bj::object body) {
    bj::object data{
        {"synopsis_id", synopsis_id}, {"mode", mode}, {"source", source}, {"items", with_ids(context, body)}};
    if (const auto* r = body.if_contains("if_revision")) data["if_revision"] = *r;
    return one(events::SynopsisUpdated{std::move(data)});
}

}  // namespace aimi::learning
