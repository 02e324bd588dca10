#include "domain/privacy/data_key.hpp"

#include <memory>
#include <stdexcept>
#include <vector>

#include <openssl/evp.h>
#include <openssl/rand.h>

namespace aimi::privacy {

namespace {

constexpr std::size_t kNonce = 12, kTag = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext new_context() {
    CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    if (!ctx) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
    return ctx;
}

const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

//! nonce | ciphertext | tag, raw bytes.
std::string gcm_seal(const DataKey& key, std::string_view aad, std::string_view plaintext) {
    std::string out(kNonce + plaintext.size() + kTag, '\0');
    auto* o = reinterpret_cast<unsigned char*>(out.data());
    if (RAND_bytes(o, kNonce) != 1) throw std::runtime_error("RAND_bytes failed");
    auto ctx = new_context();
    int len = 0;
    if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), o) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), o + kNonce, &len, bytes(plaintext), static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), o + kNonce + len, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, o + kNonce + plaintext.size()) != 1)
        throw std::runtime_error("AES-256-GCM encryption failed");
    return out;
}

std::optional<std::string> gcm_open(const DataKey& key, std::string_view aad, std::string_view sealed) {
    if (sealed.size() < kNonce + kTag) return std::nullopt;
    const auto size = sealed.size() - kNonce - kTag;
    std::string plain(size, '\0');
    auto ctx = new_context();
    int len = 0;
    std::vector<unsigned char> tag(bytes(sealed) + kNonce + size, bytes(sealed) + sealed.size());
    if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), bytes(sealed)) != 1 ||
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1 ||
        EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len, bytes(sealed) + kNonce,
                          static_cast<int>(size)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag.data()) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &len) != 1)
        return std::nullopt;
    return plain;
}

std::string base64(std::string_view raw) {
    std::string out(4 * ((raw.size() + 2) / 3), '\0');
    const int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes(raw), static_cast<int>(raw.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::optional<std::string> unbase64(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::string out(3 * text.size() / 4, '\0');
    const int n =
        EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes(text), static_cast<int>(text.size()));
    if (n < 0) return std::nullopt;
    std::size_t padding = 0;
    if (!text.empty() && text.back() == '=') ++padding;
    if (text.size() > 1 && text[text.size() - 2] == '=') ++padding;
    out.resize(static_cast<std::size_t>(n) - padding);
    return out;
}

}  // namespace

std::string seal(const DataKey& key, std::string_view context, std::string_view plaintext) {
    return std::string(kSealedPrefix) + base64(gcm_seal(key, context, plaintext));
}

std::optional<std::string> open(const DataKey& key, std::string_view context, std::string_view sealed) {
    if (!is_sealed(sealed)) return std::nullopt;
    const auto raw = unbase64(sealed.substr(kSealedPrefix.size()));
    if (!raw) return std::nullopt;
    return gcm_open(key, context, *raw);
}

DataKey random_key() {
    DataKey key{};
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) throw std::runtime_error("RAND_bytes failed");
    return key;
}

std::string wrap(const DataKey& master, const std::string& user_id, const DataKey& key) {
    return gcm_seal(master, "aimi:data-key:" + user_id,
                    std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
}

std::optional<DataKey> unwrap(const DataKey& master, const std::string& user_id, std::string_view wrapped) {
    const auto raw = gcm_open(master, "aimi:data-key:" + user_id, wrapped);
    if (!raw || raw->size() != DataKey{}.size()) return std::nullopt;
    DataKey key{};
    std::copy(raw->begin(), raw->end(), key.begin());
    return key;
}

DataKey parse_master_key(std::string_view hex) {
    if (hex.size() != 64) throw std::invalid_argument("the master key must be 64 hex characters (32 bytes)");
    DataKey key{};
    for (std::size_t i = 0; i < 32; ++i) {
        unsigned value = 0;
        for (char c : hex.substr(2 * i, 2)) {
            const int digit = c >= '0' && c <= '9'   ? c - '0'
                              : c >= 'a' && c <= 'f' ? c - 'a' + 10
                              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                     : -1;
            if (digit < 0) throw std::invalid_argument("the master key must be 64 hex characters (32 bytes)");
            value = value * 16 + static_cast<unsigned>(digit);
        }
        key[i] = static_cast<unsigned char>(value);
    }
    return key;
}

}  // namespace aimi::privacy
