#pragma once

#include <atomic>
#include <functional>
#include <string>

namespace aimi {

//! Runs `run(schema, halt)` for the schema that serves `projection` (serving_schemas in
//! `main_schema`; the main schema itself when not listed), and again for the new one after each
//! switch (`aimi-admin rebuild --switch`): `halt` becomes true on a switch or when `stop` does.
//! Returns when `stop` is true. @warning This is a blocking call.
void follow_serving_schema(const std::string& pg_url, const std::string& main_schema, const std::string& projection,
                           const std::atomic<bool>& stop,
                           const std::function<void(const std::string& schema, const std::atomic<bool>& halt)>& run);

}  // namespace aimi
