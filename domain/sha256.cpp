#include "domain/sha256.hpp"

#include <array>

#include <openssl/evp.h>

namespace aimi {

std::string sha256_hex(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * length);
    for (unsigned int i = 0; i < length; ++i) (out += kHex[digest[i] >> 4]) += kHex[digest[i] & 15];
    return out;
}

}  // namespace aimi
