#pragma once

#include <span>
#include <string>
#include <vector>

#include "projections/batch_offsets.hpp"
#include "projections/log_record.hpp"

namespace pqxx {
class dbtransaction;
}

namespace aimi {

//! A deterministic fold of log records into read-model tables.
//! @warning apply() runs inside the batch's transaction, which also stores the offsets; it must
//! not commit, and it must write the same rows for the same records whatever ran before, since a
//! batch that throws is delivered again. Undecodable records go to dead_letters, not exceptions.
class Projection {
  public:
    virtual ~Projection() = default;
    virtual const std::string& name() const = 0;
    //! `offsets` holds the batch's locked offset rows: the consumed partitions' (the applier
    //! advances those) and, for each consumed partition, those of tracked_topics().
    virtual void apply(pqxx::dbtransaction& tx, std::span<const LogRecord> records, BatchOffsets& offsets) = 0;
    //! Topics whose positions the projection keeps beside the consumed one, partition for
    //! partition (a fact projection keeps the intake topic's, so that a consistency token, an
    //! intake position, works for its queries). Locked and stored with the consumed rows, in the
    //! same statements; apply() advances them.
    virtual std::vector<std::string> tracked_topics() const { return {}; }
    //! Called in the transaction that dead-letters a record the database refused for what it
    //! holds (the batch applier's poison isolation), so the projection can record that too.
    virtual void on_dead_letter(pqxx::dbtransaction& /*tx*/, const LogRecord& /*record*/,
                                const std::string& /*error*/) {}
    //! After apply()'s transaction committed, or after it failed (or its commit's fate is
    //! unknown): for state a projection keeps in memory between batches.
    virtual void committed() {}
    virtual void abandoned() {}
};

}  // namespace aimi
