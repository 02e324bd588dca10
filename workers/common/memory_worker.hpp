#pragma once

#include <chrono>
#include <set>
#include <string>

#include "domain/events/events.hpp"
#include "domain/memory/prompt_run.hpp"
#include "domain/memory/providers.hpp"
#include "projections/runtime_settings.hpp"

// What the memory workers (summarizer, embedder) share: their settings, and how a provider call
// becomes a prompt_run.recorded event.
namespace aimi::memory_workers {

struct WorkerOptions {
    std::string events_topic;
    std::string main_schema;  //!< where serving_schemas is
    std::string producer;     //!< envelope producer, e.g. summarizer@host/pid
    int batch = 64;           //!< jobs (summarizer) or texts (embedder) per pass
    std::chrono::milliseconds backoff_base{1000}, backoff_max{60000};
    //! Summarizer: jobs due within this are done now (AIMI_SUMMARIZER_LOOKAHEAD_S; tests make
    //! today's roll-ups with it, an operator can catch up early).
    std::chrono::seconds lookahead{0};
};

//! The options every memory worker reads the same way (AIMI_PROVIDER_BACKOFF_MS, _MAX_MS); its batch
//! from `batch_variable`.
WorkerOptions worker_options(const RuntimeSettings& settings, const std::string& name, const char* batch_variable,
                             int batch_default);

using memory::prompt_run_event;
using memory::ProviderCall;

//! "{1,4,5}": partitions as a PostgreSQL int[] literal.
std::string int_array(const std::set<int>& values);

//! Exponential backoff from `base`, doubling per failure, capped at `max`.
std::chrono::milliseconds backoff(int failures, std::chrono::milliseconds base, std::chrono::milliseconds max);

}  // namespace aimi::memory_workers
