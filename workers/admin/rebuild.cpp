#include "workers/admin/rebuild.hpp"

#include <algorithm>
#include <iostream>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include "domain/time.hpp"
#include "projections/keys/key_store.hpp"
#include "projections/pg/connection.hpp"
#include "projections/pg/migrate.hpp"
#include "projections/registry.hpp"
#include "projections/serving_schemas.hpp"
#include "workers/common/shutdown.hpp"
#include "workers/projector/catch_up.hpp"

namespace aimi {

namespace {

std::string stamp(std::int64_t ms) {
    return format_timestamp(from_micros(ms * 1000)).substr(0, 19);
}

std::string default_schema(const RebuildRequest& request, std::int64_t now_ms) {
    std::string when = stamp(request.as_of_ms.value_or(now_ms));
    std::erase_if(when, [](char c) { return c == '-' || c == ':'; });
    std::replace(when.begin(), when.end(), 'T', '_');
    return fmt::format("{}_{}{}", request.projection, request.as_of_ms ? "asof_" : "r", when);
}

std::int64_t rows(pqxx::connection& db, const std::string& schema, const std::string& table) {
    pqxx::read_transaction tx(db);
    return tx.exec1("SELECT count(*) FROM " + tx.quote_name(schema) + "." + tx.quote_name(table))[0].as<std::int64_t>();
}

void print_report(const CatchUpReport& report, const std::string& label) {
    std::int64_t end = 0, at = 0;
    for (const auto& [p, e] : report.ends) end += e;
    for (const auto& [p, n] : report.next_offsets) at += n;
    std::cerr << fmt::format(
        "rebuild: {}: applied {} records, skipped {}, dead-lettered {} in {:.1f} s ({:.0f} records/s); at {} of {}\n",
        label, report.applied, report.skipped, report.dead_lettered, report.elapsed.count(),
        report.applied / std::max(report.elapsed.count(), 1e-3), at, end);
}

}  // namespace

int rebuild(const RuntimeSettings& settings, const RebuildRequest& request) {
    const auto& spec = projection_spec(request.projection);
    const bool decides = spec.input == ProjectionSpec::Input::events;
    if (request.switch_serving && decides)
        throw std::invalid_argument(
            "the entity store decides and serves the write path: rebuild it to compare or replay, and move it by "
            "restarting gateways and projectors with AIMI_PG_SCHEMA=<schema> (see docs/replay.md)");
    if (request.switch_serving && request.as_of_ms)
        throw std::invalid_argument("--as-of builds a past state for querying; it cannot be switched to");
    const auto now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    const std::string schema = request.schema.empty() ? default_schema(request, now_ms) : request.schema;
    if (schema == settings.pg_schema) throw std::invalid_argument("the target schema must not be the main schema");

    auto db = pg::connect(settings.pg_url, schema);
    const auto migrations = pg::migrate(*db, schema);
    std::cerr << fmt::format(
        "rebuild: {} into schema {} ({} migrations applied){}\n", request.projection, schema, migrations.size(),
        request.as_of_ms ? " as of " + format_timestamp(from_micros(*request.as_of_ms * 1000)) : "");

    const auto& stop = install_shutdown_handlers();
    // A rebuild decides nothing anew for anybody: the entity store stages no facts here.
    keys::KeyStore keys(settings.pg_url, privacy::parse_master_key(settings.master_key_hex));
    auto projection = make_projection(request.projection, settings.events_topic, false, keys);
    CatchUpOptions options;
    options.pg_url = settings.pg_url;
    options.pg_schema = schema;
    options.bootstrap = settings.kafka_bootstrap;
    options.topic = decides ? settings.events_topic : settings.facts_topic;
    options.as_of_ms = request.as_of_ms;
    options.overrides = kafka::properties_from_env();
    auto last = std::chrono::steady_clock::now();
    const auto report = catch_up(options, *projection, stop, [&](const CatchUpReport& r) {
        if (std::chrono::steady_clock::now() - last < std::chrono::seconds(2)) return;
        last = std::chrono::steady_clock::now();
        print_report(r, "progress");
    });
    if (stop) {
        std::cerr << "rebuild: interrupted; run it again with --schema " << schema << " to continue\n";
        return 130;
    }
    print_report(report, "caught up");

    pqxx::read_transaction serving_tx(*db);
    const auto serving = serving_schema(serving_tx, settings.pg_schema, request.projection);
    serving_tx.commit();
    std::cerr << fmt::format("rebuild: {:<20} {:>12} {:>12}\n", "table", schema, serving + " (serving)");
    for (const auto& table : spec.tables)
        std::cerr << fmt::format("rebuild: {:<20} {:>12} {:>12}\n", table, rows(*db, schema, table),
                                 rows(*db, serving, table));

    if (request.switch_serving) {
        // What arrived during the first pass; then the switch. The projection's projectors move
        // to the new schema and continue from its offsets.
        print_report(catch_up(options, *projection, stop), "second pass");
        pqxx::work tx(*db);
        switch_serving_schema(tx, settings.pg_schema, request.projection, schema);
        tx.commit();
        std::cerr << fmt::format("rebuild: {} is now served from {} (was {})\n", request.projection, schema, serving);
        if (serving != settings.pg_schema)
            std::cerr << fmt::format("rebuild: the old copy stays until you drop it: DROP SCHEMA \"{}\" CASCADE\n",
                                     serving);
    }
    std::cout << schema << "\n";
    return 0;
}

}  // namespace aimi
