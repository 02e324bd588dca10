#include "domain/json/serialize.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace aimi::json {

namespace {

template <class Number>
void append_number(std::string& out, Number number) {
    std::array<char, 32> buffer{};
    const auto end = std::to_chars(buffer.data(), buffer.data() + buffer.size(), number).ptr;
    out.append(buffer.data(), end);
}

//! The shortest digits that read back as `value`, laid out as JavaScript does: plain notation for
//! exponents from -6 to 20, scientific beyond. A plain integral value gets ".0" so that it stays a
//! double for every reader (3.8488586521942112e19 is 38488586521942112000.0, not an integer
//! literal beyond 64 bits that simdjson would refuse).
void append_double(std::string& out, double value) {
    if (!std::isfinite(value)) throw std::domain_error("JSON has no spelling for inf or nan");
    std::array<char, 32> buffer{};
    const auto end =
        std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::scientific).ptr;
    const std::string_view sci(buffer.data(), static_cast<std::size_t>(end - buffer.data()));  // -d.ddde+XX
    const auto e = sci.find('e');
    int exponent = 0;
    std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exponent);
    if (exponent < -6 || exponent >= 21) {
        out.append(sci);
        return;
    }
    std::string digits;
    for (const char c : sci.substr(0, e))
        if (c >= '0' && c <= '9') digits += c;
    if (sci.front() == '-') out += '-';
    if (exponent < 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-exponent - 1), '0');
        out += digits;
    } else if (static_cast<std::size_t>(exponent) + 1 >= digits.size()) {
        out += digits;
        out.append(static_cast<std::size_t>(exponent) + 1 - digits.size(), '0');
        out += ".0";
    } else {
        out.append(digits, 0, static_cast<std::size_t>(exponent) + 1);
        out += '.';
        out.append(digits, static_cast<std::size_t>(exponent) + 1);
    }
}

void write(std::string& out, const boost::json::value& value) {
    switch (value.kind()) {
        case boost::json::kind::null:
            out += "null";
            return;
        case boost::json::kind::bool_:
            out += value.get_bool() ? "true" : "false";
            return;
        case boost::json::kind::int64:
            return append_number(out, value.get_int64());
        case boost::json::kind::uint64:
            return append_number(out, value.get_uint64());
        case boost::json::kind::double_:
            return append_double(out, value.get_double());
        case boost::json::kind::string:
            return append_quoted(out, value.get_string());
        case boost::json::kind::array: {
            out += '[';
            bool first = true;
            for (const auto& item : value.get_array()) {
                if (!first) out += ',';
                first = false;
                write(out, item);
            }
            out += ']';
            return;
        }
        case boost::json::kind::object: {
            out += '{';
            bool first = true;
            for (const auto& member : value.get_object()) {
                if (!first) out += ',';
                first = false;
                append_quoted(out, member.key());
                out += ':';
                write(out, member.value());
            }
            out += '}';
            return;
        }
    }
}

}  // namespace

void append_quoted(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (byte < 0x20) {
                    out += "\\u00";
                    out += kHex[byte >> 4];
                    out += kHex[byte & 0xF];
                } else {
                    out += c;  // UTF-8 passes through: the parsers only admit valid UTF-8
                }
        }
    }
    out += '"';
}

std::string serialize(const boost::json::value& value) {
    std::string out;
    write(out, value);
    return out;
}

}  // namespace aimi::json
