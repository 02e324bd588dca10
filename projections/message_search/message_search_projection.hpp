#pragma once

#include <string>
#include <vector>

#include "projections/derived/fact_projection.hpp"

namespace aimi::message_search {

//! Full-text search over each user's messages (migrations/0004_message_search.sql). From the
//! facts: user registrations and profile updates give the user's text search configuration
//! (from the locale; "simple" when PostgreSQL has none for it), applied messages are indexed
//! under the configuration their user had when they were posted (a later locale change does not
//! re-index older messages); an erasure removes all of the user's rows. Decided in fact order in memory, so
//! any batching gives the same rows.
class MessageSearchProjection final : public FactProjection {
  public:
    static constexpr const char* kName = "message_search";
    static std::vector<std::string> tables() { return {"search_users", "search_messages"}; }
    const std::string& name() const override { return name_; }
    void apply(pqxx::dbtransaction& tx, std::span<const facts::Fact> facts) override;

  private:
    std::string name_ = kName;
};

}  // namespace aimi::message_search
