#include "gateway/progress_watcher.hpp"

#include <sstream>

#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include "projections/batch_applier.hpp"
#include "projections/pg/connection.hpp"

namespace aimi::gateway {

namespace {

constexpr const char* kReadOffsets =
    "SELECT partition, next_offset FROM projection_offsets WHERE projection = $1 AND topic = $2";

class Receiver final : public pqxx::notification_receiver {
  public:
    Receiver(pqxx::connection_base& connection, std::function<void(const std::string&)> on_payload)
        : pqxx::notification_receiver(connection, std::string(kProgressChannel)), on_payload_(std::move(on_payload)) {}
    void operator()(const std::string& payload, int) override { on_payload_(payload); }

  private:
    std::function<void(const std::string&)> on_payload_;
};

}  // namespace

ProgressWatcher::ProgressWatcher(std::string pg_url, std::string schema, std::string projection, std::string topic)
    : pg_url_(std::move(pg_url)),
      schema_(std::move(schema)),
      projection_(std::move(projection)),
      topic_(std::move(topic)),
      thread_([this] { run(); }) {}

ProgressWatcher::~ProgressWatcher() {
    stop_ = true;
    thread_.join();
}

void ProgressWatcher::advance(std::int32_t partition, std::int64_t next_offset) {
    std::lock_guard lock(mutex_);
    auto& known = next_offsets_[partition];
    if (next_offset > known) {
        known = next_offset;
        changed_.notify_all();
    }
}

bool ProgressWatcher::wait_applied(std::int32_t partition, std::int64_t offset, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
        const auto it = next_offsets_.find(partition);
        return it != next_offsets_.end() && it->second > offset;
    });
}

std::map<std::int32_t, std::int64_t> ProgressWatcher::snapshot() const {
    std::lock_guard lock(mutex_);
    return next_offsets_;
}

void ProgressWatcher::run() {
    while (!stop_) {
        try {
            auto connection = pg::connect(pg_url_, schema_);
            Receiver receiver(*connection, [this](const std::string& payload) {
                std::istringstream in(payload);
                std::string schema, projection, topic;
                std::int32_t partition = 0;
                std::int64_t next = 0;
                if (in >> schema >> projection >> topic >> partition >> next && schema == schema_ &&
                    projection == projection_ && topic == topic_)
                    advance(partition, next);
            });
            auto last_poll = std::chrono::steady_clock::time_point{};
            while (!stop_) {
                if (std::chrono::steady_clock::now() - last_poll > std::chrono::milliseconds(500)) {
                    pqxx::read_transaction tx(*connection, "watch_offsets");
                    for (const auto& row : tx.exec_params(kReadOffsets, projection_, topic_))
                        advance(row[0].as<std::int32_t>(), row[1].as<std::int64_t>());
                    tx.commit();
                    last_poll = std::chrono::steady_clock::now();
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
