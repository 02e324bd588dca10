#include "projections/kafka/assign_only_consumer.hpp"

#include <stdexcept>

#include <librdkafka/rdkafkacpp.h>

#include "domain/uuid.hpp"

namespace aimi::kafka {

std::unique_ptr<RdKafka::KafkaConsumer> assign_only_consumer(const std::string& bootstrap,
                                                             const std::string& group_prefix,
                                                             const Properties& properties,
                                                             const Properties& overrides) {
    Properties all{{"bootstrap.servers", bootstrap},
                   {"group.id", group_prefix + "." + new_uuid()},
                   {"enable.auto.commit", "false"},
                   {"enable.auto.offset.store", "false"}};
    for (const auto& [key, value] : properties) all[key] = value;
    for (const auto& [key, value] : overrides) all[key] = value;
    auto conf = make_conf(all);
    std::string error;
    std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), error));
    if (!consumer) throw std::runtime_error("cannot create Kafka consumer: " + error);
    return consumer;
}

}  // namespace aimi::kafka
