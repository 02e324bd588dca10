#include "projections/memory/vectors_projection.hpp"

#include <map>

#include <pqxx/pqxx>

#include "domain/json/text_of.hpp"
#include "domain/memory/vector_codec.hpp"
#include "domain/time.hpp"
#include "projections/pg/statement.hpp"

namespace aimi::memory {

namespace {

namespace bj = boost::json;
using json::optional_text_of;
using json::text_of;

// A changed text is a new revision: the embedder embeds it again (its vector replaces the old).
const pg::Statement kSource{"vectors.source", R"sql(
INSERT INTO memory_sources (user_id, source_kind, source_id, "partition", chat_id, text, title, description, occurred_at,
                            scope)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (user_id, source_kind, source_id) DO UPDATE
SET text = excluded.text, title = excluded.title, description = excluded.description,
    revision = memory_sources.revision + 1
WHERE memory_sources.text IS DISTINCT FROM excluded.text)sql"};

const pg::Statement kSourceParts{"vectors.source_parts", R"sql(
SELECT title, description FROM memory_sources WHERE user_id = $1 AND source_kind = $2 AND source_id = $3)sql"};

// Only for a source that still exists, and never an older revision over a newer one.
const pg::Statement kVector{"vectors.vector", R"sql(
INSERT INTO memory_vectors (user_id, item_id, source_kind, source_id, model, revision, dimensions, vector, chat_id,
                            occurred_at, created_at, change_seq)
SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12
WHERE EXISTS (SELECT 1 FROM memory_sources WHERE user_id = $1 AND source_kind = $3 AND source_id = $4)
ON CONFLICT (user_id, item_id) DO UPDATE
SET vector = excluded.vector, revision = excluded.revision, dimensions = excluded.dimensions,
    created_at = excluded.created_at, change_seq = excluded.change_seq
WHERE memory_vectors.revision <= excluded.revision)sql"};

const pg::Statement kVersion{"vectors.version", R"sql(
SELECT version FROM memory_vector_users WHERE user_id = $1)sql"};

const pg::Statement kForget{"vectors.forget", R"sql(
WITH v AS (DELETE FROM memory_vectors WHERE user_id = $1 AND (source_id = $2 OR source_id LIKE $2 || ':%'))
DELETE FROM memory_sources WHERE user_id = $1 AND (source_id = $2 OR source_id LIKE $2 || ':%'))sql"};

// A new summary of a scope replaces the earlier ones' sources (theirs and their facts') and vectors.
const pg::Statement kReplaceScope{"vectors.replace_scope", R"sql(
WITH old AS (DELETE FROM memory_sources
             WHERE user_id = $1 AND scope = $2 AND source_id <> $3 AND source_id NOT LIKE $3 || ':%'
             RETURNING source_kind, source_id)
DELETE FROM memory_vectors v USING old
WHERE v.user_id = $1 AND v.source_kind = old.source_kind AND v.source_id = old.source_id)sql"};

const pg::Statement kErase{"vectors.erase", R"sql(
WITH v AS (DELETE FROM memory_vectors WHERE user_id = $1),
     u AS (DELETE FROM memory_vector_users WHERE user_id = $1),
     m AS (DELETE FROM memory_vector_models WHERE user_id = $1)
DELETE FROM memory_sources WHERE user_id = $1)sql"};

// Once a batch, for each user whose vectors it changed.
const pg::Statement kCountModels{"vectors.count_models", R"sql(
WITH c AS (SELECT model, max(dimensions) AS d, count(*) AS n FROM memory_vectors WHERE user_id = $1 GROUP BY model),
     gone AS (DELETE FROM memory_vector_models m
              WHERE m.user_id = $1 AND NOT EXISTS (SELECT 1 FROM c WHERE c.model = m.model))
INSERT INTO memory_vector_models (user_id, model, dimensions, vectors) SELECT $1, model, d, n FROM c
ON CONFLICT (user_id, model) DO UPDATE SET dimensions = excluded.dimensions, vectors = excluded.vectors)sql"};

const pg::Statement kSetVersion{"vectors.set_version", R"sql(
INSERT INTO memory_vector_users (user_id, version) VALUES ($1, $2)
ON CONFLICT (user_id) DO UPDATE SET version = $2)sql"};

class Applier {
  public:
    Applier(pqxx::dbtransaction& tx, const facts::Fact& fact, std::map<std::string, std::int64_t>& changes)
        : tx_(tx), fact_(fact), user_(fact.user_id), at_(format_timestamp(*fact.occurred_at)), changes_(changes) {}

    void apply(const facts::AppliedEvent& event) {
        const auto& d = event.data;
        const auto& type = event.type;
        if (type == "user.erased") {
            pg::exec(tx_, kErase, user_);
            changes_.erase(user_);
            erased_ = true;
        } else if (type == "message.posted") {
            if (auto content = optional_text_of(d, "content"); content && !content->empty())
                source("message", text_of(d, "message_id"), optional_text_of(d, "chat_id"), *content);
        } else if (type == "summary.created") {
            summary(d);
        } else if (type == "goal.created" || type == "calendar_event.created") {
            const auto kind = type == "goal.created" ? std::string("goal") : std::string("calendar_event");
            if (auto title = optional_text_of(d, "title"))  // absent: erased since
                titled(kind, text_of(d, kind + "_id"), *title, optional_text_of(d, "description"));
        } else if ((type == "goal.updated" || type == "calendar_event.updated") &&
                   (d.contains("title") || d.contains("description"))) {
            updated(type == "goal.updated" ? "goal" : "calendar_event", d);
        } else if (type == "mental_state.recorded") {
            if (auto note = optional_text_of(d, "note"); note && !note->empty())
                source("mental_state", text_of(d, "mental_state_id"), optional_text_of(d, "chat_id"), *note);
        } else if (type == "memory.forgotten") {
            pg::exec(tx_, kForget, user_, text_of(d, "item_id"));
            next_change();
        } else if (type == "memory.embedded") {
            embedded(d);
        }
    }

  private:
    //! The user's next version: each vector write or deletion is one.
    std::int64_t next_change() {
        auto it = changes_.find(user_);
        if (it == changes_.end()) {
            const auto rows = erased_ ? pqxx::result{} : pg::exec(tx_, kVersion, user_);
            it = changes_.emplace(user_, rows.empty() ? 0 : rows[0][0].as<std::int64_t>()).first;
        }
        return ++it->second;
    }

    void source(const std::string& kind, const std::string& id, const std::optional<std::string>& chat,
                const std::string& text, const std::optional<std::string>& scope = std::nullopt) {
        pg::exec(tx_, kSource, user_, kind, id, fact_.origin.partition, chat, text, std::optional<std::string>{},
                 std::optional<std::string>{}, at_, scope);
    }

    //! The summary and each fact it extracted ("<summary id>:<n>"), replacing the scope's earlier ones.
    void summary(const bj::object& d) {
        const auto id = text_of(d, "summary_id");
        const auto scope = text_of(d, "scope");
        pg::exec(tx_, kReplaceScope, user_, scope, id);
        next_change();
        const auto chat = optional_text_of(d, "chat_id");
        if (auto text = optional_text_of(d, "text"); text && !text->empty()) source("summary", id, chat, *text, scope);
        const auto* facts = d.if_contains("facts");
        if (!facts || !facts->is_array()) return;  // erased since
        std::size_t n = 0;
        for (const auto& f : facts->get_array()) {
            ++n;
            if (!f.is_object()) continue;
            if (auto text = optional_text_of(f.get_object(), "text"); text && !text->empty())
                source("fact", id + ":" + std::to_string(n), chat, *text, scope);
        }
    }

    //! A goal or calendar event: "title. description".
    void titled(const std::string& kind, const std::string& id, const std::string& title,
                const std::optional<std::string>& description) {
        const auto text = description && !description->empty() ? title + ". " + *description : title;
        pg::exec(tx_, kSource, user_, kind, id, fact_.origin.partition, std::optional<std::string>{}, text, title,
                 description, at_, std::optional<std::string>{});
    }

    //! An update names only what changed: the rest of the text is the stored one's.
    void updated(const std::string& kind, const bj::object& d) {
        const auto id = text_of(d, kind + "_id");
        const auto rows = pg::exec(tx_, kSourceParts, user_, kind, id);
        if (rows.empty() || rows[0][0].is_null()) return;
        auto title = optional_text_of(d, "title").value_or(rows[0][0].as<std::string>());
        std::optional<std::string> description;
        if (!rows[0][1].is_null()) description = rows[0][1].as<std::string>();
        if (const auto* v = d.if_contains("description"))
            description = v->is_string() ? std::optional(std::string(v->get_string())) : std::nullopt;
        titled(kind, id, title, description);
    }

    void embedded(const bj::object& d) {
        const auto& m = d.at("model").as_object();
        const auto model = model_key({text_of(m, "provider"), text_of(m, "name"), text_of(m, "version")});
        const auto dimensions = d.at("dimensions").to_number<std::int64_t>();
        const auto encoded = optional_text_of(d, "vector");
        if (!encoded) return;  // erased since
        const auto vector = decode_vector(*encoded, static_cast<std::size_t>(dimensions));
        if (!vector)
            throw std::invalid_argument("memory.embedded: the vector is not " + std::to_string(dimensions) +
                                        " base64 float32 values");
        pg::exec(tx_, kVector, user_, text_of(d, "item_id"), text_of(d, "source_kind"), text_of(d, "source_id"), model,
                 d.at("revision").to_number<std::int64_t>(), dimensions, pqxx::binarystring(vector_bytes(*vector)),
                 optional_text_of(d, "chat_id"), text_of(d, "occurred_at"), at_, next_change());
    }

    pqxx::dbtransaction& tx_;
    const facts::Fact& fact_;
    const std::string& user_;
    const std::string at_;
    std::map<std::string, std::int64_t>& changes_;  //!< user -> version after this batch's changes
    bool erased_ = false;
};

}  // namespace

void VectorsProjection::apply(pqxx::dbtransaction& tx, std::span<const facts::Fact> facts) {
    std::map<std::string, std::int64_t> changes;
    for (const auto& fact : facts) {
        if (!fact.applied() || !fact.occurred_at) continue;
        Applier applier(tx, fact, changes);
        for (const auto& event : fact.events) applier.apply(event);
    }
    for (const auto& [user, version] : changes) {
        pg::exec(tx, kSetVersion, user, version);
        pg::exec(tx, kCountModels, user);
    }
}

}  // namespace aimi::memory
