#pragma once

#include <optional>
#include <string>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace pqxx {
class dbtransaction;
}

// Queries over the memory read model (migrations/0014_memory.sql, docs/memory.md); callers point
// the transaction at the projection's serving schema first. Every query takes the owner.
namespace aimi::gateway::memory_read_model {

using Cursor = std::optional<std::pair<std::string, std::string>>;  //!< (time, id)

std::optional<boost::json::object> find_mental_state(pqxx::dbtransaction& tx, const std::string& user_id,
                                                     const std::string& id);
struct MentalStateFilter {
    std::optional<std::string> source, from, to;
    Cursor after;
    int limit = 50;
};
//! Newest first (recorded_at).
boost::json::array list_mental_states(pqxx::dbtransaction& tx, const std::string& user_id,
                                      const MentalStateFilter& filter);

//! A summary with `history`: the earlier summaries of its scope it replaced, newest first.
std::optional<boost::json::object> find_summary(pqxx::dbtransaction& tx, const std::string& user_id,
                                                const std::string& id);
struct SummaryFilter {
    std::optional<std::string> kind, chat_id;
    bool include_replaced = false;
    Cursor after;
    int limit = 50;
};
//! Newest first (created_at).
boost::json::array list_summaries(pqxx::dbtransaction& tx, const std::string& user_id, const SummaryFilter& filter);

//! Context items not expired at the database's now, newest first.
boost::json::array list_context_items(pqxx::dbtransaction& tx, const std::string& user_id, int limit);

//! Last summary, focus goals, traits and preferences, mood trend, recent context.
boost::json::object user_state(pqxx::dbtransaction& tx, const std::string& user_id);

//! What the assistant's context takes of the user state: the last summary's text, and the latest
//! mood recorded in the week before `at` (an RFC 3339 instant); without user_state's aggregates,
//! which grow with the user's history.
struct SummaryAndMood {
    std::optional<std::string> summary;
    std::optional<int> mood;
};
SummaryAndMood summary_and_mood(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& at);

struct PromptRunFilter {
    std::optional<std::string> user_id, purpose, status;
    Cursor after;
    int limit = 50;
};
//! Newest first; admins only.
boost::json::array list_prompt_runs(pqxx::dbtransaction& tx, const PromptRunFilter& filter);

}  // namespace aimi::gateway::memory_read_model
