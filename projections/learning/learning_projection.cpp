#include "projections/learning/learning_projection.hpp"

#include <pqxx/pqxx>

#include "domain/json/serialize.hpp"
#include "domain/json/text_of.hpp"
#include "domain/time.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::learning {

namespace {

namespace bj = boost::json;
using json::optional_text_of;
using json::text_of;

const pg::Statement kTrackCreated{"learning.track_created", R"sql(
INSERT INTO tracks (track_id, slug, title, description, goal, created_at, updated_at)
VALUES ($1, $2, $3, coalesce($4, ''), coalesce($5, ''), $6, $6) ON CONFLICT DO NOTHING)sql"};

const pg::Statement kTrackUpdated{"learning.track_updated", R"sql(
UPDATE tracks SET title = coalesce($2, title), description = coalesce($3, description), goal = coalesce($4, goal),
                  updated_at = $5
WHERE track_id = $1)sql"};

const pg::Statement kItemAdded{"learning.item_added", R"sql(
INSERT INTO track_roadmap_items (roadmap_item_id, track_id, position, title, description, created_at, updated_at)
VALUES ($1, $2, $3, $4, coalesce($5, ''), $6, $6) ON CONFLICT (roadmap_item_id) DO NOTHING)sql"};

const pg::Statement kItemUpdated{"learning.item_updated", R"sql(
UPDATE track_roadmap_items SET title = coalesce($2, title), description = coalesce($3, description), updated_at = $4
WHERE roadmap_item_id = $1)sql"};

const pg::Statement kItemRemoved{"learning.item_removed", R"sql(
DELETE FROM track_roadmap_items WHERE roadmap_item_id = $1)sql"};

// The order the fold decided, as dense positions (the unique position is checked at commit).
const pg::Statement kReorder{"learning.reorder", R"sql(
UPDATE track_roadmap_items i SET position = o.n
FROM jsonb_array_elements_text($2::jsonb) WITH ORDINALITY AS o(id, n)
WHERE i.track_id = $1 AND i.roadmap_item_id = o.id::uuid AND i.position <> o.n)sql"};

const pg::Statement kTemplateCreated{"learning.template_created", R"sql(
INSERT INTO chat_templates (template_id, name, scope, track_id, description, latest_version, created_at, updated_at)
VALUES ($1, $2, $3, $4, coalesce($5, ''), 1, $6, $6) ON CONFLICT DO NOTHING)sql"};

const pg::Statement kTemplateVersion{"learning.template_version", R"sql(
WITH v AS (INSERT INTO chat_template_versions (template_id, version, content, variables, created_at)
           VALUES ($1, $2, $3, $4::jsonb, $5) ON CONFLICT DO NOTHING)
UPDATE chat_templates SET latest_version = greatest(latest_version, $2), updated_at = $5 WHERE template_id = $1)sql"};

const pg::Statement kSessionStarted{"learning.session_started", R"sql(
WITH s AS (INSERT INTO synopses (user_id, synopsis_id, track_session_id, origin, items, revision, created_at, updated_at)
           VALUES ($1, $4, $2, 'live', '[]', 0, $8, $8) ON CONFLICT DO NOTHING)
INSERT INTO track_sessions (user_id, track_session_id, "partition", track_id, active_tab, sidebar_visible,
                            live_synopsis_id, templates, created_at, updated_at)
VALUES ($1, $2, $9, $3, $5, $6, $4, $7::jsonb, $8, $8) ON CONFLICT DO NOTHING)sql"};

const pg::Statement kSessionUpdated{"learning.session_updated", R"sql(
UPDATE track_sessions SET active_tab = coalesce($3, active_tab), sidebar_visible = coalesce($4, sidebar_visible),
                          updated_at = $5
WHERE user_id = $1 AND track_session_id = $2)sql"};

const pg::Statement kThreadCreated{"learning.thread_created", R"sql(
INSERT INTO chat_threads (user_id, thread_id, track_session_id, tab, created_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT DO NOTHING)sql"};

const pg::Statement kImported{"learning.imported", R"sql(
INSERT INTO synopses (user_id, synopsis_id, track_session_id, origin, title, items, revision, created_at, updated_at)
VALUES ($1, $2, $3, 'imported', $4, $5::jsonb, 0, $6, $6) ON CONFLICT DO NOTHING)sql"};

const pg::Statement kSnapshot{"learning.snapshot", R"sql(
INSERT INTO synopses (user_id, synopsis_id, track_session_id, origin, title, items, revision, copied_synopsis_id,
                      copied_revision, created_at, updated_at)
SELECT $1, $2, $3, 'snapshot', $4, l.items, 0, l.synopsis_id, l.revision, $6, $6
FROM synopses l WHERE l.user_id = $1 AND l.synopsis_id = $5
ON CONFLICT DO NOTHING)sql"};

// $3: replace or append; $5 the revision the fold assigned (a copy of this fact is a no-op).
const pg::Statement kSynopsisUpdated{"learning.synopsis_updated", R"sql(
UPDATE synopses SET items = CASE WHEN $3 = 'append' THEN items || $4::jsonb ELSE $4::jsonb END,
                    revision = $5, updated_at = $6
WHERE user_id = $1 AND synopsis_id = $2 AND revision < $5)sql"};

const pg::Statement kAgentReplied{"learning.agent_replied", R"sql(
INSERT INTO agent_replies (user_id, agent_reply_id, agent_id, agent_version, action, tab, track_session_id, thread_id,
                           template_id, template_version, input, reply, apply_side_effects, message_id,
                           skipped_reason, provider, model, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) ON CONFLICT DO NOTHING)sql"};

const pg::Statement kErase{"learning.erase", R"sql(
WITH s AS (DELETE FROM track_sessions WHERE user_id = $1),
     t AS (DELETE FROM chat_threads WHERE user_id = $1),
     y AS (DELETE FROM synopses WHERE user_id = $1)
DELETE FROM agent_replies WHERE user_id = $1)sql"};

std::optional<std::int64_t> int_of(const bj::object& d, std::string_view key) {
    const auto* v = d.if_contains(key);
    return v && v->is_int64() ? std::optional(v->get_int64()) : std::nullopt;
}
std::optional<bool> bool_of(const bj::object& d, std::string_view key) {
    const auto* v = d.if_contains(key);
    return v && v->is_bool() ? std::optional(v->get_bool()) : std::nullopt;
}
std::string json_of(const bj::object& d, std::string_view key, const char* fallback) {
    const auto* v = d.if_contains(key);
    return v && !v->is_null() ? json::serialize(*v) : fallback;
}

void apply_event(pqxx::dbtransaction& tx, const facts::Fact& fact, const facts::AppliedEvent& event) {
    const auto& d = event.data;
    const auto& a = event.applied;
    const auto& type = event.type;
    const auto& user = fact.user_id;
    const auto at = format_timestamp(*fact.occurred_at);
    if (type == "track.created") {
        pg::exec(tx, kTrackCreated, text_of(d, "track_id"), text_of(d, "slug"), text_of(d, "title"),
                 optional_text_of(d, "description"), optional_text_of(d, "goal"), at);
    } else if (type == "track.updated") {
        pg::exec(tx, kTrackUpdated, text_of(d, "track_id"), optional_text_of(d, "title"),
                 optional_text_of(d, "description"), optional_text_of(d, "goal"), at);
    } else if (type == "roadmap_item.added") {
        // Inserted at its place, then every position of the track from the decided order.
        pg::exec(tx, kItemAdded, text_of(d, "roadmap_item_id"), text_of(d, "track_id"),
                 int_of(a, "position").value_or(1), text_of(d, "title"), optional_text_of(d, "description"), at);
        pg::exec(tx, kReorder, text_of(d, "track_id"), json_of(a, "order", "[]"));
    } else if (type == "roadmap_item.updated") {
        pg::exec(tx, kItemUpdated, text_of(d, "roadmap_item_id"), optional_text_of(d, "title"),
                 optional_text_of(d, "description"), at);
        pg::exec(tx, kReorder, text_of(d, "track_id"), json_of(a, "order", "[]"));
    } else if (type == "roadmap_item.removed") {
        pg::exec(tx, kItemRemoved, text_of(d, "roadmap_item_id"));
        pg::exec(tx, kReorder, text_of(d, "track_id"), json_of(a, "order", "[]"));
    } else if (type == "chat_template.created") {
        const auto id = text_of(d, "template_id");
        pg::exec(tx, kTemplateCreated, id, text_of(d, "name"), text_of(d, "scope"), optional_text_of(d, "track_id"),
                 optional_text_of(d, "description"), at);
        pg::exec(tx, kTemplateVersion, id, 1, text_of(d, "content"), json_of(d, "variables", "{}"), at);
    } else if (type == "chat_template.published") {
        pg::exec(tx, kTemplateVersion, text_of(d, "template_id"), int_of(a, "version").value_or(1),
                 text_of(d, "content"), json_of(d, "variables", "{}"), at);
    } else if (type == "track_session.started") {
        pg::exec(tx, kSessionStarted, user, text_of(d, "track_session_id"), text_of(d, "track_id"),
                 text_of(d, "live_synopsis_id"), text_of(d, "active_tab"), bool_of(d, "sidebar_visible").value_or(true),
                 json_of(d, "templates", "[]"), at, fact.origin.partition);
    } else if (type == "track_session.updated") {
        pg::exec(tx, kSessionUpdated, user, text_of(d, "track_session_id"), optional_text_of(d, "active_tab"),
                 bool_of(d, "sidebar_visible"), at);
    } else if (type == "chat_thread.created") {
        pg::exec(tx, kThreadCreated, user, text_of(d, "thread_id"), text_of(d, "track_session_id"), text_of(d, "tab"),
                 at);
    } else if (type == "synopsis.created") {
        if (text_of(d, "origin") == "snapshot")
            pg::exec(tx, kSnapshot, user, text_of(d, "synopsis_id"), text_of(d, "track_session_id"),
                     optional_text_of(d, "title"), text_of(a, "copied_synopsis_id"), at);
        else
            pg::exec(tx, kImported, user, text_of(d, "synopsis_id"), text_of(d, "track_session_id"),
                     optional_text_of(d, "title"), json_of(d, "items", "[]"), at);
    } else if (type == "synopsis.updated") {
        pg::exec(tx, kSynopsisUpdated, user, text_of(d, "synopsis_id"), text_of(d, "mode"), json_of(d, "items", "[]"),
                 int_of(a, "revision").value_or(0), at);
    } else if (type == "agent.replied") {
        pg::exec(tx, kAgentReplied, user, text_of(d, "agent_reply_id"), text_of(d, "agent_id"),
                 text_of(d, "agent_version"), text_of(d, "action"), text_of(d, "tab"),
                 optional_text_of(d, "track_session_id"), optional_text_of(d, "thread_id"),
                 optional_text_of(d, "template_id"), int_of(d, "template_version"), optional_text_of(d, "input"),
                 optional_text_of(d, "reply"), bool_of(d, "apply_side_effects").value_or(false),
                 optional_text_of(d, "message_id"), optional_text_of(d, "skipped_reason"), text_of(d, "provider"),
                 text_of(d, "model"), at);
    } else if (type == "user.erased") {
        pg::exec(tx, kErase, user);
    }
}

}  // namespace

void LearningProjection::apply(pqxx::dbtransaction& tx, std::span<const facts::Fact> facts) {
    for (const auto& fact : facts) {
        if (!fact.applied() || !fact.occurred_at) continue;
        for (const auto& event : fact.events) apply_event(tx, fact, event);
    }
}

}  // namespace aimi::learning
