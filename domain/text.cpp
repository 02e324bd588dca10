#include "domain/text.hpp"

#include <simdjson.h>

namespace aimi {

bool is_storable_text(std::string_view text) {
    return text.find('\0') == std::string_view::npos && simdjson::validate_utf8(text.data(), text.size());
}

std::string storable_text_or_hex(std::string_view text) {
    if (is_storable_text(text)) return std::string(text);
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out = "hex:";
    out.reserve(4 + 2 * text.size());
    for (unsigned char c : text) {
        out += kDigits[c >> 4];
        out += kDigits[c & 0x0F];
    }
    return out;
}

std::string clip_utf8(std::string_view text, std::size_t max_code_points) {
    std::size_t count = 0, i = 0;
    for (; i < text.size(); ++i) {
        // A byte that does not continue a character starts one.
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && count++ == max_code_points) break;
    }
    return std::string(text.substr(0, i));
}

void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

}  // namespace aimi
