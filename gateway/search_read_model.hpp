#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pqxx {
class dbtransaction;
}

// Queries over the message_search read model (projections/message_search).
namespace aimi::gateway::search_read_model {

struct Hit {
    std::string message_id;
    std::string chat_id;
    std::int64_t seq = 0;
    std::string role;
    std::string created_at;  //!< RFC 3339 UTC, microseconds
    std::string rank;        //!< float4 as PostgreSQL prints it (exact: the cursor compares it)
    std::string snippet;     //!< matches between « and »; empty if the query asked for none
};

//! Where a page ended, in the page's order.
struct Cursor {
    std::string rank;  //!< empty when ordered by time
    std::string created_at;
    std::string message_id;
};

struct Query {
    std::string user_id;
    std::string text;  //!< websearch syntax: words, "phrases", OR, -excluded
    std::optional<std::string> chat_id;
    std::optional<std::string> from;  //!< created_at >= from (RFC 3339)
    std::optional<std::string> to;    //!< created_at < to
    bool by_rank = true;              //!< else newest first
    bool snippets = true;             //!< ts_headline for every hit of the page
    std::optional<Cursor> after;
    int limit = 20;
};

//! True if the text holds anything to search for under the user's configuration or 'simple'
//! (only operators or punctuation hold nothing).
bool has_terms(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& text);

std::vector<Hit> search(pqxx::dbtransaction& tx, const Query& query);

//! The text leg of memory recall (gateway/memory_recall): the newest `kRecallWindow` messages that
//! match, ranked by term frequency (ts_rank), best `limit` first. Recall runs on every assistant
//! turn, and ranking every match grows with the user's history (a phrase the user keeps writing
//! matched 1 294 messages and took 6.8 ms; ranking the newest 200 of them, 2.5 ms). Text with
//! nothing to search for (has_terms) gives no hits, in the same round trip.
struct RecallQuery {
    std::string user_id;
    std::string text;
    std::optional<std::string> from;  //!< created_at >= from (RFC 3339)
    std::optional<std::string> to;    //!< created_at < to
    bool snippets = false;            //!< ts_headline for the hits; else the caller shows the message's text
    int limit = 50;
};
inline constexpr int kRecallWindow = 200;
std::vector<Hit> recall_candidates(pqxx::dbtransaction& tx, const RecallQuery& query);

}  // namespace aimi::gateway::search_read_model
