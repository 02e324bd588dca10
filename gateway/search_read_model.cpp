#include "gateway/search_read_model.hpp"

#include <pqxx/pqxx>

#include "projections/pg/statement.hpp"

namespace aimi::gateway::search_read_model {

namespace {

// The user's current configuration, and 'simple' beside it: documents were indexed under the
// configuration their user had when they were posted, so older ones may be 'simple'.
#define AIMI_SEARCH_TSQUERY                                                                            \
    "(websearch_to_tsquery(coalesce((SELECT text_config FROM search_users WHERE user_id = $1::uuid), " \
    "'simple'::regconfig), $2) || websearch_to_tsquery('simple'::regconfig, $2))"

// A match's rank: term frequency ($11, recall) or cover density.
#define AIMI_SEARCH_RANK \
    "(CASE WHEN $11 THEN ts_rank(m.document, query.q) ELSE ts_rank_cd(m.document, query.q) END)::float4"

// A hit as search() reads it, from the page's row `m` and rank; snippets when `snippets` (a parameter).
#define AIMI_SEARCH_HIT_COLUMNS(snippets)                                                              \
    "m.message_id::text, m.chat_id::text, m.seq, m.role, "                                             \
    "to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), page.rank::text, " \
    "CASE WHEN " snippets                                                                              \
    " THEN ts_headline(m.text_config, m.content, query.q, "                                            \
    "'MaxFragments=2, MaxWords=18, MinWords=6, StartSel=«, StopSel=», FragmentDelimiter=\" … \"') ELSE '' END"

const pg::Statement kHasTerms{"search.has_terms", "SELECT numnode(" AIMI_SEARCH_TSQUERY ") > 0"};

// Ranked and paged on ids first; snippets (ts_headline is costly) only for the page.
const pg::Statement kSearch{"search.messages", R"sql(
WITH query AS (SELECT )sql" AIMI_SEARCH_TSQUERY R"sql( AS q),
page AS (
    SELECT m.message_id, m.created_at, )sql" AIMI_SEARCH_RANK R"sql( AS rank
    FROM search_messages m, query
    WHERE m.user_id = $1::uuid AND m.document @@ query.q
      AND ($3 = '' OR m.chat_id = nullif($3, '')::uuid)
      AND ($4 = '' OR m.created_at >= nullif($4, '')::timestamptz)
      AND ($5 = '' OR m.created_at < nullif($5, '')::timestamptz)
      AND ($7 = '' OR CASE WHEN $6 THEN ()sql" AIMI_SEARCH_RANK R"sql(, m.created_at, m.message_id)
                                          < (nullif($8, '')::float4, nullif($7, '')::timestamptz, nullif($9, '')::uuid)
                           ELSE (m.created_at, m.message_id) < (nullif($7, '')::timestamptz, nullif($9, '')::uuid) END)
    ORDER BY CASE WHEN $6 THEN )sql" AIMI_SEARCH_RANK R"sql( END DESC NULLS LAST,
             m.created_at DESC, m.message_id DESC
    LIMIT $10)
SELECT )sql" AIMI_SEARCH_HIT_COLUMNS("$12") R"sql(
FROM page JOIN search_messages m ON m.message_id = page.message_id, query
ORDER BY CASE WHEN $6 THEN page.rank END DESC NULLS LAST, page.created_at DESC, page.message_id DESC)sql"};

// Recall's first page by term frequency (docs/memory.md): among the user's newest kRecentWindow
// messages when they hold a page of matches ($5) — read newest first on the time index, so the
// cost stays flat as the history grows — else among all the matches (the GIN index; few there are).
const pg::Statement kRecentFirst{"search.recent_first", R"sql(
WITH query AS (SELECT )sql" AIMI_SEARCH_TSQUERY R"sql( AS q),
recent AS MATERIALIZED (
    SELECT m.message_id, m.created_at, ts_rank(m.document, query.q)::float4 AS rank
    FROM (SELECT message_id, created_at, document FROM search_messages
          WHERE user_id = $1::uuid
            AND ($3 = '' OR created_at >= nullif($3, '')::timestamptz)
            AND ($4 = '' OR created_at < nullif($4, '')::timestamptz)
          ORDER BY created_at DESC, message_id DESC
          LIMIT $7) m, query
    WHERE m.document @@ query.q),
enough AS (SELECT count(*) >= $5 AS yes FROM recent),
hits AS (
    SELECT * FROM recent WHERE (SELECT yes FROM enough)
    UNION ALL
    SELECT m.message_id, m.created_at, ts_rank(m.document, query.q)::float4
    FROM search_messages m, query
    WHERE NOT (SELECT yes FROM enough) AND m.user_id = $1::uuid AND m.document @@ query.q
      AND ($3 = '' OR m.created_at >= nullif($3, '')::timestamptz)
      AND ($4 = '' OR m.created_at < nullif($4, '')::timestamptz)),
page AS (SELECT * FROM hits ORDER BY rank DESC, created_at DESC, message_id DESC LIMIT $5)
SELECT )sql" AIMI_SEARCH_HIT_COLUMNS("$6") R"sql(
FROM page JOIN search_messages m ON m.message_id = page.message_id, query
ORDER BY page.rank DESC, page.created_at DESC, page.message_id DESC)sql"};

#undef AIMI_SEARCH_TSQUERY
#undef AIMI_SEARCH_HIT_COLUMNS
#undef AIMI_SEARCH_RANK

}  // namespace

bool has_terms(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& text) {
    return pg::exec(tx, kHasTerms, user_id, text).at(0)[0].as<bool>();
}

std::vector<Hit> search(pqxx::dbtransaction& tx, const Query& query) {
    const auto rows = [&] {
        if (query.rank == Query::Rank::frequency && query.by_rank && !query.chat_id && !query.after)
            return pg::exec(tx, kRecentFirst, query.user_id, query.text, query.from.value_or(""), query.to.value_or(""),
                            query.limit, query.snippets, kRecentWindow);
        const Cursor none;
        const Cursor& after = query.after ? *query.after : none;
        return pg::exec(tx, kSearch, query.user_id, query.text, query.chat_id.value_or(""), query.from.value_or(""),
                        query.to.value_or(""), query.by_rank, after.created_at, after.rank, after.message_id,
                        query.limit, query.rank == Query::Rank::frequency, query.snippets);
    }();
    std::vector<Hit> hits;
    for (const auto& row : rows)
        hits.push_back(Hit{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::int64_t>(),
                           row[3].as<std::string>(), row[4].as<std::string>(), row[5].as<std::string>(),
                           row[6].as<std::string>()});
    return hits;
}

}  // namespace aimi::gateway::search_read_model
