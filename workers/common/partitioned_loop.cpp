#include "workers/common/partitioned_loop.hpp"

#include <memory>
#include <thread>

#include <spdlog/spdlog.h>

#include "projections/kafka/kafka_config.hpp"
#include "projections/pg/connection.hpp"
#include "workers/reminder_dispatcher/partition_ownership.hpp"

namespace aimi {

void run_partitioned(const RuntimeSettings& settings, const std::string& group, std::chrono::milliseconds interval,
                     const std::atomic<bool>& stop, const PartitionedPass& pass) {
    dispatch::PartitionOwnership ownership(settings.kafka_bootstrap, settings.facts_topic, group,
                                           kafka::properties_from_env());
    std::unique_ptr<pqxx::connection> db;
    bool more = false;
    while (!stop) {
        ownership.poll(more ? 0 : static_cast<int>(interval.count()));
        more = false;
        try {
            if (!db || !db->is_open()) db = pg::connect(settings.pg_url, settings.pg_schema);
            more = pass(*db, ownership.owned());
        } catch (const std::exception& e) {
            db.reset();
            spdlog::error("pass failed (nothing lost: what it did not append is still due): {}", e.what());
            std::this_thread::sleep_for(interval);
        }
    }
    ownership.close();
}

}  // namespace aimi
