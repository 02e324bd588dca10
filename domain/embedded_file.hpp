#pragma once

#include <string_view>
#include <vector>

namespace aimi {

//! A text file compiled into the binary (schemas, migrations); see cmake/AimiEmbed.cmake.
struct EmbeddedFile {
    std::string_view name;  //!< path relative to its source folder, e.g. "events/chat.created.v1.json"
    std::string_view contents;
};

}  // namespace aimi
