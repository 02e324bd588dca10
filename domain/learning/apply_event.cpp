#include "domain/learning/apply_event.hpp"

#include <algorithm>

#include <boost/json/array.hpp>

#include "domain/json/text_of.hpp"
#include "domain/learning/catalog.hpp"

namespace aimi::learning {

namespace {

using namespace events;
using goals::Applied;
using goals::EntityNode;
using goals::Refusal;
using Outcome = std::variant<Applied, Refusal>;
namespace bj = boost::json;
using json::optional_text_of;
using json::text_of;

std::int64_t int_of(const bj::object& o, std::string_view key, std::int64_t fallback = 0) {
    const auto* v = o.if_contains(key);
    return v && v->is_int64() ? v->get_int64() : fallback;
}

std::vector<std::string> strings_of(const bj::object& o, std::string_view key) {
    std::vector<std::string> out;
    if (const auto* v = o.if_contains(key); v && v->is_array())
        for (const auto& s : v->get_array()) out.emplace_back(s.get_string());
    return out;
}

bj::array to_array(const std::vector<std::string>& ids) {
    bj::array out;
    for (const auto& id : ids) out.emplace_back(id);
    return out;
}

Applied touched(std::string type, const std::string& id, bj::object assigned = {}) {
    Applied applied{std::move(type), id, std::move(assigned), {}, {}, {}, {}};
    applied.changed_entities.push_back(id);
    return applied;
}

class Applier {
  public:
    explicit Applier(goals::GoalGraph& entities) : g_(entities) {}

    // The catalog.

    Outcome operator()(const TrackCreated& e) {
        const auto id = text_of(e.data, "track_id");
        if (taken(id)) return Refusal{"track_exists", "track id already in use", "", {}};
        const auto slug = text_of(e.data, "slug");
        for (const auto& [other, node] : g_.entities())
            if (node.kind == "track" && text_of(node.details, "slug") == slug)
                return Refusal{"track_slug_taken", "another track has this slug", "/slug", {{"track_id", other}}};
        g_.put_entity(EntityNode{id, "track", "active", {{"slug", slug}, {"items", bj::array{}}}});
        return touched("track", id);
    }

    Outcome operator()(const TrackUpdated& e) {
        const auto id = text_of(e.data, "track_id");
        if (!find(id, "track")) return no_track(id);
        return touched("track", id);
    }

    //! Positions are dense and 1-based: an insert at p moves p.. down by one.
    Outcome operator()(const RoadmapItemAdded& e) {
        const auto id = text_of(e.data, "roadmap_item_id");
        const auto track_id = text_of(e.data, "track_id");
        const auto* track = find(track_id, "track");
        if (!track) return no_track(track_id);
        if (taken(id)) return Refusal{"roadmap_item_exists", "roadmap item id already in use", "", {}};
        auto items = strings_of(track->details, "items");
        const auto last = static_cast<std::int64_t>(items.size()) + 1;
        const auto position = int_of(e.data, "position", last);
        if (position > last) return out_of_range(last);
        items.insert(items.begin() + (position - 1), id);
        put_order(*track, items);
        g_.put_entity(EntityNode{id, "roadmap_item", "active", {{"track_id", track_id}}});
        auto applied = touched("roadmap_item", id, {{"position", position}, {"order", to_array(items)}});
        applied.changed_entities.push_back(track_id);
        return applied;
    }

    Outcome operator()(const RoadmapItemUpdated& e) {
        const auto id = text_of(e.data, "roadmap_item_id");
        const auto track_id = text_of(e.data, "track_id");
        const auto [track, item] = item_of_track(id, track_id);
        if (!item) return no_item(id);
        auto items = strings_of(track->details, "items");
        auto at = std::find(items.begin(), items.end(), id);
        auto position = static_cast<std::int64_t>(at - items.begin()) + 1;
        if (const auto* p = e.data.if_contains("position"); p && p->is_int64()) {
            const auto last = static_cast<std::int64_t>(items.size());
            if (p->get_int64() > last) return out_of_range(last);
            items.erase(at);
            position = p->get_int64();
            items.insert(items.begin() + (position - 1), id);
            put_order(*track, items);
        }
        auto applied = touched("roadmap_item", id, {{"position", position}, {"order", to_array(items)}});
        applied.changed_entities.push_back(track_id);
        return applied;
    }

    Outcome operator()(const RoadmapItemRemoved& e) {
        const auto id = text_of(e.data, "roadmap_item_id");
        const auto track_id = text_of(e.data, "track_id");
        const auto [track, item] = item_of_track(id, track_id);
        if (!item) return no_item(id);
        auto items = strings_of(track->details, "items");
        std::erase(items, id);
        put_order(*track, items);
        g_.put_entity(EntityNode{id, "roadmap_item", "removed", item->details});
        auto applied = touched("roadmap_item", id, {{"order", to_array(items)}});
        applied.changed_entities.push_back(track_id);
        return applied;
    }

    //! (scope, track, name) is unique: an agent route finds its template by name.
    Outcome operator()(const ChatTemplateCreated& e) {
        const auto id = text_of(e.data, "template_id");
        if (taken(id)) return Refusal{"template_exists", "template id already in use", "", {}};
        const auto scope = text_of(e.data, "scope");
        const auto track_id = optional_text_of(e.data, "track_id");
        if ((scope == "track") != track_id.has_value())
            return Refusal{"invalid_value", "track_id is required with scope track, and only then", "/track_id", {}};
        if (track_id && !find(*track_id, "track")) return no_track(*track_id);
        const auto name = text_of(e.data, "name");
        for (const auto& [other, node] : g_.entities())
            if (node.kind == "chat_template" && text_of(node.details, "name") == name &&
                text_of(node.details, "scope") == scope && optional_text_of(node.details, "track_id") == track_id)
                return Refusal{"template_name_taken",
                               "a template of this scope (and track) has this name",
                               "/name",
                               {{"template_id", other}}};
        bj::object details{{"name", name}, {"scope", scope}, {"version", 1}};
        if (track_id) details["track_id"] = *track_id;
        g_.put_entity(EntityNode{id, "chat_template", "active", std::move(details)});
        return touched("chat_template", id, {{"version", 1}});
    }

    Outcome operator()(const ChatTemplatePublished& e) {
        const auto id = text_of(e.data, "template_id");
        const auto* found = find(id, "chat_template");
        if (!found) return Refusal{"template_not_found", "no such chat template", "", {{"template_id", id}}};
        EntityNode node = *found;
        const auto version = int_of(node.details, "version") + 1;
        node.details["version"] = version;
        g_.put_entity(std::move(node));
        return touched("chat_template", id, {{"version", version}});
    }

    // A user's sessions. Their entities live in the user's own stream, so another user's id is
    // simply not found.

    Outcome operator()(const TrackSessionStarted& e) {
        const auto id = text_of(e.data, "track_session_id");
        const auto live = text_of(e.data, "live_synopsis_id");
        if (taken(id) || taken(live)) return Refusal{"track_session_exists", "track session id already in use", "", {}};
        g_.put_entity(EntityNode{
            id, "track_session", "active", {{"track_id", text_of(e.data, "track_id")}, {"live_synopsis_id", live}}});
        g_.put_entity(EntityNode{
            live, "synopsis", "live", {{"track_session_id", id}, {"origin", "live"}, {"revision", 0}, {"items", 0}}});
        auto applied = touched("track_session", id);
        applied.changed_entities.push_back(live);
        return applied;
    }

    Outcome operator()(const TrackSessionUpdated& e) {
        const auto id = text_of(e.data, "track_session_id");
        if (!find(id, "track_session")) return no_session(id);
        return touched("track_session", id);
    }

    Outcome operator()(const ChatThreadCreated& e) {
        const auto id = text_of(e.data, "thread_id");
        const auto session = text_of(e.data, "track_session_id");
        const auto tab = text_of(e.data, "tab");
        if (!find(session, "track_session")) return no_session(session);
        for (const auto& [other, node] : g_.entities())
            if (node.kind == "chat_thread" && text_of(node.details, "track_session_id") == session &&
                text_of(node.details, "tab") == tab)
                return Refusal{
                    "thread_exists", "the session already has a thread for this tab", "/tab", {{"thread_id", other}}};
        if (taken(id)) return Refusal{"thread_exists", "thread id already in use", "", {}};
        g_.put_entity(EntityNode{id, "chat_thread", "active", {{"track_session_id", session}, {"tab", tab}}});
        return touched("chat_thread", id);
    }

    //! A snapshot records the live synopsis's revision it copies; the read model, folding the
    //! same stream in the same order, copies exactly those items.
    Outcome operator()(const SynopsisCreated& e) {
        const auto id = text_of(e.data, "synopsis_id");
        const auto session = text_of(e.data, "track_session_id");
        const auto* s = find(session, "track_session");
        if (!s) return no_session(session);
        if (taken(id)) return Refusal{"synopsis_exists", "synopsis id already in use", "", {}};
        const auto origin = text_of(e.data, "origin");
        bj::object assigned{{"origin", origin}};
        std::int64_t count = 0;
        if (origin == "snapshot") {
            const auto* live = find(text_of(s->details, "live_synopsis_id"), "synopsis");
            if (!live) return no_synopsis(text_of(s->details, "live_synopsis_id"));
            count = int_of(live->details, "items");
            assigned["copied_synopsis_id"] = live->id;
            assigned["copied_revision"] = int_of(live->details, "revision");
        } else if (const auto* items = e.data.if_contains("items"); items && items->is_array()) {
            count = static_cast<std::int64_t>(items->get_array().size());
        }
        g_.put_entity(
            EntityNode{id,
                       "synopsis",
                       origin,
                       {{"track_session_id", session}, {"origin", origin}, {"revision", 0}, {"items", count}}});
        return touched("synopsis", id, std::move(assigned));
    }

    //! Only the live synopsis changes; snapshots and imported ones are records of a moment.
    Outcome operator()(const SynopsisUpdated& e) {
        const auto id = text_of(e.data, "synopsis_id");
        const auto* found = find(id, "synopsis");
        if (!found) return no_synopsis(id);
        if (found->status != "live")
            return Refusal{"synopsis_read_only",
                           "only the live synopsis changes; this one is a " + found->status,
                           "",
                           {{"synopsis_id", id}}};
        EntityNode node = *found;
        const auto revision = int_of(node.details, "revision");
        if (const auto* expected = e.data.if_contains("if_revision");
            expected && expected->is_int64() && expected->get_int64() != revision)
            return Refusal{"synopsis_revision_conflict",
                           "the synopsis changed since that revision",
                           "/if_revision",
                           {{"revision", revision}}};
        const auto* items = e.data.if_contains("items");
        const auto added = items && items->is_array() ? static_cast<std::int64_t>(items->get_array().size()) : 0;
        const auto count = text_of(e.data, "mode") == "append" ? int_of(node.details, "items") + added : added;
        if (count > kMaxSynopsisItems)
            return Refusal{"synopsis_full", "a synopsis holds at most 500 items", "/items", {{"items", count}}};
        node.details["revision"] = revision + 1;
        node.details["items"] = count;
        g_.put_entity(std::move(node));
        return touched("synopsis", id, {{"revision", revision + 1}, {"items", count}});
    }

    //! The thread, when named, must be the session's thread of the agent's tab.
    Outcome operator()(const AgentReplied& e) {
        const auto id = text_of(e.data, "agent_reply_id");
        if (const auto session = optional_text_of(e.data, "track_session_id")) {
            if (!find(*session, "track_session")) return no_session(*session);
            if (const auto thread = optional_text_of(e.data, "thread_id")) {
                const auto* t = find(*thread, "chat_thread");
                if (!t || text_of(t->details, "track_session_id") != *session ||
                    text_of(t->details, "tab") != text_of(e.data, "tab"))
                    return Refusal{"thread_not_found", "no such thread in the session", "", {{"thread_id", *thread}}};
            }
        }
        return Applied{"agent_reply", id, {}, {}, {}, {}, {}};
    }

    template <class Other>
    Outcome operator()(const Other&) {
        return Refusal{"not_a_learning_event", "learning tracks do not apply this event", "", {}};
    }

  private:
    bool taken(const std::string& id) const { return g_.goal(id) || g_.entity(id); }
    //! The track and its roadmap item `id`, both known, or nulls.
    std::pair<const EntityNode*, const EntityNode*> item_of_track(const std::string& id,
                                                                  const std::string& track_id) const {
        const auto* track = find(track_id, "track");
        const auto* item = find(id, "roadmap_item");
        if (!track || !item || text_of(item->details, "track_id") != track_id) return {nullptr, nullptr};
        return {track, item};
    }

    const EntityNode* find(const std::string& id, std::string_view kind) const {
        const auto* node = g_.entity(id);
        return node && node->kind == kind && node->status != "removed" ? node : nullptr;
    }
    void put_order(const EntityNode& track, const std::vector<std::string>& items) {
        EntityNode node = track;
        node.details["items"] = to_array(items);
        g_.put_entity(std::move(node));
    }
    static Refusal no_track(const std::string& id) {
        return Refusal{"track_not_found", "no such track", "", {{"track_id", id}}};
    }
    static Refusal no_item(const std::string& id) {
        return Refusal{"roadmap_item_not_found", "no such roadmap item in the track", "", {{"roadmap_item_id", id}}};
    }
    static Refusal no_session(const std::string& id) {
        return Refusal{"track_session_not_found", "no such track session", "", {{"track_session_id", id}}};
    }
    static Refusal no_synopsis(const std::string& id) {
        return Refusal{"synopsis_not_found", "no such synopsis", "", {{"synopsis_id", id}}};
    }
    static Refusal out_of_range(std::int64_t last) {
        return Refusal{"position_out_of_range",
                       "position must be between 1 and " + std::to_string(last),
                       "/position",
                       {{"max_position", last}}};
    }

    goals::GoalGraph& g_;
};

}  // namespace

std::variant<Applied, Refusal> apply_event(goals::GoalGraph& entities, const EventData& event) {
    return std::visit(Applier{entities}, event);
}

}  // namespace aimi::learning
