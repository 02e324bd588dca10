#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "domain/events/events.hpp"
#include "domain/memory/providers.hpp"

// A provider call as its prompt_run.recorded event (seed 002 prompt_runs): every call a worker or
// a gateway makes for a user is recorded, failed ones too.
namespace aimi::memory {

struct ProviderCall {
    const ModelId& model;
    std::string purpose;  //!< session_summary, daily_summary, weekly_summary, embedding, recall_query, similar_goals
    std::string scope;
    std::int64_t items = 0;
    Usage usage;
    std::chrono::milliseconds latency{0};
    std::string error;  //!< empty: ok
};

//! A new prompt run id; the error clipped to valid UTF-8 without NUL, at most 2000 characters.
events::EventData prompt_run_event(const ProviderCall& call);

}  // namespace aimi::memory
