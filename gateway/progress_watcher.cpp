#include "gateway/progress_watcher.hpp"

#include <set>
#include <sstream>
#include <vector>

#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include "projections/batch_applier.hpp"
#include "projections/pg/connection.hpp"
#include "projections/pg/notification_callback.hpp"
#include "projections/serving_schemas.hpp"

namespace aimi::gateway {

namespace {

// Offsets of the intake topic: the entity store's, and the origin progress of read models built
// from facts (both say how far into the intake topic a projection has applied).
std::string offsets_query(pqxx::dbtransaction& tx, const std::string& schema) {
    return "SELECT projection, partition, next_offset FROM " + tx.quote_name(schema) +
           ".projection_offsets WHERE topic = $1";
}

}  // namespace

ProgressWatcher::ProgressWatcher(std::string pg_url, std::string schema, std::string topic)
    : pg_url_(std::move(pg_url)),
      schema_(std::move(schema)),
      topic_(std::move(topic)),
      listener_([this] { listen(); }),
      expirer_([this] { expire(); }) {}

ProgressWatcher::~ProgressWatcher() {
    shutdown();
}

void ProgressWatcher::shutdown() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
        waiters_.clear();
        by_position_.clear();
        by_deadline_.clear();
        deadlines_changed_.notify_all();
    }
    if (listener_.joinable()) listener_.join();
    if (expirer_.joinable()) expirer_.join();
}

bool ProgressWatcher::applied(const std::string& projection, std::int32_t partition, std::int64_t offset) const {
    std::lock_guard lock(mutex_);
    const auto p = next_offsets_.find(projection);
    if (p == next_offsets_.end()) return false;
    const auto it = p->second.find(partition);
    return it != p->second.end() && it->second > offset;
}

void ProgressWatcher::when_applied(const std::string& projection, std::int32_t partition, std::int64_t offset,
                                   Clock::time_point deadline, Callback done) {
    {
        std::lock_guard lock(mutex_);
        const auto p = next_offsets_.find(projection);
        const bool already =
            p != next_offsets_.end() && p->second.contains(partition) && p->second.at(partition) > offset;
        if (!already) {
            if (stop_) return;
            const auto id = next_waiter_id_++;
            const bool earliest = by_deadline_.empty() || deadline < by_deadline_.begin()->first;
            waiters_.emplace(id, Waiter{projection, partition, offset, deadline, std::move(done)});
            by_position_.emplace(projection, partition, offset, id);
            by_deadline_.emplace(deadline, id);
            if (earliest) deadlines_changed_.notify_all();
            return;
        }
    }
    done(true);
}

std::map<std::int32_t, std::int64_t> ProgressWatcher::snapshot(const std::string& projection) const {
    std::lock_guard lock(mutex_);
    const auto it = next_offsets_.find(projection);
    return it == next_offsets_.end() ? std::map<std::int32_t, std::int64_t>{} : it->second;
}

std::string ProgressWatcher::serving_schema(const std::string& projection) const {
    std::lock_guard lock(mutex_);
    const auto it = serving_.find(projection);
    return it == serving_.end() ? schema_ : it->second;
}

std::size_t ProgressWatcher::pending() const {
    std::lock_guard lock(mutex_);
    return waiters_.size();
}

void ProgressWatcher::advance(const std::string& projection, std::int32_t partition, std::int64_t next_offset) {
    std::vector<Callback> ready;
    {
        std::lock_guard lock(mutex_);
        auto& known = next_offsets_[projection][partition];
        if (next_offset <= known) return;
        known = next_offset;
        // Every waiter of this (projection, partition) below next_offset is satisfied.
        auto it = by_position_.lower_bound(PositionKey{projection, partition, 0, 0});
        while (it != by_position_.end() && std::get<0>(*it) == projection && std::get<1>(*it) == partition &&
               std::get<2>(*it) < next_offset) {
            const auto id = std::get<3>(*it);
            auto waiter = waiters_.find(id);
            by_deadline_.erase({waiter->second.deadline, id});
            ready.push_back(std::move(waiter->second.done));
            waiters_.erase(waiter);
            it = by_position_.erase(it);
        }
    }
    for (auto& done : ready) done(true);
}

void ProgressWatcher::expire() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
        if (by_deadline_.empty()) {
            deadlines_changed_.wait(lock);
            continue;
        }
        const auto earliest = by_deadline_.begin()->first;
        if (Clock::now() < earliest) {
            deadlines_changed_.wait_until(lock, earliest);
            continue;
        }
        std::vector<Callback> expired;
        const auto now = Clock::now();
        while (!by_deadline_.empty() && by_deadline_.begin()->first <= now) {
            const auto id = by_deadline_.begin()->second;
            by_deadline_.erase(by_deadline_.begin());
            auto waiter = waiters_.find(id);
            by_position_.erase({waiter->second.projection, waiter->second.partition, waiter->second.offset, id});
            expired.push_back(std::move(waiter->second.done));
            waiters_.erase(waiter);
        }
        lock.unlock();
        for (auto& done : expired) done(false);
        lock.lock();
    }
}

void ProgressWatcher::poll(pqxx::connection_base& connection) {
    pqxx::read_transaction tx(connection, "watch_offsets");
    const auto serving = load_serving_schemas(tx, schema_);
    {
        std::lock_guard lock(mutex_);
        for (const auto& [projection, schema] : serving) {
            const auto it = serving_.find(projection);
            // Switched: progress now comes from the new schema, which starts wherever it is.
            if ((it == serving_.end() ? schema_ : it->second) != schema) next_offsets_.erase(projection);
        }
        serving_ = serving;
    }
    std::set<std::string> schemas{schema_};
    for (const auto& [projection, schema] : serving) schemas.insert(schema);
    for (const auto& schema : schemas) {
        for (const auto& row : tx.exec_params(offsets_query(tx, schema), topic_)) {
            const auto projection = row[0].as<std::string>();
            if (serving_schema(projection) == schema)
                advance(projection, row[1].as<std::int32_t>(), row[2].as<std::int64_t>());
        }
    }
    tx.commit();
}

void ProgressWatcher::listen() {
    while (!stop_) {
        try {
            auto connection = pg::connect(pg_url_, schema_);
            bool switched = false;
            pg::NotificationCallback progress(*connection, kProgressChannel, [this](const std::string& payload) {
                std::istringstream in(payload);
                std::string schema, projection, topic;
                std::int32_t partition = 0;
                std::int64_t next = 0;
                if (in >> schema >> projection >> topic >> partition >> next && topic == topic_ &&
                    schema == serving_schema(projection))
                    advance(projection, partition, next);
            });
            pg::NotificationCallback serving(*connection, kServingChannel,
                                             [&switched](const std::string&) { switched = true; });
            auto last_poll = Clock::time_point{};
            while (!stop_) {
                if (switched || Clock::now() - last_poll > std::chrono::milliseconds(500)) {
                    switched = false;
                    poll(*connection);
                    last_poll = Clock::now();
                }
                connection->await_notification(0, 100'000);
            }
        } catch (const std::exception& e) {
            spdlog::warn("progress watcher: {}; reconnecting", e.what());
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
        }
    }
}

}  // namespace aimi::gateway
