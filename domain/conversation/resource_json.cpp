#include "domain/conversation/resource_json.hpp"

namespace aimi::conversation {

namespace {
namespace bj = boost::json;
bj::value opt(const std::optional<std::string>& v) {
    return v ? bj::value(*v) : bj::value(nullptr);
}
bj::value opt(const std::optional<Timestamp>& v) {
    return v ? bj::value(format_timestamp(*v)) : bj::value(nullptr);
}
}  // namespace

bj::object to_json(const User& u) {
    return {{"id", u.id},
            {"email", opt(u.email)},
            {"display_name", u.display_name},
            {"role", u.role},
            {"time_zone", u.time_zone},
            {"locale", u.locale},
            {"settings", u.settings},
            {"created_at", format_timestamp(u.created_at)},
            {"updated_at", format_timestamp(u.updated_at)},
            {"erased_at", opt(u.erased_at)}};
}

bj::object to_json(const Device& d) {
    return {{"id", d.id},
            {"user_id", d.user_id},
            {"token", d.token},
            {"platform", d.platform},
            {"locale", opt(d.locale)},
            {"time_zone", opt(d.time_zone)},
            {"active", d.active},
            {"registered_at", format_timestamp(d.registered_at)},
            {"last_seen_at", format_timestamp(d.last_seen_at)}};
}

bj::object to_json(const Chat& c) {
    return {{"id", c.id},
            {"user_id", c.user_id},
            {"title", c.title},
            {"model", c.model},
            {"settings", c.settings},
            {"last_seq", c.last_seq},
            {"archived", c.archived},
            {"archived_at", opt(c.archived_at)},
            {"created_at", format_timestamp(c.created_at)},
            {"last_active_at", format_timestamp(c.last_active_at)}};
}

bj::object to_json(const Session& s) {
    return {{"id", s.id},
            {"chat_id", s.chat_id},
            {"user_id", s.user_id},
            {"started_at", format_timestamp(s.started_at)},
            {"last_activity_at", format_timestamp(s.last_activity_at)},
            {"ended_at", opt(s.ended_at)},
            {"end_reason", s.end_reason.empty() ? bj::value(nullptr) : bj::value(s.end_reason)},
            {"message_count", s.message_count},
            {"open", s.open()}};
}

bj::object to_json(const Message& m) {
    return {{"id", m.id},
            {"chat_id", m.chat_id},
            {"session_id", m.session_id},
            {"seq", m.seq},
            {"role", m.role},
            {"content", m.content},
            {"metadata", m.metadata},
            {"source", m.source},
            {"client_msg_id", opt(m.client_msg_id)},
            {"request_id", m.request_id},
            {"created_at", format_timestamp(m.created_at)}};
}

}  // namespace aimi::conversation
