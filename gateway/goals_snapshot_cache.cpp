#include "gateway/goals_snapshot_cache.hpp"

#include <algorithm>
#include <map>
#include <mutex>

#include <pqxx/pqxx>

#include "projections/pg/statement.hpp"

namespace aimi::gateway {

namespace {
const pg::Statement kVersion{"goals_read.snapshot_version",
                             "SELECT version FROM goals_graph_users WHERE user_id = $1::uuid"};
const pg::Statement kSnapshot{"goals_read.snapshot",
                              "SELECT version, snapshot FROM goals_graph_users WHERE user_id = $1::uuid"};
}  // namespace

struct GoalsSnapshotCache::Entry {
    std::int64_t version = 0;
    std::shared_ptr<const goals_graph::SnapshotGraph> graph;
    std::uint64_t used = 0;
};

struct GoalsSnapshotCache::State {
    std::mutex mutex;
    std::map<std::pair<std::string, std::string>, Entry> entries;
    std::uint64_t clock = 0;
};

std::shared_ptr<GoalsSnapshotCache::State> GoalsSnapshotCache::make_state() {
    return std::make_shared<State>();
}

GoalsSnapshotCache& GoalsSnapshotCache::shared() {
    static GoalsSnapshotCache cache;
    return cache;
}

std::shared_ptr<const goals_graph::SnapshotGraph> GoalsSnapshotCache::get(pqxx::dbtransaction& tx,
                                                                          const std::string& schema,
                                                                          const std::string& user_id) {
    const auto version_rows = pg::exec(tx, kVersion, user_id);
    if (version_rows.empty()) return nullptr;
    const auto version = version_rows[0][0].as<std::int64_t>();
    const auto key = std::pair{schema, user_id};
    {
        std::lock_guard lock(state_->mutex);
        if (auto it = state_->entries.find(key); it != state_->entries.end() && it->second.version == version) {
            it->second.used = ++state_->clock;
            return it->second.graph;
        }
    }
    const auto rows = pg::exec(tx, kSnapshot, user_id);
    if (rows.empty()) return nullptr;
    auto graph = std::make_shared<const goals_graph::SnapshotGraph>(
        goals_graph::SnapshotGraph::parse(rows[0][1].as<std::string>()));
    std::lock_guard lock(state_->mutex);
    state_->entries[key] = Entry{rows[0][0].as<std::int64_t>(), graph, ++state_->clock};
    while (state_->entries.size() > capacity_) {
        const auto oldest =
            std::min_element(state_->entries.begin(), state_->entries.end(),
                             [](const auto& a, const auto& b) { return a.second.used < b.second.used; });
        state_->entries.erase(oldest);
    }
    return graph;
}

}  // namespace aimi::gateway
