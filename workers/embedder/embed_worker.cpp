#include "workers/embedder/embed_worker.hpp"

#include <map>

#include <spdlog/spdlog.h>
#include <boost/json/object.hpp>
#include <pqxx/pqxx>

#include "domain/memory/vector_codec.hpp"
#include "domain/metrics/registry.hpp"
#include "domain/uuid.hpp"
#include "projections/serving_schemas.hpp"
#include "workers/reminder_dispatcher/dispatch_record.hpp"

namespace aimi::memory_workers {

namespace bj = boost::json;

namespace {

constexpr const char* kPending = R"sql(
SELECT s.user_id::text, s.source_kind, s.source_id, s.chat_id::text, s.text,
       to_char(s.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), s.revision
FROM memory_sources s
WHERE s."partition" = ANY($1::int[])
  AND NOT EXISTS (SELECT 1 FROM memory_vectors v
                  WHERE v.user_id = s.user_id AND v.source_kind = s.source_kind AND v.source_id = s.source_id
                    AND v.model = $2 AND v.revision >= s.revision)
ORDER BY s.occurred_at DESC, s.user_id, s.source_kind, s.source_id LIMIT $3)sql";

metrics::Counter& embedded_counter(const char* outcome) {
    return metrics::registry().counter("aimi_embeddings_total", "Texts the embedder embedded, or failed to",
                                       {{"outcome", outcome}});
}

struct Source {
    std::string user_id, kind, id, chat_id, text, occurred_at;
    std::int64_t revision = 1;
    std::string key() const { return kind + ":" + id + ":" + std::to_string(revision); }
};

}  // namespace

EmbedWorker::EmbedWorker(WorkerOptions options, memory::Embedder& embedder, kafka::EventLogWriter& log,
                         keys::KeyStore& keys)
    : options_(std::move(options)), embedder_(embedder), log_(log), keys_(keys), in_flight_(std::chrono::seconds(60)) {}

std::size_t EmbedWorker::run_once(pqxx::connection& db, const std::set<int>& owned) {
    in_flight_.expire();
    if (owned.empty() || std::chrono::steady_clock::now() < not_before_) return 0;
    const auto model = memory::model_key(embedder_.model());
    std::vector<Source> sources;
    {
        pqxx::read_transaction tx(db, "pending_embeddings");
        const auto schema = serving_schema(tx, options_.main_schema, "memory_vectors");
        tx.exec("SET LOCAL search_path TO " + tx.quote_name(schema));
        // Sources in flight are still without a vector until the projection applies theirs.
        const auto limit = static_cast<std::int64_t>(options_.batch) + static_cast<std::int64_t>(in_flight_.size());
        for (const auto& row : tx.exec_params(kPending, int_array(owned), model, limit)) {
            Source s{row[0].as<std::string>(), row[1].as<std::string>(),
                     row[2].as<std::string>(), row[3].is_null() ? "" : row[3].as<std::string>(),
                     row[4].as<std::string>(), row[5].as<std::string>(),
                     row[6].as<std::int64_t>()};
            if (in_flight_.contains(s.user_id + ":" + s.key())) continue;
            sources.push_back(std::move(s));
            if (sources.size() >= static_cast<std::size_t>(options_.batch)) break;
        }
    }
    if (sources.empty()) return 0;

    std::vector<std::string> texts;
    std::map<std::string, std::vector<std::size_t>> by_user;  // the user's sources, in order
    for (std::size_t i = 0; i < sources.size(); ++i) {
        texts.push_back(sources[i].text);
        by_user[sources[i].user_id].push_back(i);
    }
    const auto started = std::chrono::steady_clock::now();
    memory::Embeddings result;
    std::string error;
    try {
        result = embedder_.embed(texts);
        if (result.vectors.size() != texts.size())
            throw memory::ProviderError("the provider returned " + std::to_string(result.vectors.size()) +
                                            " vectors for " + std::to_string(texts.size()) + " texts",
                                        true);
    } catch (const memory::ProviderError& e) {
        error = e.what();
    }
    const auto latency =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (!error.empty()) {
        ++failures_;
        not_before_ =
            std::chrono::steady_clock::now() + backoff(failures_, options_.backoff_base, options_.backoff_max);
        spdlog::warn("embedding {} texts failed (attempt {}): {}", texts.size(), failures_, error);
        embedded_counter("failed").add(texts.size());
        for (const auto& [user, indexes] : by_user) {
            std::vector<events::EventData> data{prompt_run_event(
                {embedder_.model(), "embedding", "", static_cast<std::int64_t>(indexes.size()), {}, latency, error})};
            const auto key = "prompt-run:" + new_uuid();
            if (auto record =
                    dispatch::encode_record({user, key, "embedding-failed", options_.producer, std::move(data)}, keys_))
                in_flight_.stage(key, "prompt_run", std::move(*record));
        }
        in_flight_.flush(log_, options_.events_topic);
        return 0;
    }
    failures_ = 0;

    // Each user's share of the call's tokens, by the length of their texts.
    std::size_t total_chars = 0;
    for (const auto& t : texts) total_chars += t.size();
    const auto& m = embedder_.model();
    std::int64_t tokens_left = result.usage.tokens_in;
    std::size_t users_left = by_user.size();
    for (const auto& [user, indexes] : by_user) {
        std::vector<events::EventData> data;
        std::string key_material;
        std::size_t chars = 0;
        for (const auto i : indexes) {
            const auto& s = sources[i];
            chars += s.text.size();
            key_material += s.key() + ";";
            bj::object embedded{
                {"item_id", name_based_uuid(user, "vector:" + s.kind + ":" + s.id + ":" + memory::model_key(m))},
                {"source_kind", s.kind},
                {"source_id", s.id},
                {"occurred_at", s.occurred_at},
                {"model", bj::object{{"provider", m.provider}, {"name", m.name}, {"version", m.version}}},
                {"dimensions", static_cast<std::int64_t>(result.vectors[i].size())},
                {"vector", memory::encode_vector(result.vectors[i])},
                {"revision", s.revision}};
            if (!s.chat_id.empty()) embedded["chat_id"] = s.chat_id;
            data.push_back(events::MemoryEmbedded{std::move(embedded)});
        }
        memory::Usage share;
        share.tokens_in =
            --users_left == 0 || total_chars == 0
                ? tokens_left
                : static_cast<std::int64_t>(static_cast<double>(result.usage.tokens_in) * chars / total_chars);
        tokens_left -= share.tokens_in;
        data.push_back(
            prompt_run_event({m, "embedding", "", static_cast<std::int64_t>(indexes.size()), share, latency, ""}));
        const auto key = "embed:" + name_based_uuid(user, memory::model_key(m) + ";" + key_material);
        auto record = dispatch::encode_record({user, key, "embedding", options_.producer, std::move(data)}, keys_);
        if (!record) continue;  // erased
        // One record holds several sources: each is in flight under its own key.
        std::vector<std::string> keys;
        for (const auto i : indexes) keys.push_back(user + ":" + sources[i].key());
        in_flight_.stage(keys, "embedded", std::move(*record));
    }
    in_flight_.flush(log_, options_.events_topic);
    embedded_counter("done").add(texts.size());
    return texts.size();
}

}  // namespace aimi::memory_workers
