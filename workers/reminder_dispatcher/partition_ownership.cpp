#include "workers/reminder_dispatcher/partition_ownership.hpp"

#include <stdexcept>

#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

namespace aimi::dispatch {

namespace {

//! Takes what the group assigns and pauses it: the dispatcher needs the ownership, not the records.
class Owner final : public RdKafka::RebalanceCb {
  public:
    std::set<int> owned;
    void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                      std::vector<RdKafka::TopicPartition*>& partitions) override {
        if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
            consumer->assign(partitions);
            consumer->pause(partitions);
            for (const auto* p : partitions) owned.insert(p->partition());
        } else {
            consumer->unassign();
            owned.clear();
        }
        spdlog::info("reminder partitions owned: {}", owned.size());
    }
};

}  // namespace

struct PartitionOwnership::Impl {
    Owner owner;
    std::unique_ptr<RdKafka::KafkaConsumer> consumer;
    bool closed = false;
};

PartitionOwnership::PartitionOwnership(const std::string& bootstrap, const std::string& topic, const std::string& group,
                                       const kafka::Properties& overrides)
    : impl_(std::make_unique<Impl>()) {
    kafka::Properties properties{{"bootstrap.servers", bootstrap}, {"group.id", group},
                                 {"enable.auto.commit", "false"},  {"session.timeout.ms", "6000"},
                                 {"heartbeat.interval.ms", "500"}, {"partition.assignment.strategy", "range"}};
    for (const auto& [k, v] : overrides) properties[k] = v;
    auto conf = kafka::make_conf(properties);
    std::string error;
    if (conf->set("rebalance_cb", &impl_->owner, error) != RdKafka::Conf::CONF_OK) throw std::runtime_error(error);
    impl_->consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
    if (!impl_->consumer) throw std::runtime_error("cannot create the ownership consumer: " + error);
    if (auto rc = impl_->consumer->subscribe({topic}); rc != RdKafka::ERR_NO_ERROR)
        throw std::runtime_error("cannot subscribe to " + topic + ": " + RdKafka::err2str(rc));
}

PartitionOwnership::~PartitionOwnership() {
    close();
}

void PartitionOwnership::poll(int timeout_ms) {
    std::unique_ptr<RdKafka::Message> message(impl_->consumer->consume(timeout_ms));
}

const std::set<int>& PartitionOwnership::owned() const {
    return impl_->owner.owned;
}

void PartitionOwnership::close() {
    if (impl_ && !impl_->closed) {
        impl_->closed = true;
        impl_->consumer->close();
    }
}

}  // namespace aimi::dispatch
