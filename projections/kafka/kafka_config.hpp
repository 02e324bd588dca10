#pragma once

#include <map>
#include <memory>
#include <string>

namespace RdKafka {
class Conf;
}

namespace aimi::kafka {

using Properties = std::map<std::string, std::string>;

//! Builds a librdkafka global configuration. @throws std::invalid_argument naming a bad property.
std::unique_ptr<RdKafka::Conf> make_conf(const Properties& properties);

//! Extra librdkafka properties from the environment: AIMI_KAFKA_PROP_<name with dots as __>=value,
//! e.g. AIMI_KAFKA_PROP_socket__timeout__ms=5000 (lets operators tune without a rebuild).
Properties properties_from_env();

}  // namespace aimi::kafka
