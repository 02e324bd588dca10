#include "domain/schema/formats.hpp"

#include <cctype>

#include "domain/schedule/calendar_time.hpp"
#include "domain/time.hpp"
#include "domain/uuid.hpp"

namespace aimi::schema {

namespace {
bool is_alpha(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0;
}
bool is_alnum(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
}  // namespace

bool is_email(std::string_view text) {
    const auto at = text.find('@');
    if (at == std::string_view::npos || at == 0 || text.find('@', at + 1) != std::string_view::npos) return false;
    const auto domain = text.substr(at + 1);
    const auto dot = domain.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == domain.size()) return false;
    for (char c : text)
        if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c))) return false;
    return true;
}

bool is_time_zone_name(std::string_view text) {
    if (text.empty() || text.size() > 64) return false;
    std::size_t segment_start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == '/') {
            const auto segment = text.substr(segment_start, i - segment_start);
            if (segment.empty() || !is_alpha(segment.front())) return false;
            for (char c : segment)
                if (!is_alnum(c) && c != '_' && c != '-' && c != '+') return false;
            segment_start = i + 1;
        }
    }
    return true;
}

bool is_locale_tag(std::string_view text) {
    if (text.size() < 2 || text.size() > 35) return false;
    std::size_t segment_start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == '-' || text[i] == '_') {
            const auto len = i - segment_start;
            if (len == 0 || len > 8) return false;
            segment_start = i + 1;
        } else if (!is_alnum(text[i])) {
            return false;
        }
    }
    return is_alpha(text[0]) && is_alpha(text[1]);
}

bool is_known_format(std::string_view format) {
    return format == "uuid" || format == "date-time" || format == "date" || format == "email" ||
           format == "time-zone" || format == "locale" || format == "calendar-time";
}

bool matches_format(std::string_view format, std::string_view text) {
    if (format == "uuid") return is_uuid(text);
    if (format == "date-time") return parse_timestamp(text).has_value();
    if (format == "date") return parse_date(text).has_value();
    if (format == "email") return is_email(text);
    if (format == "time-zone") return is_time_zone_name(text);
    if (format == "locale") return is_locale_tag(text);
    if (format == "calendar-time") return schedule::parse_calendar_time(text).has_value();
    return false;
}

std::size_t utf8_length(std::string_view text) {
    std::size_t count = 0;
    for (unsigned char c : text)
        if ((c & 0xC0) != 0x80) ++count;
    return count;
}

}  // namespace aimi::schema
