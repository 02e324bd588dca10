#include "projections/dead_letters.hpp"

#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include "domain/text.hpp"
#include "projections/pg/statement.hpp"

namespace aimi {

namespace {
const pg::Statement kInsertDeadLetter{"dead_letters.insert", R"sql(
INSERT INTO dead_letters (projection, topic, partition, "offset", record_key, payload, error)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (projection, topic, partition, "offset") DO NOTHING)sql"};
}

void record_dead_letter(pqxx::dbtransaction& tx, const std::string& projection, const LogRecord& record,
                        const std::string& error) {
    spdlog::error("projection {}: dead-lettering {}[{}]@{}: {}", projection, record.topic, record.partition,
                  record.offset, error);
    // The key and the error may carry any bytes (a foreign producer's key, a quoted payload);
    // storing them must not fail, or the poison record would stall its partition after all.
    const pqxx::binarystring payload(record.value);
    pg::exec(tx, kInsertDeadLetter, projection, record.topic, record.partition, record.offset,
             storable_text_or_hex(record.key), payload, storable_text_or_hex(error));
}

}  // namespace aimi
