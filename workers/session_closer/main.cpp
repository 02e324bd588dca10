// aimi-session-closer: periodically ends sessions idle past AIMI_SESSION_IDLE_TIMEOUT_S.
// Any number of instances may run; duplicate closes are deduplicated by the fold.
#include <thread>

#include <spdlog/spdlog.h>

#include "domain/metrics/registry.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/runtime_settings.hpp"
#include "workers/common/metrics_server.hpp"
#include "workers/common/shutdown.hpp"
#include "workers/session_closer/idle_session_sweep.hpp"

int main() {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ session-closer[%P] %v");
    try {
        const auto& stop = aimi::install_shutdown_handlers();
        const auto metrics_server = aimi::MetricsServer::from_env();
        auto& sweeps = aimi::metrics::registry().counter("aimi_session_sweeps_total", "Sweeps for idle sessions");
        auto& failures =
            aimi::metrics::registry().counter("aimi_session_sweep_failures_total", "Sweeps that failed (retried)");
        auto& closes = aimi::metrics::registry().counter("aimi_session_closes_requested_total",
                                                         "session.ended appended for idle sessions");
        const auto settings = aimi::RuntimeSettings::from_env();
        const auto interval = std::chrono::milliseconds(aimi::env_int("AIMI_SESSION_SWEEP_INTERVAL_MS", 30000));
        aimi::kafka::EventLogWriter log(settings.kafka_bootstrap, settings.kafka_message_timeout,
                                        aimi::kafka::properties_from_env());
        aimi::SweepOptions options{settings.events_topic, settings.session_idle_timeout_s, 500,
                                   "session-closer@" + settings.instance};
        std::unique_ptr<pqxx::connection> db;
        spdlog::info("closing sessions idle for {} s, sweeping every {} ms", options.idle_timeout_s, interval.count());
        while (!stop) {
            try {
                if (!db || !db->is_open()) db = aimi::pg::connect(settings.pg_url, settings.pg_schema);
                const auto closed = aimi::sweep_idle_sessions(*db, log, options);
                sweeps.add();
                closes.add(static_cast<double>(closed));
                if (closed) spdlog::info("requested close of {} idle sessions", closed);
            } catch (const std::exception& e) {
                failures.add();
                db.reset();
                spdlog::error("sweep failed: {}", e.what());
            }
            for (auto waited = std::chrono::milliseconds(0); waited < interval && !stop;
                 waited += std::chrono::milliseconds(100))
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return 0;
    } catch (const std::exception& e) {
        spdlog::critical("session-closer: {}", e.what());
        return 1;
    }
}
