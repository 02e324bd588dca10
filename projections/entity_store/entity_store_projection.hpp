#pragma once

#include <string>

#include "domain/facts/fact.hpp"
#include "domain/goals/goal_graph.hpp"
#include "projections/keys/key_store.hpp"
#include "projections/projection.hpp"
#include "projections/versioned_cache.hpp"

namespace aimi::entity_store {

//! The entity store, and the decider: users, devices, chats, sessions, messages, stream versions
//! and batch outcomes, folded from the user-events topic. Per batch of records: decode (bad
//! records are dead-lettered), load the touched rows, fold in memory (domain/conversation/fold),
//! write back. With `stage_facts`, every record's fact (what was decided about it, the record
//! dead-lettered included) is staged in fact_outbox in the same transaction, for the fact relay.
class EntityStoreProjection final : public Projection {
  public:
    static constexpr const char* kName = "entity_store";
    //! `keys` opens sealed personal fields and seals the facts it stages (a user without a key
    //! gets one; an erased user's fields read as empty).
    EntityStoreProjection(keys::KeyStore& keys, bool stage_facts) : keys_(keys), stage_facts_(stage_facts) {}
    const std::string& name() const override { return name_; }
    void apply(pqxx::dbtransaction& tx, std::span<const LogRecord> records, BatchOffsets& offsets) override;
    void on_dead_letter(pqxx::dbtransaction& tx, const LogRecord& record, const std::string& error) override;
    void committed() override { graphs_.commit(); }
    void abandoned() override { graphs_.abandon(); }

  private:
    void stage(pqxx::dbtransaction& tx, std::span<const facts::Fact> facts, std::span<const std::int64_t> timestamps);

    std::string name_ = kName;
    keys::KeyStore& keys_;
    bool stage_facts_;
    //! Users' goals graphs between batches, valid for the stream version they were folded to (the
    //! graph is a function of the stream's applied prefix, which the version names).
    VersionedCache<goals::GoalGraph> graphs_{256};
};

}  // namespace aimi::entity_store
