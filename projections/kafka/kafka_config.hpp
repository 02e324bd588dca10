#pragma once

#include <map>
#include <memory>
#include <string>

namespace RdKafka {
class Conf;
}

namespace aimi::kafka {

using Properties = std::map<std::string, std::string>;

//! fetch.wait.max.ms of every consumer. The broker answers a fetch as soon as one byte is there
//! (fetch.min.bytes 1), so this bounds only how long an idle fetch is parked, not latency; shorter
//! waits made a dozen idle consumers cost the single local broker a tenth of a core, and under
//! load each fact's fetches and offset commits took the broker ~40 ms of CPU per assistant turn
//! (docs/benchmarks.md, phase k).
inline constexpr const char* kFetchWaitMaxMs = "500";

//! Builds a librdkafka global configuration. @throws std::invalid_argument naming a bad property.
std::unique_ptr<RdKafka::Conf> make_conf(const Properties& properties);

//! Extra librdkafka properties from the environment: AIMI_KAFKA_PROP_<name with dots as __>=value,
//! e.g. AIMI_KAFKA_PROP_socket__timeout__ms=5000 (lets operators tune without a rebuild).
Properties properties_from_env();

}  // namespace aimi::kafka
