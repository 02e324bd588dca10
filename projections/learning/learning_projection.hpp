#pragma once

#include <string>
#include <vector>

#include "projections/derived/fact_projection.hpp"

namespace aimi::learning {

//! Learning tracks (migrations/0017_learning.sql, docs/learning.md): the catalog — tracks, their
//! roadmaps in the order the fold decided, chat templates with every version — and each user's
//! track sessions, threads, synopses and agent replies. A snapshot copies the live synopsis as
//! this projection holds it when it reaches the snapshot's fact: the same point of the user's
//! stream the fold decided it at, so a rebuild copies the same items.
class LearningProjection final : public FactProjection {
  public:
    static constexpr const char* kName = "learning";
    static std::vector<std::string> tables() {
        return {"tracks",         "track_roadmap_items", "chat_templates", "chat_template_versions",
                "track_sessions", "chat_threads",        "synopses",       "agent_replies"};
    }
    const std::string& name() const override { return name_; }
    void apply(pqxx::dbtransaction& tx, std::span<const facts::Fact> facts) override;

  private:
    std::string name_ = kName;
};

}  // namespace aimi::learning
