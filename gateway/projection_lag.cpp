#include "gateway/projection_lag.hpp"

#include "gateway/progress_watcher.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/registry.hpp"

namespace aimi::gateway {

std::int64_t ProjectionLag::total() const {
    std::int64_t sum = 0;
    for (const auto& p : partitions) sum += p.end - p.applied;
    return sum;
}

std::vector<ProjectionLag> projection_lags(GatewayContext& context) {
    const auto timeout = std::chrono::milliseconds(1000);
    const auto& topic = context.settings.events_topic;
    std::vector<std::optional<std::int64_t>> ends;
    try {
        const int partitions = context.log.partition_count(topic, timeout);
        for (int p = 0; p < partitions; ++p) ends.push_back(context.log.high_watermark(topic, p, timeout));
    } catch (const std::exception&) {
        ends.clear();
    }
    std::vector<ProjectionLag> out;
    for (const auto& spec : registered_projections()) {
        ProjectionLag lag{spec.name, spec.input == ProjectionSpec::Input::events, {}};
        const auto applied = context.watcher.snapshot(spec.name);
        bool known = !ends.empty();
        for (std::size_t p = 0; p < ends.size(); ++p) known = known && ends[p].has_value();
        if (known)
            for (std::size_t p = 0; p < ends.size(); ++p) {
                const auto it = applied.find(static_cast<std::int32_t>(p));
                lag.partitions.push_back(
                    {static_cast<std::int32_t>(p), *ends[p], it == applied.end() ? 0 : it->second});
            }
        out.push_back(std::move(lag));
    }
    return out;
}

}  // namespace aimi::gateway
