#pragma once

#include <string>
#include <vector>

namespace pqxx {
class connection_base;
}

namespace aimi::pg {

//! Applies the compiled-in migrations (migrations/NNNN_name.sql) in order to `schema`, creating
//! it if needed. Each file runs in its own transaction under an advisory lock, so concurrent
//! runs serialize; applied files are recorded in <schema>.schema_migrations with a checksum, and
//! a changed checksum of an applied file is an error. Returns the names applied by this call.
//! @throws std::runtime_error naming the file on any SQL error.
std::vector<std::string> migrate(pqxx::connection_base& connection, const std::string& schema);

}  // namespace aimi::pg
