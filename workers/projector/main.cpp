// aimi-projector: runs one projection as a consumer-group member. Start more instances of the
// same projection to spread its partitions.
#include <spdlog/spdlog.h>

#include "projections/entity_store/entity_store_projection.hpp"
#include "projections/runtime_settings.hpp"
#include "workers/common/shutdown.hpp"
#include "workers/projector/projector_loop.hpp"

int main() {
    try {
        const auto& stop = aimi::install_shutdown_handlers();
        const auto settings = aimi::RuntimeSettings::from_env();
        const std::string projection_name = aimi::env_or("AIMI_PROJECTION", "entity_store");
        if (projection_name != aimi::entity_store::EntityStoreProjection::kName)
            throw std::invalid_argument("AIMI_PROJECTION: unknown projection " + projection_name);
        aimi::entity_store::EntityStoreProjection projection;

        aimi::ProjectorOptions options;
        options.pg_url = settings.pg_url;
        options.pg_schema = settings.pg_schema;
        options.bootstrap = settings.kafka_bootstrap;
        options.topic = settings.events_topic;
        options.group_id =
            aimi::env_or("AIMI_PROJECTOR_GROUP", "aimi.projection." + projection_name + "." + settings.pg_schema);
        options.max_batch = static_cast<std::size_t>(aimi::env_int("AIMI_PROJECTOR_MAX_BATCH", 2000));
        options.linger = std::chrono::milliseconds(aimi::env_int("AIMI_PROJECTOR_LINGER_MS", 0));
        options.overrides = aimi::kafka::properties_from_env();
        spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ projector[%P] %v");
        aimi::run_projector(options, projection, stop);
        return 0;
    } catch (const std::exception& e) {
        spdlog::critical("projector: {}", e.what());
        return 1;
    }
}
