#include "gateway/notifications_read_model.hpp"

#include <pqxx/pqxx>

#include "domain/json/parse.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::gateway::notifications_read_model {

namespace {

constexpr const char* kTime = R"sql('YYYY-MM-DD"T"HH24:MI:SS.US"Z"')sql";

const std::string kRow = std::string(R"sql(jsonb_build_object(
    'notification_id', notification_id, 'type', type, 'message', message, 'goal_id', goal_id,
    'context', context, 'source', source, 'trigger_id', trigger_id, 'status', status, 'message_id', message_id,
    'scheduled_for', to_char(scheduled_for AT TIME ZONE 'UTC', )sql") +
                         kTime + R"sql(),
    'sent_at', to_char(sent_at AT TIME ZONE 'UTC', )sql" +
                         kTime + R"sql(),
    'dismissed_at', to_char(dismissed_at AT TIME ZONE 'UTC', )sql" +
                         kTime + R"sql(),
    'created_at', to_char(created_at AT TIME ZONE 'UTC', )sql" +
                         kTime + "))::text";

const pg::Statement kFind{"notifications_read.find", "SELECT " + kRow +
                                                         " FROM notifications WHERE user_id = $1::uuid "
                                                         "AND notification_id = $2::uuid"};

const pg::Statement kList{"notifications_read.list",
                          "SELECT " + kRow +
                              " FROM notifications WHERE user_id = $1::uuid "
                              "AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR type = $3) "
                              "AND ($4::timestamptz IS NULL OR (created_at, notification_id) > ($4::timestamptz, "
                              "$5::uuid)) ORDER BY created_at, notification_id LIMIT $6",
                          pg::Planning::per_execution};

}  // namespace

std::optional<boost::json::object> find(pqxx::dbtransaction& tx, const std::string& user_id, const std::string& id) {
    const auto rows = pg::exec(tx, kFind, user_id, id);
    if (rows.empty()) return std::nullopt;
    return json::parse_stored_object(rows[0][0].as<std::string>());
}

boost::json::array list(pqxx::dbtransaction& tx, const std::string& user_id, const Filter& filter) {
    boost::json::array out;
    std::optional<std::string> after_at, after_id;
    if (filter.after) {
        after_at = filter.after->first;
        after_id = filter.after->second;
    }
    for (const auto& row : pg::exec(tx, kList, user_id, filter.status, filter.type, after_at, after_id, filter.limit))
        out.push_back(json::parse_stored(row[0].as<std::string>()));
    return out;
}

}  // namespace aimi::gateway::notifications_read_model
