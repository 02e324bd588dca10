#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Crypto-shredding: every user's personal fields are sealed in the log with a key of their own.
// Destroying the key (erasure) makes every copy of those fields, in every topic, unreadable,
// without rewriting the log.
namespace aimi::privacy {

using DataKey = std::array<unsigned char, 32>;  //!< AES-256

//! Where codecs get a user's data key. nullopt: the user has none, or it was destroyed (erased).
class KeyLookup {
  public:
    virtual ~KeyLookup() = default;
    virtual std::optional<DataKey> key_of(const std::string& user_id) const = 0;
};

//! Prefix of a sealed value: "aimi:sealed:v1:" + base64(nonce 12 | ciphertext | tag 16).
inline constexpr std::string_view kSealedPrefix = "aimi:sealed:v1:";

inline bool is_sealed(std::string_view text) {
    return text.starts_with(kSealedPrefix);
}

//! AES-256-GCM with a fresh random nonce; `context` is authenticated (not encrypted), binding the
//! ciphertext to where it belongs (user, event type, field).
std::string seal(const DataKey& key, std::string_view context, std::string_view plaintext);

//! The plaintext, or nullopt if `sealed` is malformed or does not authenticate under this key
//! and context.
std::optional<std::string> open(const DataKey& key, std::string_view context, std::string_view sealed);

//! A new random key. @throws std::runtime_error if the system cannot give randomness.
DataKey random_key();

//! Wraps a data key with the master key (AES-256-GCM, context "aimi:data-key:<user>"), for the
//! key table; and unwraps it (nullopt: not this master key, or tampered).
std::string wrap(const DataKey& master, const std::string& user_id, const DataKey& key);
std::optional<DataKey> unwrap(const DataKey& master, const std::string& user_id, std::string_view wrapped);

//! A master key from 64 hex characters. @throws std::invalid_argument otherwise.
DataKey parse_master_key(std::string_view hex);

}  // namespace aimi::privacy
