#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/json/array.hpp>

#include "domain/memory/providers.hpp"
#include "gateway/search_read_model.hpp"

namespace pqxx {
class dbtransaction;
}

namespace aimi::gateway {

class PromptRunRecorder;

//! Hybrid recall over one user's memory (docs/memory.md, "Recall"): nearest neighbours over the
//! user's vectors, full-text matches (messages from message_search, other sources on the fly), fused
//! by reciprocal rank with a recency bonus. The vectors used are those of the model with the most
//! vectors of the user among the models this gateway can embed a query with, so recall keeps
//! serving the old vectors while the embedder re-embeds with a new model.
//!
//! Each gateway keeps the vectors of the users it served (LRU, bounded in bytes), brought up to
//! date per query from the read model's version: only the rows written since are read (a deletion
//! reloads the user). Below `hnsw_min` vectors a query scans them exactly; from there an HNSW
//! index (hnswlib) is built in the background — exact scans answer meanwhile — and kept up to date
//! with each change.
class MemoryRecall {
  public:
    struct Options {
        std::size_t cache_bytes = 512u << 20;      //!< AIMI_RECALL_CACHE_BYTES
        std::size_t hnsw_min = 20000;              //!< AIMI_RECALL_HNSW_MIN: vectors from which a user gets an index
        std::size_t hnsw_ef = 128;                 //!< AIMI_RECALL_HNSW_EF: search breadth (recall vs time)
        PromptRunRecorder* prompt_runs = nullptr;  //!< records each embedding call (may be null in tests)
    };
    MemoryRecall(std::vector<std::shared_ptr<memory::Embedder>> embedders, Options options);
    ~MemoryRecall();

    struct Query {
        std::string user_id;
        std::string text;
        std::set<std::string> kinds;  //!< empty: all
        std::optional<std::string> from, to;
        int limit = 10;
    };
    //! `tx` must point at the schema serving memory_vectors; `schema` names it (the cache key).
    //! `message_hits` are the message_search hits for the text, best first.
    struct Result {
        boost::json::array items;
        std::string vector_index;  //!< "hnsw", "exact", or "none" (no vectors of a usable model)
    };
    Result search(pqxx::dbtransaction& tx, const std::string& schema, const Query& query,
                  const std::vector<search_read_model::Hit>& message_hits);

    //! Cosine similarity of `text` to each of `others` with the configured (first) embedder;
    //! vectors of texts seen before come from a bounded cache. @throws memory::ProviderError
    std::vector<float> similarities(const std::string& user_id, const std::string& text,
                                    const std::vector<std::string>& others);

    //! How many candidates each ranking contributes.
    static constexpr std::size_t kCandidates = 50;

    struct Entry;

  private:
    //! `embedder.embed(texts)`, recorded as a prompt run of `user_id`. @throws memory::ProviderError
    memory::Embeddings embed(memory::Embedder& embedder, const std::string& user_id, const std::string& purpose,
                             const std::vector<std::string>& texts);
    std::shared_ptr<Entry> entry(const std::string& key);
    void refresh(Entry& entry, pqxx::dbtransaction& tx, const std::string& user_id, const std::string& model,
                 std::int64_t version, std::int64_t count, std::size_t dimensions);
    static void build_index(const std::shared_ptr<Entry>& entry, std::size_t ef);
    void account();

    std::vector<std::shared_ptr<memory::Embedder>> embedders_;
    Options options_;
    std::mutex mutex_;
    struct Cache;
    std::unique_ptr<Cache> cache_;
    std::mutex text_mutex_;
    std::map<std::string, memory::Vector> text_vectors_;  //!< similarities(): by text, at most 10 000
};

}  // namespace aimi::gateway
