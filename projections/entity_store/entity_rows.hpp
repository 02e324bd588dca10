#pragma once

#include <string>

#include "domain/conversation/model.hpp"

namespace pqxx {
class row;
}

// How entity-store rows are selected and read back, shared by the projection's state loader and
// the gateway's queries: one column list and one conversion per entity. Timestamps are selected
// as epoch microseconds (exact, no text parsing).
namespace aimi::entity_store::rows {

//! Column lists for `SELECT <columns> FROM <table> ...` in the order the readers below expect.
extern const char* const kUserColumns;
extern const char* const kDeviceColumns;
extern const char* const kChatColumns;
extern const char* const kSessionColumns;
extern const char* const kMessageColumns;

//! "SELECT <columns> <rest>".
std::string select(const char* columns, const char* rest);

conversation::User user(const pqxx::row& row);
conversation::Device device(const pqxx::row& row);
conversation::Chat chat(const pqxx::row& row);
conversation::Session session(const pqxx::row& row);
conversation::Message message(const pqxx::row& row);

}  // namespace aimi::entity_store::rows
