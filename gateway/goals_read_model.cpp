#include "gateway/goals_read_model.hpp"

#include <boost/json/parse.hpp>
#include <pqxx/pqxx>

#include "domain/goals/model.hpp"
#include "domain/json/parse.hpp"
#include "domain/time.hpp"
#include "domain/uuid.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::gateway::goals_read_model {

namespace {

namespace bj = boost::json;

constexpr const char* kGoalJson = R"sql(jsonb_build_object(
    'id', goal_id, 'user_id', user_id, 'title', title, 'description', description, 'category', category,
    'priority', priority, 'status', status, 'blocked', blocked, 'deadline', deadline,
    'estimated_days', estimated_days, 'metadata', metadata,
    'created_at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'updated_at', to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'completed_at', to_char(completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'archived_at', to_char(archived_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text)sql";

const pg::Statement kFindGoal{"goals_read.find_goal", std::string("SELECT ") + kGoalJson +
                                                          " FROM goals_graph_goals WHERE user_id = $1::uuid AND "
                                                          "goal_id = $2::uuid"};

const pg::Statement kFindDependency{"goals_read.find_dependency", R"sql(
SELECT jsonb_build_object('id', dependency_id, 'user_id', user_id, 'parent_goal_id', parent_goal_id,
    'dependent_goal_id', dependent_goal_id, 'type', type, 'strength', strength, 'notes', notes,
    'created_at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'updated_at', to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text
FROM goals_graph_dependencies WHERE user_id = $1::uuid AND dependency_id = $2::uuid)sql"};

const pg::Statement kDependenciesOf{"goals_read.dependencies_of", R"sql(
SELECT jsonb_build_object('id', dependency_id, 'parent_goal_id', parent_goal_id,
    'dependent_goal_id', dependent_goal_id, 'type', type, 'strength', strength, 'notes', notes)::text
FROM goals_graph_dependencies WHERE user_id = $1::uuid AND (parent_goal_id = $2::uuid OR dependent_goal_id = $2::uuid)
ORDER BY created_at, dependency_id)sql"};

// Lists choose their page before rendering it: rendering every row of a user first (PostgreSQL
// computes the select list below the sort) made a list's cost grow with the user's history.
const pg::Statement kListGoals{"goals_read.list_goals", std::string("SELECT ") + kGoalJson + R"sql(
FROM (SELECT * FROM goals_graph_goals
WHERE user_id = $1::uuid
  AND ($2::text IS NULL OR ($2 = 'blocked' AND status = 'active' AND blocked) OR status = $2)
  AND ($3::text IS NULL OR category = $3)
  AND ($4::date IS NULL OR deadline >= $4::date)
  AND ($5::date IS NULL OR deadline <= $5::date)
  AND ($6::timestamptz IS NULL OR (created_at, goal_id) > ($6::timestamptz, $7::uuid))
ORDER BY created_at, goal_id
LIMIT $8) goals_graph_goals
ORDER BY created_at, goal_id)sql",
                               pg::Planning::per_execution};

const pg::Statement kHistory{"goals_read.history", R"sql(
SELECT jsonb_build_object('event_id', event_id, 'change', change, 'status', status, 'blocked', blocked,
    'caused_by_goal_id', caused_by_goal_id, 'stream_version', stream_version,
    'at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text
FROM goals_graph_history WHERE user_id = $1::uuid AND entity_type = $2 AND entity_id = $3::uuid
ORDER BY stream_version, at, event_id)sql"};

const pg::Statement kGraphGoals{"goals_read.graph_goals", R"sql(
SELECT goal_id::text, title, status, category, blocked, priority, estimated_days, deadline::text, critical_days,
       critical_via::text
FROM goals_graph_goals WHERE user_id = $1::uuid)sql"};

const pg::Statement kGraphEdges{"goals_read.graph_edges", R"sql(
SELECT dependency_id::text, parent_goal_id::text, dependent_goal_id::text, type, strength
FROM goals_graph_dependencies WHERE user_id = $1::uuid ORDER BY dependency_id)sql"};

const pg::Statement kPlan{"goals_read.plan", R"sql(
SELECT jsonb_build_object('goal_id', goal_id, 'title', title, 'priority', priority, 'deadline', deadline,
    'blocked', blocked, 'level', level)::text,
    format('%s_%s_%s_%s', level, priority, coalesce(deadline, 'infinity'::date), goal_id)
FROM goals_graph_goals WHERE user_id = $1::uuid AND status = 'active'
  AND ($2::integer IS NULL OR (level, priority, coalesce(deadline, 'infinity'::date), goal_id) >
                              ($2::integer, $3::smallint, $4::date, $5::uuid))
ORDER BY level, priority, coalesce(deadline, 'infinity'::date), goal_id
LIMIT $6)sql",
                          pg::Planning::per_execution};

const pg::Statement kBottlenecks{"goals_read.bottlenecks", R"sql(
SELECT jsonb_build_object('goal_id', goal_id, 'title', title, 'would_unblock', would_unblock,
    'open_children', open_children)::text
FROM goals_graph_goals WHERE user_id = $1::uuid AND status = 'active' AND open_children > 0
ORDER BY would_unblock DESC, open_children DESC, goal_id LIMIT $2)sql"};

// Follows the precomputed critical_via pointers from the goal back to the chain's start.
const pg::Statement kCriticalPath{"goals_read.critical_path", R"sql(
WITH RECURSIVE chain (goal_id, n) AS (
    SELECT $2::uuid, 0
    UNION ALL
    SELECT g.critical_via, c.n + 1 FROM chain c
    JOIN goals_graph_goals g ON g.user_id = $1::uuid AND g.goal_id = c.goal_id
    WHERE g.critical_via IS NOT NULL AND c.n < 100000)
SELECT jsonb_build_object('goal_id', g.goal_id, 'title', g.title, 'status', g.status,
    'estimated_days', g.estimated_days)::text, g.critical_days
FROM chain c JOIN goals_graph_goals g ON g.user_id = $1::uuid AND g.goal_id = c.goal_id
ORDER BY c.n DESC)sql"};

const pg::Statement kSnapshot{"goals_read.snapshot", "SELECT snapshot FROM goals_graph_users WHERE user_id = $1::uuid"};

//! The statements of one kind (tasks, problems), built once from its table's names.
struct EntityStatements {
    pg::Statement find, list;
};
const EntityStatements& entity_statements(const std::string& kind) {
    const auto make = [](const std::string& kind) {
        const std::string table = "goals_graph_" + kind + "s", id = kind + "_id";
        const std::string json = "((to_jsonb(t) - 'user_id' - '" + id + "') || jsonb_build_object('id', t." + id +
                                 ", 'user_id', t.user_id))::text";
        const std::string due = kind == "task"
                                    ? " AND ($3::date IS NULL OR due_date >= $3::date) AND ($4::date IS NULL OR "
                                      "due_date <= $4::date)"
                                    : " AND ($3::date IS NULL OR true) AND ($4::date IS NULL OR true)";
        return EntityStatements{
            pg::Statement{"goals_read.find_" + kind, "SELECT " + json + " FROM " + table +
                                                         " t WHERE user_id = $1::uuid AND " + id + " = $2::uuid"},
            pg::Statement{"goals_read.list_" + kind,
                          "SELECT " + json + " FROM (SELECT * FROM " + table +
                              " WHERE user_id = $1::uuid AND ($2::text IS NULL OR status = $2)" + due +
                              " AND ($5::timestamptz IS NULL OR (created_at, " + id +
                              ") > ($5::timestamptz, $6::uuid)) ORDER BY created_at, " + id +
                              " LIMIT $7) t ORDER BY created_at, " + id,
                          pg::Planning::per_execution}};
    };
    static const EntityStatements task = make("task"), problem = make("problem"), habit = make("habit"),
                                  link = make("link");
    return kind == "task" ? task : kind == "problem" ? problem : kind == "habit" ? habit : link;
}

//! PostgreSQL renders timestamptz in jsonb as "...+00:00"; the API writes "...Z" everywhere.
bj::object with_api_times(bj::object o) {
    for (auto& [key, value] : o)
        if (key.ends_with("_at") && value.is_string())
            if (const auto t = parse_timestamp(value.get_string())) value = format_timestamp(*t);
    return o;
}

std::optional<bj::object> one(const pqxx::result& r) {
    if (r.empty()) return std::nullopt;
    return json::parse_stored_object(r[0][0].as<std::string>());
}

bj::array all(const pqxx::result& r) {
    bj::array out;
    for (const auto& row : r) out.push_back(json::parse_stored(row[0].as<std::string>()));
    return out;
}

template <class T>
std::optional<T> opt(const pqxx::field& f) {
    return f.is_null() ? std::nullopt : std::optional<T>(f.as<T>());
}

}  // namespace

std::optional<bj::object> find_goal(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& goal_id) {
    return one(pg::exec(tx, kFindGoal, user_id, goal_id));
}

std::optional<bj::object> resource(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& type,
                                   const std::string& id) {
    if (type == "goal") return find_goal(tx, user_id, id);
    if (type == "dependency") return one(pg::exec(tx, kFindDependency, user_id, id));
    if (type == "task" || type == "problem" || type == "habit" || type == "link")
        return find_entity(tx, type, user_id, id);
    return std::nullopt;
}

bj::array list_goals(pqxx::dbtransaction& tx, const std::string& user_id, const GoalFilter& f) {
    return all(pg::exec(tx, kListGoals, user_id, f.status, f.category, f.due_after, f.due_before,
                        f.after ? std::optional<std::string>(f.after->first) : std::nullopt,
                        f.after ? std::optional<std::string>(f.after->second) : std::nullopt, f.limit));
}

bj::array history(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& entity_type,
                  const std::string& id) {
    return all(pg::exec(tx, kHistory, user_id, entity_type, id));
}

bj::array dependencies_of(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& goal_id) {
    return all(pg::exec(tx, kDependenciesOf, user_id, goal_id));
}

std::optional<bj::object> find_entity(pqxx::dbtransaction& tx, const std::string& kind, const std::string& user_id,
                                      const std::string& id) {
    auto row = one(pg::exec(tx, entity_statements(kind).find, user_id, id));
    if (!row) return std::nullopt;
    return with_api_times(std::move(*row));
}

bj::array links_of(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& entity_id) {
    static const pg::Statement query{"goals_read.links_of", R"sql(
SELECT ((to_jsonb(t) - 'user_id' - 'link_id') || jsonb_build_object('id', t.link_id, 'user_id', t.user_id))::text
FROM goals_graph_links t WHERE user_id = $1::uuid AND (from_id = $2::uuid OR to_id = $2::uuid)
ORDER BY created_at, link_id)sql"};
    bj::array out;
    for (auto& item : all(pg::exec(tx, query, user_id, entity_id)))
        out.push_back(with_api_times(std::move(item.as_object())));
    return out;
}

bj::array list_entities(pqxx::dbtransaction& tx, const std::string& kind, const std::string& user_id,
                        const EntityFilter& f) {
    bj::array out;
    for (auto& item : all(pg::exec(tx, entity_statements(kind).list, user_id, f.status, f.due_after, f.due_before,
                                   f.after ? std::optional<std::string>(f.after->first) : std::nullopt,
                                   f.after ? std::optional<std::string>(f.after->second) : std::nullopt, f.limit)))
        out.push_back(with_api_times(std::move(item.as_object())));
    return out;
}

PlanPage plan(pqxx::dbtransaction& tx, const std::string& user_id, const std::optional<PlanCursor>& after, int limit) {
    const auto rows = pg::exec(tx, kPlan, user_id, after ? std::optional(after->level) : std::nullopt,
                               after ? std::optional(after->priority) : std::nullopt,
                               after ? std::optional(after->deadline) : std::nullopt,
                               after ? std::optional(after->goal_id) : std::nullopt, limit);
    PlanPage page;
    for (const auto& row : rows) page.items.push_back(json::parse_stored(row[0].as<std::string>()));
    if (static_cast<int>(rows.size()) == limit) page.next_cursor = rows[rows.size() - 1][1].as<std::string>();
    return page;
}

std::optional<PlanCursor> parse_plan_cursor(const std::string& text) {
    // level_priority_deadline_goalid; deadline is a date or "infinity"
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t at; (at = text.find('_', start)) != std::string::npos; start = at + 1)
        parts.push_back(text.substr(start, at - start));
    parts.push_back(text.substr(start));
    if (parts.size() != 4) return std::nullopt;
    PlanCursor cursor;
    try {
        std::size_t used = 0;
        cursor.level = std::stoi(parts[0], &used);
        if (used != parts[0].size() || cursor.level < 0) return std::nullopt;
        cursor.priority = std::stoi(parts[1], &used);
        if (used != parts[1].size() || cursor.priority < 1 || cursor.priority > 5) return std::nullopt;
    } catch (const std::exception&) {
        return std::nullopt;
    }
    if (parts[2] != "infinity" && !parse_date(parts[2])) return std::nullopt;
    if (!is_uuid(parts[3])) return std::nullopt;
    cursor.deadline = parts[2];
    cursor.goal_id = normalize_uuid(parts[3]);
    return cursor;
}

bj::array bottlenecks(pqxx::dbtransaction& tx, const std::string& user_id, int limit) {
    return all(pg::exec(tx, kBottlenecks, user_id, limit));
}

std::optional<bj::object> critical_path(pqxx::dbtransaction& tx, const std::string& user_id,
                                        const std::string& goal_id) {
    const auto rows = pg::exec(tx, kCriticalPath, user_id, goal_id);
    if (rows.empty()) return std::nullopt;
    bj::array chain;
    for (const auto& row : rows) chain.push_back(json::parse_stored(row[0].as<std::string>()));
    // The last row is the goal itself; its critical_days is the chain's total.
    return bj::object{
        {"goal_id", goal_id}, {"total_days", rows[rows.size() - 1][1].as<std::int64_t>()}, {"goals", std::move(chain)}};
}

std::optional<std::string> snapshot(pqxx::dbtransaction& tx, const std::string& user_id) {
    const auto rows = pg::exec(tx, kSnapshot, user_id);
    if (rows.empty()) return std::nullopt;
    return rows[0][0].as<std::string>();
}

Graph load_graph(pqxx::dbtransaction& tx, const std::string& user_id) {
    Graph graph;
    for (const auto& row : pg::exec(tx, kGraphGoals, user_id))
        graph.goals[row[0].as<std::string>()] =
            Graph::Goal{row[1].as<std::string>(), row[2].as<std::string>(),
                        row[3].as<std::string>(), row[4].as<bool>(),
                        row[5].as<int>(),         opt<std::int64_t>(row[6]),
                        opt<std::string>(row[7]), opt<std::int64_t>(row[8]).value_or(0),
                        opt<std::string>(row[9])};
    for (const auto& row : pg::exec(tx, kGraphEdges, user_id)) {
        graph.edges.push_back(Graph::Edge{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                                          row[3].as<std::string>(), row[4].as<int>()});
    }
    return graph;
}

}  // namespace aimi::gateway::goals_read_model
