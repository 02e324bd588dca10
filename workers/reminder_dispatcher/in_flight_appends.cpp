#include "workers/reminder_dispatcher/in_flight_appends.hpp"

namespace aimi::dispatch {

void InFlightAppends::expire() {
    std::erase_if(until_, [now = std::chrono::steady_clock::now()](const auto& entry) { return entry.second < now; });
}

void InFlightAppends::stage(const std::string& key, std::string label, kafka::EventLogWriter::KeyedValue record) {
    records_.push_back(std::move(record));
    keys_.emplace_back(key, std::move(label));
    until_[key] = std::chrono::steady_clock::now() + hold_;
}

void InFlightAppends::stage(const std::vector<std::string>& keys, std::string label,
                            kafka::EventLogWriter::KeyedValue record) {
    records_.push_back(std::move(record));
    const auto until = std::chrono::steady_clock::now() + hold_;
    for (const auto& key : keys) {
        keys_.emplace_back(key, label);
        until_[key] = until;
    }
}

std::vector<std::pair<std::string, std::string>> InFlightAppends::flush(kafka::EventLogWriter& log,
                                                                        const std::string& topic) {
    if (records_.empty()) return {};
    auto records = std::move(records_);
    auto keys = std::move(keys_);
    records_.clear();
    keys_.clear();
    try {
        // Pipelined, each to its user's partition; one wait for all acknowledgements.
        log.append_all(topic, kafka::EventLogWriter::kPartitionByKey, records);
    } catch (...) {
        // Some may be written: all stay due and are tried again under the same keys.
        for (const auto& [key, label] : keys) until_.erase(key);
        throw;
    }
    return keys;
}

}  // namespace aimi::dispatch
