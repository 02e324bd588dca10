#pragma once

#include <string>
#include <string_view>

namespace aimi::json {

//! `base` + "/" + `key`, with `key` escaped per RFC 6901 ('~' -> "~0", '/' -> "~1") so field
//! names containing them stay unambiguous in error messages.
inline std::string pointer_append(std::string_view base, std::string_view key) {
    std::string out(base);
    out += '/';
    for (char c : key) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

}  // namespace aimi::json
