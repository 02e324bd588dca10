#include "domain/live/live_frame.hpp"

#include <array>
#include <charconv>

#include <fmt/format.h>
#include <boost/json/array.hpp>

#include "domain/json/serialize.hpp"

namespace aimi::live {

namespace bj = boost::json;

std::string format_position(const LivePosition& position) {
    return fmt::format("{}:{}:{}", position.partition, position.offset, position.origin);
}

namespace {

template <class Int>
bool parse_int(std::string_view text, Int& out, Int minimum) {
    if (text.empty() || text.size() > 19 || (text.size() > 1 && text[0] == '0')) return false;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return error == std::errc() && end == text.data() + text.size() && out >= minimum;
}

}  // namespace

std::optional<LivePosition> parse_position(std::string_view text) {
    const auto first = text.find(':');
    const auto second = first == std::string_view::npos ? first : text.find(':', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    LivePosition position;
    if (!parse_int(text.substr(0, first), position.partition, 0) ||
        !parse_int(text.substr(first + 1, second - first - 1), position.offset, std::int64_t{-1}) ||
        !parse_int(text.substr(second + 1), position.origin, std::int64_t{-1}))
        return std::nullopt;
    return position;
}

bool is_live_event(std::string_view type) {
    static constexpr std::array<std::string_view, 6> kTypes = {"message.posted",         "reminder.delivered",
                                                               "notification.created",   "notification.sent",
                                                               "notification.dismissed", "session.ended"};
    for (const auto live : kTypes)
        if (type == live) return true;
    return false;
}

std::optional<std::string> fact_frame(const facts::Fact& fact, const LivePosition& position) {
    if (!fact.applied()) return std::nullopt;
    bj::array events;
    for (const auto& e : fact.events)
        if (is_live_event(e.type))
            events.push_back(
                bj::object{{"event_id", e.event_id}, {"type", e.type}, {"data", e.data}, {"applied", e.applied}});
    if (events.empty()) return std::nullopt;
    bj::value resource = nullptr;
    if (fact.resource)
        resource = bj::object{{"type", fact.resource->type},
                              {"id", fact.resource->id},
                              {"state", fact.resource->state ? bj::value(*fact.resource->state) : bj::value(nullptr)}};
    return json::serialize(bj::object{
        {"type", "fact"},
        {"position", format_position(position)},
        {"batch_id", fact.batch_id},
        {"occurred_at", fact.occurred_at ? bj::value(format_timestamp(*fact.occurred_at)) : bj::value(nullptr)},
        {"resource", std::move(resource)},
        {"events", std::move(events)},
    });
}

std::string ready_frame(const LivePosition& position) {
    return json::serialize(bj::object{{"type", "ready"}, {"position", format_position(position)}});
}

}  // namespace aimi::live
