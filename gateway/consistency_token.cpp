#include "gateway/consistency_token.hpp"

#include <charconv>

#include <fmt/format.h>

namespace aimi::gateway {

namespace {

template <class Int>
std::optional<Int> decimal(std::string_view text) {
    // from_chars would take a sign; a token never has one.
    if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    Int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

std::string format_consistency_token(LogPosition position) {
    return fmt::format("v1.{}.{}", position.partition, position.offset);
}

std::optional<LogPosition> parse_consistency_token(std::string_view token) {
    if (!token.starts_with("v1.")) return std::nullopt;
    token.remove_prefix(3);
    const auto dot = token.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    const auto partition = decimal<std::int32_t>(token.substr(0, dot));
    const auto offset = decimal<std::int64_t>(token.substr(dot + 1));
    if (!partition || !offset) return std::nullopt;
    return LogPosition{*partition, *offset};
}

}  // namespace aimi::gateway
