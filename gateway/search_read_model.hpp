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

//! How many of a user's newest messages recall's text leg looks at first (Query::Rank::frequency).
inline constexpr int kRecentWindow = 2000;

struct Query {
    std::string user_id;
    std::string text;  //!< websearch syntax: words, "phrases", OR, -excluded
    std::optional<std::string> chat_id;
    std::optional<std::string> from;  //!< created_at >= from (RFC 3339)
    std::optional<std::string> to;    //!< created_at < to
    bool by_rank = true;              //!< else newest first
    //! How matches are ranked: cover density (ts_rank_cd: the query's words close together), or
    //! term frequency (ts_rank), several times cheaper for long queries over many matches; recall
    //! ranks on every assistant turn, so it takes frequency. A first page by frequency (no chat,
    //! no cursor: recall's) ranks only the matches among the user's newest kRecentWindow messages
    //! when they hold at least `limit`: its cost then stays flat as the history grows.
    enum class Rank { cover_density, frequency } rank = Rank::cover_density;
    //! ts_headline for every hit of the page; recall, which keeps a few of its 50 candidates, asks
    //! for none and takes the kept ones' text instead.
    bool snippets = true;
    std::optional<Cursor> after;
    int limit = 20;
};

//! True if the text holds anything to search for under the user's configuration or 'simple'
//! (only operators or punctuation hold nothing).
bool has_terms(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& text);

std::vector<Hit> search(pqxx::dbtransaction& tx, const Query& query);

}  // namespace aimi::gateway::search_read_model
