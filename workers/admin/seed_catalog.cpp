#include "workers/admin/seed_catalog.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <boost/json/array.hpp>

#include "domain/json/parse.hpp"
#include "domain/json/serialize.hpp"
#include "domain/json/text_of.hpp"
#include "domain/learning/catalog.hpp"
#include "domain/learning/commands.hpp"
#include "domain/privacy/data_key.hpp"
#include "domain/uuid.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/kafka/kafka_config.hpp"
#include "projections/keys/key_store.hpp"
#include "workers/assistant/outcome_waiter.hpp"
#include "workers/reminder_dispatcher/dispatch_record.hpp"

namespace aimi {

namespace {

namespace bj = boost::json;
using learning::kCatalogStream;

//! One command of the file: its idempotency key and what it decides.
struct SeedRecord {
    std::string key;
    std::vector<events::EventData> events;
};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

//! Ids derived from the record's key, so that a second run proposes the same resources.
conversation::DecisionContext context_for(const std::string& key) {
    conversation::DecisionContext context;
    context.user_id = std::string(kCatalogStream);
    context.new_id = [key, n = 0]() mutable {
        return name_based_uuid(kCatalogStream, key + ":" + std::to_string(n++));
    };
    return context;
}

bj::object checked(bj::object body, const char* schema, const std::string& where) {
    auto decoded = learning::decode_body(json::serialize(body), std::string("commands/") + schema + ".v1.json");
    if (!decoded)
        throw std::invalid_argument(fmt::format("{}: {} ({} at {})", where, decoded.problem().message,
                                                decoded.problem().code, decoded.problem().field));
    return std::move(decoded.value());
}

std::vector<events::EventData> decided(Result<conversation::Decision> decision, const std::string& where) {
    if (!decision)
        throw std::invalid_argument(fmt::format("{}: {} ({} at {})", where, decision.problem().message,
                                                decision.problem().code, decision.problem().field));
    return std::move(decision.value().events);
}

SeedRecord template_record(bj::object t, const std::string& key, const std::optional<std::string>& track_id) {
    if (track_id) {
        t["scope"] = "track";
        t["track_id"] = *track_id;
    }
    auto body = checked(std::move(t), "chat_template.create", key);
    return {key, decided(learning::create_template(context_for(key), std::move(body)), key)};
}

//! The file's commands in order: each track, its roadmap items and templates, then the others.
std::vector<SeedRecord> plan(const bj::object& catalog) {
    std::vector<SeedRecord> out;
    if (const auto* tracks = catalog.if_contains("tracks"))
        for (const auto& value : tracks->as_array()) {
            auto track = value.as_object();
            bj::array roadmap, templates;
            if (auto* r = track.if_contains("roadmap")) roadmap = r->as_array(), track.erase("roadmap");
            if (auto* t = track.if_contains("templates")) templates = t->as_array(), track.erase("templates");
            const auto slug = json::text_of(track, "slug");
            const auto track_key = "seed:track:" + slug;
            auto context = context_for(track_key);
            auto events = decided(learning::create_track(context, checked(std::move(track), "track.create", track_key)),
                                  track_key);
            const auto track_id = name_based_uuid(kCatalogStream, track_key + ":0");
            out.push_back({track_key, std::move(events)});
            for (std::size_t i = 0; i < roadmap.size(); ++i) {
                const auto key = fmt::format("{}:item:{}", track_key, i + 1);
                auto body = checked(roadmap[i].as_object(), "roadmap_item.add", key);
                out.push_back(
                    {key, decided(learning::add_roadmap_item(context_for(key), track_id, std::move(body)), key)});
            }
            for (const auto& t : templates) {
                const auto key = fmt::format("seed:template:track:{}:{}", slug, json::text_of(t.as_object(), "name"));
                out.push_back(template_record(t.as_object(), key, track_id));
            }
        }
    if (const auto* templates = catalog.if_contains("templates"))
        for (const auto& t : templates->as_array()) {
            const auto& o = t.as_object();
            const auto key = fmt::format("seed:template:{}:{}", json::text_of(o, "scope"), json::text_of(o, "name"));
            out.push_back(template_record(o, key, std::nullopt));
        }
    return out;
}

}  // namespace

int seed_catalog(const RuntimeSettings& settings, const std::string& file) {
    const auto catalog = json::parse_value(read_file(file));
    if (!catalog || !catalog.value().is_object())
        throw std::invalid_argument(file + ": not a JSON object" +
                                    (catalog ? std::string() : " (" + catalog.problem().message + ")"));
    const auto records = plan(catalog.value().as_object());

    keys::KeyStore keys(settings.pg_url, privacy::parse_master_key(settings.master_key_hex));
    if (!keys.get_or_create(std::string(kCatalogStream))) throw std::runtime_error("the catalog stream has no key");
    kafka::EventLogWriter log(settings.kafka_bootstrap, settings.kafka_message_timeout, kafka::properties_from_env());
    const assistant_worker::DeciderProgress progress(settings.pg_url, settings.pg_schema);
    assistant_worker::OutcomeWaiter outcomes(settings.pg_url, settings.pg_schema, progress);
    const std::string catalog_stream(kCatalogStream);

    int appended = 0, present = 0, failed = 0;
    for (const auto& record : records) {
        auto outcome = outcomes.find(catalog_stream, record.key);
        if (!outcome) {
            auto encoded = dispatch::encode_record(
                {catalog_stream, record.key, "seed", "aimi-admin@" + settings.instance, record.events}, keys);
            if (!encoded) throw std::runtime_error("the catalog stream's key is gone");
            log.append(settings.events_topic, encoded->key, encoded->value);
            outcome =
                outcomes.wait(catalog_stream, record.key, std::chrono::steady_clock::now() + std::chrono::seconds(30));
            if (!outcome)
                throw std::runtime_error("no outcome for " + record.key +
                                         " within 30 s: is the entity_store projector running?");
            ++appended;
        } else {
            ++present;
        }
        if (outcome->outcome == "rejected") {
            ++failed;
            std::cerr << fmt::format("seed: {} refused: {} ({})\n", record.key, outcome->message, outcome->code);
        }
    }
    std::cerr << fmt::format("seed: {} from {}: {} appended, {} already there, {} refused\n", records.size(), file,
                             appended, present, failed);
    return failed == 0 ? 0 : 1;
}

}  // namespace aimi
