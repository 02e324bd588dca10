#include "gateway/memory_recall.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <list>
#include <map>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include <hnswlib/hnswlib.h>
#include <spdlog/spdlog.h>
#include <boost/json/object.hpp>
#include <pqxx/pqxx>

#include "domain/memory/prompt_run.hpp"
#include "domain/memory/recall.hpp"
#include "domain/memory/vector_codec.hpp"
#include "domain/text.hpp"
#include "domain/time.hpp"
#include "gateway/prompt_run_recorder.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::gateway {

namespace bj = boost::json;

namespace {

constexpr const char* kTime = R"sql('YYYY-MM-DD"T"HH24:MI:SS.US"Z"')sql";

const pg::Statement kModels{"recall.models", R"sql(
SELECT model, dimensions, vectors, coalesce((SELECT version FROM memory_vector_users WHERE user_id = $1), 0)
FROM memory_vector_models WHERE user_id = $1 AND vectors > 0)sql"};

// The rows written after change $4 (0: all of them), in the order they were written.
const pg::Statement kVectors{"recall.vectors", std::string(R"sql(
SELECT item_id::text, source_kind, source_id, chat_id::text, to_char(occurred_at AT TIME ZONE 'UTC', )sql") +
                                                   kTime + R"sql(), vector, change_seq
FROM memory_vectors WHERE user_id = $1 AND model = $2 AND dimensions = $3 AND change_seq > $4
ORDER BY change_seq, item_id)sql"};

// Sources other than messages (summaries, goals, events, notes) are few: matched on the fly.
const pg::Statement kOtherText{"recall.other_text", std::string(R"sql(
WITH q AS (SELECT websearch_to_tsquery('simple', $2) AS q)
SELECT source_kind, source_id, chat_id::text, to_char(occurred_at AT TIME ZONE 'UTC', )sql") +
                                                        kTime +
                                                        R"sql(),
       ts_rank(to_tsvector('simple', text), q.q)::float4
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

// HNSW parameters: 16 links per node, 100 candidates while building (bench/recall_bench.cpp).
constexpr std::size_t kLinks = 16;
constexpr std::size_t kBuildBreadth = 100;

struct Meta {
    std::string kind, source_id, chat_id, occurred_at;
};

}  // namespace

//! One user's vectors of one model, as of `version`; `mutex` guards everything below it.
struct MemoryRecall::Entry {
    std::shared_mutex mutex;
    std::int64_t version = -1;
    std::int64_t loaded_seq = 0;  //!< the newest change_seq read
    std::uint64_t epoch = 0;      //!< bumped by every full load: a build begun before is dropped
    memory::VectorMatrix matrix;
    std::vector<Meta> meta;
    std::vector<Timestamp> times;
    std::unordered_map<std::string, std::size_t> row_of;  //!< item id -> row
    std::unique_ptr<hnswlib::InnerProductSpace> space;
    std::unique_ptr<hnswlib::HierarchicalNSW<float>> index;  //!< covers every row when set
    bool building = false;
    std::vector<std::size_t> changed_while_building;
    std::atomic<std::size_t> bytes{0};

    void reset(std::size_t dimensions) {
        ++epoch;
        loaded_seq = 0;
        matrix = {dimensions, {}};
        meta.clear();
        times.clear();
        row_of.clear();
        index.reset();
        space.reset();
        changed_while_building.clear();
    }
    void account() {
        bytes = matrix.values.size() * sizeof(float) + meta.size() * 160 +
                (index ? matrix.size() * (matrix.dimensions * sizeof(float) + kLinks * 2 * 4 + 64) : 0);
    }
};

// Least recently used first; bounded by bytes.
struct MemoryRecall::Cache {
    std::list<std::string> order;
    std::map<std::string, std::pair<std::shared_ptr<Entry>, std::list<std::string>::iterator>> entries;
};

MemoryRecall::MemoryRecall(std::vector<std::shared_ptr<memory::Embedder>> embedders, Options options)
    : embedders_(std::move(embedders)), options_(options), cache_(std::make_unique<Cache>()) {}

memory::Embeddings MemoryRecall::embed(memory::Embedder& embedder, const std::string& user_id,
                                       const std::string& purpose, const std::vector<std::string>& texts) {
    const auto started = std::chrono::steady_clock::now();
    const auto record = [&](const memory::Usage& usage, const std::string& error) {
        if (!options_.prompt_runs) return;
        const auto latency =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        options_.prompt_runs->record(
            user_id, memory::prompt_run_event({embedder.model(), purpose, "", static_cast<std::int64_t>(texts.size()),
                                               usage, latency, error}));
    };
    try {
        auto result = embedder.embed(texts);
        record(result.usage, "");
        return result;
    } catch (const memory::ProviderError& e) {
        record({}, e.what());
        throw;
    }
}

std::vector<float> MemoryRecall::similarities(const std::string& user_id, const std::string& text,
                                              const std::vector<std::string>& others) {
    auto& embedder = *embedders_.front();
    std::vector<std::string> missing;
    {
        std::lock_guard lock(text_mutex_);
        if (!text_vectors_.contains(text)) missing.push_back(text);
        for (const auto& o : others)
            if (!text_vectors_.contains(o) && std::find(missing.begin(), missing.end(), o) == missing.end())
                missing.push_back(o);
    }
    std::vector<memory::Vector> embedded;
    if (!missing.empty()) embedded = embed(embedder, user_id, "similar_goals", missing).vectors;
    std::lock_guard lock(text_mutex_);
    if (text_vectors_.size() + missing.size() > 10000) text_vectors_.clear();  // a crude bound: goal titles are few
    for (std::size_t i = 0; i < missing.size() && i < embedded.size(); ++i) text_vectors_[missing[i]] = embedded[i];
    const auto& q = text_vectors_.at(text);
    std::vector<float> out;
    for (const auto& o : others) out.push_back(memory::dot(q, text_vectors_.at(o)));
    return out;
}

// A build still running holds its entry; it finishes on its own.
MemoryRecall::~MemoryRecall() = default;

std::shared_ptr<MemoryRecall::Entry> MemoryRecall::entry(const std::string& key) {
    std::lock_guard lock(mutex_);
    if (auto it = cache_->entries.find(key); it != cache_->entries.end()) {
        cache_->order.splice(cache_->order.end(), cache_->order, it->second.second);
        return it->second.first;
    }
    auto created = std::make_shared<Entry>();
    cache_->order.push_back(key);
    cache_->entries[key] = {created, std::prev(cache_->order.end())};
    return created;
}

//! Drops the least recently used users until the cache fits (the newest always stays).
void MemoryRecall::account() {
    std::lock_guard lock(mutex_);
    std::size_t total = 0;
    for (const auto& [key, value] : cache_->entries) total += value.first->bytes;
    while (total > options_.cache_bytes && cache_->order.size() > 1) {
        auto victim = cache_->entries.find(cache_->order.front());
        total -= victim->second.first->bytes;
        cache_->entries.erase(victim);
        cache_->order.pop_front();
    }
}

void MemoryRecall::refresh(Entry& e, pqxx::dbtransaction& tx, const std::string& user_id, const std::string& model,
                           std::int64_t version, std::int64_t count, std::size_t dimensions) {
    std::unique_lock lock(e.mutex);
    if (e.version == version && e.matrix.dimensions == dimensions) return;
    auto apply = [&](const pqxx::row& row) {
        const pqxx::binarystring bytes(row[5]);
        const auto v = memory::vector_from_bytes(
            std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), dimensions);
        if (!v) return;  // the query asked for this dimension: cannot happen
        Meta m{row[1].as<std::string>(), row[2].as<std::string>(), row[3].is_null() ? "" : row[3].as<std::string>(),
               row[4].as<std::string>()};
        const auto at = parse_timestamp(m.occurred_at).value_or(Timestamp{});
        e.loaded_seq = std::max(e.loaded_seq, row[6].as<std::int64_t>());
        const auto item = row[0].as<std::string>();
        std::size_t r = 0;
        if (const auto it = e.row_of.find(item); it != e.row_of.end()) {  // a new revision of the source
            r = it->second;
            std::memcpy(&e.matrix.values[r * dimensions], v->data(), dimensions * sizeof(float));
            e.meta[r] = std::move(m);
            e.times[r] = at;
        } else {
            r = e.matrix.size();
            e.matrix.values.insert(e.matrix.values.end(), v->begin(), v->end());
            e.meta.push_back(std::move(m));
            e.times.push_back(at);
            e.row_of.emplace(item, r);
        }
        if (e.index) {
            if (r >= e.index->max_elements_) e.index->resizeIndex(std::max<std::size_t>(2 * r, 1024));
            e.index->addPoint(e.matrix.row(r), r);
        }
        if (e.building) e.changed_while_building.push_back(r);
    };
    bool full = e.version < 0 || e.matrix.dimensions != dimensions;
    if (!full) {
        for (const auto& row :
             pg::exec(tx, kVectors, user_id, model, static_cast<std::int64_t>(dimensions), e.loaded_seq))
            apply(row);
        full = static_cast<std::int64_t>(e.matrix.size()) != count;  // something was forgotten
    }
    if (full) {
        e.reset(dimensions);
        const auto rows = pg::exec(tx, kVectors, user_id, model, static_cast<std::int64_t>(dimensions), 0);
        e.matrix.values.reserve(rows.size() * dimensions);
        for (const auto& row : rows) apply(row);
    }
    e.version = version;
    e.account();
}

//! Builds the index from the rows as they are now (one thread, in row order, so a restart builds
//! the same index from the same rows), then adds what changed meanwhile and installs it.
void MemoryRecall::build_index(const std::shared_ptr<Entry>& e, std::size_t ef) {
    std::uint64_t epoch = 0;
    memory::VectorMatrix snapshot;
    {
        std::shared_lock lock(e->mutex);
        epoch = e->epoch;
        snapshot = e->matrix;
    }
    const auto started = std::chrono::steady_clock::now();
    auto space = std::make_unique<hnswlib::InnerProductSpace>(snapshot.dimensions);
    auto index = std::make_unique<hnswlib::HierarchicalNSW<float>>(
        space.get(), std::max<std::size_t>(snapshot.size(), 1024), kLinks, kBuildBreadth);
    for (std::size_t r = 0; r < snapshot.size(); ++r) index->addPoint(snapshot.row(r), r);
    index->setEf(ef);
    std::unique_lock lock(e->mutex);
    e->building = false;
    if (e->epoch != epoch) return;  // reloaded meanwhile: the next query starts a new build
    for (std::size_t r = snapshot.size(); r < e->matrix.size(); ++r) {
        if (r >= index->max_elements_) index->resizeIndex(2 * r);
        index->addPoint(e->matrix.row(r), r);
    }
    for (const auto r : e->changed_while_building)
        if (r < snapshot.size()) index->addPoint(e->matrix.row(r), r);
    e->changed_while_building.clear();
    e->space = std::move(space);
    e->index = std::move(index);
    e->account();
    spdlog::info("recall: HNSW index of {} vectors built in {:.1f} s", e->matrix.size(),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

MemoryRecall::Result MemoryRecall::search(pqxx::dbtransaction& tx, const std::string& schema, const Query& query,
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
    // Ties go to the earlier embedder: the configured one comes first.
    std::map<std::string, std::tuple<std::int64_t, std::int64_t, std::int64_t>> models;  // dims, count, version
    for (const auto& row : pg::exec(tx, kModels, query.user_id))
        models[row[0].as<std::string>()] = {row[1].as<std::int64_t>(), row[2].as<std::int64_t>(),
                                            row[3].as<std::int64_t>()};
    for (const auto& e : embedders_) {
        const auto it = models.find(memory::model_key(e->model()));
        if (it == models.end() || std::get<0>(it->second) != static_cast<std::int64_t>(e->dimensions()) ||
            std::get<1>(it->second) <= best_count)
            continue;
        best_count = std::get<1>(it->second);
        embedder = e;
        model_used = it->first;
        dimensions = e->dimensions();
        version = std::get<2>(it->second);
    }
    std::string vector_index = "none";
    if (embedder) {
        const auto e = entry(schema + "\n" + query.user_id + "\n" + *model_used);
        refresh(*e, tx, query.user_id, *model_used, version, best_count, dimensions);
        account();
        const auto q = embed(*embedder, query.user_id, "recall_query", {query.text}).vectors.at(0);
        std::shared_lock lock(e->mutex);
        auto keep = [&](std::size_t i) {
            return wanted(e->meta[i].kind) && (!from || e->times[i] >= *from) && (!to || e->times[i] < *to);
        };
        const bool filtered = !query.kinds.empty() || from || to;
        std::vector<memory::Neighbour> hits;
        vector_index = e->index ? "hnsw" : "exact";
        if (e->index) {
            // Filters apply after the search: ask for more, and scan exactly if too few remain.
            const std::size_t fetch = std::min(e->matrix.size(), filtered ? kCandidates * 4 : kCandidates);
            auto found = e->index->searchKnn(q.data(), fetch);
            while (!found.empty()) {
                const auto r = static_cast<std::size_t>(found.top().second);
                if (keep(r)) hits.push_back({r, 1.0f - found.top().first});
                found.pop();
            }
            std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
                return a.similarity != b.similarity ? a.similarity > b.similarity : a.index < b.index;
            });
            if (hits.size() > kCandidates) hits.resize(kCandidates);
            if (filtered && hits.size() < kCandidates) hits = memory::nearest(e->matrix, q, kCandidates, keep);
        } else {
            hits = memory::nearest(e->matrix, q, kCandidates, keep);
        }
        std::size_t rank = 0;
        for (const auto& n : hits) {
            auto& c = candidate(e->meta[n.index]);
            c.vector_rank = ++rank;
            similarity[c.key] = n.similarity;
        }
        const bool wants_index = !e->index && !e->building && e->matrix.size() >= options_.hnsw_min;
        lock.unlock();
        if (wants_index) {
            std::unique_lock write(e->mutex);
            if (!e->index && !e->building) {
                e->building = true;
                std::thread([e, ef = options_.hnsw_ef] { build_index(e, ef); }).detach();
            }
        }
    }

    // Full text: messages (message_search), then the other sources.
    std::size_t rank = 0;
    for (const auto& hit : message_hits) {
        auto& c = candidate({"message", hit.message_id, hit.chat_id, hit.created_at});
        c.text_rank = ++rank;
        text_score[c.key] = std::stod(hit.rank);
        if (!hit.snippet.empty()) snippets[c.key] = hit.snippet;  // else the source's text, below
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
    return {std::move(out), vector_index};
}

}  // namespace aimi::gateway
