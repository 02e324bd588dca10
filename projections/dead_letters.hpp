#pragma once

#include <string>

#include "projections/log_record.hpp"

namespace pqxx {
class dbtransaction;
}

namespace aimi {

//! Keeps a record the projection cannot decode or apply, in the transaction that moves its offset, so the partition
//! moves on without losing it. Idempotent per (projection, topic, partition, offset).
void record_dead_letter(pqxx::dbtransaction& tx, const std::string& projection, const LogRecord& record,
                        const std::string& error);

}  // namespace aimi
