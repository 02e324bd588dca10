#include "workers/assistant/fact_feed.hpp"

#include <stdexcept>
#include <vector>

#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

namespace aimi::assistant_worker {

struct FactFeed::Impl {
    std::string topic;
    std::unique_ptr<RdKafka::KafkaConsumer> consumer;
    bool closed = false;
};

FactFeed::FactFeed(const std::string& bootstrap, const std::string& topic, const std::string& group,
                   const kafka::Properties& overrides)
    : impl_(std::make_unique<Impl>()) {
    impl_->topic = topic;
    // earliest: a group that has committed nothing yet (a first start, or a crash before the first
    // commit) misses no message; the orchestrator skips messages older than its maximum age.
    kafka::Properties properties{{"bootstrap.servers", bootstrap},
                                 {"group.id", group},
                                 {"enable.auto.commit", "false"},
                                 {"auto.offset.reset", "earliest"},
                                 {"session.timeout.ms", "6000"},
                                 {"heartbeat.interval.ms", "500"},
                                 {"fetch.wait.max.ms", kafka::kFetchWaitMaxMs},
                                 {"partition.assignment.strategy", "range"}};
    for (const auto& [k, v] : overrides) properties[k] = v;
    auto conf = kafka::make_conf(properties);
    std::string error;
    impl_->consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
    if (!impl_->consumer) throw std::runtime_error("cannot create the assistant's consumer: " + error);
    if (auto rc = impl_->consumer->subscribe({topic}); rc != RdKafka::ERR_NO_ERROR)
        throw std::runtime_error("cannot subscribe to " + topic + ": " + RdKafka::err2str(rc));
}

FactFeed::~FactFeed() {
    close();
}

std::optional<FactFeed::Record> FactFeed::next(int timeout_ms) {
    std::unique_ptr<RdKafka::Message> message(impl_->consumer->consume(timeout_ms));
    switch (message->err()) {
        case RdKafka::ERR_NO_ERROR:
            return Record{message->partition(), message->offset(),
                          std::string(static_cast<const char*>(message->payload()), message->len())};
        case RdKafka::ERR__TIMED_OUT:
        case RdKafka::ERR__PARTITION_EOF:
            return std::nullopt;
        default:
            spdlog::warn("facts consumer: {}", message->errstr());
            return std::nullopt;
    }
}

void FactFeed::done(const Record& record) {
    std::unique_ptr<RdKafka::TopicPartition> position(
        RdKafka::TopicPartition::create(impl_->topic, record.partition, record.offset + 1));
    std::vector<RdKafka::TopicPartition*> positions{position.get()};
    if (auto rc = impl_->consumer->commitAsync(positions); rc != RdKafka::ERR_NO_ERROR)
        spdlog::warn("commit of {}:{} failed ({}); its turn may run again, changing nothing", record.partition,
                     record.offset, RdKafka::err2str(rc));
}

void FactFeed::close() {
    if (impl_ && !impl_->closed) {
        impl_->closed = true;
        impl_->consumer->close();
    }
}

}  // namespace aimi::assistant_worker
