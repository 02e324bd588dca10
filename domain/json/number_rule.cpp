#include "domain/json/number_rule.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

#include <fmt/format.h>

namespace aimi::json {

namespace {

//! A decimal as sign, significant digits (no leading or trailing zeros) and the power of ten of
//! the first digit: 1.25e3 = {+, "125", 3}. Zero is {+, "", 0} whatever its spelling.
struct Decimal {
    bool negative = false;
    std::string digits;
    long long exponent = 0;
    bool operator==(const Decimal&) const = default;
};

//! Parses a JSON number token; nullopt when it is not one. Exponents saturate far beyond any
//! double, which keeps absurd spellings (1e99999999999999999999) comparable without overflow.
std::optional<Decimal> to_decimal(std::string_view text) {
    Decimal out;
    std::size_t i = 0;
    if (i < text.size() && text[i] == '-') {
        out.negative = true;
        ++i;
    }
    std::string mantissa;  // every digit of integer and fraction part, in order
    long long point = 0;   // digits before the decimal point
    const std::size_t int_start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') mantissa += text[i++];
    if (i == int_start) return std::nullopt;
    point = static_cast<long long>(mantissa.size());
    if (i < text.size() && text[i] == '.') {
        ++i;
        const std::size_t frac_start = i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') mantissa += text[i++];
        if (i == frac_start) return std::nullopt;
    }
    long long exponent = 0;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool exp_negative = false;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
        const std::size_t exp_start = i;
        constexpr long long kSaturated = 1'000'000'000'000LL;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            exponent = std::min(kSaturated, exponent * 10 + (text[i++] - '0'));
        }
        if (i == exp_start) return std::nullopt;
        if (exp_negative) exponent = -exponent;
    }
    if (i != text.size()) return std::nullopt;

    const auto first = mantissa.find_first_not_of('0');
    if (first == std::string::npos) return Decimal{};  // zero, also "-0.000e5"
    const auto last = mantissa.find_last_not_of('0');
    out.digits = mantissa.substr(first, last - first + 1);
    out.exponent = point - static_cast<long long>(first) - 1 + exponent;
    return out;
}

}  // namespace

bool is_integer_literal(std::string_view literal) {
    return literal.find_first_of(".eE") == std::string_view::npos;
}

bool is_64_bit_integer(std::string_view literal) {
    if (!is_integer_literal(literal)) return false;
    const char* begin = literal.data();
    const char* end = begin + literal.size();
    std::int64_t signed_value = 0;
    if (const auto r = std::from_chars(begin, end, signed_value); r.ec == std::errc{} && r.ptr == end) return true;
    std::uint64_t unsigned_value = 0;
    const auto r = std::from_chars(begin, end, unsigned_value);
    return r.ec == std::errc{} && r.ptr == end;
}

bool same_decimal_value(std::string_view a, std::string_view b) {
    const auto x = to_decimal(a), y = to_decimal(b);
    return x && y && *x == *y;
}

std::optional<std::string> number_refusal(std::string_view literal) {
    const char* begin = literal.data();
    const char* end = begin + literal.size();
    // Beyond 64 bits an integer is a double like any other: JavaScript writes 1e20 this way.
    if (is_64_bit_integer(literal)) return std::nullopt;
    double value = 0;
    const auto parsed = std::from_chars(begin, end, value);
    if (parsed.ptr != end || parsed.ec != std::errc{} || !std::isfinite(value))
        return "number beyond the range of a 64-bit float (magnitudes from about 4.9e-324 to 1.8e308, or 0)";
    std::array<char, 32> shortest{};
    // Scientific: the shortest digits. (Plain to_chars prints large integral doubles digit by digit:
    // 2^64 as 18446744073709551616, where JavaScript and this system's writer say 18446744073709552000.)
    const auto printed =
        std::to_chars(shortest.data(), shortest.data() + shortest.size(), value, std::chars_format::scientific);
    const std::string_view kept(shortest.data(), static_cast<std::size_t>(printed.ptr - shortest.data()));
    if (!same_decimal_value(literal, kept))
        return fmt::format("{} than a 64-bit float keeps (it would read back as {}); send exact numbers as strings",
                           is_integer_literal(literal) ? "an integer beyond 64 bits, with more significant digits"
                                                       : "more significant digits",
                           kept);
    return std::nullopt;
}

}  // namespace aimi::json
