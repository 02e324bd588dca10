#pragma once

#include <optional>
#include <string>
#include <string_view>

// The one rule for numbers, everywhere (commands, events, read models, responses): a number the
// gateway accepts is stored and read back with exactly its value, or it is refused at the edge.
//
// * An integer literal (no fraction, no exponent) in [-2^63, 2^64 - 1] is kept as that integer.
// * Any other number is an IEEE-754 binary64 double: it must be finite and must not hold more
//   significant digits than its double keeps, i.e. its value must equal the shortest decimal
//   that identifies the double (what JavaScript's and Python's serializers print). 0.1, 1e20,
//   100000000000000000000 (JavaScript's spelling of 1e20) and 0.30000000000000004 pass; 1e400,
//   18446744073709551616 (2^64) and 3.14159265358979323846 do not.
//
// Values are compared as decimals, not as spellings: PostgreSQL's jsonb prints 1e2 as 100, and
// -0 as 0.
namespace aimi::json {

//! Why `literal` (a JSON number token) cannot be kept exactly, or nullopt when it can.
std::optional<std::string> number_refusal(std::string_view literal);

//! True when two JSON number literals denote the same decimal value ("1e2" == "100.0", "-0" ==
//! "0"). Malformed literals are equal to nothing.
bool same_decimal_value(std::string_view a, std::string_view b);

//! True for a literal with neither fraction nor exponent.
bool is_integer_literal(std::string_view literal);

//! True for an integer literal within [-2^63, 2^64 - 1].
bool is_64_bit_integer(std::string_view literal);

}  // namespace aimi::json
