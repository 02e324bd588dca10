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

}  // namespace aimi
