#include "gateway/memory_read_model.hpp"

#include <pqxx/pqxx>

#include "domain/json/parse.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::gateway::memory_read_model {

namespace {

namespace bj = boost::json;

// RFC 3339 UTC with microseconds, as every read model prints times.
std::string time_of(const std::string& column) {
    return "to_char(" + column + R"sql( AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))sql";
}

const std::string kMentalState =
    "jsonb_build_object('mental_state_id', mental_state_id, 'source', source, 'mood', mood, "
    "'energy', energy, 'confidence', confidence, 'emotions', emotions, 'note', note, "
    "'chat_id', chat_id, 'message_seq', message_seq, 'recorded_at', " +
    time_of("recorded_at") + ", 'created_at', " + time_of("created_at") + ")::text";

const pg::Statement kFindMentalState{
    "memory_read.find_mental_state",
    "SELECT " + kMentalState + " FROM mental_states WHERE user_id = $1::uuid AND mental_state_id = $2::uuid"};

const pg::Statement kListMentalStates{
    "memory_read.list_mental_states",
    "SELECT " + kMentalState +
        " FROM mental_states WHERE user_id = $1::uuid AND ($2::text IS NULL OR source = $2) "
        "AND ($3::timestamptz IS NULL OR recorded_at >= $3) AND ($4::timestamptz IS NULL OR recorded_at < $4) "
        "AND ($5::timestamptz IS NULL OR (recorded_at, mental_state_id) < ($5::timestamptz, $6::uuid)) "
        "ORDER BY recorded_at DESC, mental_state_id DESC LIMIT $7",
    pg::Planning::per_execution};

const std::string kSummary =
    "jsonb_build_object('summary_id', summary_id, 'kind', kind, 'scope', scope, 'generation', generation, "
    "'chat_id', chat_id, 'session_id', session_id, 'local_date', local_date, 'time_zone', time_zone, "
    "'period_start', " +
    time_of("period_start") + ", 'period_end', " + time_of("period_end") +
    ", 'text', text, 'key_points', key_points, 'facts', facts, 'model', model, 'source_count', source_count, "
    "'replaced_by', replaced_by, 'created_at', " +
    time_of("created_at") + ")";

const pg::Statement kFindSummary{
    "memory_read.find_summary",
    "SELECT (" + kSummary +
        " || jsonb_build_object('history', coalesce((SELECT jsonb_agg(h.item ORDER BY h.generation DESC) FROM "
        "(SELECT o.generation, jsonb_build_object('summary_id', o.summary_id, 'generation', o.generation, 'text', "
        "o.text, 'created_at', " +
        time_of("o.created_at") +
        ") AS item FROM summaries o WHERE o.user_id = s.user_id AND o.scope = s.scope AND o.generation < "
        "s.generation) h), '[]'::jsonb)))::text FROM summaries s WHERE user_id = $1::uuid AND summary_id = $2::uuid"};

const pg::Statement kListSummaries{
    "memory_read.list_summaries",
    "SELECT " + kSummary +
        "::text FROM summaries WHERE user_id = $1::uuid AND ($2::text IS NULL OR kind = $2) "
        "AND ($3::uuid IS NULL OR chat_id = $3) AND ($4 OR replaced_by IS NULL) "
        "AND ($5::timestamptz IS NULL OR (created_at, summary_id) < ($5::timestamptz, $6::uuid)) "
        "ORDER BY created_at DESC, summary_id DESC LIMIT $7",
    pg::Planning::per_execution};

const std::string kContextItem =
    "jsonb_build_object('item_id', item_id, 'entity_type', entity_type, 'entity_id', "
    "entity_id, 'chat_id', chat_id, 'reason', reason, 'text', text, 'surfaced_at', " +
    time_of("surfaced_at") + ", 'expires_at', " + time_of("expires_at") + ")";

const pg::Statement kContextItems{"memory_read.context_items",
                                  "SELECT " + kContextItem +
                                      "::text FROM context_items WHERE user_id = $1::uuid AND expires_at > now() "
                                      "ORDER BY surfaced_at DESC, item_id LIMIT $2"};

// One statement, one snapshot: every part of the state is of the same moment.
const pg::Statement kUserState{
    "memory_read.user_state",
    "SELECT jsonb_build_object("
    "'user_id', $1::uuid, "
    "'time_zone', (SELECT time_zone FROM memory_users WHERE user_id = $1::uuid), "
    "'last_summary', (SELECT " +
        kSummary +
        " FROM summaries WHERE user_id = $1::uuid AND replaced_by IS NULL ORDER BY period_end DESC, created_at DESC "
        "LIMIT 1), "
        "'focus_goals', coalesce((SELECT jsonb_agg(g.item ORDER BY g.priority, g.deadline NULLS LAST, g.title, "
        "g.goal_id) FROM (SELECT goal_id, priority, deadline, title, jsonb_build_object('goal_id', goal_id, 'title', "
        "title, 'priority', priority, 'deadline', deadline) AS item FROM memory_goals WHERE user_id = $1::uuid AND "
        "status = 'active' ORDER BY priority, deadline NULLS LAST, title, goal_id LIMIT 3) g), '[]'::jsonb), "
        "'traits', coalesce((SELECT jsonb_agg(t.item ORDER BY t.at DESC) FROM (SELECT DISTINCT ON (f->>'text') "
        "f->>'text' AS text, s.created_at AS at, jsonb_build_object('kind', f->>'kind', 'text', f->>'text', "
        "'summary_id', s.summary_id, 'noted_at', " +
        time_of("s.created_at") +
        ") AS item FROM summaries s CROSS JOIN LATERAL jsonb_array_elements(s.facts) f WHERE s.user_id = $1::uuid "
        "AND s.replaced_by IS NULL AND s.kind = 'session' AND f->>'kind' IN ('fact', 'preference') "
        "ORDER BY f->>'text', s.created_at DESC) t), '[]'::jsonb), "
        "'mood_trend', (SELECT jsonb_build_object("
        "'last_7_days', jsonb_build_object('average_mood', round(avg(mood) FILTER (WHERE recorded_at >= now() - "
        "interval '7 days'), 2), 'average_energy', round(avg(energy) FILTER (WHERE recorded_at >= now() - interval "
        "'7 days'), 2), 'states', count(*) FILTER (WHERE recorded_at >= now() - interval '7 days')), "
        "'previous_7_days', jsonb_build_object('average_mood', round(avg(mood) FILTER (WHERE recorded_at < now() - "
        "interval '7 days'), 2), 'average_energy', round(avg(energy) FILTER (WHERE recorded_at < now() - interval "
        "'7 days'), 2), 'states', count(*) FILTER (WHERE recorded_at < now() - interval '7 days')), "
        "'latest', (SELECT " +
        kMentalState +
        "::jsonb FROM mental_states WHERE user_id = $1::uuid ORDER BY recorded_at DESC, mental_state_id DESC LIMIT 1)) "
        "FROM mental_states WHERE user_id = $1::uuid AND recorded_at >= now() - interval '14 days'), "
        "'recent_context', coalesce((SELECT jsonb_agg(c.item ORDER BY c.surfaced_at DESC) FROM (SELECT surfaced_at, " +
        kContextItem +
        " AS item FROM context_items WHERE user_id = $1::uuid AND expires_at > now() ORDER BY surfaced_at DESC, "
        "item_id LIMIT 20) c), '[]'::jsonb))::text",
    pg::Planning::per_execution};

// kUserState's last summary, and the latest mood recorded in the week before $2.
const pg::Statement kSummaryAndMood{"memory_read.summary_and_mood", R"sql(
SELECT (SELECT text FROM summaries WHERE user_id = $1::uuid AND replaced_by IS NULL
        ORDER BY period_end DESC, created_at DESC LIMIT 1),
       (SELECT mood FROM mental_states WHERE user_id = $1::uuid AND recorded_at > $2::timestamptz - interval '7 days'
        ORDER BY recorded_at DESC, mental_state_id DESC LIMIT 1))sql"};

const std::string kPromptRun =
    "jsonb_build_object('prompt_run_id', prompt_run_id, 'user_id', user_id, 'provider', provider, 'model', model, "
    "'model_version', model_version, 'purpose', purpose, 'scope', scope, 'items', items, 'tokens_in', tokens_in, "
    "'tokens_out', tokens_out, 'latency_ms', latency_ms, 'status', status, 'error', error, 'request_id', "
    "request_id, 'prompt_version', prompt_version, 'context', context, 'template', CASE WHEN template_id IS NULL "
    "THEN NULL ELSE jsonb_build_object('template_id', template_id, 'version', template_version) END, 'created_at', " +
    time_of("created_at") + ")::text";

const pg::Statement kPromptRuns{
    "memory_read.prompt_runs",
    "SELECT " + kPromptRun +
        " FROM prompt_runs WHERE ($1::uuid IS NULL OR user_id = $1) AND ($2::text IS NULL OR purpose = $2) "
        "AND ($3::text IS NULL OR status = $3) "
        "AND ($4::timestamptz IS NULL OR (created_at, prompt_run_id) < ($4::timestamptz, $5::uuid)) "
        "ORDER BY created_at DESC, prompt_run_id DESC LIMIT $6",
    pg::Planning::per_execution};

std::pair<std::optional<std::string>, std::optional<std::string>> split(const Cursor& after) {
    if (!after) return {};
    return {after->first, after->second};
}

bj::array rows_to_array(const pqxx::result& rows) {
    bj::array out;
    for (const auto& row : rows) out.push_back(json::parse_stored(row[0].as<std::string>()));
    return out;
}

std::optional<bj::object> first_object(const pqxx::result& rows) {
    if (rows.empty()) return std::nullopt;
    return json::parse_stored_object(rows[0][0].as<std::string>());
}

}  // namespace

std::optional<bj::object> find_mental_state(pqxx::dbtransaction& tx, const std::string& user_id,
                                            const std::string& id) {
    return first_object(pg::exec(tx, kFindMentalState, user_id, id));
}

bj::array list_mental_states(pqxx::dbtransaction& tx, const std::string& user_id, const MentalStateFilter& f) {
    const auto [at, id] = split(f.after);
    return rows_to_array(pg::exec(tx, kListMentalStates, user_id, f.source, f.from, f.to, at, id, f.limit));
}

std::optional<bj::object> find_summary(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& id) {
    return first_object(pg::exec(tx, kFindSummary, user_id, id));
}

bj::array list_summaries(pqxx::dbtransaction& tx, const std::string& user_id, const SummaryFilter& f) {
    const auto [at, id] = split(f.after);
    return rows_to_array(pg::exec(tx, kListSummaries, user_id, f.kind, f.chat_id, f.include_replaced, at, id, f.limit));
}

bj::array list_context_items(pqxx::dbtransaction& tx, const std::string& user_id, int limit) {
    return rows_to_array(pg::exec(tx, kContextItems, user_id, limit));
}

bj::object user_state(pqxx::dbtransaction& tx, const std::string& user_id) {
    return *first_object(pg::exec(tx, kUserState, user_id));
}

SummaryAndMood summary_and_mood(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& at) {
    const auto row = pg::exec(tx, kSummaryAndMood, user_id, at).at(0);
    SummaryAndMood out;
    if (!row[0].is_null()) out.summary = row[0].as<std::string>();
    if (!row[1].is_null()) out.mood = row[1].as<int>();
    return out;
}

bj::array list_prompt_runs(pqxx::dbtransaction& tx, const PromptRunFilter& f) {
    const auto [at, id] = split(f.after);
    return rows_to_array(pg::exec(tx, kPromptRuns, f.user_id, f.purpose, f.status, at, id, f.limit));
}

}  // namespace aimi::gateway::memory_read_model
