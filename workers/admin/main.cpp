// aimi-admin: operator commands.
//   aimi-admin migrate                 apply migrations/ to AIMI_PG_SCHEMA (idempotent)
//   aimi-admin create-topics           create the events and facts topics (idempotent)
//   aimi-admin projections             list the projections aimi-projector runs (one per line)
//   aimi-admin token --sub UUID [--role user|admin] [--ttl-seconds N]
//                                      mint a bearer token signed with AIMI_JWT_SECRET
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "domain/auth/jwt.hpp"
#include "domain/uuid.hpp"
#include "projections/pg/connection.hpp"
#include "projections/pg/migrate.hpp"
#include "projections/registry.hpp"
#include "projections/runtime_settings.hpp"
#include "workers/admin/create_topics.hpp"

namespace {

int usage() {
    std::cerr << "usage: aimi-admin migrate | create-topics | token --sub UUID [--role user|admin] [--ttl-seconds N]\n";
    return 2;
}

std::string option(const std::vector<std::string>& args, const std::string& name, std::string fallback) {
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == name) return args[i + 1];
    return fallback;
}

int mint_token(const std::vector<std::string>& args) {
    const std::string secret = aimi::env_or("AIMI_JWT_SECRET", "");
    if (secret.empty()) throw std::invalid_argument("AIMI_JWT_SECRET is required");
    const std::string sub = option(args, "--sub", "");
    const std::string role = option(args, "--role", "user");
    const auto ttl = std::stoll(option(args, "--ttl-seconds", "86400"));
    if (!aimi::is_uuid(sub)) throw std::invalid_argument("--sub must be a UUID");
    if (role != "user" && role != "admin") throw std::invalid_argument("--role must be user or admin");
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::cout << aimi::auth::sign_token({aimi::normalize_uuid(sub), role}, secret, now, ttl) << "\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) return usage();
    try {
        if (args[0] == "token") return mint_token(args);
        if (args[0] == "projections") {
            for (const auto& spec : aimi::registered_projections()) std::cout << spec.name << "\n";
            return 0;
        }
        const auto settings = aimi::RuntimeSettings::from_env();
        if (args[0] == "migrate") {
            auto db = aimi::pg::connect(settings.pg_url, settings.pg_schema);
            const auto applied = aimi::pg::migrate(*db, settings.pg_schema);
            std::cerr << fmt::format("schema {}: {} migration(s) applied\n", settings.pg_schema, applied.size());
            for (const auto& name : applied) std::cerr << "  " << name << "\n";
            return 0;
        }
        if (args[0] == "create-topics") {
            // The facts topic mirrors the events topic partition by partition (fact of intake
            // partition i -> facts partition i), so it takes the same count and settings.
            for (const auto& topic : {settings.events_topic, settings.facts_topic}) {
                aimi::create_topic(settings.kafka_bootstrap,
                                   {topic, settings.events_partitions, settings.events_replication_factor,
                                    settings.events_min_insync_replicas, settings.events_retention_ms});
                std::cerr << fmt::format("topic {} ready ({} partitions, replication factor {})\n", topic,
                                         settings.events_partitions, settings.events_replication_factor);
            }
            return 0;
        }
        return usage();
    } catch (const std::exception& e) {
        std::cerr << "aimi-admin " << args[0] << ": " << e.what() << "\n";
        return 1;
    }
}
