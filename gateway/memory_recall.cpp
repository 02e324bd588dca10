#include "gateway/memory_recall.hpp"

#include <chrono>
#include <list>
#include <map>

#include <boost/json/object.hpp>
#include <pqxx/pqxx>

#include "domain/memory/recall.hpp"
#include "domain/memory/vector_codec.hpp"
#include "domain/text.hpp"
#include "domain/time.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::gateway {

namespace bj = boost::json;

namespace {

constexpr const char* kTime = R"sql('YYYY-MM-DD"T"HH24:MI:SS.US"Z"')sql";

const pg::Statement kModels{"recall.models", R"sql(
SELECT model, max(dimensions), count(*), coalesce((SELECT version FROM memory_vector_users WHERE user_id = $1), 0)
FROM memory_vectors WHERE user_id = $1 GROUP BY model)sql"};

const pg::Statement kVectors{"recall.vectors", std::string(R"sql(
SELECT source_kind, source_id, chat_id::text, to_char(occurred_at AT TIME ZONE 'UTC', )sql") +
                                                   kTime +
                                                   R"sql(), vector
FROM memory_vectors WHERE user_id = $1 AND model = $2 AND dimensions = $3 ORDER BY item_id)sql"};

// Sources other than messages (summaries, goals, events, notes) are few: matched on the fly.
const pg::Statement kOtherText{"recall.other_text", std::string(R"sql(
WITH q AS (SELECT websearch_to_tsquery('simple', $2) AS q)
SELECT source_kind, source_id, chat_id::text, to_char(occurred_at AT TIME ZONE 'UTC', )sql") +
                                                        kTime +
                                                        R"sql(),
       ts_rank_cd(to_tsvector('simple', text), q.q)::float4
FROM memory_sources, q
WHERE user_id = $1 AND source_kind <> 'message' AND to_tsvector('simple', text) @@ q.q
  AND ($3::text[] IS NULL OR source_kind = ANY($3::text[]))
  AND ($4::timestamptz IS NULL OR occurred_at >= $4) AND ($5::timestamptz IS NULL OR occurred_at < $5)
ORDER BY 5 DESC, source_kind, source_id LIMIT $6)sql"};

const pg::Statement kSnippets{"recall.snippets", R"sql(
SELECT s.source_kind, s.source_id, left(s.text, 240)
FROM memory_sources s JOIN unnest($2::text[], $3::text[]) AS k(kind, id)
  ON s.source_kind = k.kind AND s.source_id = k.id
WHERE s.user_id = $1)sql"};

struct Meta {
    std::string kind, source_id, chat_id, occurred_at;
};

}  // namespace

struct MemoryRecall::UserVectors {
    std::int64_t version = 0;
    memory::VectorMatrix matrix;
    std::vector<Meta> meta;
    std::vector<Timestamp> times;
    std::size_t bytes() const { return matrix.values.size() * sizeof(float) + meta.size() * 128; }
};

// Least recently used first; bounded by bytes.
struct MemoryRecall::Cache {
    std::list<std::string> order;
    std::map<std::string, std::pair<std::shared_ptr<const UserVectors>, std::list<std::string>::iterator>> entries;
    std::size_t bytes = 0;
};

MemoryRecall::MemoryRecall(std::vector<std::shared_ptr<memory::Embedder>> embedders, std::size_t cache_bytes)
    : embedders_(std::move(embedders)), cache_bytes_(cache_bytes), cache_(std::make_unique<Cache>()) {}

MemoryRecall::~MemoryRecall() = default;

std::shared_ptr<const MemoryRecall::UserVectors> MemoryRecall::vectors(pqxx::dbtransaction& tx,
                                                                       const std::string& schema,
                                                                       const std::string& user_id,
                                                                       const std::string& model, std::int64_t version,
                                                                       std::size_t dimensions) {
    const auto key = schema + "\n" + user_id + "\n" + model;
    {
        std::lock_guard lock(mutex_);
        if (auto it = cache_->entries.find(key); it != cache_->entries.end() && it->second.first->version == version) {
            cache_->order.splice(cache_->order.end(), cache_->order, it->second.second);
            return it->second.first;
        }
    }
    auto loaded = std::make_shared<UserVectors>();
    loaded->version = version;
    loaded->matrix.dimensions = dimensions;
    const auto rows = pg::exec(tx, kVectors, user_id, model, static_cast<std::int64_t>(dimensions));
    loaded->matrix.values.reserve(rows.size() * dimensions);
    for (const auto& row : rows) {
        const pqxx::binarystring bytes(row[4]);
        const auto v = memory::vector_from_bytes(
            std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), dimensions);
        if (!v) continue;  // the query asked for this dimension: cannot happen
        loaded->matrix.values.insert(loaded->matrix.values.end(), v->begin(), v->end());
        loaded->meta.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                                row[2].is_null() ? "" : row[2].as<std::string>(), row[3].as<std::string>()});
        loaded->times.push_back(parse_timestamp(loaded->meta.back().occurred_at).value_or(Timestamp{}));
    }
    std::lock_guard lock(mutex_);
    if (auto it = cache_->entries.find(key); it != cache_->entries.end()) {
        cache_->bytes -= it->second.first->bytes();
        cache_->order.erase(it->second.second);
        cache_->entries.erase(it);
    }
    if (loaded->bytes() <= cache_bytes_) {
        cache_->order.push_back(key);
        cache_->entries[key] = {loaded, std::prev(cache_->order.end())};
        cache_->bytes += loaded->bytes();
        while (cache_->bytes > cache_bytes_ && !cache_->order.empty()) {
            auto victim = cache_->entries.find(cache_->order.front());
            cache_->bytes -= victim->second.first->bytes();
            cache_->entries.erase(victim);
            cache_->order.pop_front();
        }
    }
    return loaded;
}

bj::array MemoryRecall::search(pqxx::dbtransaction& tx, const std::string& schema, const Query& query,
                               const std::vector<search_read_model::Hit>& message_hits) {
    const auto now = std::chrono::system_clock::now();
    const auto from = query.from ? parse_timestamp(*query.from) : std::nullopt;
    const auto to = query.to ? parse_timestamp(*query.to) : std::nullopt;
    auto wanted = [&](const std::string& kind) { return query.kinds.empty() || query.kinds.contains(kind); };

    std::map<std::string, memory::Candidate> candidates;  // by kind:source_id
    std::map<std::string, Meta> meta;
    std::map<std::string, std::string> snippets;
    std::map<std::string, double> similarity, text_score;
    auto candidate = [&](const Meta& m) -> memory::Candidate& {
        const auto key = m.kind + ":" + m.source_id;
        meta.emplace(key, m);
        auto& c = candidates[key];
        c.key = key;
        if (const auto at = parse_timestamp(m.occurred_at))
            c.age_days = std::chrono::duration<double>(now - *at).count() / 86400.0;
        return c;
    };

    // Vectors: the model with the most vectors among those this gateway can embed with.
    std::optional<std::string> model_used;
    std::shared_ptr<memory::Embedder> embedder;
    std::size_t dimensions = 0;
    std::int64_t version = 0, best_count = -1;
    for (const auto& row : pg::exec(tx, kModels, query.user_id)) {
        const auto model = row[0].as<std::string>();
        for (const auto& e : embedders_)
            if (memory::model_key(e->model()) == model && row[2].as<std::int64_t>() > best_count &&
                row[1].as<std::int64_t>() == static_cast<std::int64_t>(e->dimensions())) {
                best_count = row[2].as<std::int64_t>();
                embedder = e;
                model_used = model;
                dimensions = e->dimensions();
                version = row[3].as<std::int64_t>();
            }
    }
    if (embedder) {
        const auto user = vectors(tx, schema, query.user_id, *model_used, version, dimensions);
        const auto q = embedder->embed({query.text}).vectors.at(0);
        const auto hits = memory::nearest(user->matrix, q, kCandidates, [&](std::size_t i) {
            return wanted(user->meta[i].kind) && (!from || user->times[i] >= *from) && (!to || user->times[i] < *to);
        });
        std::size_t rank = 0;
        for (const auto& n : hits) {
            auto& c = candidate(user->meta[n.index]);
            c.vector_rank = ++rank;
            similarity[c.key] = n.similarity;
        }
    }

    // Full text: messages (message_search), then the other sources.
    std::size_t rank = 0;
    for (const auto& hit : message_hits) {
        auto& c = candidate({"message", hit.message_id, hit.chat_id, hit.created_at});
        c.text_rank = ++rank;
        text_score[c.key] = std::stod(hit.rank);
        snippets[c.key] = hit.snippet;
    }
    std::optional<std::string> kinds_array;
    if (!query.kinds.empty()) {
        std::string a = "{";
        for (const auto& k : query.kinds) a += (a.size() > 1 ? "," : "") + k;
        kinds_array = a + "}";
    }
    rank = 0;
    for (const auto& row : pg::exec(tx, kOtherText, query.user_id, query.text, kinds_array, query.from, query.to,
                                    static_cast<std::int64_t>(kCandidates))) {
        auto& c = candidate({row[0].as<std::string>(), row[1].as<std::string>(),
                             row[2].is_null() ? "" : row[2].as<std::string>(), row[3].as<std::string>()});
        const auto r = ++rank;
        if (!c.text_rank || r < *c.text_rank) c.text_rank = r;
        text_score[c.key] = row[4].as<double>();
    }

    std::vector<memory::Candidate> ranked;
    for (auto& [key, c] : candidates) ranked.push_back(c);
    memory::fuse(ranked);
    if (ranked.size() > static_cast<std::size_t>(query.limit)) ranked.resize(static_cast<std::size_t>(query.limit));

    // Snippets for hits the full-text search did not find.
    std::string kinds = "{", ids = "{";
    for (const auto& c : ranked)
        if (!snippets.contains(c.key)) {
            const auto& m = meta.at(c.key);
            kinds += (kinds.size() > 1 ? "," : "") + m.kind;
            ids += std::string(ids.size() > 1 ? "," : "") + "\"" + m.source_id + "\"";
        }
    if (kinds.size() > 1)
        for (const auto& row : pg::exec(tx, kSnippets, query.user_id, kinds + "}", ids + "}"))
            snippets[row[0].as<std::string>() + ":" + row[1].as<std::string>()] = row[2].as<std::string>();

    bj::array out;
    for (const auto& c : ranked) {
        const auto& m = meta.at(c.key);
        bj::object scores{{"fused", c.fused}, {"recency", c.recency}, {"vector", nullptr}, {"text", nullptr}};
        if (auto it = similarity.find(c.key); it != similarity.end()) scores["vector"] = it->second;
        if (auto it = text_score.find(c.key); it != text_score.end()) scores["text"] = it->second;
        bj::object hit{{"kind", m.kind},
                       {"source_id", m.source_id},
                       {"chat_id", m.chat_id.empty() ? bj::value(nullptr) : bj::value(m.chat_id)},
                       {"occurred_at", m.occurred_at},
                       {"snippet", snippets.contains(c.key) ? snippets.at(c.key) : ""},
                       {"scores", std::move(scores)},
                       {"model", model_used && c.vector_rank ? bj::value(*model_used) : bj::value(nullptr)}};
        out.push_back(std::move(hit));
    }
    return out;
}

}  // namespace aimi::gateway
