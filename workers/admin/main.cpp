// aimi-admin: operator commands.
//   aimi-admin migrate                 apply migrations/ to AIMI_PG_SCHEMA (idempotent)
//   aimi-admin create-topics           create the events and facts topics (idempotent)
//   aimi-admin projections             list the projections aimi-projector runs (one per line)
//   aimi-admin export [--source facts|events] [--user UUID] [--from TIME] [--to TIME]
//                     [--partition P [--from-offset O] [--to-offset O]] [--with-position] [--decrypt]
//                                      write a topic's records as JSON lines to stdout
//   aimi-admin rebuild PROJECTION [--schema NAME] [--as-of TIME] [--switch]
//                                      project from offset 0 into a fresh schema, report, and
//                                      (--switch) serve from it; --as-of builds the past state
//   aimi-admin seed [FILE]             load the demo learning catalog (infra/seed/learning-catalog.json)
//                                      into the catalog stream; idempotent
//   aimi-admin token --sub UUID [--role user|admin] [--ttl-seconds N]
//                                      mint a bearer token signed with AIMI_JWT_SECRET
#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "domain/auth/jwt.hpp"
#include "domain/time.hpp"
#include "domain/uuid.hpp"
#include "projections/pg/connection.hpp"
#include "projections/pg/migrate.hpp"
#include "projections/registry.hpp"
#include "projections/runtime_settings.hpp"
#include "workers/admin/create_topics.hpp"
#include "workers/admin/export.hpp"
#include "workers/admin/rebuild.hpp"
#include "workers/admin/seed_catalog.hpp"

namespace {

int usage() {
    std::cerr
        << "usage: aimi-admin migrate | create-topics | projections\n"
           "       aimi-admin export [--source facts|events] [--user UUID] [--from TIME] [--to TIME]\n"
           "                         [--partition P [--from-offset O] [--to-offset O]] [--with-position] [--decrypt]\n"
           "       aimi-admin rebuild PROJECTION [--schema NAME] [--as-of TIME] [--switch]\n"
           "       aimi-admin seed [FILE]   (default infra/seed/learning-catalog.json)\n"
           "       aimi-admin token --sub UUID [--role user|admin] [--ttl-seconds N]\n"
           "TIME is RFC 3339, e.g. 2026-12-01T08:00:00Z\n";
    return 2;
}

bool flag(const std::vector<std::string>& args, const std::string& name) {
    return std::find(args.begin(), args.end(), name) != args.end();
}

std::optional<std::string> optional_option(const std::vector<std::string>& args, const std::string& name) {
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == name) return args[i + 1];
    if (!args.empty() && args.back() == name) throw std::invalid_argument(name + " needs a value");
    return std::nullopt;
}

std::optional<std::int64_t> time_option(const std::vector<std::string>& args, const std::string& name) {
    const auto text = optional_option(args, name);
    if (!text) return std::nullopt;
    const auto at = aimi::parse_timestamp(*text);
    if (!at) throw std::invalid_argument(name + " must be an RFC 3339 time, e.g. 2026-12-01T08:00:00Z");
    return aimi::to_micros(*at) / 1000;
}

std::optional<std::int64_t> int_option(const std::vector<std::string>& args, const std::string& name) {
    const auto text = optional_option(args, name);
    if (!text) return std::nullopt;
    return std::stoll(*text);
}

int export_command(const aimi::RuntimeSettings& settings, const std::vector<std::string>& args) {
    aimi::ExportRequest request;
    const auto source = optional_option(args, "--source").value_or("facts");
    if (source != "facts" && source != "events") throw std::invalid_argument("--source must be facts or events");
    request.facts = source == "facts";
    request.user_id = optional_option(args, "--user");
    if (request.user_id) {
        if (!aimi::is_uuid(*request.user_id)) throw std::invalid_argument("--user must be a UUID");
        request.user_id = aimi::normalize_uuid(*request.user_id);
    }
    request.from_ms = time_option(args, "--from");
    request.to_ms = time_option(args, "--to");
    if (const auto p = int_option(args, "--partition")) request.partition = static_cast<std::int32_t>(*p);
    request.from_offset = int_option(args, "--from-offset");
    request.to_offset = int_option(args, "--to-offset");
    if ((request.from_offset || request.to_offset) && !request.partition)
        throw std::invalid_argument("--from-offset and --to-offset need --partition");
    request.with_position = flag(args, "--with-position");
    request.decrypt = flag(args, "--decrypt");
    return aimi::export_records(settings, request);
}

int rebuild_command(const aimi::RuntimeSettings& settings, const std::vector<std::string>& args) {
    if (args.size() < 2 || args[1].starts_with("--")) return usage();
    aimi::RebuildRequest request;
    request.projection = args[1];
    request.schema = optional_option(args, "--schema").value_or("");
    request.as_of_ms = time_option(args, "--as-of");
    request.switch_serving = flag(args, "--switch");
    return aimi::rebuild(settings, request);
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
        if (args[0] == "export") return export_command(settings, args);
        if (args[0] == "rebuild") return rebuild_command(settings, args);
        if (args[0] == "seed")
            return aimi::seed_catalog(settings, args.size() > 1 ? args[1] : "infra/seed/learning-catalog.json");
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
