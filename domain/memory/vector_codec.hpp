#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/memory/providers.hpp"

// How a vector travels in memory.embedded (base64 of little-endian float32) and rests in
// PostgreSQL (the raw bytes): exact, so a replay stores the very floats the provider returned.
namespace aimi::memory {

std::string vector_bytes(const Vector& v);
//! nullopt when the size is not `dimensions` floats.
std::optional<Vector> vector_from_bytes(std::string_view bytes, std::size_t dimensions);

std::string encode_vector(const Vector& v);
//! nullopt for text that is not base64 of `dimensions` floats.
std::optional<Vector> decode_vector(std::string_view base64, std::size_t dimensions);

//! "provider/name/version": how a vector's model is named in the read model.
std::string model_key(const ModelId& model);

}  // namespace aimi::memory
