#pragma once

#include <string>
#include <string_view>

namespace aimi {

//! True for the canonical 8-4-4-4-12 hexadecimal form (either case).
bool is_uuid(std::string_view text);

//! Lower-cases a UUID so that ids compare and hash as the database stores them.
std::string normalize_uuid(std::string_view text);

//! A random (version 4) UUID in lower case.
std::string new_uuid();
//! A name-based (version 5, SHA-1) UUID: the same namespace UUID and name always give the same id.
std::string name_based_uuid(std::string_view namespace_uuid, std::string_view name);

}  // namespace aimi
