#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "projections/log_record.hpp"
#include "projections/projection.hpp"

namespace pqxx {
class connection_base;
}  // namespace pqxx

namespace aimi {

//! NOTIFY channel on which every committed batch announces
//! "<schema> <projection> <topic> <partition> <next_offset>".
inline constexpr std::string_view kProgressChannel = "aimi_projection_progress";

struct AppliedBatch {
    std::size_t applied = 0;        //!< records handed to the projection
    std::size_t skipped = 0;        //!< records at offsets already applied (redelivery, or a zombie consumer)
    std::size_t dead_lettered = 0;  //!< records the read model refused, kept in dead_letters instead
    std::map<TopicPartition, std::int64_t> next_offsets;  //!< stored positions after the commit
};

//! Applies `records` exactly once: in ONE transaction it locks the projection's offset rows for
//! the partitions involved, drops records below the stored offsets, lets the projection write
//! the rest, advances the offsets and notifies listeners. A crash anywhere rolls all of it back.
//! Records of one partition must be in offset order. @throws on database errors (nothing applied).
AppliedBatch apply_exactly_once(pqxx::connection_base& connection, Projection& projection,
                                std::span<const LogRecord> records);

//! apply_exactly_once, except that when the database refuses the batch for what it holds
//! (SQLSTATE class 22, 23 or 54: retrying the same records cannot succeed), the batch is split in
//! halves until the refused record stands alone; that record goes to dead_letters, with its
//! offset, and every other record is applied. One bad record never stalls its partition. Other
//! errors propagate (the caller retries the batch).
AppliedBatch apply_isolating_poison(pqxx::connection_base& connection, Projection& projection,
                                    std::span<const LogRecord> records);

//! Stored next offsets of a projection for the given partitions (0 where none is stored yet).
std::map<TopicPartition, std::int64_t> load_offsets(pqxx::connection_base& connection, const std::string& projection,
                                                    const std::vector<TopicPartition>& partitions);

}  // namespace aimi
