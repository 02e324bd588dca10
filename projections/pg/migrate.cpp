#include "projections/pg/migrate.hpp"

#include <cstdint>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include "domain/embedded_file.hpp"
#include "projections/pg/connection.hpp"

namespace aimi_migrations {
const std::vector<aimi::EmbeddedFile>& embedded_files();
}

namespace aimi::pg {

namespace {

constexpr std::string_view kCreateLedger = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
    name       text        PRIMARY KEY,
    checksum   text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
))sql";

constexpr std::string_view kFindApplied = "SELECT checksum FROM schema_migrations WHERE name = $1";
constexpr std::string_view kRecordApplied = "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)";

// FNV-1a 64: stable across builds and platforms, enough to notice an edited file.
std::string checksum(std::string_view text) {
    std::uint64_t hash = 14695981039346656037ULL;
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 1099511628211ULL;
    }
    return fmt::format("{:016x}", hash);
}

}  // namespace

std::vector<std::string> migrate(pqxx::connection_base& connection, const std::string& schema) {
    if (!is_valid_schema_name(schema)) throw std::invalid_argument("invalid schema name: " + schema);
    std::vector<std::string> applied;
    for (const auto& file : aimi_migrations::embedded_files()) {
        const std::string name(file.name);
        pqxx::work tx(connection, "migrate");
        // One lock for all schemas: the first CREATE SCHEMA of two racing runs must not collide.
        tx.exec("SELECT pg_advisory_xact_lock(hashtext('aimi.migrate'))");
        tx.exec("CREATE SCHEMA IF NOT EXISTS " + tx.quote_name(schema));
        tx.exec("SET LOCAL search_path TO " + tx.quote_name(schema));
        tx.exec(std::string(kCreateLedger));
        const std::string sum = checksum(file.contents);
        const auto found = tx.exec_params(std::string(kFindApplied), name);
        if (!found.empty()) {
            if (found[0][0].as<std::string>() != sum)
                throw std::runtime_error(fmt::format(
                    "migration {} changed after it was applied to schema {}; add a new file instead", name, schema));
            continue;
        }
        try {
            tx.exec(std::string(file.contents));
        } catch (const std::exception& e) {
            throw std::runtime_error(fmt::format("migration {} failed on schema {}: {}", name, schema, e.what()));
        }
        tx.exec_params(std::string(kRecordApplied), name, sum);
        tx.commit();
        applied.push_back(name);
    }
    return applied;
}

}  // namespace aimi::pg
