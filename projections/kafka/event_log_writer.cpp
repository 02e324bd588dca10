#include "projections/kafka/event_log_writer.hpp"

#include <atomic>
#include <future>
#include <thread>

#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

#include "projections/errors.hpp"

namespace aimi::kafka {

namespace {

using Delivery = std::promise<AppendedRecord>;

class DeliveryReports final : public RdKafka::DeliveryReportCb {
  public:
    void dr_cb(RdKafka::Message& message) override {
        std::unique_ptr<Delivery> delivery(static_cast<Delivery*>(message.msg_opaque()));
        if (message.err() == RdKafka::ERR_NO_ERROR) {
            delivery->set_value(AppendedRecord{message.partition(), message.offset()});
        } else {
            delivery->set_exception(
                std::make_exception_ptr(KafkaUnavailable("event not acknowledged by Kafka: " + message.errstr())));
        }
    }
};

class BrokerEvents final : public RdKafka::EventCb {
  public:
    std::atomic<bool> all_brokers_down{false};
    std::atomic<bool> fatal{false};

    void event_cb(RdKafka::Event& event) override {
        if (event.type() == RdKafka::Event::EVENT_ERROR) {
            if (event.err() == RdKafka::ERR__ALL_BROKERS_DOWN) all_brokers_down = true;
            if (event.fatal()) {
                fatal = true;
                spdlog::critical("kafka producer fatal error: {}", event.str());
            } else {
                spdlog::warn("kafka: {} ({})", event.str(), RdKafka::err2str(event.err()));
            }
        }
    }
};

}  // namespace

struct EventLogWriter::Impl {
    DeliveryReports reports;
    BrokerEvents events;
    std::unique_ptr<RdKafka::Producer> producer;
    std::atomic<bool> stop{false};
    std::thread poller;
};

EventLogWriter::EventLogWriter(const std::string& bootstrap, std::chrono::milliseconds message_timeout,
                               const Properties& overrides)
    : impl_(std::make_unique<Impl>()) {
    Properties properties{
        {"bootstrap.servers", bootstrap},
        {"enable.idempotence", "true"},
        {"acks", "all"},
        {"message.timeout.ms", std::to_string(message_timeout.count())},
        {"linger.ms", "1"},
        {"partitioner", "murmur2_random"},  // the Java client's partitioner: same key, same partition
    };
    for (const auto& [key, value] : overrides) properties[key] = value;
    auto conf = make_conf(properties);
    std::string error;
    conf->set("dr_cb", &impl_->reports, error);
    conf->set("event_cb", &impl_->events, error);
    impl_->producer.reset(RdKafka::Producer::create(conf.get(), error));
    if (!impl_->producer) throw std::runtime_error("cannot create Kafka producer: " + error);
    impl_->poller = std::thread([impl = impl_.get()] {
        while (!impl->stop) impl->producer->poll(50);
    });
}

EventLogWriter::~EventLogWriter() {
    impl_->producer->flush(5000);
    impl_->stop = true;
    impl_->poller.join();
}

AppendedRecord EventLogWriter::append(const std::string& topic, const std::string& key, const std::string& value) {
    if (impl_->events.fatal) throw KafkaUnavailable("Kafka producer is in a fatal state; restart the process");
    // Fail fast while every broker is known down, instead of waiting out message.timeout.ms.
    if (impl_->events.all_brokers_down) {
        if (!reachable(topic, std::chrono::milliseconds(500)))
            throw KafkaUnavailable("Kafka is unreachable (all brokers down)");
        impl_->events.all_brokers_down = false;
    }
    auto delivery = std::make_unique<Delivery>();
    auto future = delivery->get_future();
    const auto rc = impl_->producer->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                                             const_cast<char*>(value.data()), value.size(), key.data(), key.size(), 0,
                                             delivery.get());
    if (rc != RdKafka::ERR_NO_ERROR) throw KafkaUnavailable("cannot enqueue event: " + RdKafka::err2str(rc));
    delivery.release();  // owned by the delivery report from here on
    return future.get();
}

void EventLogWriter::append_all(const std::string& topic, std::int32_t partition,
                                const std::vector<KeyedValue>& records) {
    if (impl_->events.fatal) throw KafkaUnavailable("Kafka producer is in a fatal state; restart the process");
    std::vector<std::future<AppendedRecord>> acknowledgements;
    acknowledgements.reserve(records.size());
    for (const auto& record : records) {
        auto delivery = std::make_unique<Delivery>();
        acknowledgements.push_back(delivery->get_future());
        for (;;) {
            const auto rc = impl_->producer->produce(
                topic, partition, RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(record.value.data()),
                record.value.size(), record.key.data(), record.key.size(), record.timestamp_ms, delivery.get());
            if (rc == RdKafka::ERR_NO_ERROR) break;
            // A full local queue drains as acknowledgements arrive; anything else is an outage.
            if (rc != RdKafka::ERR__QUEUE_FULL) {
                acknowledgements.pop_back();
                for (auto& ack : acknowledgements) ack.wait();
                throw KafkaUnavailable("cannot enqueue record: " + RdKafka::err2str(rc));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        delivery.release();  // owned by the delivery report from here on
    }
    // Every future is waited for before any error propagates: their promises live in reports.
    std::exception_ptr first_error;
    for (auto& ack : acknowledgements) {
        try {
            ack.get();
        } catch (...) {
            if (!first_error) first_error = std::current_exception();
        }
    }
    if (first_error) std::rethrow_exception(first_error);
}

bool EventLogWriter::reachable(const std::string& topic, std::chrono::milliseconds timeout) {
    std::string error;
    std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(impl_->producer.get(), topic, nullptr, error));
    RdKafka::Metadata* metadata = nullptr;
    const auto rc = impl_->producer->metadata(false, handle.get(), &metadata, static_cast<int>(timeout.count()));
    std::unique_ptr<RdKafka::Metadata> owned(metadata);
    return rc == RdKafka::ERR_NO_ERROR;
}

std::optional<std::int64_t> EventLogWriter::high_watermark(const std::string& topic, std::int32_t partition,
                                                           std::chrono::milliseconds timeout) {
    std::int64_t low = 0, high = 0;
    const auto rc =
        impl_->producer->query_watermark_offsets(topic, partition, &low, &high, static_cast<int>(timeout.count()));
    if (rc != RdKafka::ERR_NO_ERROR) return std::nullopt;
    return high;
}

int EventLogWriter::partition_count(const std::string& topic, std::chrono::milliseconds timeout) {
    std::string error;
    std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(impl_->producer.get(), topic, nullptr, error));
    RdKafka::Metadata* metadata = nullptr;
    const auto rc = impl_->producer->metadata(false, handle.get(), &metadata, static_cast<int>(timeout.count()));
    std::unique_ptr<RdKafka::Metadata> owned(metadata);
    if (rc != RdKafka::ERR_NO_ERROR) throw KafkaUnavailable("cannot read metadata of " + topic);
    for (const auto* t : *owned->topics())
        if (t->topic() == topic && t->err() == RdKafka::ERR_NO_ERROR) return static_cast<int>(t->partitions()->size());
    throw KafkaUnavailable("topic " + topic + " does not exist");
}

}  // namespace aimi::kafka
