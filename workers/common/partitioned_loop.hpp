#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <set>
#include <string>

#include <pqxx/connection>

#include "projections/runtime_settings.hpp"

namespace aimi {

//! One pass of a worker over the partitions it owns; true when it left more due (the next pass
//! then starts at once instead of after the interval).
using PartitionedPass = std::function<bool(pqxx::connection& db, const std::set<int>& owned)>;

//! Runs `pass` until `stop`, for the partitions of the facts topic that the consumer group `group`
//! assigns this process (users are keyed by partition everywhere, so no two members work for one
//! user), every `interval`. A failed pass is logged and tried again after the interval on a fresh
//! connection: what it did not append is still due.
void run_partitioned(const RuntimeSettings& settings, const std::string& group, std::chrono::milliseconds interval,
                     const std::atomic<bool>& stop, const PartitionedPass& pass);

}  // namespace aimi
