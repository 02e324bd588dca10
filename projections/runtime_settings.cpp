#include "projections/runtime_settings.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>

#include "projections/pg/connection.hpp"

namespace aimi {

std::string env_or(const char* name, std::string fallback) {
    const char* value = std::getenv(name);
    return value && *value ? std::string(value) : std::move(fallback);
}

std::int64_t env_int(const char* name, std::int64_t fallback) {
    const std::string text = env_or(name, "");
    if (text.empty()) return fallback;
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        throw std::invalid_argument(fmt::format("{} must be an integer, got '{}'", name, text));
    return value;
}

RuntimeSettings RuntimeSettings::from_env() {
    RuntimeSettings s;
    s.pg_url = env_or("AIMI_PG_URL", "");
    s.pg_schema = env_or("AIMI_PG_SCHEMA", s.pg_schema);
    s.kafka_bootstrap = env_or("AIMI_KAFKA_BOOTSTRAP", "");
    s.events_topic = env_or("AIMI_EVENTS_TOPIC", s.events_topic);
    s.facts_topic = env_or("AIMI_FACTS_TOPIC", s.facts_topic);
    s.events_partitions = static_cast<int>(env_int("AIMI_EVENTS_PARTITIONS", s.events_partitions));
    s.events_retention_ms = env_int("AIMI_EVENTS_RETENTION_MS", s.events_retention_ms);
    s.events_replication_factor =
        static_cast<int>(env_int("AIMI_EVENTS_REPLICATION_FACTOR", s.events_replication_factor));
    s.events_min_insync_replicas =
        static_cast<int>(env_int("AIMI_EVENTS_MIN_INSYNC_REPLICAS", std::max(1, s.events_replication_factor - 1)));
    s.kafka_message_timeout = std::chrono::milliseconds(env_int("AIMI_KAFKA_MESSAGE_TIMEOUT_MS", 5000));
    s.jwt_secret = env_or("AIMI_JWT_SECRET", "");
    s.master_key_hex = env_or("AIMI_MASTER_KEY", "");
    s.session_idle_timeout_s = env_int("AIMI_SESSION_IDLE_TIMEOUT_S", s.session_idle_timeout_s);
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    s.instance = fmt::format("{}/{}", host, getpid());

    if (s.pg_url.empty())
        throw std::invalid_argument("AIMI_PG_URL is required (e.g. postgresql://127.0.0.1:5432/aimi)");
    if (s.kafka_bootstrap.empty())
        throw std::invalid_argument("AIMI_KAFKA_BOOTSTRAP is required (e.g. 127.0.0.1:9092)");
    if (!pg::is_valid_schema_name(s.pg_schema))
        throw std::invalid_argument("AIMI_PG_SCHEMA is not a valid schema name");
    if (s.events_partitions < 1) throw std::invalid_argument("AIMI_EVENTS_PARTITIONS must be >= 1");
    if (s.events_replication_factor < 1) throw std::invalid_argument("AIMI_EVENTS_REPLICATION_FACTOR must be >= 1");
    if (s.events_min_insync_replicas < 1 || s.events_min_insync_replicas > s.events_replication_factor)
        throw std::invalid_argument("AIMI_EVENTS_MIN_INSYNC_REPLICAS must be between 1 and the replication factor");
    if (s.session_idle_timeout_s < 1) throw std::invalid_argument("AIMI_SESSION_IDLE_TIMEOUT_S must be >= 1");
    return s;
}

}  // namespace aimi
