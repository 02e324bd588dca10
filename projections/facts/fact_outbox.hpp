#pragma once

#include <span>

#include "domain/facts/fact.hpp"

namespace pqxx {
class dbtransaction;
}

namespace aimi::facts {

//! Stages facts in fact_outbox inside the caller's transaction (the one that decided them), so
//! a fact exists if and only if its decision committed. One statement for all of them.
//! `timestamps_ms[i]` is the Kafka timestamp of facts[i]'s intake record: the fact's record gets
//! the same, so both topics seek to the same instant (aimi-admin export, rebuild --as-of).
//! `payloads[i]` is facts[i] encoded (sealed), once: every copy the relay publishes is these bytes.
void stage(pqxx::dbtransaction& tx, std::span<const Fact> facts, std::span<const std::string> payloads,
           std::span<const std::int64_t> timestamps_ms);

}  // namespace aimi::facts
