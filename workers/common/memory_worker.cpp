#include "workers/common/memory_worker.hpp"

#include <algorithm>

#include <boost/json/object.hpp>

#include "domain/text.hpp"
#include "domain/uuid.hpp"

namespace aimi::memory_workers {

WorkerOptions worker_options(const RuntimeSettings& settings, const std::string& name, const char* batch_variable,
                             int batch_default) {
    WorkerOptions options;
    options.events_topic = settings.events_topic;
    options.main_schema = settings.pg_schema;
    options.producer = name + "@" + settings.instance;
    options.batch = static_cast<int>(env_int(batch_variable, batch_default));
    options.backoff_base = std::chrono::milliseconds(env_int("AIMI_PROVIDER_BACKOFF_MS", 1000));
    options.backoff_max = std::chrono::milliseconds(env_int("AIMI_PROVIDER_BACKOFF_MAX_MS", 60000));
    return options;
}

std::string int_array(const std::set<int>& values) {
    std::string out = "{";
    for (const int v : values) out += (out.size() > 1 ? "," : "") + std::to_string(v);
    return out + "}";
}

std::chrono::milliseconds backoff(int failures, std::chrono::milliseconds base, std::chrono::milliseconds max) {
    auto delay = base;
    for (int i = 1; i < failures && delay < max; ++i) delay *= 2;
    return std::min(delay, max);
}

}  // namespace aimi::memory_workers
