#include "tests/support/json_model.hpp"

#include "domain/text.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include <fmt/format.h>
#include <boost/json/basic_parser_impl.hpp>

namespace aimi::testing::json_model {

namespace {

// ---- decimals ---------------------------------------------------------------------------------

//! sign, significant digits without leading/trailing zeros, power of ten of the first digit.
struct Decimal {
    bool negative = false;
    std::string digits;  //!< empty = zero
    long long exponent = 0;
    int scale = 0;  //!< digits after the point as written minus the exponent (PostgreSQL's dscale)
};

std::optional<Decimal> decimal_of(std::string_view text) {
    Decimal d;
    std::size_t i = 0;
    if (i < text.size() && text[i] == '-') d.negative = (++i, true);
    std::string mantissa;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) mantissa += text[i++];
    const long long point = static_cast<long long>(mantissa.size());
    long long fraction_digits = 0;
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            mantissa += text[i++];
            ++fraction_digits;
        }
    }
    long long exponent = 0;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool negative = false;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
            exponent = std::min(1'000'000'000LL, exponent * 10 + (text[i++] - '0'));
        if (negative) exponent = -exponent;
    }
    if (i != text.size() || mantissa.empty()) return std::nullopt;
    d.scale = static_cast<int>(std::max(0LL, fraction_digits - exponent));
    const auto first = mantissa.find_first_not_of('0');
    if (first == std::string::npos) return d;
    const auto last = mantissa.find_last_not_of('0');
    d.digits = mantissa.substr(first, last - first + 1);
    d.exponent = point - static_cast<long long>(first) - 1 + exponent;
    return d;
}

bool same_number(std::string_view a, std::string_view b) {
    const auto x = decimal_of(a), y = decimal_of(b);
    if (!x || !y) return false;
    if (x->digits.empty() || y->digits.empty()) return x->digits.empty() && y->digits.empty();
    return x->negative == y->negative && x->digits == y->digits && x->exponent == y->exponent;
}

//! Plain notation with `scale` fraction digits, as PostgreSQL's numeric prints.
std::string plain(const Decimal& d) {
    std::string integer, fraction;
    const long long e = d.exponent;
    const long long n = static_cast<long long>(d.digits.size());
    if (d.digits.empty()) {
        integer = "0";
    } else if (e < 0) {
        integer = "0";
        fraction = std::string(static_cast<std::size_t>(-e - 1), '0') + d.digits;
    } else if (e + 1 >= n) {
        integer = d.digits + std::string(static_cast<std::size_t>(e + 1 - n), '0');
    } else {
        integer = d.digits.substr(0, static_cast<std::size_t>(e + 1));
        fraction = d.digits.substr(static_cast<std::size_t>(e + 1));
    }
    if (static_cast<int>(fraction.size()) < d.scale) fraction.append(d.scale - fraction.size(), '0');
    std::string out = (d.negative && !d.digits.empty() ? "-" : "") + integer;
    if (!fraction.empty()) out += "." + fraction;
    return out;
}

// ---- text -------------------------------------------------------------------------------------


std::string quote(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            default:
                if (c < 0x20)
                    out += fmt::format("\\u{:04x}", c);
                else
                    out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

// ---- parsing (numbers as text) ---------------------------------------------------------------

struct ModelHandler {
    static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
    using ec_t = boost::json::error_code;
    using sv = boost::json::string_view;

    std::vector<Value> stack;
    std::vector<std::string> keys;
    std::string buffer, key_buffer;
    Value root;

    void put(Value v) {
        if (stack.empty()) {
            root = std::move(v);
        } else if (stack.back().kind == Value::Kind::array) {
            stack.back().items.push_back(std::move(v));
        } else {
            stack.back().members.emplace_back(std::move(keys.back()), std::move(v));
            keys.pop_back();
        }
    }
    bool on_document_begin(ec_t&) { return true; }
    bool on_document_end(ec_t&) { return true; }
    bool on_object_begin(ec_t&) {
        stack.push_back(Value{Value::Kind::object});
        return true;
    }
    bool on_object_end(std::size_t, ec_t&) {
        auto v = std::move(stack.back());
        stack.pop_back();
        put(std::move(v));
        return true;
    }
    bool on_array_begin(ec_t&) {
        stack.push_back(Value{Value::Kind::array});
        return true;
    }
    bool on_array_end(std::size_t n, ec_t& ec) { return on_object_end(n, ec); }
    bool on_key_part(sv s, std::size_t, ec_t&) {
        key_buffer.append(s.data(), s.size());
        return true;
    }
    bool on_key(sv s, std::size_t, ec_t&) {
        key_buffer.append(s.data(), s.size());
        keys.push_back(std::move(key_buffer));
        key_buffer.clear();
        return true;
    }
    bool on_string_part(sv s, std::size_t, ec_t&) {
        buffer.append(s.data(), s.size());
        return true;
    }
    bool on_string(sv s, std::size_t, ec_t&) {
        buffer.append(s.data(), s.size());
        put(Value{Value::Kind::string, false, std::move(buffer)});
        buffer.clear();
        return true;
    }
    bool on_number_part(sv s, ec_t&) {
        buffer.append(s.data(), s.size());
        return true;
    }
    bool number(sv s) {
        buffer.append(s.data(), s.size());
        put(Value{Value::Kind::number, false, std::move(buffer)});
        buffer.clear();
        return true;
    }
    bool on_int64(std::int64_t, sv s, ec_t&) { return number(s); }
    bool on_uint64(std::uint64_t, sv s, ec_t&) { return number(s); }
    bool on_double(double, sv s, ec_t&) { return number(s); }
    bool on_bool(bool b, ec_t&) {
        put(Value{Value::Kind::boolean, b});
        return true;
    }
    bool on_null(ec_t&) {
        put(Value{});
        return true;
    }
    bool on_comment_part(sv, ec_t&) { return true; }
    bool on_comment(sv, ec_t&) { return true; }
};

std::string child(const std::string& pointer, std::string_view key) {
    std::string out = pointer + "/";
    for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    return out;
}

bool equivalent_at(const Value& e, const Value& a, const std::string& at, std::string* where) {
    auto differ = [&](const std::string& what) {
        if (where) *where = (at.empty() ? "/" : at) + ": " + what;
        return false;
    };
    if (e.kind != a.kind) return differ("kind differs");
    switch (e.kind) {
        case Value::Kind::null:
            return true;
        case Value::Kind::boolean:
            return e.boolean == a.boolean || differ("boolean differs");
        case Value::Kind::number:
            return same_number(e.text, a.text) || differ("number " + e.text + " came back as " + a.text);
        case Value::Kind::string:
            return e.text == a.text || differ("string differs");
        case Value::Kind::array:
            if (e.items.size() != a.items.size()) return differ("array length differs");
            for (std::size_t i = 0; i < e.items.size(); ++i)
                if (!equivalent_at(e.items[i], a.items[i], at + "/" + std::to_string(i), where)) return false;
            return true;
        case Value::Kind::object: {
            if (e.members.size() != a.members.size()) return differ("member count differs");
            std::map<std::string, const Value*> actual;
            for (const auto& [k, v] : a.members) actual[k] = &v;
            for (const auto& [k, v] : e.members) {
                const auto it = actual.find(k);
                if (it == actual.end()) return differ("member missing: " + k);
                if (!equivalent_at(v, *it->second, child(at, k), where)) return false;
            }
            return true;
        }
    }
    return false;
}

void write(const Value& v, std::string& out, bool as_jsonb) {
    switch (v.kind) {
        case Value::Kind::null:
            out += "null";
            return;
        case Value::Kind::boolean:
            out += v.boolean ? "true" : "false";
            return;
        case Value::Kind::number:
            out += as_jsonb ? plain(*decimal_of(v.text)) : v.text;
            return;
        case Value::Kind::string:
            out += quote(v.text);
            return;
        case Value::Kind::array:
            out += '[';
            for (std::size_t i = 0; i < v.items.size(); ++i) {
                if (i) out += ',';
                write(v.items[i], out, as_jsonb);
            }
            out += ']';
            return;
        case Value::Kind::object: {
            std::vector<const std::pair<std::string, Value>*> members;
            for (const auto& m : v.members) members.push_back(&m);
            if (as_jsonb)
                std::stable_sort(members.begin(), members.end(), [](auto* x, auto* y) {
                    return x->first.size() != y->first.size() ? x->first.size() < y->first.size() : x->first < y->first;
                });
            out += '{';
            for (std::size_t i = 0; i < members.size(); ++i) {
                if (i) out += ',';
                out += quote(members[i]->first) + ":";
                write(members[i]->second, out, as_jsonb);
            }
            out += '}';
            return;
        }
    }
}

//! Writes a decimal value in one of several equivalent spellings.
std::string spell(bool negative, const std::string& digits, long long exponent, int style, int extra_zeros) {
    std::string out = negative ? "-" : "";
    const auto n = static_cast<long long>(digits.size());
    const std::string padded = digits + std::string(static_cast<std::size_t>(extra_zeros), '0');
    switch (style) {
        case 0:  // scientific: d.ddd e X
            out += padded.substr(0, 1);
            if (padded.size() > 1) out += "." + padded.substr(1);
            out += fmt::format("e{}", exponent);
            break;
        case 1:  // integer mantissa: ddd E X
            out += digits + fmt::format("E{}{}", exponent - (n - 1) >= 0 ? "+" : "", exponent - (n - 1));
            break;
        default:  // plain when the exponent is moderate, else scientific with a capital E
            if (exponent >= -30 && exponent <= 30) {
                Decimal d{false, digits, exponent, 0};
                out += plain(d);
                if (extra_zeros > 0)
                    out += (out.find('.') == std::string::npos ? "." : "") + std::string(extra_zeros, '0');
            } else {
                out += padded.substr(0, 1) + (padded.size() > 1 ? "." + padded.substr(1) : "") +
                       fmt::format("E{}", exponent);
            }
    }
    return out;
}

}  // namespace

// ---- generator --------------------------------------------------------------------------------

void Generator::refuse(Document& doc, std::string why) {
    if (doc.acceptable) doc.why_not = std::move(why);
    doc.acceptable = false;
}

Generator::Piece Generator::number(Document& doc) {
    auto num = [](std::string t) { return Piece{t, Value{Value::Kind::number, false, t}}; };
    const bool bad_allowed = !doc.why_not.empty() || chance(0.5);  // roughly half the documents stay clean
    switch (below(bad_allowed ? 12 : 8)) {
        case 0:
            return num(std::to_string(static_cast<std::int64_t>(below(2001)) - 1000));
        case 1: {
            static const std::array<const char*, 7> edges = {"9223372036854775807",
                                                             "-9223372036854775808",
                                                             "18446744073709551615",
                                                             "0",
                                                             "-0",
                                                             "9223372036854775808",
                                                             "-1"};
            return num(edges[below(edges.size())]);
        }
        case 2: {
            const auto bits = rng_();
            return num(chance(0.5) ? std::to_string(bits) : std::to_string(static_cast<std::int64_t>(bits)));
        }
        case 3:
        case 4: {  // the shortest spelling of a random finite double (subnormals included), respelled
            double d = 0;
            do {
                std::uint64_t bits = rng_();
                if (chance(0.1)) bits &= 0x800FFFFFFFFFFFFFULL;  // subnormal
                d = std::bit_cast<double>(bits);
            } while (!std::isfinite(d));
            std::array<char, 40> buffer{};
            // Scientific: the shortest digits (plain to_chars prints integral doubles in full).
            const auto r =
                std::to_chars(buffer.data(), buffer.data() + buffer.size(), d, std::chars_format::scientific);
            const auto dec = *decimal_of(std::string_view(buffer.data(), r.ptr - buffer.data()));
            if (dec.digits.empty()) return num(d < 0 || std::signbit(d) ? "-0.0" : "0.0");
            return num(
                spell(dec.negative, dec.digits, dec.exponent, static_cast<int>(below(3)), static_cast<int>(below(3))));
        }
        case 5: {  // up to 15 significant digits anywhere in the normal range: a double keeps them
            std::string digits = std::to_string(1 + below(9));
            const auto n = below(15);
            for (std::uint64_t i = 0; i < n; ++i) digits += static_cast<char>('0' + below(10));
            while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
            const long long exponent = static_cast<long long>(below(601)) - 300;
            return num(spell(chance(0.5), digits, exponent, static_cast<int>(below(3)), static_cast<int>(below(2))));
        }
        case 6: {
            static const std::array<const char*, 6> zeros = {"0.0", "-0.0", "0e10", "-0E-7", "0.000", "1.0"};
            return num(zeros[below(zeros.size())]);
        }
        case 7:
            return num(std::to_string(below(1'000'000)) + "." + std::to_string(1 + below(9)));
        case 8: {  // an integer beyond 64 bits with more digits than a double keeps
            refuse(doc, "integer beyond 64 bits");
            static const std::array<const char*, 2> beyond = {"18446744073709551616", "-9223372036854775809"};
            if (chance(0.5)) return num(beyond[below(beyond.size())]);
            std::string digits = std::to_string(1 + below(9));
            for (std::uint64_t i = 0, n = 20 + below(20); i < n; ++i) digits += static_cast<char>('0' + below(10));
            digits.back() = static_cast<char>('1' + below(9));
            return num((chance(0.3) ? "-" : "") + digits);
        }
        case 9: {  // 18 or more significant digits ending in a non-zero one: more than a double keeps
            std::string digits = std::to_string(1 + below(9));
            for (std::uint64_t i = 0, n = 16 + below(10); i < n; ++i) digits += static_cast<char>('0' + below(10));
            digits += static_cast<char>('1' + below(9));
            const long long exponent = static_cast<long long>(below(61)) - 30;
            auto literal = spell(chance(0.5), digits, exponent, static_cast<int>(below(3)), 0);
            // ... unless it came out as an integer literal that 64 bits hold exactly.
            std::int64_t s = 0;
            std::uint64_t u = 0;
            const char* end = literal.data() + literal.size();
            const bool integer = literal.find_first_of(".eE") == std::string::npos &&
                                 ((std::from_chars(literal.data(), end, s).ec == std::errc{}) ||
                                  (std::from_chars(literal.data(), end, u).ec == std::errc{}));
            if (!integer) refuse(doc, "more digits than a double");
            return num(std::move(literal));
        }
        case 10: {  // overflow and underflow
            refuse(doc, "not a finite double");
            static const std::array<const char*, 7> extreme = {"1e400",  "-2e308", "1.8e308",      "1e-400",
                                                               "2e-325", "3e-324", "1e99999999999"};
            return num(extreme[below(extreme.size())]);
        }
        default:
            return num("1.5");
    }
}

Generator::Piece Generator::string(Document& doc, bool is_key) {
    Piece out{"\"", Value{Value::Kind::string}};
    const auto length = is_key ? 1 + below(8) : below(chance(0.1) ? 200 : 12);
    for (std::uint64_t i = 0; i < length; ++i) {
        char32_t c = 0;
        switch (below(10)) {
            case 0:
                c = static_cast<char32_t>(below(0x20));  // control characters (U+0000 among them)
                break;
            case 1:
                c = static_cast<char32_t>(0x80 + below(0xD800 - 0x80));
                break;
            case 2:
                c = static_cast<char32_t>(0xE000 + below(0x10000 - 0xE000));
                break;
            case 3:
                c = static_cast<char32_t>(0x10000 + below(0x110000 - 0x10000));  // planes 1-16
                break;
            case 4: {
                static const std::u32string specials = U"\"\\/~ \x7f\uFEFF\uFFFF\U0010FFFF";
                c = specials[below(specials.size())];
                break;
            }
            default:
                c = static_cast<char32_t>(0x20 + below(0x5F));
        }
        if (c == 0) {
            if (chance(0.7))
                c = 'x';  // keep U+0000 rare
            else
                refuse(doc, "U+0000");
        }
        append_utf8(out.value.text, c);
        const bool must_escape = c < 0x20 || c == '"' || c == '\\';
        if (c == '"' || c == '\\') {
            out.text += '\\';
            out.text += static_cast<char>(c);
        } else if (must_escape || chance(0.15)) {
            if (c < 0x10000) {
                out.text += chance(0.5) ? fmt::format("\\u{:04x}", static_cast<unsigned>(c))
                                        : fmt::format("\\u{:04X}", static_cast<unsigned>(c));
            } else {
                const auto v = static_cast<unsigned>(c - 0x10000);
                out.text += fmt::format("\\u{:04x}\\u{:04X}", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
            }
        } else {
            append_utf8(out.text, c);
        }
    }
    if (!doc.why_not.empty() || chance(0.01)) {
        if (chance(0.3)) {
            refuse(doc, "lone surrogate");
            out.text += chance(0.5) ? "\\ud800" : "\\uDC01x";
        }
    }
    out.text += "\"";
    return out;
}

Generator::Piece Generator::container(bool is_object, int depth, int& budget, Document& doc) {
    if (depth > 64) refuse(doc, "too deep");
    Piece out{is_object ? "{" : "[", Value{is_object ? Value::Kind::object : Value::Kind::array}};
    const auto width = chance(0.05) ? below(40) : below(6);
    std::set<std::string> names;
    for (std::uint64_t i = 0; i < width && budget > 0; ++i) {
        if (i) out.text += ",";
        if (is_object) {
            auto key = string(doc, true);
            if (names.contains(key.value.text)) refuse(doc, "repeated name");
            names.insert(key.value.text);
            auto member = value(depth + 1, budget, doc);
            out.text += key.text + ":" + member.text;
            out.value.members.emplace_back(std::move(key.value.text), std::move(member.value));
        } else {
            auto item = value(depth + 1, budget, doc);
            out.text += item.text;
            out.value.items.push_back(std::move(item.value));
        }
    }
    out.text += is_object ? "}" : "]";
    return out;
}

Generator::Piece Generator::value(int depth, int& budget, Document& doc) {
    --budget;
    const auto pick = below(20);
    if (pick < 4 && budget > 0) return container(pick < 2, depth, budget, doc);
    if (pick < 5 && depth < 80 && chance(0.3)) {  // a deep chain
        const int levels = static_cast<int>(below(70));
        Piece inner = value(depth + levels, budget, doc);
        for (int l = levels; l > 0; --l) {
            if (depth + l - 1 > 64) refuse(doc, "too deep");
            if (chance(0.5)) {
                inner.text = "[" + inner.text + "]";
                Value v{Value::Kind::array};
                v.items.push_back(std::move(inner.value));
                inner.value = std::move(v);
            } else {
                inner.text = "{\"k\":" + inner.text + "}";
                Value v{Value::Kind::object};
                v.members.emplace_back("k", std::move(inner.value));
                inner.value = std::move(v);
            }
        }
        return inner;
    }
    switch (pick % 5) {
        case 0:
            return Piece{"null", Value{}};
        case 1: {
            const bool b = chance(0.5);
            return Piece{b ? "true" : "false", Value{Value::Kind::boolean, b}};
        }
        case 2:
        case 3:
            return number(doc);
        default:
            return string(doc, false);
    }
}

Document Generator::object(int base_depth, int max_nodes) {
    Document doc;
    int budget = static_cast<int>(1 + below(static_cast<std::uint64_t>(max_nodes)));
    auto piece = container(true, base_depth + 1, budget, doc);
    doc.text = std::move(piece.text);
    doc.value = std::move(piece.value);
    return doc;
}

std::optional<Value> parse(std::string_view text) {
    boost::json::parse_options options;
    options.max_depth = 10'000;
    boost::json::basic_parser<ModelHandler> parser(options);
    boost::json::error_code ec;
    parser.write_some(false, text.data(), text.size(), ec);
    if (ec) return std::nullopt;
    return std::move(parser.handler().root);
}

bool equivalent(const Value& expected, const Value& actual, std::string* where) {
    return equivalent_at(expected, actual, "", where);
}

std::string to_text(const Value& value) {
    std::string out;
    write(value, out, false);
    return out;
}

std::string jsonb_text(const Value& value) {
    std::string out;
    write(value, out, true);
    return out;
}

}  // namespace aimi::testing::json_model
