#pragma once

#include <span>

#include "domain/facts/fact.hpp"

namespace pqxx {
class dbtransaction;
}

namespace aimi::facts {

//! Stages facts in fact_outbox inside the caller's transaction (the one that decided them), so
//! a fact exists if and only if its decision committed. One statement for all of them.
void stage(pqxx::dbtransaction& tx, std::span<const Fact> facts);

}  // namespace aimi::facts
