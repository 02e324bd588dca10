#include "projections/serving_schemas.hpp"

#include <pqxx/pqxx>

namespace aimi {

// The main schema is named explicitly (quoted identifier): the caller's search_path may point at
// another schema (a rebuild target).
std::map<std::string, std::string> load_serving_schemas(pqxx::dbtransaction& tx, const std::string& main_schema) {
    std::map<std::string, std::string> out;
    for (const auto& row :
         tx.exec("SELECT projection, schema_name FROM " + tx.quote_name(main_schema) + ".serving_schemas"))
        out[row[0].as<std::string>()] = row[1].as<std::string>();
    return out;
}

std::string serving_schema(pqxx::dbtransaction& tx, const std::string& main_schema, const std::string& projection) {
    const auto rows = tx.exec_params(
        "SELECT schema_name FROM " + tx.quote_name(main_schema) + ".serving_schemas WHERE projection = $1", projection);
    return rows.empty() ? main_schema : rows[0][0].as<std::string>();
}

void switch_serving_schema(pqxx::dbtransaction& tx, const std::string& main_schema, const std::string& projection,
                           const std::string& schema) {
    tx.exec_params("INSERT INTO " + tx.quote_name(main_schema) +
                       ".serving_schemas (projection, schema_name) VALUES ($1, $2) "
                       "ON CONFLICT (projection) DO UPDATE SET schema_name = excluded.schema_name, switched_at = now()",
                   projection, schema);
    tx.exec_params("SELECT pg_notify($1, $2)", std::string(kServingChannel),
                   main_schema + " " + projection + " " + schema);
}

}  // namespace aimi
