#include "domain/memory/prompt_run.hpp"

#include <boost/json/object.hpp>

#include "domain/text.hpp"
#include "domain/uuid.hpp"

namespace aimi::memory {

events::EventData prompt_run_event(const ProviderCall& call) {
    boost::json::object data{{"prompt_run_id", new_uuid()},
                             {"provider", call.model.provider},
                             {"model", call.model.name},
                             {"model_version", call.model.version},
                             {"purpose", call.purpose},
                             {"tokens_in", call.usage.tokens_in},
                             {"tokens_out", call.usage.tokens_out},
                             {"latency_ms", static_cast<std::int64_t>(call.latency.count())},
                             {"status", call.error.empty() ? "ok" : "error"},
                             {"items", call.items}};
    if (!call.scope.empty()) data["scope"] = call.scope;
    // A provider's message may hold any bytes; the event must hold valid UTF-8 without NUL.
    if (!call.error.empty()) data["error"] = clip_utf8(storable_text_or_hex(call.error), 2000);
    return events::PromptRunRecorded{std::move(data)};
}

}  // namespace aimi::memory
