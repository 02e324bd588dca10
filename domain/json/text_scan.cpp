#include "domain/json/text_scan.hpp"

#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/value_stack.hpp>

#include "domain/json/number_rule.hpp"
#include "domain/json/pointer.hpp"
#include "domain/json/serialize.hpp"

namespace aimi::json {

namespace {

namespace bj = boost::json;
using bj::error_code;
using bj::string_view;

//! Knows the JSON pointer of the value the parser is at, and gathers a number's text, which
//! basic_parser may hand over in parts.
class PathTracker {
  public:
    //! Pointer of the value that starts (or failed) now; "/" for the document itself.
    std::string pointer() const {
        std::string out;
        for (const auto& frame : frames_) {
            if (!frame.object)
                out += "/" + std::to_string(frame.index);
            else if (frame.has_key)
                out = pointer_append(out, frame.key);
        }
        return out.empty() ? "/" : out;
    }

    std::size_t depth() const { return frames_.size(); }
    void open(bool object) { frames_.push_back(Frame{object}); }
    void close() {
        frames_.pop_back();
        value_done();
    }
    void key_part(string_view part) { key_buffer_.append(part.data(), part.size()); }
    void key(string_view last) {
        key_part(last);
        auto& frame = frames_.back();
        frame.key = std::move(key_buffer_);
        frame.has_key = true;
        key_buffer_.clear();
    }
    void value_done() {
        if (frames_.empty()) return;
        auto& frame = frames_.back();
        if (frame.object)
            frame.has_key = false;
        else
            ++frame.index;
    }
    void number_part(string_view part) { number_.append(part.data(), part.size()); }
    //! The whole literal of the number that ends with `last`; valid until the next number.
    const std::string& number(string_view last) {
        number_part(last);
        return number_;
    }
    void number_done() {
        number_.clear();
        value_done();
    }

  private:
    struct Frame {
        bool object = false;
        std::size_t index = 0;
        std::string key;
        bool has_key = false;
    };
    std::vector<Frame> frames_;
    std::string key_buffer_;
    std::string number_;
};

//! Handler of the audit: stops at the first number that breaks the rule or the first container
//! past the depth limit, remembering the problem.
struct AuditHandler {
    static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);

    explicit AuditHandler(std::size_t limit) : max_depth(limit) {}

    std::size_t max_depth;
    PathTracker path;
    std::optional<Problem> problem;

    bool stop(Problem p, error_code& ec) {
        problem = std::move(p);
        ec = bj::error::extra_data;  // any error ends the parse; `problem` says what it was
        return false;
    }
    bool open(bool object, error_code& ec) {
        if (path.depth() + 1 > max_depth)
            return stop(Problem::invalid("too_deep",
                                         fmt::format("nests objects and arrays more than {} levels deep", max_depth),
                                         path.pointer()),
                        ec);
        path.open(object);
        return true;
    }
    bool number(string_view last, error_code& ec) {
        const auto& literal = path.number(last);
        if (auto why = number_refusal(literal)) return stop(Problem::invalid("out_of_range", *why, path.pointer()), ec);
        path.number_done();
        return true;
    }

    bool on_document_begin(error_code&) { return true; }
    bool on_document_end(error_code&) { return true; }
    bool on_object_begin(error_code& ec) { return open(true, ec); }
    bool on_object_end(std::size_t, error_code&) {
        path.close();
        return true;
    }
    bool on_array_begin(error_code& ec) { return open(false, ec); }
    bool on_array_end(std::size_t, error_code&) {
        path.close();
        return true;
    }
    bool on_key_part(string_view s, std::size_t, error_code&) {
        path.key_part(s);
        return true;
    }
    bool on_key(string_view s, std::size_t, error_code&) {
        path.key(s);
        return true;
    }
    bool on_string_part(string_view, std::size_t, error_code&) { return true; }
    bool on_string(string_view, std::size_t, error_code&) {
        path.value_done();
        return true;
    }
    bool on_number_part(string_view s, error_code&) {
        path.number_part(s);
        return true;
    }
    bool on_int64(std::int64_t, string_view s, error_code& ec) { return number(s, ec); }
    bool on_uint64(std::uint64_t, string_view s, error_code& ec) { return number(s, ec); }
    bool on_double(double, string_view s, error_code& ec) { return number(s, ec); }
    bool on_bool(bool, error_code&) {
        path.value_done();
        return true;
    }
    bool on_null(error_code&) {
        path.value_done();
        return true;
    }
    bool on_comment_part(string_view, error_code&) { return true; }
    bool on_comment(string_view, error_code&) { return true; }
};

//! Handler that builds a Boost.JSON value, converting every double from its text.
struct BuildHandler {
    static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
    static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);

    bj::value_stack stack;
    PathTracker path;
    std::optional<Problem> problem;

    bool on_document_begin(error_code&) {
        stack.reset();
        return true;
    }
    bool on_document_end(error_code&) { return true; }
    bool on_object_begin(error_code&) {
        path.open(true);
        return true;
    }
    bool on_object_end(std::size_t n, error_code&) {
        stack.push_object(n);
        path.close();
        return true;
    }
    bool on_array_begin(error_code&) {
        path.open(false);
        return true;
    }
    bool on_array_end(std::size_t n, error_code&) {
        stack.push_array(n);
        path.close();
        return true;
    }
    bool on_key_part(string_view s, std::size_t, error_code&) {
        stack.push_chars(s);
        path.key_part(s);
        return true;
    }
    bool on_key(string_view s, std::size_t, error_code&) {
        stack.push_key(s);
        path.key(s);
        return true;
    }
    bool on_string_part(string_view s, std::size_t, error_code&) {
        stack.push_chars(s);
        return true;
    }
    bool on_string(string_view s, std::size_t, error_code&) {
        stack.push_string(s);
        path.value_done();
        return true;
    }
    bool on_number_part(string_view s, error_code&) {
        path.number_part(s);
        return true;
    }
    bool on_int64(std::int64_t i, string_view, error_code&) {
        stack.push_int64(i);
        path.number_done();
        return true;
    }
    bool on_uint64(std::uint64_t u, string_view, error_code&) {
        stack.push_uint64(u);
        path.number_done();
        return true;
    }
    bool on_double(double, string_view s, error_code& ec) {
        const auto& literal = path.number(s);
        double exact = 0;
        const auto r = std::from_chars(literal.data(), literal.data() + literal.size(), exact);
        if (r.ec != std::errc{} || !std::isfinite(exact)) {
            problem = Problem::invalid("out_of_range", "number beyond the range of a 64-bit float", path.pointer());
            ec = bj::error::extra_data;
            return false;
        }
        stack.push_double(exact);
        path.number_done();
        return true;
    }
    bool on_bool(bool b, error_code&) {
        stack.push_bool(b);
        path.value_done();
        return true;
    }
    bool on_null(error_code&) {
        stack.push_null();
        path.value_done();
        return true;
    }
    bool on_comment_part(string_view, error_code&) { return true; }
    bool on_comment(string_view, error_code&) { return true; }
};

bool is_surrogate_error(const error_code& ec) {
    return ec == bj::error::illegal_leading_surrogate || ec == bj::error::illegal_trailing_surrogate;
}

//! True if a string of `text` holds a \\u escape of a UTF-16 surrogate that is not half of a pair
//! (Boost.JSON reports some of those as plain syntax errors).
bool has_lone_surrogate_escape(std::string_view text) {
    const auto hex4 = [&](std::size_t at) -> int {
        if (at + 4 > text.size()) return -1;
        int value = 0;
        for (std::size_t k = at; k < at + 4; ++k) {
            const char c = text[k];
            const int digit = c >= '0' && c <= '9'   ? c - '0'
                              : c >= 'a' && c <= 'f' ? c - 'a' + 10
                              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                     : -1;
            if (digit < 0) return -1;
            value = value * 16 + digit;
        }
        return value;
    };
    for (std::size_t i = 0; i + 5 < text.size(); ++i) {
        if (text[i] != '\\') continue;
        if (text[i + 1] != 'u') {
            ++i;  // skip the escaped character (it may be a backslash)
            continue;
        }
        const int unit = hex4(i + 2);
        if (unit >= 0xDC00 && unit <= 0xDFFF) return true;  // a low half first
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            const bool paired = i + 11 < text.size() && text.substr(i + 6, 2) == "\\u" && hex4(i + 8) >= 0xDC00 &&
                                hex4(i + 8) <= 0xDFFF;
            if (!paired) return true;
            i += 11;
            continue;
        }
        i += 5;
    }
    return false;
}

//! What a failed parse means, at the pointer where it stopped.
Problem parse_failure(const error_code& ec, const PathTracker& path, std::string_view text) {
    if (ec == bj::error::exponent_overflow)
        return Problem::invalid("out_of_range", "number beyond the range of a 64-bit float", path.pointer());
    if (is_surrogate_error(ec) || (ec == bj::error::syntax && has_lone_surrogate_escape(text)))
        return Problem::invalid(
            "invalid_value", "holds a \\u escape of a lone UTF-16 surrogate, which is not a character", path.pointer());
    // Where the syntax broke, when that is inside the document (at its top, a pointer says nothing).
    auto where = path.pointer();
    if (where == "/") where.clear();
    return Problem::invalid("malformed_json", "request body is not valid JSON: " + ec.message(), std::move(where));
}

bj::parse_options options(std::size_t max_depth) {
    bj::parse_options o;
    o.max_depth = max_depth;
    return o;
}

}  // namespace

std::optional<Problem> audit_text(std::string_view text, std::size_t max_depth) {
    // Boost's own depth limit sits above ours so that our handler names the offender.
    bj::basic_parser<AuditHandler> parser(options(max_depth + 1), max_depth);
    error_code ec;
    parser.write_some(false, text.data(), text.size(), ec);
    if (auto& problem = parser.handler().problem) return std::move(problem);
    if (ec) return parse_failure(ec, parser.handler().path, text);
    return std::nullopt;
}

std::string respell_wide_integers(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == '"') {  // copy a string through, escapes included
            const std::size_t start = i++;
            while (i < text.size() && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
            out.append(text.substr(start, ++i - start));
        } else if (c == '-' || (c >= '0' && c <= '9')) {  // outside strings, only numbers start so
            const std::size_t start = i;
            while (i < text.size() && std::string_view("+-.eE0123456789").find(text[i]) != std::string_view::npos) ++i;
            const auto literal = text.substr(start, i - start);
            const bool fits = !is_integer_literal(literal) || is_64_bit_integer(literal);
            if (fits) {
                out.append(literal);
            } else {
                double value = 0;
                std::from_chars(literal.data(), literal.data() + literal.size(), value);
                out += serialize(boost::json::value(value));
            }
        } else {
            out += c;
            ++i;
        }
    }
    return out;
}

Result<boost::json::value> parse_exact(std::string_view text) {
    bj::basic_parser<BuildHandler> parser(options(10'000));
    error_code ec;
    parser.write_some(false, text.data(), text.size(), ec);
    if (auto& problem = parser.handler().problem) return std::move(*problem);
    if (ec) return parse_failure(ec, parser.handler().path, text);
    return parser.handler().stack.release();
}

}  // namespace aimi::json
