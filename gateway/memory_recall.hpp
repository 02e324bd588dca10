#pragma once

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

//! Hybrid recall over one user's memory (docs/memory.md, "Recall"): exact nearest neighbours over
//! the user's vectors (read from the memory_vectors read model and kept in memory per user and
//! read-model version), full-text matches (messages from message_search, other sources on the fly),
//! fused by reciprocal rank with a recency bonus. The vectors used are those of the model with the
//! most vectors of the user among the models this gateway can embed a query with, so recall keeps
//! serving the old vectors while the embedder re-embeds with a new model.
class MemoryRecall {
  public:
    MemoryRecall(std::vector<std::shared_ptr<memory::Embedder>> embedders, std::size_t cache_bytes);
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
    boost::json::array search(pqxx::dbtransaction& tx, const std::string& schema, const Query& query,
                              const std::vector<search_read_model::Hit>& message_hits);

    //! How many candidates each ranking contributes.
    static constexpr std::size_t kCandidates = 50;

  private:
    struct UserVectors;
    std::shared_ptr<const UserVectors> vectors(pqxx::dbtransaction& tx, const std::string& schema,
                                               const std::string& user_id, const std::string& model,
                                               std::int64_t version, std::size_t dimensions);

    std::vector<std::shared_ptr<memory::Embedder>> embedders_;
    std::size_t cache_bytes_;
    std::mutex mutex_;
    struct Cache;
    std::unique_ptr<Cache> cache_;
};

}  // namespace aimi::gateway
