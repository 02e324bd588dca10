#include "gateway/prompt_run_recorder.hpp"

#include <spdlog/spdlog.h>

#include "domain/events/envelope.hpp"
#include "domain/metrics/registry.hpp"
#include "domain/time.hpp"
#include "domain/uuid.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/keys/key_store.hpp"

namespace aimi::gateway {

namespace {

metrics::Counter& dropped() {
    return metrics::registry().counter("aimi_prompt_runs_dropped_total",
                                       "Gateway prompt runs not recorded: more were waiting than the bound");
}

}  // namespace

PromptRunRecorder::PromptRunRecorder(kafka::EventLogWriter& log, keys::KeyStore& keys, std::string topic,
                                     std::string producer, std::size_t limit)
    : log_(log), keys_(keys), topic_(std::move(topic)), producer_(std::move(producer)), limit_(limit), thread_([this] {
          run();
      }) {}

PromptRunRecorder::~PromptRunRecorder() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void PromptRunRecorder::record(const std::string& user_id, events::EventData prompt_run) {
    std::lock_guard lock(mutex_);
    if (waiting_ >= limit_) {
        dropped().add();
        return;
    }
    by_user_[user_id].push_back(std::move(prompt_run));
    ++waiting_;
}

void PromptRunRecorder::run() {
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
        const bool last = stopping_;
        lock.unlock();
        flush();
        lock.lock();
        if (last) return;
    }
}

void PromptRunRecorder::flush() {
    std::map<std::string, std::vector<events::EventData>> batch;
    {
        std::lock_guard lock(mutex_);
        batch.swap(by_user_);
        waiting_ = 0;
    }
    if (batch.empty()) return;
    std::vector<kafka::EventLogWriter::KeyedValue> records;
    for (auto& [user, runs] : batch) {
        events::EventBatch record;
        record.batch_id = new_uuid();
        record.user_id = user;
        record.occurred_at = now_utc();
        record.request_id = record.batch_id;
        record.idempotency_key = "prompt-runs:" + record.batch_id;
        record.causation_id = "gateway-provider-calls";
        record.producer = producer_;
        for (const auto& run : runs) record.events.push_back(events::Event{new_uuid(), run});
        const auto key = keys_.key_of(user);  // prompt runs hold nothing personal: no key is fine
        records.push_back({user, events::encode(record, key ? &*key : nullptr), 0});
    }
    try {
        log_.append_all(topic_, kafka::EventLogWriter::kPartitionByKey, records);
    } catch (const std::exception& e) {
        spdlog::warn("prompt runs not appended, trying again with the next ones: {}", e.what());
        std::lock_guard lock(mutex_);
        for (auto& [user, runs] : batch) {
            auto& waiting = by_user_[user];
            waiting.insert(waiting.begin(), runs.begin(), runs.end());
            waiting_ += runs.size();
        }
    }
}

}  // namespace aimi::gateway
