#pragma once

#include <string>
#include <vector>

#include "projections/derived/fact_projection.hpp"

namespace aimi::memory {

//! Memory vectors (migrations/0015_memory_vectors.sql, docs/memory.md): what can be embedded —
//! messages, summaries, goals, calendar events, the notes of mental states, with their text — and
//! the vectors the embedder worker made of them (memory.embedded facts), per model. A source
//! without a vector of the worker's model is the worker's to do; recall reads the vectors.
class VectorsProjection final : public FactProjection {
  public:
    static constexpr const char* kName = "memory_vectors";
    static std::vector<std::string> tables() {
        return {"memory_sources", "memory_vectors", "memory_vector_users", "memory_vector_models"};
    }
    const std::string& name() const override { return name_; }
    void apply(pqxx::dbtransaction& tx, std::span<const facts::Fact> facts) override;

  private:
    std::string name_ = kName;
};

}  // namespace aimi::memory
