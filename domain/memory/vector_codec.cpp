#include "domain/memory/vector_codec.hpp"

#include <bit>
#include <cstring>

#include <openssl/evp.h>

namespace aimi::memory {

static_assert(std::endian::native == std::endian::little, "vectors are stored as little-endian float32");
static_assert(sizeof(float) == 4);

std::string vector_bytes(const Vector& v) {
    std::string out(v.size() * sizeof(float), '\0');
    std::memcpy(out.data(), v.data(), out.size());
    return out;
}

std::optional<Vector> vector_from_bytes(std::string_view bytes, std::size_t dimensions) {
    if (bytes.size() != dimensions * sizeof(float)) return std::nullopt;
    Vector v(dimensions);
    std::memcpy(v.data(), bytes.data(), bytes.size());
    return v;
}

std::string encode_vector(const Vector& v) {
    const auto raw = vector_bytes(v);
    std::string out(4 * ((raw.size() + 2) / 3), '\0');
    EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(raw.data()),
                    static_cast<int>(raw.size()));
    return out;
}

std::optional<Vector> decode_vector(std::string_view base64, std::size_t dimensions) {
    const auto expected = dimensions * sizeof(float);
    if (base64.size() != 4 * ((expected + 2) / 3)) return std::nullopt;
    std::string raw(3 * (base64.size() / 4), '\0');
    if (EVP_DecodeBlock(reinterpret_cast<unsigned char*>(raw.data()),
                        reinterpret_cast<const unsigned char*>(base64.data()), static_cast<int>(base64.size())) < 0)
        return std::nullopt;
    raw.resize(expected);  // EVP_DecodeBlock counts the padding as zero bytes
    return vector_from_bytes(raw, dimensions);
}

std::string model_key(const ModelId& model) {
    return model.provider + "/" + model.name + "/" + model.version;
}

}  // namespace aimi::memory
