#pragma once

#include <map>
#include <string>
#include <string_view>

namespace pqxx {
class dbtransaction;
}

namespace aimi {

//! NOTIFY channel announcing a switch: payload "<main schema> <projection> <serving schema>".
inline constexpr std::string_view kServingChannel = "aimi_serving_schema";

//! Where each read model built from facts is served from, as `main_schema`'s serving_schemas
//! says (a projection not listed is served from the main schema).
std::map<std::string, std::string> load_serving_schemas(pqxx::dbtransaction& tx, const std::string& main_schema);

//! The serving schema of one projection (the main schema when not listed).
std::string serving_schema(pqxx::dbtransaction& tx, const std::string& main_schema, const std::string& projection);

//! Records `schema` as the one serving `projection` and announces it (on commit).
void switch_serving_schema(pqxx::dbtransaction& tx, const std::string& main_schema, const std::string& projection,
                           const std::string& schema);

}  // namespace aimi
