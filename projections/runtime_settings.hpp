#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace aimi {

//! Settings every process reads from its environment (documented in docs/configuration.md).
struct RuntimeSettings {
    std::string pg_url;                                //!< AIMI_PG_URL (required)
    std::string pg_schema = "aimi";                    //!< AIMI_PG_SCHEMA: read-model schema served and projected into
    std::string kafka_bootstrap;                       //!< AIMI_KAFKA_BOOTSTRAP (required)
    std::string events_topic = "aimi.user-events.v1";  //!< AIMI_EVENTS_TOPIC
    std::string facts_topic = "aimi.facts.v1";         //!< AIMI_FACTS_TOPIC (same partition count as the events topic)
    int events_partitions = 6;                         //!< AIMI_EVENTS_PARTITIONS (topic creation)
    int events_replication_factor = 1;                 //!< AIMI_EVENTS_REPLICATION_FACTOR (topic creation)
    int events_min_insync_replicas = 1;     //!< AIMI_EVENTS_MIN_INSYNC_REPLICAS (default: factor - 1, at least 1)
    std::int64_t events_retention_ms = -1;  //!< AIMI_EVENTS_RETENTION_MS (-1 = forever)
    std::chrono::milliseconds kafka_message_timeout{5000};  //!< AIMI_KAFKA_MESSAGE_TIMEOUT_MS
    std::string jwt_secret;                                 //!< AIMI_JWT_SECRET (required by the gateway)
    std::string master_key_hex;                  //!< AIMI_MASTER_KEY: 64 hex chars wrapping the users' data keys
    std::int64_t session_idle_timeout_s = 1800;  //!< AIMI_SESSION_IDLE_TIMEOUT_S
    std::string instance;                        //!< "<host>/<pid>", for envelopes and logs

    //! @throws std::invalid_argument naming the variable that is missing or malformed.
    static RuntimeSettings from_env();
};

//! Reads an environment variable, or `fallback` when unset or empty.
std::string env_or(const char* name, std::string fallback);

//! Reads an integer variable. @throws std::invalid_argument naming it when malformed.
std::int64_t env_int(const char* name, std::int64_t fallback);

}  // namespace aimi
