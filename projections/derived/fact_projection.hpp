#pragma once

#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "domain/facts/fact.hpp"
#include "projections/projection.hpp"

namespace pqxx {
class dbtransaction;
}

namespace aimi {

//! A read model built from facts, not from proposals: the plug-in point for every projection
//! after the entity store. Write one class (with `kName` and `tables()`), its migration, and one
//! line in projections/registry.cpp;
//! `aimi-projector` then runs it by name as its own consumer group with its own offsets, lag and
//! rebuild. apply() sees each decided intake record once, in intake order per partition: copies
//! of a fact (a relay retry) and facts already applied are dropped before it is called.
//! @warning apply() runs inside the batch's transaction and must not commit; it must be a
//! deterministic function of the facts and the rows it reads (a rebuild must give the same rows).
//! `ids` as the JSON array of ids the projections' statements take ($1::jsonb).
std::string ids_json(const std::set<std::string>& ids);

//! The users whose facts in `facts` applied, as ids_json; empty string when there are none.
std::string applied_users_json(std::span<const facts::Fact> facts);

class FactProjection {
  public:
    virtual ~FactProjection() = default;
    virtual const std::string& name() const = 0;
    virtual void apply(pqxx::dbtransaction& tx, std::span<const facts::Fact> facts) = 0;
    //! See Projection::committed / abandoned: for state kept in memory between batches.
    virtual void committed() {}
    virtual void abandoned() {}
};

//! Runs a FactProjection as a Projection of the facts topic: decodes facts (a record that does
//! not decode is dead-lettered), keeps per (projection, intake topic, partition) the next origin
//! offset it has applied — stored in projection_offsets beside the facts-topic offsets, in the
//! same transaction — drops facts below it, and announces that origin position on the progress
//! channel, so a Consistency-Token (an intake position) works for this projection's queries too.
class FactsConsumer final : public Projection {
  public:
    //! `keys` opens the facts' sealed personal fields (null for an erased user).
    FactsConsumer(std::unique_ptr<FactProjection> inner, std::string intake_topic, const privacy::KeyLookup& keys);
    const std::string& name() const override { return inner_->name(); }
    void apply(pqxx::dbtransaction& tx, std::span<const LogRecord> records, BatchOffsets& offsets) override;
    std::vector<std::string> tracked_topics() const override { return {intake_topic_}; }
    void committed() override { inner_->committed(); }
    void abandoned() override { inner_->abandoned(); }

  private:
    std::unique_ptr<FactProjection> inner_;
    std::string intake_topic_;
    const privacy::KeyLookup& keys_;
};

}  // namespace aimi
