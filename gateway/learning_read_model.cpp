#include "gateway/learning_read_model.hpp"

#include <pqxx/pqxx>

#include "domain/json/parse.hpp"
#include "domain/json/text_of.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::gateway::learning_read_model {

namespace {

namespace bj = boost::json;

std::string utc(const std::string& column) {
    return "to_char(" + column + R"sql( AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))sql";
}

//! A row as JSON without its owner columns, times in UTC "Z" form.
std::string row_json(const std::string& alias, bool updated = true) {
    return "(to_jsonb(" + alias + R"sql() - 'user_id' - 'partition' || jsonb_build_object('created_at', )sql" +
           utc(alias + ".created_at") + (updated ? ", 'updated_at', " + utc(alias + ".updated_at") : "") + "))";
}

const std::string kTrack = row_json("t");
const std::string kItem = row_json("i");
const std::string kVersion = row_json("v", false);
const std::string kThread = row_json("h", false) + R"sql( || jsonb_build_object('chat_id', h.thread_id))sql";
const std::string kReply = row_json("r", false);

const std::string kSynopsis = row_json("y") + R"sql( - 'copied_synopsis_id' - 'copied_revision' || jsonb_build_object(
    'copied_from', CASE WHEN y.copied_synopsis_id IS NULL THEN NULL
                   ELSE jsonb_build_object('synopsis_id', y.copied_synopsis_id, 'revision', y.copied_revision) END))sql";

// A template as the API shows it: the catalog row and its latest version's content.
const std::string kTemplate =
    row_json("c") + R"sql( || jsonb_build_object('content', v.content, 'variables', v.variables))sql";
const std::string kTemplateFrom =
    " FROM chat_templates c JOIN chat_template_versions v ON v.template_id = c.template_id AND v.version = "
    "c.latest_version ";

const std::string kSession = row_json("s") + R"sql( || jsonb_build_object('threads', coalesce((
    SELECT jsonb_agg()sql" + kThread +
                             R"sql( ORDER BY h.created_at, h.thread_id) FROM chat_threads h
    WHERE h.user_id = s.user_id AND h.track_session_id = s.track_session_id), '[]'::jsonb)))sql";

const pg::Statement kFindTrack{"learning_read.track", "SELECT (" + kTrack + R"sql( || jsonb_build_object('roadmap',
    coalesce((SELECT jsonb_agg()sql" + kItem + R"sql( ORDER BY i.position) FROM track_roadmap_items i
              WHERE i.track_id = t.track_id), '[]'::jsonb)))::text FROM tracks t WHERE t.track_id = $1::uuid)sql"};

const pg::Statement kListTracks{"learning_read.tracks", "SELECT (" + kTrack + R"sql()::text FROM tracks t
WHERE ($1::timestamptz IS NULL OR (t.created_at, t.track_id) > ($1::timestamptz, $2::uuid))
ORDER BY t.created_at, t.track_id LIMIT $3)sql",
                                pg::Planning::per_execution};

const pg::Statement kFindItem{"learning_read.item", "SELECT " + kItem +
                                                        "::text FROM track_roadmap_items i WHERE i.roadmap_item_id = "
                                                        "$1::uuid"};

const pg::Statement kFindTemplate{
    "learning_read.template", "SELECT (" + kTemplate + ")::text" + kTemplateFrom + "WHERE c.template_id = $1::uuid"};

const pg::Statement kListTemplates{"learning_read.templates",
                                   "SELECT (" + kTemplate + ")::text" + kTemplateFrom + R"sql(
WHERE ($1::text IS NULL OR c.scope = $1) AND ($2::uuid IS NULL OR c.track_id = $2::uuid)
  AND ($3::text IS NULL OR c.name = $3)
  AND ($4::timestamptz IS NULL OR (c.created_at, c.template_id) > ($4::timestamptz, $5::uuid))
ORDER BY c.created_at, c.template_id LIMIT $6)sql",
                                   pg::Planning::per_execution};

const pg::Statement kFindVersion{
    "learning_read.version",
    "SELECT (" + kVersion + ")::text FROM chat_template_versions v WHERE v.template_id = $1::uuid AND v.version = $2"};

const pg::Statement kListVersions{
    "learning_read.versions",
    "SELECT (" + kVersion + ")::text FROM chat_template_versions v WHERE v.template_id = $1::uuid ORDER BY v.version"};

const pg::Statement kFindSession{"learning_read.session", "SELECT (" + kSession + R"sql()::text FROM track_sessions s
WHERE s.user_id = $1::uuid AND s.track_session_id = $2::uuid)sql"};

const pg::Statement kListSessions{"learning_read.sessions", "SELECT (" + kSession + R"sql()::text FROM track_sessions s
WHERE s.user_id = $1::uuid AND ($2::uuid IS NULL OR s.track_id = $2::uuid)
  AND ($3::timestamptz IS NULL OR (s.created_at, s.track_session_id) > ($3::timestamptz, $4::uuid))
ORDER BY s.created_at, s.track_session_id LIMIT $5)sql",
                                  pg::Planning::per_execution};

const pg::Statement kFindThread{"learning_read.thread", "SELECT (" + kThread + R"sql()::text FROM chat_threads h
WHERE h.user_id = $1::uuid AND h.thread_id = $2::uuid)sql"};

const pg::Statement kListThreads{"learning_read.threads", "SELECT (" + kThread + R"sql()::text FROM chat_threads h
WHERE h.user_id = $1::uuid AND h.track_session_id = $2::uuid ORDER BY h.created_at, h.thread_id)sql"};

const pg::Statement kFindSynopsis{"learning_read.synopsis", "SELECT (" + kSynopsis + R"sql()::text FROM synopses y
WHERE y.user_id = $1::uuid AND y.synopsis_id = $2::uuid)sql"};

const pg::Statement kListSynopses{"learning_read.synopses", "SELECT (" + kSynopsis + R"sql()::text FROM synopses y
WHERE y.user_id = $1::uuid AND y.track_session_id = $2::uuid
ORDER BY y.origin <> 'live', y.created_at, y.synopsis_id)sql"};

const pg::Statement kFindReply{"learning_read.reply", "SELECT (" + kReply + R"sql()::text FROM agent_replies r
WHERE r.user_id = $1::uuid AND r.agent_reply_id = $2::uuid)sql"};

// The session, its track, and the thread of the agent's tab; the roadmap and template separately.
const pg::Statement kAgentSession{"learning_read.agent_session", R"sql(
SELECT s.track_id, t.title, t.goal, s.templates::text,
       (SELECT h.thread_id FROM chat_threads h
        WHERE h.user_id = s.user_id AND h.track_session_id = s.track_session_id AND h.tab = $3)
FROM track_sessions s LEFT JOIN tracks t ON t.track_id = s.track_id
WHERE s.user_id = $1::uuid AND s.track_session_id = $2::uuid)sql"};

const pg::Statement kRoadmap{"learning_read.roadmap", R"sql(
SELECT title, description FROM track_roadmap_items WHERE track_id = $1::uuid ORDER BY position)sql"};

// Of the pinned versions, the one of the template named $2: the track's own before a global one.
const pg::Statement kPinned{"learning_read.pinned", R"sql(
SELECT v.template_id, v.version, v.content, v.variables::text
FROM jsonb_to_recordset($1::jsonb) AS p(template_id uuid, version integer)
JOIN chat_templates c ON c.template_id = p.template_id
JOIN chat_template_versions v ON v.template_id = p.template_id AND v.version = p.version
WHERE c.name = $2 AND c.scope IN ('track', 'global')
ORDER BY c.scope = 'global' LIMIT 1)sql"};

const pg::Statement kLatestGlobal{"learning_read.latest_global", R"sql(
SELECT v.template_id, v.version, v.content, v.variables::text
FROM chat_templates c JOIN chat_template_versions v ON v.template_id = c.template_id AND v.version = c.latest_version
WHERE c.scope = 'global' AND c.name = $1)sql"};

const pg::Statement kToPin{"learning_read.to_pin", R"sql(
SELECT template_id, latest_version FROM chat_templates
WHERE scope = 'global' OR (scope = 'track' AND track_id = $1::uuid) ORDER BY created_at, template_id)sql"};

std::optional<bj::object> one(const pqxx::result& rows) {
    if (rows.empty()) return std::nullopt;
    return json::parse_stored_object(rows[0][0].as<std::string>());
}

bj::array all(const pqxx::result& rows) {
    bj::array out;
    for (const auto& row : rows) out.push_back(json::parse_stored(row[0].as<std::string>()));
    return out;
}

std::optional<std::string> at_of(const Cursor& c) {
    return c ? std::optional(c->first) : std::nullopt;
}
std::optional<std::string> id_of(const Cursor& c) {
    return c ? std::optional(c->second) : std::nullopt;
}

std::optional<TemplateUse> template_use(const pqxx::result& rows) {
    if (rows.empty()) return std::nullopt;
    return TemplateUse{rows[0][0].as<std::string>(), rows[0][1].as<std::int64_t>(), rows[0][2].as<std::string>(),
                       json::parse_stored_object(rows[0][3].as<std::string>())};
}

}  // namespace

std::optional<bj::object> resource(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& type,
                                   const std::string& id) {
    if (type == "track") return find_track(tx, id);
    if (type == "roadmap_item") return one(pg::exec(tx, kFindItem, id));
    if (type == "chat_template") return find_template(tx, id);
    if (type == "track_session") return find_session(tx, user_id, id);
    if (type == "chat_thread") return one(pg::exec(tx, kFindThread, user_id, id));
    if (type == "synopsis") return find_synopsis(tx, user_id, id);
    if (type == "agent_reply") return find_agent_reply(tx, user_id, id);
    return std::nullopt;
}

std::optional<bj::object> find_track(pqxx::dbtransaction& tx, const std::string& track_id) {
    return one(pg::exec(tx, kFindTrack, track_id));
}

bj::array list_tracks(pqxx::dbtransaction& tx, const Cursor& after, int limit) {
    return all(pg::exec(tx, kListTracks, at_of(after), id_of(after), limit));
}

std::optional<bj::object> find_template(pqxx::dbtransaction& tx, const std::string& template_id) {
    return one(pg::exec(tx, kFindTemplate, template_id));
}

std::optional<bj::object> find_template_version(pqxx::dbtransaction& tx, const std::string& template_id,
                                                std::int64_t version) {
    return one(pg::exec(tx, kFindVersion, template_id, version));
}

bj::array list_template_versions(pqxx::dbtransaction& tx, const std::string& template_id) {
    return all(pg::exec(tx, kListVersions, template_id));
}

bj::array list_templates(pqxx::dbtransaction& tx, const TemplateFilter& filter) {
    return all(pg::exec(tx, kListTemplates, filter.scope, filter.track_id, filter.name, at_of(filter.after),
                        id_of(filter.after), filter.limit));
}

std::optional<bj::object> find_session(pqxx::dbtransaction& tx, const std::string& user_id,
                                       const std::string& session_id) {
    return one(pg::exec(tx, kFindSession, user_id, session_id));
}

bj::array list_sessions(pqxx::dbtransaction& tx, const std::string& user_id, const std::optional<std::string>& track_id,
                        const Cursor& after, int limit) {
    return all(pg::exec(tx, kListSessions, user_id, track_id, at_of(after), id_of(after), limit));
}

bj::array list_threads(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& session_id) {
    return all(pg::exec(tx, kListThreads, user_id, session_id));
}

std::optional<bj::object> find_synopsis(pqxx::dbtransaction& tx, const std::string& user_id,
                                        const std::string& synopsis_id) {
    return one(pg::exec(tx, kFindSynopsis, user_id, synopsis_id));
}

bj::array list_synopses(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& session_id) {
    return all(pg::exec(tx, kListSynopses, user_id, session_id));
}

std::optional<bj::object> find_agent_reply(pqxx::dbtransaction& tx, const std::string& user_id,
                                           const std::string& agent_reply_id) {
    return one(pg::exec(tx, kFindReply, user_id, agent_reply_id));
}

std::optional<AgentSession> agent_session(pqxx::dbtransaction& tx, const std::string& user_id,
                                          const std::string& session_id, const std::string& agent_id,
                                          const std::string& tab) {
    const auto rows = pg::exec(tx, kAgentSession, user_id, session_id, tab);
    if (rows.empty()) return std::nullopt;
    const auto& row = rows[0];
    AgentSession out;
    out.session_id = session_id;
    out.track_id = row[0].as<std::string>();
    out.track_title = row[1].is_null() ? "" : row[1].as<std::string>();
    out.track_goal = row[2].is_null() ? "" : row[2].as<std::string>();
    if (!row[4].is_null()) out.thread_id = row[4].as<std::string>();
    for (const auto& item : pg::exec(tx, kRoadmap, out.track_id))
        out.roadmap.emplace_back(item[0].as<std::string>(), item[1].as<std::string>());
    out.pinned = template_use(pg::exec(tx, kPinned, row[3].as<std::string>(), agent_id));
    return out;
}

std::optional<TemplateUse> latest_global_template(pqxx::dbtransaction& tx, const std::string& name) {
    return template_use(pg::exec(tx, kLatestGlobal, name));
}

std::vector<std::pair<std::string, std::int64_t>> templates_to_pin(pqxx::dbtransaction& tx,
                                                                   const std::string& track_id) {
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (const auto& row : pg::exec(tx, kToPin, track_id))
        out.emplace_back(row[0].as<std::string>(), row[1].as<std::int64_t>());
    return out;
}

}  // namespace aimi::gateway::learning_read_model
