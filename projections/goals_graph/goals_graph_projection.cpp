#include "projections/goals_graph/goals_graph_projection.hpp"

#include <chrono>
#include <map>
#include <set>

#include <spdlog/spdlog.h>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <pqxx/pqxx>

#include "domain/conversation/model.hpp"
#include "domain/goals/model.hpp"
#include "domain/json/parse.hpp"
#include "domain/json/serialize.hpp"
#include "domain/json/text_of.hpp"
#include "projections/goals_graph/user_model.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::goals_graph {

namespace {

namespace bj = boost::json;
using json::text_of;
using Key = std::pair<std::string, std::string>;  // (user_id, goal or dependency id)

const pg::Statement kLoadGoals{"goals_graph.load_goals", R"sql(
SELECT user_id::text, goal_id::text,
       jsonb_build_object('title', title, 'title_norm', title_norm, 'description', description,
                          'category', category, 'priority', priority, 'status', status, 'blocked', blocked,
                          'deadline', deadline, 'estimated_days', estimated_days, 'metadata', metadata,
                          'created_at', created_at, 'updated_at', updated_at, 'completed_at', completed_at,
                          'archived_at', archived_at)::text
FROM goals_graph_goals g
JOIN jsonb_to_recordset($1::jsonb) AS k(u uuid, i uuid) ON g.user_id = k.u AND g.goal_id = k.i)sql"};

const pg::Statement kLoadDependencies{"goals_graph.load_dependencies", R"sql(
SELECT user_id::text, dependency_id::text,
       jsonb_build_object('parent_goal_id', parent_goal_id, 'dependent_goal_id', dependent_goal_id, 'type', type,
                          'strength', strength, 'notes', notes, 'created_at', created_at,
                          'updated_at', updated_at)::text
FROM goals_graph_dependencies d
JOIN jsonb_to_recordset($1::jsonb) AS k(u uuid, i uuid) ON d.user_id = k.u AND d.dependency_id = k.i)sql"};

const pg::Statement kUpsertGoals{"goals_graph.upsert_goals", R"sql(
INSERT INTO goals_graph_goals (user_id, goal_id, title, title_norm, description, category, priority, status, blocked,
                               deadline, estimated_days, metadata, created_at, updated_at, completed_at, archived_at)
SELECT user_id, goal_id, title, title_norm, description, category, priority, status, blocked, deadline,
       estimated_days, coalesce(metadata, '{}'), created_at, updated_at, completed_at, archived_at
FROM jsonb_to_recordset($1::jsonb) AS r(user_id uuid, goal_id uuid, title text, title_norm text, description text,
     category text, priority smallint, status text, blocked boolean, deadline date, estimated_days integer,
     metadata jsonb, created_at timestamptz, updated_at timestamptz, completed_at timestamptz,
     archived_at timestamptz)
ON CONFLICT (user_id, goal_id) DO UPDATE SET title = excluded.title, title_norm = excluded.title_norm,
    description = excluded.description, category = excluded.category, priority = excluded.priority,
    status = excluded.status, blocked = excluded.blocked, deadline = excluded.deadline,
    estimated_days = excluded.estimated_days, metadata = excluded.metadata, updated_at = excluded.updated_at,
    completed_at = excluded.completed_at, archived_at = excluded.archived_at)sql"};

const pg::Statement kUpsertDependencies{"goals_graph.upsert_dependencies", R"sql(
INSERT INTO goals_graph_dependencies (user_id, dependency_id, parent_goal_id, dependent_goal_id, type, strength, notes,
                                      created_at, updated_at)
SELECT user_id, dependency_id, parent_goal_id, dependent_goal_id, type, strength, notes, created_at, updated_at
FROM jsonb_to_recordset($1::jsonb) AS r(user_id uuid, dependency_id uuid, parent_goal_id uuid,
     dependent_goal_id uuid, type text, strength smallint, notes text, created_at timestamptz,
     updated_at timestamptz)
ON CONFLICT (user_id, dependency_id) DO UPDATE SET type = excluded.type, strength = excluded.strength,
    notes = excluded.notes, updated_at = excluded.updated_at)sql"};

const pg::Statement kDeleteDependencies{"goals_graph.delete_dependencies", R"sql(
DELETE FROM goals_graph_dependencies WHERE (user_id, dependency_id) IN
    (SELECT u, i FROM jsonb_to_recordset($1::jsonb) AS r(u uuid, i uuid)))sql"};

const pg::Statement kInsertHistory{"goals_graph.insert_history", R"sql(
INSERT INTO goals_graph_history (user_id, event_id, entity_type, entity_id, stream_version, change, status, blocked,
                                 caused_by_goal_id, at)
SELECT user_id, event_id, entity_type, entity_id, stream_version, change, status, blocked, caused_by_goal_id, at
FROM jsonb_to_recordset($1::jsonb) AS r(user_id uuid, event_id uuid, entity_type text, entity_id uuid, stream_version bigint,
     change text, status text, blocked boolean, caused_by_goal_id uuid, at timestamptz)
ON CONFLICT (user_id, event_id) DO NOTHING)sql"};

const pg::Statement kLoadVersions{"goals_graph.load_versions", R"sql(
SELECT user_id::text, version FROM goals_graph_users
WHERE user_id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb)))sql"};

const pg::Statement kModelGoals{"goals_graph.model_goals", R"sql(
SELECT goal_id::text, status, coalesce(estimated_days, 0), blocked, level, critical_days, critical_via::text,
       would_unblock, open_children
FROM goals_graph_goals WHERE user_id = $1::uuid)sql"};

const pg::Statement kModelEdges{"goals_graph.model_edges", R"sql(
SELECT dependency_id::text, parent_goal_id::text, dependent_goal_id::text, type
FROM goals_graph_dependencies WHERE user_id = $1::uuid)sql"};

const pg::Statement kUpdateMetrics{"goals_graph.update_metrics", R"sql(
UPDATE goals_graph_goals g SET level = r.level, critical_days = r.critical_days, critical_via = r.critical_via,
    would_unblock = r.would_unblock, open_children = r.open_children
FROM jsonb_to_recordset($1::jsonb) AS r(user_id uuid, goal_id uuid, level integer, critical_days bigint,
                                        critical_via uuid, would_unblock integer, open_children integer)
WHERE g.user_id = r.user_id AND g.goal_id = r.goal_id)sql"};

// One user per statement, snapshot as a plain parameter: wrapping a megabyte of snapshot in a
// jsonb record set made PostgreSQL parse it twice.
const pg::Statement kUpsertUser{"goals_graph.upsert_user", R"sql(
INSERT INTO goals_graph_users (user_id, version, snapshot) VALUES ($1::uuid, $2, $3)
ON CONFLICT (user_id) DO UPDATE SET version = excluded.version, snapshot = excluded.snapshot)sql"};

// Tasks and problems: rows as JSON keyed by column, loaded and written whole.
const pg::Statement kLoadTasks{"goals_graph.load_tasks", R"sql(
SELECT t.user_id::text, t.task_id::text, (to_jsonb(t) - 'user_id' - 'task_id')::text FROM goals_graph_tasks t
JOIN jsonb_to_recordset($1::jsonb) AS k(u uuid, i uuid) ON t.user_id = k.u AND t.task_id = k.i)sql"};
const pg::Statement kLoadProblems{"goals_graph.load_problems", R"sql(
SELECT t.user_id::text, t.problem_id::text, (to_jsonb(t) - 'user_id' - 'problem_id')::text FROM goals_graph_problems t
JOIN jsonb_to_recordset($1::jsonb) AS k(u uuid, i uuid) ON t.user_id = k.u AND t.problem_id = k.i)sql"};
const pg::Statement kUpsertTasks{"goals_graph.upsert_tasks", R"sql(
INSERT INTO goals_graph_tasks SELECT * FROM jsonb_populate_recordset(NULL::goals_graph_tasks, $1::jsonb)
ON CONFLICT (user_id, task_id) DO UPDATE SET title = excluded.title, title_norm = excluded.title_norm,
    notes = excluded.notes, status = excluded.status, priority = excluded.priority, impact = excluded.impact,
    due_date = excluded.due_date, updated_at = excluded.updated_at, completed_at = excluded.completed_at)sql"};
const pg::Statement kUpsertProblems{"goals_graph.upsert_problems", R"sql(
INSERT INTO goals_graph_problems SELECT * FROM jsonb_populate_recordset(NULL::goals_graph_problems, $1::jsonb)
ON CONFLICT (user_id, problem_id) DO UPDATE SET title = excluded.title, title_norm = excluded.title_norm,
    description = excluded.description, status = excluded.status, severity = excluded.severity,
    updated_at = excluded.updated_at)sql"};

const pg::Statement kLoadHabits{"goals_graph.load_habits", R"sql(
SELECT t.user_id::text, t.habit_id::text, (to_jsonb(t) - 'user_id' - 'habit_id')::text FROM goals_graph_habits t
JOIN jsonb_to_recordset($1::jsonb) AS k(u uuid, i uuid) ON t.user_id = k.u AND t.habit_id = k.i)sql"};
const pg::Statement kUpsertHabits{"goals_graph.upsert_habits", R"sql(
INSERT INTO goals_graph_habits SELECT * FROM jsonb_populate_recordset(NULL::goals_graph_habits, $1::jsonb)
ON CONFLICT (user_id, habit_id) DO UPDATE SET name = excluded.name, frequency = excluded.frequency,
    intensity = excluded.intensity, goal_id = excluded.goal_id, status = excluded.status,
    updated_at = excluded.updated_at)sql"};
const pg::Statement kInsertLinks{"goals_graph.insert_links", R"sql(
INSERT INTO goals_graph_links SELECT * FROM jsonb_populate_recordset(NULL::goals_graph_links, $1::jsonb)
ON CONFLICT (user_id, link_id) DO NOTHING)sql"};
const pg::Statement kDeleteLinks{"goals_graph.delete_links", R"sql(
DELETE FROM goals_graph_links WHERE (user_id, link_id) IN
    (SELECT u, i FROM jsonb_to_recordset($1::jsonb) AS r(u uuid, i uuid)))sql"};

const pg::Statement kEraseUsers{"goals_graph.erase_users", R"sql(
WITH erased AS (SELECT value::uuid AS id FROM jsonb_array_elements_text($1::jsonb)),
     u AS (DELETE FROM goals_graph_users WHERE user_id IN (SELECT id FROM erased)),
     t AS (DELETE FROM goals_graph_tasks WHERE user_id IN (SELECT id FROM erased)),
     p AS (DELETE FROM goals_graph_problems WHERE user_id IN (SELECT id FROM erased)),
     b AS (DELETE FROM goals_graph_habits WHERE user_id IN (SELECT id FROM erased)),
     l AS (DELETE FROM goals_graph_links WHERE user_id IN (SELECT id FROM erased)),
     d AS (DELETE FROM goals_graph_dependencies WHERE user_id IN (SELECT id FROM erased)),
     h AS (DELETE FROM goals_graph_history WHERE user_id IN (SELECT id FROM erased))
DELETE FROM goals_graph_goals WHERE user_id IN (SELECT id FROM erased))sql"};

bool is_goals_event(std::string_view type) {
    return type.starts_with("goal.") || type.starts_with("dependency.");
}

//! task.* and problem.*: the kind, or empty.
std::string entity_kind(std::string_view type) {
    if (type.starts_with("task.")) return "task";
    if (type.starts_with("problem.")) return "problem";
    if (type.starts_with("habit.")) return "habit";
    return {};
}

const pg::Statement& load_statement(const std::string& kind);
const pg::Statement& upsert_statement(const std::string& kind);

//! Goal and dependency ids the facts name, per user: the rows to load.
void collect_keys(std::span<const facts::Fact> facts, std::set<Key>& goal_keys, std::set<Key>& dependency_keys,
                  std::map<std::string, std::set<Key>>& entity_keys) {
    for (const auto& fact : facts) {
        if (!fact.applied()) continue;
        for (const auto& event : fact.events) {
            if (const auto kind = entity_kind(event.type); !kind.empty())
                entity_keys[kind].emplace(fact.user_id, text_of(event.data, kind + "_id"));
            if (!is_goals_event(event.type)) continue;
            if (auto id = text_of(event.data, "goal_id"); !id.empty()) goal_keys.emplace(fact.user_id, id);
            if (auto id = text_of(event.data, "dependency_id"); !id.empty()) dependency_keys.emplace(fact.user_id, id);
        }
    }
}

bj::array keys_json(const std::set<Key>& keys) {
    bj::array out;
    for (const auto& [u, i] : keys) out.push_back(bj::object{{"u", u}, {"i", i}});
    return out;
}

//! The folding of one batch of facts over the rows they touch.
class Batch {
  public:
    std::map<std::string, UserModel>* models = nullptr;  //!< the touched users' whole graphs
    std::map<Key, bj::object> goals, dependencies;
    std::map<std::string, std::map<Key, bj::object>> entities;  //!< kind -> rows (tasks, problems)
    std::map<std::string, std::set<Key>> dirty_entities;
    std::map<Key, bj::object> new_links;
    std::set<Key> removed_links;
    std::set<Key> dirty_goals, dirty_dependencies, removed_dependencies;
    std::set<std::string> erased;
    bj::array history;

    void apply(const facts::Fact& fact, const facts::AppliedEvent& event) {
        const auto& d = event.data;
        const auto at = format_timestamp(*fact.occurred_at);
        const std::string& user = fact.user_id;
        if (event.type == "user.erased") {
            erased.insert(user);
            return;
        }
        if (const auto kind = entity_kind(event.type); !kind.empty()) {
            apply_entity(fact, event, kind, at);
            return;
        }
        if (event.type == "link.added") {
            const Key key{user, text_of(d, "link_id")};
            bj::object row = d;
            row["user_id"] = user;
            row["created_at"] = at;
            new_links[key] = std::move(row);
            removed_links.erase(key);
            return;
        }
        if (event.type == "link.removed") {
            const Key key{user, text_of(d, "link_id")};
            new_links.erase(key);
            removed_links.insert(key);
            return;
        }
        if (event.type == "goal.created") {
            const Key key{user, text_of(d, "goal_id")};
            goals[key] = bj::object{
                {"title", d.at("title").is_string() ? d.at("title") : bj::value("")},
                {"title_norm", goals::normalize_title(text_of(d, "title"))},
                {"description", value_or_null(d, "description")},
                {"category", d.at("category")},
                {"priority", d.at("priority")},
                {"status", "active"},
                {"blocked", false},
                {"deadline", value_or_null(d, "deadline")},
                {"estimated_days", value_or_null(d, "estimated_days")},
                {"metadata",
                 d.contains("metadata") && d.at("metadata").is_object() ? d.at("metadata") : bj::value(bj::object{})},
                {"created_at", at},
                {"updated_at", at},
                {"completed_at", nullptr},
                {"archived_at", nullptr}};
            dirty_goals.insert(key);
            record(fact, event, key.second, "created");
            if (auto* m = model(user))
                m->put_goal(key.second,
                            UserModel::Goal{
                                goals::GoalStatus::active, estimate(value_or_null(d, "estimated_days")), false, {}});
        } else if (event.type == "goal.updated") {
            auto* goal = find_goal(user, text_of(d, "goal_id"));
            if (!goal) return;
            for (const auto* field : {"title", "description", "category", "priority", "deadline", "estimated_days"})
                if (d.contains(field)) (*goal)[field] = d.at(field);
            if (d.contains("title")) (*goal)["title_norm"] = goals::normalize_title(text_of(d, "title"));
            if (const auto* patch = d.if_contains("metadata_patch"); patch && patch->is_object()) {
                auto metadata = (*goal)["metadata"].is_object() ? (*goal)["metadata"].as_object() : bj::object{};
                conversation::merge_patch(metadata, patch->as_object());
                (*goal)["metadata"] = std::move(metadata);
            }
            (*goal)["updated_at"] = at;
            dirty_goals.emplace(user, text_of(d, "goal_id"));
            if (auto* m = model(user); m && d.contains("estimated_days"))
                if (auto* g = m->goal(text_of(d, "goal_id"))) g->estimated_days = estimate(d.at("estimated_days"));
        } else if (event.type == "goal.completed" || event.type == "goal.cancelled" || event.type == "goal.archived" ||
                   event.type == "goal.reopened") {
            const auto id = text_of(d, "goal_id");
            auto* goal = find_goal(user, id);
            if (!goal || !event.applied.contains("changed") || !event.applied.at("changed").as_bool()) return;
            const auto status = text_of(event.applied, "status");
            (*goal)["status"] = status;
            (*goal)["updated_at"] = at;
            if (status == "done") (*goal)["completed_at"] = at;
            if (status == "active") (*goal)["completed_at"] = nullptr;
            (*goal)["archived_at"] = status == "archived" ? bj::value(at) : bj::value(nullptr);
            if (status != "active") (*goal)["blocked"] = false;
            dirty_goals.emplace(user, id);
            if (auto* m = model(user))
                if (auto* g = m->goal(id)) {
                    g->status = *goals::goal_status(status);
                    g->blocked = (*goal)["blocked"].as_bool();
                }
            record(fact, event, id, event.type.substr(5));
        } else if (event.type == "goal.blocked" || event.type == "goal.unblocked") {
            const auto id = text_of(d, "goal_id");
            auto* goal = find_goal(user, id);
            if (!goal) return;
            (*goal)["blocked"] = event.type == "goal.blocked";
            dirty_goals.emplace(user, id);
            if (auto* m = model(user))
                if (auto* g = m->goal(id)) g->blocked = event.type == "goal.blocked";
            record(fact, event, id, event.type.substr(5));
        } else if (event.type == "dependency.added") {
            const Key key{user, text_of(d, "dependency_id")};
            dependencies[key] = bj::object{{"parent_goal_id", d.at("parent_goal_id")},
                                           {"dependent_goal_id", d.at("dependent_goal_id")},
                                           {"type", d.at("type")},
                                           {"strength", d.at("strength")},
                                           {"notes", value_or_null(d, "notes")},
                                           {"created_at", at},
                                           {"updated_at", at}};
            dirty_dependencies.insert(key);
            removed_dependencies.erase(key);
            if (auto* m = model(user))
                m->put_edge(key.second, UserModel::Edge{text_of(d, "parent_goal_id"), text_of(d, "dependent_goal_id"),
                                                        *goals::dependency_type(text_of(d, "type"))});
        } else if (event.type == "dependency.updated") {
            const Key key{user, text_of(d, "dependency_id")};
            const auto it = dependencies.find(key);
            if (it == dependencies.end()) return;
            for (const auto* field : {"type", "strength", "notes"})
                if (d.contains(field)) it->second[field] = d.at(field);
            it->second["updated_at"] = at;
            dirty_dependencies.insert(key);
            if (auto* m = model(user))
                m->put_edge(key.second, UserModel::Edge{std::string(it->second.at("parent_goal_id").as_string()),
                                                        std::string(it->second.at("dependent_goal_id").as_string()),
                                                        *goals::dependency_type(it->second.at("type").as_string())});
        } else if (event.type == "dependency.removed") {
            const Key key{user, text_of(d, "dependency_id")};
            dependencies.erase(key);
            dirty_dependencies.erase(key);
            removed_dependencies.insert(key);
            if (auto* m = model(user)) m->remove_edge(key.second);
        }
    }

  private:
    //! Tasks and problems: a created row, or the fields an update names; a task entering done gets
    //! completed_at, leaving done clears it; each status change is a history row.
    void apply_entity(const facts::Fact& fact, const facts::AppliedEvent& event, const std::string& kind,
                      const std::string& at) {
        const auto& d = event.data;
        const Key key{fact.user_id, text_of(d, kind + "_id")};
        auto& rows = entities[kind];
        const auto status = text_of(event.applied, "status");
        if (event.type.ends_with(".created")) {
            bj::object row = d;
            row.erase(kind + "_id");
            if (kind == "habit") {
                if (!row.contains("name") || !row.at("name").is_string()) row["name"] = "";
            } else {
                if (!row.contains("title") || !row.at("title").is_string()) row["title"] = "";
                row["title_norm"] = goals::normalize_title(text_of(d, "title"));
            }
            row["created_at"] = at;
            row["updated_at"] = at;
            if (kind == "task") row["completed_at"] = status == "done" ? bj::value(at) : bj::value(nullptr);
            rows[key] = std::move(row);
            record(fact, event, kind, key.second, "created", bj::value(status), bj::value(false));
        } else {
            const auto it = rows.find(key);
            if (it == rows.end()) return;
            auto& row = it->second;
            for (const auto& [field, value] : d)
                if (field != kind + "_id") row[field] = value;
            if (d.contains("title") && kind != "habit") row["title_norm"] = goals::normalize_title(text_of(d, "title"));
            row["updated_at"] = at;
            const auto previous = text_of(event.applied, "previous_status");
            if (kind == "task" && previous != status) {
                if (status == "done") row["completed_at"] = at;
                if (previous == "done") row["completed_at"] = nullptr;
            }
            if (previous != status)
                record(fact, event, kind, key.second, "status", bj::value(status), bj::value(false));
        }
        dirty_entities[kind].insert(key);
    }

    UserModel* model(const std::string& user) {
        const auto it = models->find(user);
        return it == models->end() ? nullptr : &it->second;
    }
    static std::int64_t estimate(const bj::value& v) { return v.is_int64() ? v.as_int64() : 0; }
    static bj::value value_or_null(const bj::object& o, std::string_view key) {
        const auto* v = o.if_contains(key);
        return v ? *v : bj::value(nullptr);
    }
    bj::object* find_goal(const std::string& user, const std::string& id) {
        const auto it = goals.find({user, id});
        return it == goals.end() ? nullptr : &it->second;
    }
    void record(const facts::Fact& fact, const facts::AppliedEvent& event, const std::string& goal_id,
                std::string_view change) {
        const auto& goal = goals.at({fact.user_id, goal_id});
        record(fact, event, "goal", goal_id, change, goal.at("status"), goal.at("blocked"));
    }
    void record(const facts::Fact& fact, const facts::AppliedEvent& event, std::string_view entity_type,
                const std::string& id, std::string_view change, const bj::value& status, const bj::value& blocked) {
        const auto* cause = event.data.if_contains("caused_by_goal_id");
        history.push_back(bj::object{{"user_id", fact.user_id},
                                     {"event_id", event.event_id},
                                     {"entity_type", entity_type},
                                     {"entity_id", id},
                                     {"stream_version", event.stream_version},
                                     {"change", change},
                                     {"status", status},
                                     {"blocked", blocked},
                                     {"caused_by_goal_id", cause ? *cause : bj::value(nullptr)},
                                     {"at", format_timestamp(*fact.occurred_at)}});
    }
};

const pg::Statement& load_statement(const std::string& kind) {
    return kind == "task" ? kLoadTasks : kind == "problem" ? kLoadProblems : kLoadHabits;
}
const pg::Statement& upsert_statement(const std::string& kind) {
    return kind == "task" ? kUpsertTasks : kind == "problem" ? kUpsertProblems : kUpsertHabits;
}

}  // namespace

void GoalsGraphProjection::load_models(pqxx::dbtransaction& tx, std::span<const facts::Fact> facts,
                                       std::map<std::string, UserModel>& models,
                                       std::map<std::string, std::int64_t>& versions) {
    std::set<std::string> users;
    for (const auto& fact : facts)
        if (fact.applied())
            for (const auto& event : fact.events)
                if (is_goals_event(event.type)) users.insert(fact.user_id);
    if (users.empty()) return;
    bj::array ids;
    for (const auto& u : users) ids.push_back(bj::value(u));
    for (const auto& row : pg::exec(tx, kLoadVersions, json::serialize(ids)))
        versions[row[0].as<std::string>()] = row[1].as<std::int64_t>();
    for (const auto& user : users) {
        const auto version = versions.contains(user) ? versions.at(user) : 0;
        if (auto cached = models_.take(user, version)) {
            models.emplace(user, std::move(*cached));
            continue;
        }
        UserModel& model = models[user];
        for (const auto& row : pg::exec(tx, kModelGoals, user)) {
            goals::GoalMetrics metrics{row[4].as<int>(), row[5].as<std::int64_t>(),
                                       row[6].is_null() ? std::nullopt : std::optional(row[6].as<std::string>()),
                                       row[7].as<int>(), row[8].as<int>()};
            model.put_goal(row[0].as<std::string>(),
                           UserModel::Goal{*goals::goal_status(row[1].as<std::string>()), row[2].as<std::int64_t>(),
                                           row[3].as<bool>(), std::move(metrics)});
        }
        for (const auto& row : pg::exec(tx, kModelEdges, user))
            model.put_edge(row[0].as<std::string>(),
                           UserModel::Edge{row[1].as<std::string>(), row[2].as<std::string>(),
                                           *goals::dependency_type(row[3].as<std::string>())});
    }
}

void GoalsGraphProjection::write_metrics(pqxx::dbtransaction& tx, const std::set<std::string>& erased,
                                         std::map<std::string, UserModel>& models,
                                         const std::map<std::string, std::int64_t>& versions) {
    bj::array metric_rows;
    std::vector<std::tuple<std::string, std::int64_t, std::string>> user_rows;
    for (auto& [user, model] : models) {
        if (erased.contains(user)) continue;
        for (const auto& id : model.refresh_metrics()) {
            const auto& m = model.goals().at(id).metrics;
            metric_rows.push_back(bj::object{{"user_id", user},
                                             {"goal_id", id},
                                             {"level", m.level},
                                             {"critical_days", m.critical_days},
                                             {"critical_via", m.critical_via ? bj::value(*m.critical_via) : nullptr},
                                             {"would_unblock", m.would_unblock},
                                             {"open_children", m.open_children}});
        }
        const auto it = versions.find(user);
        const auto version = (it == versions.end() ? 0 : it->second) + 1;
        user_rows.emplace_back(user, version, model.snapshot_json());
        models_.stage(user, version, std::move(model));
    }
    if (!metric_rows.empty()) pg::exec(tx, kUpdateMetrics, json::serialize(metric_rows));
    for (const auto& [user, version, snapshot] : user_rows) pg::exec(tx, kUpsertUser, user, version, snapshot);
}

void GoalsGraphProjection::apply(pqxx::dbtransaction& tx, std::span<const facts::Fact> facts) {
    std::set<Key> goal_keys, dependency_keys;
    std::map<std::string, std::set<Key>> entity_keys;
    collect_keys(facts, goal_keys, dependency_keys, entity_keys);
    Batch batch;
    std::map<std::string, UserModel> models;
    std::map<std::string, std::int64_t> versions;
    const auto started = std::chrono::steady_clock::now();
    const auto cached_before = models_.size();
    load_models(tx, facts, models, versions);
    const auto loaded = std::chrono::steady_clock::now();
    batch.models = &models;
    if (!goal_keys.empty())
        for (const auto& row : pg::exec(tx, kLoadGoals, json::serialize(keys_json(goal_keys))))
            batch.goals[{row[0].as<std::string>(), row[1].as<std::string>()}] =
                json::parse_stored_object(row[2].as<std::string>());
    if (!dependency_keys.empty())
        for (const auto& row : pg::exec(tx, kLoadDependencies, json::serialize(keys_json(dependency_keys))))
            batch.dependencies[{row[0].as<std::string>(), row[1].as<std::string>()}] =
                json::parse_stored_object(row[2].as<std::string>());

    for (const auto& [kind, keys] : entity_keys)
        for (const auto& row : pg::exec(tx, load_statement(kind), json::serialize(keys_json(keys))))
            batch.entities[kind][{row[0].as<std::string>(), row[1].as<std::string>()}] =
                json::parse_stored_object(row[2].as<std::string>());
    for (const auto& fact : facts) {
        if (!fact.applied()) continue;
        for (const auto& event : fact.events) batch.apply(fact, event);
    }
    for (const auto& [kind, keys] : batch.dirty_entities) {
        bj::array rows;
        for (const auto& key : keys) {
            if (batch.erased.contains(key.first)) continue;
            auto row = batch.entities[kind].at(key);
            row["user_id"] = key.first;
            row[kind + "_id"] = key.second;
            rows.push_back(std::move(row));
        }
        if (!rows.empty()) pg::exec(tx, upsert_statement(kind), json::serialize(rows));
    }
    bj::array link_rows, gone_links;
    for (const auto& [u, i] : batch.removed_links) gone_links.push_back(bj::object{{"u", u}, {"i", i}});
    for (const auto& [key, row] : batch.new_links)
        if (!batch.erased.contains(key.first)) link_rows.push_back(row);
    if (!gone_links.empty()) pg::exec(tx, kDeleteLinks, json::serialize(gone_links));
    if (!link_rows.empty()) pg::exec(tx, kInsertLinks, json::serialize(link_rows));

    bj::array goal_rows, dependency_rows, removed;
    for (const auto& key : batch.dirty_goals) {
        if (batch.erased.contains(key.first)) continue;
        auto row = batch.goals.at(key);
        row["user_id"] = key.first;
        row["goal_id"] = key.second;
        goal_rows.push_back(std::move(row));
    }
    for (const auto& key : batch.dirty_dependencies) {
        if (batch.erased.contains(key.first)) continue;
        auto row = batch.dependencies.at(key);
        row["user_id"] = key.first;
        row["dependency_id"] = key.second;
        dependency_rows.push_back(std::move(row));
    }
    for (const auto& [u, i] : batch.removed_dependencies) removed.push_back(bj::object{{"u", u}, {"i", i}});
    if (!goal_rows.empty()) pg::exec(tx, kUpsertGoals, json::serialize(goal_rows));
    if (!removed.empty()) pg::exec(tx, kDeleteDependencies, json::serialize(removed));
    if (!dependency_rows.empty()) pg::exec(tx, kUpsertDependencies, json::serialize(dependency_rows));
    bj::array history;
    for (auto& h : batch.history)
        if (!batch.erased.contains(std::string(h.as_object().at("user_id").as_string()))) history.push_back(h);
    if (!history.empty()) pg::exec(tx, kInsertHistory, json::serialize(history));
    const auto written = std::chrono::steady_clock::now();
    write_metrics(tx, batch.erased, models, versions);
    const auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
    spdlog::debug(
        "goals_graph: {} facts, {} users ({} cached before): load {:.1f} ms, rows {:.1f} ms, metrics and "
        "snapshots {:.1f} ms",
        facts.size(), models.size(), cached_before, ms(started, loaded), ms(loaded, written),
        ms(written, std::chrono::steady_clock::now()));

    // Last, so that what this batch wrote for them before the erasure goes too.
    if (!batch.erased.empty()) {
        bj::array ids;
        for (const auto& id : batch.erased) ids.push_back(bj::value(id));
        pg::exec(tx, kEraseUsers, json::serialize(ids));
    }
}

}  // namespace aimi::goals_graph
