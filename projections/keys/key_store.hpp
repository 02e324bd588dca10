#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "domain/privacy/data_key.hpp"
#include "projections/pg/connection.hpp"

namespace pqxx {
class dbtransaction;
}

namespace aimi::keys {

//! The users' data keys (aimi_keys.user_keys), wrapped with the master key. Thread-safe; keeps
//! unwrapped keys in memory for `ttl` (a destroyed key is forgotten at once by the process that
//! destroys it, and within `ttl` by every other).
class KeyStore final : public privacy::KeyLookup {
  public:
    KeyStore(std::string pg_url, const privacy::DataKey& master, std::chrono::seconds ttl = std::chrono::seconds(60));
    ~KeyStore() override;

    //! The user's key; nullopt if none exists or it was destroyed. @throws on database errors.
    std::optional<privacy::DataKey> key_of(const std::string& user_id) const override;

    //! The user's key, created on first use; nullopt if it was destroyed (the user is erased).
    std::optional<privacy::DataKey> get_or_create(const std::string& user_id);

    //! Destroys the user's key (idempotent), here and now on this store's own connection.
    void destroy(const std::string& user_id);

    //! Forgets cached keys of users whose keys the caller destroyed in its own transaction.
    void forget(const std::string& user_id);

  private:
    std::optional<privacy::DataKey> load(const std::string& user_id, bool create) const;

    std::string pg_url_;
    privacy::DataKey master_;
    std::chrono::seconds ttl_;
    mutable std::mutex mutex_;
    mutable std::unique_ptr<pqxx::connection> connection_;
    struct Cached {
        std::optional<privacy::DataKey> key;
        std::chrono::steady_clock::time_point until;
    };
    mutable std::map<std::string, Cached> cache_;
};

//! Destroys the keys of `user_ids` inside the caller's transaction (the one that applies their
//! erasure), so the key goes exactly when the erasure commits. Idempotent.
void destroy_keys(pqxx::dbtransaction& tx, const std::vector<std::string>& user_ids);

}  // namespace aimi::keys
