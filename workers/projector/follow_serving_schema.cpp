#include "workers/projector/follow_serving_schema.hpp"

#include <thread>

#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include "projections/pg/connection.hpp"
#include "projections/pg/notification_callback.hpp"
#include "projections/serving_schemas.hpp"

namespace aimi {

namespace {

std::string current_schema(pqxx::connection& connection, const std::string& main_schema,
                           const std::string& projection) {
    pqxx::read_transaction tx(connection, "serving_schema");
    return serving_schema(tx, main_schema, projection);
}

}  // namespace

void follow_serving_schema(const std::string& pg_url, const std::string& main_schema, const std::string& projection,
                           const std::atomic<bool>& stop,
                           const std::function<void(const std::string& schema, const std::atomic<bool>& halt)>& run) {
    while (!stop) {
        std::string schema;
        std::unique_ptr<pqxx::connection> connection;
        try {
            connection = pg::connect(pg_url, main_schema);
            schema = current_schema(*connection, main_schema, projection);
        } catch (const std::exception& e) {
            spdlog::warn("projector {}: cannot read its serving schema ({}); retrying", projection, e.what());
            std::this_thread::sleep_for(std::chrono::seconds(1));
            continue;
        }
        std::atomic<bool> halt{false};
        // Watches for a switch (NOTIFY, and a re-read every 5 s in case one was missed) and for stop.
        std::thread watcher([&] {
            bool switched = false;
            try {
                pg::NotificationCallback receiver(*connection, kServingChannel,
                                                  [&switched](const std::string&) { switched = true; });
                auto last_check = std::chrono::steady_clock::now();
                while (!stop && !halt) {
                    connection->await_notification(0, 200'000);
                    if (switched || std::chrono::steady_clock::now() - last_check > std::chrono::seconds(5)) {
                        switched = false;
                        last_check = std::chrono::steady_clock::now();
                        if (current_schema(*connection, main_schema, projection) != schema) break;
                    }
                }
            } catch (const std::exception& e) {
                spdlog::warn("projector {}: lost the watch on its serving schema ({}); restarting", projection,
                             e.what());
            }
            halt = true;
        });
        spdlog::info("projector {}: serving schema {}", projection, schema);
        run(schema, halt);
        halt = true;
        watcher.join();
    }
}

}  // namespace aimi
