#include "projections/memory/memory_projection.hpp"

#include <pqxx/pqxx>

#include "domain/json/serialize.hpp"
#include "domain/json/text_of.hpp"
#include "domain/memory/roll_up.hpp"
#include "domain/time.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::memory {

namespace {

namespace bj = boost::json;
using json::optional_text_of;
using json::text_of;

const pg::Statement kUpsertUser{"memory.upsert_user", R"sql(
INSERT INTO memory_users (user_id, time_zone, locale) VALUES ($1, coalesce($2, 'UTC'), coalesce($3, ''))
ON CONFLICT (user_id) DO UPDATE SET time_zone = coalesce($2, memory_users.time_zone),
                                    locale = coalesce($3, memory_users.locale))sql"};

const pg::Statement kMessage{"memory.message", R"sql(
INSERT INTO memory_messages (user_id, chat_id, seq, session_id, role, content, posted_at)
VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING)sql"};

// The session's period runs from its first message to its end.
const pg::Statement kSessionJob{"memory.session_job", R"sql(
INSERT INTO summary_jobs (user_id, scope, "partition", kind, chat_id, session_id, period_start, period_end, due_at)
SELECT $1, 'session:' || $2, $3, 'session', $4, $2::uuid,
       coalesce((SELECT min(posted_at) FROM memory_messages WHERE user_id = $1 AND session_id = $2::uuid), $5), $5, $6
WHERE EXISTS (SELECT 1 FROM memory_messages WHERE user_id = $1 AND session_id = $2::uuid)
ON CONFLICT (user_id, scope) DO UPDATE SET generation = summary_jobs.generation + 1, period_end = excluded.period_end,
                                           due_at = excluded.due_at)sql"};

// A roll-up job (domain/memory/roll_up: the local day or week a session summary ended in), due
// when that period is over. Every new session summary raises its generation, so one that arrives
// while the roll-up is being made is never left out: the roll-up is made again (the old one kept
// as history).
const pg::Statement kRollUpJob{"memory.roll_up_job", R"sql(
INSERT INTO summary_jobs (user_id, scope, "partition", kind, local_date, period_start, period_end, due_at)
VALUES ($1, $2, $3, $4, $5::date, $6, $7, $7::timestamptz + interval '5 minutes')
ON CONFLICT (user_id, scope) DO UPDATE
SET generation = summary_jobs.generation + 1)sql"};

const pg::Statement kUserZone{"memory.user_zone", R"sql(
SELECT time_zone FROM memory_users WHERE user_id = $1)sql"};

const pg::Statement kSummary{"memory.summary", R"sql(
INSERT INTO summaries (user_id, summary_id, kind, scope, generation, chat_id, session_id, local_date, time_zone,
                       period_start, period_end, text, key_points, facts, model, source_count, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::date, $9, $10, $11, coalesce($12, ''), coalesce($13::jsonb, '[]'),
        coalesce($14::jsonb, '[]'), $15::jsonb, $16, $17)
ON CONFLICT DO NOTHING)sql"};

const pg::Statement kReplaceOlder{"memory.replace_older", R"sql(
WITH old AS (UPDATE summaries SET replaced_by = $2
             WHERE user_id = $1 AND scope = $3 AND replaced_by IS NULL AND summary_id <> $2 AND generation <= $4
             RETURNING summary_id)
DELETE FROM context_items WHERE user_id = $1 AND entity_type = 'summary' AND entity_id IN (SELECT summary_id::text FROM old))sql"};

const pg::Statement kJobDone{"memory.job_done", R"sql(
UPDATE summary_jobs SET done_generation = greatest(done_generation, $3) WHERE user_id = $1 AND scope = $2)sql"};

const pg::Statement kContextItem{"memory.context_item", R"sql(
INSERT INTO context_items (user_id, item_id, entity_type, entity_id, chat_id, reason, text, surfaced_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8::timestamptz + $9::interval)
ON CONFLICT (user_id, item_id) DO UPDATE SET reason = excluded.reason, text = coalesce(excluded.text, context_items.text),
    surfaced_at = excluded.surfaced_at, expires_at = excluded.expires_at)sql"};

const pg::Statement kMentalState{"memory.mental_state", R"sql(
INSERT INTO mental_states (user_id, mental_state_id, source, mood, energy, confidence, emotions, note, chat_id,
                           message_seq, recorded_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, coalesce($11::timestamptz, $12), $12)
ON CONFLICT DO NOTHING)sql"};

const pg::Statement kPromptRun{"memory.prompt_run", R"sql(
INSERT INTO prompt_runs (user_id, prompt_run_id, provider, model, model_version, purpose, scope, items, tokens_in,
                         tokens_out, latency_ms, status, error, request_id, created_at, prompt_version, context,
                         template_id, template_version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::jsonb, $18, $19)
ON CONFLICT DO NOTHING)sql"};

const pg::Statement kForget{"memory.forget", R"sql(
WITH s AS (DELETE FROM summaries WHERE user_id = $1 AND summary_id = $2),
     c AS (DELETE FROM context_items WHERE user_id = $1 AND entity_type = 'summary' AND entity_id = $2::text)
DELETE FROM mental_states WHERE user_id = $1 AND mental_state_id = $2)sql"};

const pg::Statement kGoalCreated{"memory.goal_created", R"sql(
INSERT INTO memory_goals (user_id, goal_id, title, priority, deadline, status, updated_at)
VALUES ($1, $2, coalesce($3, ''), $4, $5::date, 'active', $6) ON CONFLICT DO NOTHING)sql"};

// $5: whether the event sets the deadline ($6, null clears it).
const pg::Statement kGoalUpdated{"memory.goal_updated", R"sql(
UPDATE memory_goals SET title = coalesce($3, title), priority = coalesce($4, priority),
                        deadline = CASE WHEN $5 THEN $6::date ELSE deadline END, updated_at = $7
WHERE user_id = $1 AND goal_id = $2)sql"};

const pg::Statement kGoalStatus{"memory.goal_status", R"sql(
UPDATE memory_goals SET status = $3, updated_at = $4 WHERE user_id = $1 AND goal_id = $2)sql"};

const pg::Statement kErase{"memory.erase", R"sql(
WITH a AS (DELETE FROM memory_messages WHERE user_id = $1),
     b AS (DELETE FROM summary_jobs WHERE user_id = $1),
     c AS (DELETE FROM summaries WHERE user_id = $1),
     d AS (DELETE FROM mental_states WHERE user_id = $1),
     e AS (DELETE FROM prompt_runs WHERE user_id = $1),
     f AS (DELETE FROM context_items WHERE user_id = $1),
     g AS (DELETE FROM memory_goals WHERE user_id = $1)
DELETE FROM memory_users WHERE user_id = $1)sql"};

// How long what surfaced stays recent context.
constexpr const char* kContextLifetime = "7 days";

std::optional<std::int64_t> optional_int(const bj::object& d, std::string_view key) {
    const auto* v = d.if_contains(key);
    if (!v || !v->is_int64()) return std::nullopt;
    return v->get_int64();
}
std::optional<std::string> optional_json(const bj::object& d, std::string_view key) {
    const auto* v = d.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    return json::serialize(*v);
}

class Applier {
  public:
    Applier(pqxx::dbtransaction& tx, const facts::Fact& fact)
        : tx_(tx), fact_(fact), user_(fact.user_id), at_(format_timestamp(*fact.occurred_at)) {}

    void apply(const facts::AppliedEvent& event) {
        const auto& d = event.data;
        const auto& type = event.type;
        if (type == "user.registered" || type == "user.profile_updated") {
            if (type == "user.registered" || d.contains("time_zone") || d.contains("locale"))
                pg::exec(tx_, kUpsertUser, user_, optional_text_of(d, "time_zone"), optional_text_of(d, "locale"));
        } else if (type == "user.erased") {
            pg::exec(tx_, kErase, user_);
        } else if (type == "message.posted") {
            message(event);
        } else if (type == "session.ended") {
            session_ended(text_of(d, "session_id"), text_of(d, "chat_id"), text_of(event.applied, "ended_at"));
        } else if (type == "summary.created") {
            summary(d);
        } else if (type == "mental_state.recorded") {
            if (!optional_int(d, "mood")) return;  // sealed and erased since (a rebuild)
            const auto emotions = d.if_contains("emotions");
            pg::exec(tx_, kMentalState, user_, text_of(d, "mental_state_id"), text_of(d, "source"),
                     optional_int(d, "mood"), optional_int(d, "energy"), optional_int(d, "confidence"),
                     emotions ? json::serialize(*emotions) : std::string("[]"), optional_text_of(d, "note"),
                     optional_text_of(d, "chat_id"), optional_int(d, "message_seq"), optional_text_of(d, "recorded_at"),
                     at_);
        } else if (type == "prompt_run.recorded") {
            pg::exec(tx_, kPromptRun, user_, text_of(d, "prompt_run_id"), text_of(d, "provider"), text_of(d, "model"),
                     text_of(d, "model_version"), text_of(d, "purpose"), optional_text_of(d, "scope"),
                     optional_int(d, "items").value_or(0), optional_int(d, "tokens_in").value_or(0),
                     optional_int(d, "tokens_out").value_or(0), optional_int(d, "latency_ms").value_or(0),
                     text_of(d, "status"), optional_text_of(d, "error"),
                     fact_.request_id.empty() ? std::nullopt : std::optional(fact_.request_id), at_,
                     optional_text_of(d, "prompt_version"),
                     d.contains("context") ? std::optional(json::serialize(d.at("context"))) : std::nullopt,
                     optional_text_of(d, "template_id"), optional_int(d, "template_version"));
        } else if (type == "memory.forgotten") {
            pg::exec(tx_, kForget, user_, text_of(d, "item_id"));
        } else if (type == "goal.created") {
            const auto goal = text_of(d, "goal_id");
            pg::exec(tx_, kGoalCreated, user_, goal, optional_text_of(d, "title"),
                     optional_int(d, "priority").value_or(3), optional_text_of(d, "deadline"), at_);
            surfaced("goal", goal, "goal created", optional_text_of(d, "title"));
        } else if (type == "goal.updated") {
            const auto goal = text_of(d, "goal_id");
            pg::exec(tx_, kGoalUpdated, user_, goal, optional_text_of(d, "title"), optional_int(d, "priority"),
                     d.contains("deadline"), optional_text_of(d, "deadline"), at_);
            surfaced("goal", goal, "goal updated", optional_text_of(d, "title"));
        } else if (type == "goal.completed" || type == "goal.cancelled" || type == "goal.archived" ||
                   type == "goal.reopened") {
            static const std::map<std::string, std::string, std::less<>> statuses{{"goal.completed", "done"},
                                                                                  {"goal.cancelled", "cancelled"},
                                                                                  {"goal.archived", "archived"},
                                                                                  {"goal.reopened", "active"}};
            pg::exec(tx_, kGoalStatus, user_, text_of(d, "goal_id"), statuses.at(type), at_);
        } else if (type == "task.created") {
            surfaced("task", text_of(d, "task_id"), "task created", optional_text_of(d, "title"));
        } else if (type == "calendar_event.created") {
            surfaced("calendar_event", text_of(d, "calendar_event_id"), "event scheduled",
                     optional_text_of(d, "title"));
        }
    }

  private:
    void message(const facts::AppliedEvent& event) {
        const auto& d = event.data;
        const auto& a = event.applied;
        if (const auto* ended = a.if_contains("ended_session"); ended && ended->is_object())
            session_ended(text_of(ended->get_object(), "session_id"), text_of(d, "chat_id"),
                          text_of(ended->get_object(), "ended_at"));
        const auto content = optional_text_of(d, "content");
        if (!content) return;  // erased since: the sealed content opens to null
        pg::exec(tx_, kMessage, user_, text_of(d, "chat_id"), optional_int(a, "seq"), text_of(a, "session_id"),
                 text_of(d, "role"), *content, at_);
    }

    void session_ended(const std::string& session, const std::string& chat, const std::string& ended_at) {
        pg::exec(tx_, kSessionJob, user_, session, fact_.origin.partition, chat, ended_at, at_);
    }

    void summary(const bj::object& d) {
        const auto id = text_of(d, "summary_id");
        const auto kind = text_of(d, "kind");
        const auto scope = text_of(d, "scope");
        const auto generation = optional_int(d, "generation").value_or(1);
        pg::exec(tx_, kSummary, user_, id, kind, scope, generation, optional_text_of(d, "chat_id"),
                 optional_text_of(d, "session_id"), optional_text_of(d, "local_date"), optional_text_of(d, "time_zone"),
                 text_of(d, "period_start"), text_of(d, "period_end"), optional_text_of(d, "text"),
                 optional_json(d, "key_points"), optional_json(d, "facts"), json::serialize(d.at("model")),
                 optional_int(d, "source_count").value_or(0), at_);
        pg::exec(tx_, kReplaceOlder, user_, id, scope, generation);
        pg::exec(tx_, kJobDone, user_, scope, generation);
        if (kind == "session") roll_up_jobs(text_of(d, "period_end"));
        // Plans and dates a summary extracted are recent context until they expire.
        if (const auto* facts = d.if_contains("facts"); facts && facts->is_array()) {
            std::size_t index = 0;
            for (const auto& f : facts->get_array()) {
                ++index;
                if (!f.is_object()) continue;
                const auto fact_kind = optional_text_of(f.get_object(), "kind").value_or("");
                if (fact_kind != "plan" && fact_kind != "date") continue;
                pg::exec(tx_, kContextItem, user_, "summary:" + id + ":" + std::to_string(index), "summary", id,
                         optional_text_of(d, "chat_id"), fact_kind, optional_text_of(f.get_object(), "text"), at_,
                         kContextLifetime);
            }
        }
    }

    void roll_up_jobs(const std::string& period_end) {
        const auto at = parse_timestamp(period_end);
        if (!at) return;
        const auto zone = pg::exec(tx_, kUserZone, user_);
        for (const auto& p : roll_up_periods(*at, zone.empty() ? std::string("UTC") : zone[0][0].as<std::string>()))
            pg::exec(tx_, kRollUpJob, user_, p.scope, fact_.origin.partition, p.kind, p.local_date,
                     format_timestamp(p.start), format_timestamp(p.end));
    }

    void surfaced(const std::string& type, const std::string& id, const std::string& reason,
                  const std::optional<std::string>& text) {
        pg::exec(tx_, kContextItem, user_, type + ":" + id, type, id, std::optional<std::string>{}, reason, text, at_,
                 kContextLifetime);
    }

    pqxx::dbtransaction& tx_;
    const facts::Fact& fact_;
    const std::string& user_;
    const std::string at_;
};

}  // namespace

void MemoryProjection::apply(pqxx::dbtransaction& tx, std::span<const facts::Fact> facts) {
    for (const auto& fact : facts) {
        if (!fact.applied() || !fact.occurred_at) continue;
        Applier applier(tx, fact);
        for (const auto& event : fact.events) applier.apply(event);
    }
}

}  // namespace aimi::memory
