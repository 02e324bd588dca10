#pragma once

#include <string>

#include "projections/projection.hpp"

namespace aimi::entity_store {

//! The entity store: users, devices, chats, sessions, messages, stream versions and batch
//! outcomes, folded from the user-events topic. Per batch of records: decode (bad records are
//! dead-lettered), load the touched rows, fold in memory (domain/conversation/fold), write back.
class EntityStoreProjection final : public Projection {
  public:
    static constexpr const char* kName = "entity_store";
    const std::string& name() const override { return name_; }
    void apply(pqxx::dbtransaction& tx, std::span<const LogRecord> records) override;

  private:
    std::string name_ = kName;
};

}  // namespace aimi::entity_store
