#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace pqxx {
class dbtransaction;
}

// Queries over the learning read model (migrations/0017_learning.sql, docs/learning.md). Callers
// point the transaction at the `learning` projection's serving schema first. The catalog (tracks,
// roadmap items, templates) is everybody's; sessions, threads, synopses and agent replies are
// read with their owner.
namespace aimi::gateway::learning_read_model {

//! Any learning resource as the API shows it, by the resource type a command's outcome names.
std::optional<boost::json::object> resource(pqxx::dbtransaction& tx, const std::string& user_id,
                                            const std::string& type, const std::string& id);

using Cursor = std::optional<std::pair<std::string, std::string>>;  //!< (created_at, id)

//! A track with its roadmap (items by position).
std::optional<boost::json::object> find_track(pqxx::dbtransaction& tx, const std::string& track_id);
//! Oldest first, without roadmaps.
boost::json::array list_tracks(pqxx::dbtransaction& tx, const Cursor& after, int limit);

//! A template with its latest version's content and variables.
std::optional<boost::json::object> find_template(pqxx::dbtransaction& tx, const std::string& template_id);
std::optional<boost::json::object> find_template_version(pqxx::dbtransaction& tx, const std::string& template_id,
                                                         std::int64_t version);
boost::json::array list_template_versions(pqxx::dbtransaction& tx, const std::string& template_id);
struct TemplateFilter {
    std::optional<std::string> scope, track_id, name;
    Cursor after;
    int limit = 50;
};
boost::json::array list_templates(pqxx::dbtransaction& tx, const TemplateFilter& filter);

//! A session with its threads.
std::optional<boost::json::object> find_session(pqxx::dbtransaction& tx, const std::string& user_id,
                                                const std::string& session_id);
boost::json::array list_sessions(pqxx::dbtransaction& tx, const std::string& user_id,
                                 const std::optional<std::string>& track_id, const Cursor& after, int limit);
boost::json::array list_threads(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& session_id);

std::optional<boost::json::object> find_synopsis(pqxx::dbtransaction& tx, const std::string& user_id,
                                                 const std::string& synopsis_id);
//! The session's synopses, the live one first, then the others oldest first.
boost::json::array list_synopses(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& session_id);

std::optional<boost::json::object> find_agent_reply(pqxx::dbtransaction& tx, const std::string& user_id,
                                                    const std::string& agent_reply_id);

//! A template version a session pinned, or the latest global one, resolved for an agent.
struct TemplateUse {
    std::string template_id;
    std::int64_t version = 1;
    std::string content;
    boost::json::object variables;
};
//! What an agent route needs about a session: its track, roadmap, the template named `agent_id`
//! it pinned (track scope before global), and the thread of `tab`, if any.
struct AgentSession {
    std::string session_id;
    std::string track_id;
    std::string track_title;
    std::string track_goal;
    std::vector<std::pair<std::string, std::string>> roadmap;  //!< (title, description) by position
    std::optional<TemplateUse> pinned;
    std::optional<std::string> thread_id;
};
std::optional<AgentSession> agent_session(pqxx::dbtransaction& tx, const std::string& user_id,
                                          const std::string& session_id, const std::string& agent_id,
                                          const std::string& tab);
//! The latest version of the global template named `name`.
std::optional<TemplateUse> latest_global_template(pqxx::dbtransaction& tx, const std::string& name);

//! The template versions a new session of the track pins: the latest of every global template and
//! of the track's own.
std::vector<std::pair<std::string, std::int64_t>> templates_to_pin(pqxx::dbtransaction& tx,
                                                                   const std::string& track_id);

}  // namespace aimi::gateway::learning_read_model
