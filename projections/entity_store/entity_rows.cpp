#include "projections/entity_store/entity_rows.hpp"

#include <pqxx/pqxx>

#include "domain/json/parse.hpp"

namespace aimi::entity_store::rows {

#define AIMI_US(column) "floor(extract(epoch from " column ") * 1000000)::bigint"

const char* const kUserColumns = "id::text, email, display_name, role, time_zone, locale, settings::text, " AIMI_US(
    "created_at") ", " AIMI_US("updated_at") ", " AIMI_US("erased_at");
const char* const kDeviceColumns = "id::text, user_id::text, token, platform, locale, time_zone, is_active, " AIMI_US(
    "registered_at") ", " AIMI_US("last_seen_at");
const char* const kChatColumns = "id::text, user_id::text, title, model, settings::text, last_seq, archived, " AIMI_US(
    "archived_at") ", " AIMI_US("created_at") ", " AIMI_US("last_active_at");
const char* const kSessionColumns = "id::text, user_id::text, chat_id::text, " AIMI_US("started_at") ", " AIMI_US(
    "last_activity_at") ", " AIMI_US("ended_at") ", end_reason, message_count";
const char* const kMessageColumns =
    "id::text, user_id::text, chat_id::text, session_id::text, seq, role, content, metadata::text, source, "
    "client_msg_id, request_id, " AIMI_US("created_at") ", batch_id::text";

#undef AIMI_US

namespace {

std::string text(const pqxx::field& f) {
    return f.as<std::string>();
}
std::optional<std::string> opt_text(const pqxx::field& f) {
    if (f.is_null()) return std::nullopt;
    return f.as<std::string>();
}
Timestamp ts(const pqxx::field& f) {
    return from_micros(f.as<std::int64_t>());
}
std::optional<Timestamp> opt_ts(const pqxx::field& f) {
    if (f.is_null()) return std::nullopt;
    return ts(f);
}
//! jsonb columns hold objects by construction; anything else means the table was edited by hand.
boost::json::object object(const pqxx::field& f) {
    return json::parse_stored_object(f.c_str());
}

}  // namespace

std::string select(const char* columns, const char* rest) {
    return std::string("SELECT ") + columns + " " + rest;
}

conversation::User user(const pqxx::row& r) {
    return {text(r[0]), opt_text(r[1]), text(r[2]), text(r[3]), text(r[4]),
            text(r[5]), object(r[6]),   ts(r[7]),   ts(r[8]),   opt_ts(r[9])};
}

conversation::Device device(const pqxx::row& r) {
    return {text(r[0]),     text(r[1]),      text(r[2]), text(r[3]), opt_text(r[4]),
            opt_text(r[5]), r[6].as<bool>(), ts(r[7]),   ts(r[8])};
}

conversation::Chat chat(const pqxx::row& r) {
    return {text(r[0]),      text(r[1]),   text(r[2]), text(r[3]), object(r[4]), r[5].as<std::int64_t>(),
            r[6].as<bool>(), opt_ts(r[7]), ts(r[8]),   ts(r[9])};
}

conversation::Session session(const pqxx::row& r) {
    return {text(r[0]), text(r[1]), text(r[2]), ts(r[3]), ts(r[4]), opt_ts(r[5]), text(r[6]), r[7].as<std::int64_t>()};
}

conversation::Message message(const pqxx::row& r) {
    return {text(r[0]),  text(r[1]), text(r[2]),   text(r[3]), r[4].as<std::int64_t>(),
            text(r[5]),  text(r[6]), object(r[7]), text(r[8]), opt_text(r[9]),
            text(r[10]), ts(r[11]),  text(r[12])};
}

}  // namespace aimi::entity_store::rows
