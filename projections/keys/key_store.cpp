#include "projections/keys/key_store.hpp"

#include <boost/json/array.hpp>
#include <pqxx/pqxx>

#include "domain/json/serialize.hpp"

namespace aimi::keys {

namespace {

// Schema-qualified: the key table is shared by every read-model schema.
constexpr const char* kSelect = "SELECT wrapped_key FROM aimi_keys.user_keys WHERE user_id = $1::uuid";
constexpr const char* kInsert =
    "INSERT INTO aimi_keys.user_keys (user_id, wrapped_key) VALUES ($1::uuid, $2) ON CONFLICT (user_id) DO NOTHING";
constexpr const char* kDestroy =
    "UPDATE aimi_keys.user_keys SET wrapped_key = NULL, destroyed_at = coalesce(destroyed_at, now()) "
    "WHERE user_id = $1::uuid";
constexpr const char* kDestroyMany = R"sql(
INSERT INTO aimi_keys.user_keys (user_id, wrapped_key, destroyed_at)
SELECT value::uuid, NULL, now() FROM jsonb_array_elements_text($1::jsonb)
ON CONFLICT (user_id) DO UPDATE SET wrapped_key = NULL,
    destroyed_at = coalesce(aimi_keys.user_keys.destroyed_at, now()))sql";

}  // namespace

KeyStore::KeyStore(std::string pg_url, const privacy::DataKey& master, std::chrono::seconds ttl)
    : pg_url_(std::move(pg_url)), master_(master), ttl_(ttl) {}

KeyStore::~KeyStore() = default;

std::optional<privacy::DataKey> KeyStore::load(const std::string& user_id, bool create) const {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (const auto it = cache_.find(user_id);
        it != cache_.end() && it->second.until > now && (it->second.key || !create))
        return it->second.key;
    try {
        if (!connection_ || !connection_->is_open()) connection_ = pg::connect(pg_url_, "public");
        pqxx::work tx(*connection_, "user_key");
        auto rows = tx.exec_params(kSelect, user_id);
        if (rows.empty() && create) {
            const auto fresh = privacy::random_key();
            const auto wrapped = privacy::wrap(master_, user_id, fresh);
            tx.exec_params(kInsert, user_id, pqxx::binarystring(wrapped));
            rows = tx.exec_params(kSelect, user_id);  // a racing gateway may have won: use its key
        }
        tx.commit();
        std::optional<privacy::DataKey> key;
        if (!rows.empty() && !rows[0][0].is_null()) {
            const pqxx::binarystring wrapped(rows[0][0]);
            key = privacy::unwrap(master_, user_id, wrapped.str());
            if (!key)
                throw std::runtime_error("the data key of " + user_id + " does not unwrap: wrong AIMI_MASTER_KEY?");
        }
        cache_[user_id] = Cached{key, now + ttl_};
        return key;
    } catch (const pqxx::broken_connection&) {
        connection_.reset();
        throw;
    }
}

std::optional<privacy::DataKey> KeyStore::key_of(const std::string& user_id) const {
    return load(user_id, false);
}

std::optional<privacy::DataKey> KeyStore::get_or_create(const std::string& user_id) {
    return load(user_id, true);
}

void KeyStore::destroy(const std::string& user_id) {
    std::lock_guard lock(mutex_);
    if (!connection_ || !connection_->is_open()) connection_ = pg::connect(pg_url_, "public");
    pqxx::work tx(*connection_, "destroy_key");
    tx.exec_params(kDestroy, user_id);
    tx.commit();
    cache_[user_id] = Cached{std::nullopt, std::chrono::steady_clock::now() + ttl_};
}

void KeyStore::forget(const std::string& user_id) {
    std::lock_guard lock(mutex_);
    cache_.erase(user_id);
}

void destroy_keys(pqxx::dbtransaction& tx, const std::vector<std::string>& user_ids) {
    if (user_ids.empty()) return;
    boost::json::array ids;
    for (const auto& id : user_ids) ids.push_back(boost::json::value(id));
    tx.exec_params(kDestroyMany, json::serialize(ids));
}

}  // namespace aimi::keys
