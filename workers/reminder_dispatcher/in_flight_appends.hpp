#pragma once

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "projections/kafka/event_log_writer.hpp"

namespace aimi::dispatch {

//! The dispatcher's records by idempotency key: staged, then appended pipelined, then in flight
//! for `hold` — the read models show a delivery only once the projections applied it, and until
//! then the record must not be appended again. A failed append un-marks what it staged, so those
//! stay due and are tried again under the same keys.
class InFlightAppends {
  public:
    explicit InFlightAppends(std::chrono::steady_clock::duration hold) : hold_(hold) {}

    bool contains(const std::string& key) const { return until_.contains(key); }
    //! Forgets the keys whose hold has passed.
    void expire();
    //! Stages `record` under `key` (in flight from now); `label` comes back from flush().
    void stage(const std::string& key, std::string label, kafka::EventLogWriter::KeyedValue record);
    //! Stages one record that carries several keys' work: all are in flight with it.
    void stage(const std::vector<std::string>& keys, std::string label, kafka::EventLogWriter::KeyedValue record);
    std::size_t staged_count() const { return records_.size(); }
    //! Keys in flight (staged or appended, hold not yet passed).
    std::size_t size() const { return until_.size(); }
    //! Appends what is staged, each to its key's partition, and waits for every acknowledgement;
    //! returns the (key, label) of each record appended. @throws KafkaUnavailable
    std::vector<std::pair<std::string, std::string>> flush(kafka::EventLogWriter& log, const std::string& topic);

  private:
    std::chrono::steady_clock::duration hold_;
    std::map<std::string, std::chrono::steady_clock::time_point> until_;
    std::vector<kafka::EventLogWriter::KeyedValue> records_;
    std::vector<std::pair<std::string, std::string>> keys_;  //!< key, label
};

}  // namespace aimi::dispatch
