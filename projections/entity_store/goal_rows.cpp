#include "projections/entity_store/goal_rows.hpp"

#include <boost/json/array.hpp>
#include <pqxx/pqxx>

#include "domain/json/parse.hpp"
#include "domain/json/serialize.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::entity_store {

namespace {

namespace bj = boost::json;

const pg::Statement kLoadGoals{"entity_store.load_goals", R"sql(
SELECT user_id::text, goal_id::text, status, title_norm, (extract(epoch FROM created_at) * 1000000)::bigint
FROM goal_nodes
WHERE user_id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb)))sql"};

const pg::Statement kLoadEdges{"entity_store.load_goal_edges", R"sql(
SELECT user_id::text, dependency_id::text, parent_goal_id::text, dependent_goal_id::text, type, strength
FROM goal_edges WHERE user_id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb)))sql"};

const pg::Statement kLoadEntities{"entity_store.load_goal_entities", R"sql(
SELECT user_id::text, id::text, kind, status, details::text FROM goal_entities
WHERE user_id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb)))sql"};

const pg::Statement kUpsertEntities{"entity_store.upsert_goal_entities", R"sql(
INSERT INTO goal_entities (user_id, id, kind, status, details)
SELECT user_id, id, kind, status, details
FROM jsonb_to_recordset($1::jsonb) AS r(user_id uuid, id uuid, kind text, status text, details jsonb)
ON CONFLICT (user_id, id) DO UPDATE SET status = excluded.status, details = excluded.details)sql"};

const pg::Statement kLoadLinks{"entity_store.load_goal_links", R"sql(
SELECT user_id::text, id::text, from_kind, from_id::text, to_kind, to_id::text, type FROM goal_links
WHERE user_id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb)))sql"};

const pg::Statement kInsertLinks{"entity_store.insert_goal_links", R"sql(
INSERT INTO goal_links (user_id, id, from_kind, from_id, to_kind, to_id, type)
SELECT user_id, id, from_kind, from_id, to_kind, to_id, type FROM jsonb_to_recordset($1::jsonb)
    AS r(user_id uuid, id uuid, from_kind text, from_id uuid, to_kind text, to_id uuid, type text)
ON CONFLICT (user_id, id) DO NOTHING)sql"};

const pg::Statement kDeleteLinks{"entity_store.delete_goal_links", R"sql(
DELETE FROM goal_links WHERE (user_id, id) IN (SELECT u, i FROM jsonb_to_recordset($1::jsonb) AS r(u uuid, i uuid)))sql"};

const pg::Statement kMessageOwners{"entity_store.message_owners", R"sql(
SELECT id::text, user_id::text FROM messages
WHERE id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb)))sql"};

const pg::Statement kUpsertGoals{"entity_store.upsert_goals", R"sql(
INSERT INTO goal_nodes (user_id, goal_id, status, title_norm, created_at)
SELECT user_id, goal_id, status, title_norm, created_at
FROM jsonb_to_recordset($1::jsonb) AS r(user_id uuid, goal_id uuid, status text, title_norm text,
                                        created_at timestamptz)
ON CONFLICT (user_id, goal_id) DO UPDATE SET status = excluded.status, title_norm = excluded.title_norm)sql"};

const pg::Statement kUpsertEdges{"entity_store.upsert_goal_edges", R"sql(
INSERT INTO goal_edges (user_id, dependency_id, parent_goal_id, dependent_goal_id, type, strength)
SELECT user_id, dependency_id, parent_goal_id, dependent_goal_id, type, strength
FROM jsonb_to_recordset($1::jsonb) AS r(user_id uuid, dependency_id uuid, parent_goal_id uuid,
                                        dependent_goal_id uuid, type text, strength smallint)
ON CONFLICT (user_id, dependency_id) DO UPDATE SET type = excluded.type, strength = excluded.strength)sql"};

const pg::Statement kDeleteEdges{"entity_store.delete_goal_edges", R"sql(
DELETE FROM goal_edges WHERE (user_id, dependency_id) IN
    (SELECT u, d FROM jsonb_to_recordset($1::jsonb) AS r(u uuid, d uuid)))sql"};

}  // namespace

void load_goal_graphs(pqxx::dbtransaction& tx, const std::set<std::string>& user_ids,
                      std::map<std::string, goals::GoalGraph>& graphs) {
    bj::array ids;
    for (const auto& id : user_ids) {
        ids.push_back(bj::value(id));
        graphs[id];  // a user without goals yet still gets a graph
    }
    const auto users = json::serialize(ids);
    for (const auto& row : pg::exec(tx, kLoadGoals, users)) {
        graphs[row[0].as<std::string>()].put_goal(
            goals::GoalNode{row[1].as<std::string>(), *goals::goal_status(row[2].as<std::string>()),
                            row[3].as<std::string>(), from_micros(row[4].as<std::int64_t>())});
    }
    for (const auto& row : pg::exec(tx, kLoadEdges, users)) {
        graphs[row[0].as<std::string>()].put_dependency(
            goals::Dependency{row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<std::string>(),
                              *goals::dependency_type(row[4].as<std::string>()), row[5].as<int>()});
    }
    for (const auto& row : pg::exec(tx, kLoadEntities, users))
        graphs[row[0].as<std::string>()].put_entity(
            goals::EntityNode{row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<std::string>(),
                              json::parse_stored_object(row[4].as<std::string>())});
    for (const auto& row : pg::exec(tx, kLoadLinks, users))
        graphs[row[0].as<std::string>()].put_link(goals::Link{row[1].as<std::string>(), row[2].as<std::string>(),
                                                              row[3].as<std::string>(), row[4].as<std::string>(),
                                                              row[5].as<std::string>(), row[6].as<std::string>()});
    for (auto& [user, graph] : graphs) graph.forget_undo();
}

void load_message_owners(pqxx::dbtransaction& tx, const std::set<std::string>& message_ids,
                         std::map<std::string, std::string>& owners) {
    bj::array ids;
    for (const auto& id : message_ids) ids.push_back(bj::value(id));
    for (const auto& row : pg::exec(tx, kMessageOwners, json::serialize(ids)))
        owners[row[0].as<std::string>()] = row[1].as<std::string>();
}

void write_goal_changes(pqxx::dbtransaction& tx, const conversation::EntityStoreState& state) {
    const auto graph_of = [&](const std::string& user) -> const goals::GoalGraph& {
        return state.goal_graphs.at(user);
    };
    bj::array goals_rows, edge_rows, removed;
    for (const auto& [user, id] : state.dirty_goals) {
        if (state.erased_users.contains(user)) continue;
        const auto* g = graph_of(user).goal(id);
        goals_rows.push_back(bj::object{{"user_id", user},
                                        {"goal_id", id},
                                        {"status", goals::to_string(g->status)},
                                        {"title_norm", g->title_norm},
                                        {"created_at", format_timestamp(g->created_at)}});
    }
    for (const auto& [user, id] : state.dirty_dependencies) {
        if (state.erased_users.contains(user)) continue;
        const auto* d = graph_of(user).dependency(id);
        if (!d) continue;  // removed later in the same batch of records
        edge_rows.push_back(bj::object{{"user_id", user},
                                       {"dependency_id", id},
                                       {"parent_goal_id", d->parent_goal_id},
                                       {"dependent_goal_id", d->dependent_goal_id},
                                       {"type", goals::to_string(d->type)},
                                       {"strength", d->strength}});
    }
    for (const auto& [user, id] : state.removed_dependencies)
        if (!graph_of(user).dependency(id)) removed.push_back(bj::object{{"u", user}, {"d", id}});
    if (!goals_rows.empty()) pg::exec(tx, kUpsertGoals, json::serialize(goals_rows));
    bj::array entity_rows;
    for (const auto& [user, id] : state.dirty_entities) {
        if (state.erased_users.contains(user)) continue;
        const auto* e = graph_of(user).entity(id);
        entity_rows.push_back(bj::object{
            {"user_id", user}, {"id", id}, {"kind", e->kind}, {"status", e->status}, {"details", e->details}});
    }
    if (!entity_rows.empty()) pg::exec(tx, kUpsertEntities, json::serialize(entity_rows));
    bj::array link_rows, removed_links;
    for (const auto& [user, id] : state.removed_links)
        if (!graph_of(user).link(id)) removed_links.push_back(bj::object{{"u", user}, {"i", id}});
    for (const auto& [user, id] : state.dirty_links) {
        if (state.erased_users.contains(user)) continue;
        const auto* l = graph_of(user).link(id);
        if (!l) continue;  // removed later in the same batch of records
        link_rows.push_back(bj::object{{"user_id", user},
                                       {"id", id},
                                       {"from_kind", l->from_kind},
                                       {"from_id", l->from_id},
                                       {"to_kind", l->to_kind},
                                       {"to_id", l->to_id},
                                       {"type", l->type}});
    }
    if (!removed_links.empty()) pg::exec(tx, kDeleteLinks, json::serialize(removed_links));
    if (!link_rows.empty()) pg::exec(tx, kInsertLinks, json::serialize(link_rows));
    if (!removed.empty()) pg::exec(tx, kDeleteEdges, json::serialize(removed));
    if (!edge_rows.empty()) pg::exec(tx, kUpsertEdges, json::serialize(edge_rows));
}

}  // namespace aimi::entity_store
