#pragma once

#include <memory>
#include <string>

#include "projections/kafka/kafka_config.hpp"

namespace RdKafka {
class KafkaConsumer;
}

namespace aimi::kafka {

//! A consumer that reads by assign() only and never joins a group: a fresh group id under
//! `group_prefix`, no offsets committed or stored. `properties` add to those; `overrides` (the
//! operator's, properties_from_env()) are applied last. @throws std::runtime_error
std::unique_ptr<RdKafka::KafkaConsumer> assign_only_consumer(const std::string& bootstrap,
                                                             const std::string& group_prefix,
                                                             const Properties& properties, const Properties& overrides);

}  // namespace aimi::kafka
