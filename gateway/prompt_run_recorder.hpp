#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "domain/events/events.hpp"

namespace aimi {
namespace kafka {
class EventLogWriter;
}
namespace keys {
class KeyStore;
}
}  // namespace aimi

namespace aimi::gateway {

//! The gateway's own provider calls (a recall query's embedding, a new goal's) as prompt runs: kept
//! off the request path, appended once a second as one record per user (`prompt_run.recorded`…).
//! Telemetry, bounded: past `limit` waiting runs, new ones are counted in
//! aimi_prompt_runs_dropped_total instead; a failed append is tried again with the next ones.
class PromptRunRecorder {
  public:
    PromptRunRecorder(kafka::EventLogWriter& log, keys::KeyStore& keys, std::string topic, std::string producer,
                      std::size_t limit = 10000);
    //! Appends what is waiting, then stops.
    ~PromptRunRecorder();

    void record(const std::string& user_id, events::EventData prompt_run);

  private:
    void run();
    void flush();

    kafka::EventLogWriter& log_;
    keys::KeyStore& keys_;
    std::string topic_, producer_;
    std::size_t limit_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::size_t waiting_ = 0;
    std::map<std::string, std::vector<events::EventData>> by_user_;
    std::thread thread_;
};

}  // namespace aimi::gateway
