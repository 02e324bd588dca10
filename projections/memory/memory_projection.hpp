#pragma once

#include <string>
#include <vector>

#include "projections/derived/fact_projection.hpp"

namespace aimi::memory {

//! Memory (migrations/0014_memory.sql, docs/memory.md): summaries with their history, mental
//! states, prompt runs, recent context items and focus goals — and what the summarizer works
//! from: a copy of the messages and the summary jobs. A session's end makes its job; a session
//! summary makes (or renews) the daily and weekly roll-up jobs of its local day and week, due when
//! that day or week is over in the user's zone. Every time comes from the facts, so a rebuild gives
//! the same rows.
class MemoryProjection final : public FactProjection {
  public:
    static constexpr const char* kName = "memory";
    static std::vector<std::string> tables() {
        return {"memory_users",  "memory_messages", "summary_jobs",  "summaries",
                "mental_states", "prompt_runs",     "context_items", "memory_goals"};
    }
    const std::string& name() const override { return name_; }
    void apply(pqxx::dbtransaction& tx, std::span<const facts::Fact> facts) override;

  private:
    std::string name_ = kName;
};

}  // namespace aimi::memory
