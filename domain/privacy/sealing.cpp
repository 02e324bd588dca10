#include "domain/privacy/sealing.hpp"

#include <map>
#include <mutex>

#include <fmt/format.h>

#include "domain/json/parse.hpp"
#include "domain/json/serialize.hpp"
#include "domain/schema/schema.hpp"

namespace aimi::privacy {

namespace {

std::string context(const std::string& user_id, std::string_view scope, std::string_view field) {
    return fmt::format("aimi:v1|{}|{}|{}", user_id, scope, field);
}

}  // namespace

const std::vector<std::string>& personal_fields(std::string_view type, int version) {
    static std::mutex mutex;
    static std::map<std::string, std::vector<std::string>, std::less<>> cache;
    const auto name = fmt::format("events/{}.v{}.json", type, version);
    std::lock_guard lock(mutex);
    if (const auto it = cache.find(name); it != cache.end()) return it->second;
    std::vector<std::string> fields;
    try {
        fields = schema::personal_properties(schema::get(name));
    } catch (const std::out_of_range&) {
        // An event type this build does not know has nothing it could seal.
    }
    return cache.emplace(name, std::move(fields)).first->second;
}

const std::vector<std::string>& personal_resource_fields(std::string_view resource_type) {
    static const std::map<std::string, std::vector<std::string>, std::less<>> fields = {
        {"user", {"email", "display_name", "settings"}},
        {"device", {"token"}},
        {"chat", {"title", "settings"}},
        {"message", {"content", "metadata"}},
    };
    static const std::vector<std::string> none;
    const auto it = fields.find(resource_type);
    return it == fields.end() ? none : it->second;
}

void seal_fields(boost::json::object& object, const std::vector<std::string>& fields, const std::string& user_id,
                 std::string_view scope, const DataKey& key) {
    for (const auto& field : fields) {
        auto* value = object.if_contains(field);
        if (!value || value->is_null()) continue;
        *value = seal(key, context(user_id, scope, field), json::serialize(*value));
    }
}

bool has_sealed_fields(const boost::json::object& object, const std::vector<std::string>& fields) {
    for (const auto& field : fields) {
        const auto* value = object.if_contains(field);
        if (value && value->is_string() && is_sealed(value->get_string())) return true;
    }
    return false;
}

Opened open_fields(boost::json::object& object, const std::vector<std::string>& fields, const std::string& user_id,
                   std::string_view scope, const std::optional<DataKey>& key) {
    Opened result = Opened::plain;
    for (const auto& field : fields) {
        auto* value = object.if_contains(field);
        if (!value || !value->is_string() || !is_sealed(value->get_string())) continue;
        if (!key) {
            *value = nullptr;
            result = Opened::erased;
            continue;
        }
        const auto plain = open(*key, context(user_id, scope, field), value->get_string());
        if (!plain) return Opened::tampered;
        auto parsed = json::parse_value(*plain);
        if (!parsed) return Opened::tampered;
        *value = std::move(parsed.value());
    }
    return result;
}

}  // namespace aimi::privacy
