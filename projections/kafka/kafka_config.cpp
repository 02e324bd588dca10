#include "projections/kafka/kafka_config.hpp"

#include <stdexcept>

#include <librdkafka/rdkafkacpp.h>

extern char** environ;

namespace aimi::kafka {

std::unique_ptr<RdKafka::Conf> make_conf(const Properties& properties) {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    std::string error;
    for (const auto& [key, value] : properties) {
        if (conf->set(key, value, error) != RdKafka::Conf::CONF_OK)
            throw std::invalid_argument("kafka property " + key + "=" + value + ": " + error);
    }
    return conf;
}

Properties properties_from_env() {
    constexpr std::string_view prefix = "AIMI_KAFKA_PROP_";
    Properties out;
    for (char** env = environ; *env; ++env) {
        std::string_view entry(*env);
        if (!entry.starts_with(prefix)) continue;
        const auto eq = entry.find('=');
        if (eq == std::string_view::npos) continue;
        const auto raw = entry.substr(prefix.size(), eq - prefix.size());
        std::string name;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] == '_' && i + 1 < raw.size() && raw[i + 1] == '_') {
                name += '.';
                ++i;
            } else {
                name += raw[i];
            }
        }
        out[name] = std::string(entry.substr(eq + 1));
    }
    return out;
}

}  // namespace aimi::kafka
