#include "domain/conversation/fold.hpp"

#include <functional>
#include <set>
#include <variant>

#include <fmt/format.h>

#include "domain/goals/apply_event.hpp"
#include "domain/learning/apply_event.hpp"
#include "domain/learning/catalog.hpp"
#include "domain/uuid.hpp"

namespace aimi::conversation {

std::string_view to_string(Outcome::Kind kind) {
    switch (kind) {
        case Outcome::Kind::applied:
            return "applied";
        case Outcome::Kind::duplicate:
            return "duplicate";
        case Outcome::Kind::conflict:
            return "conflict";
        case Outcome::Kind::rejected:
            return "rejected";
    }
    return "unknown";
}

namespace {

using namespace events;

//! Restores entries a half-applied batch changed, so a rejected batch leaves no trace.
class Journal {
  public:
    template <class Map, class Key>
    void remember(Map& map, const Key& key) {
        if (auto it = map.find(key); it != map.end()) {
            undo_.push_back([&map, key, old = it->second] { map.insert_or_assign(key, old); });
        } else {
            undo_.push_back([&map, key] { map.erase(key); });
        }
    }
    //! Marks an entity for writing; a rolled-back batch unmarks what it marked.
    void mark_dirty(std::set<std::string>& dirty, const std::string& id) {
        if (dirty.insert(id).second) undo_.push_back([&dirty, id] { dirty.erase(id); });
    }
    //! Any other undo step (a goals graph rolls back to a mark).
    void on_rollback(std::function<void()> undo) { undo_.push_back(std::move(undo)); }
    template <class Key>
    void mark_dirty(std::set<Key>& dirty, const Key& key) {
        if (dirty.insert(key).second) undo_.push_back([&dirty, key] { dirty.erase(key); });
    }
    void rollback() {
        for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) (*it)();
        undo_.clear();
    }

  private:
    std::vector<std::function<void()>> undo_;
};

struct Rejection {
    std::string code;
    std::string message;
    boost::json::object details = {};
};

//! What an event touched, and what the fold assigned to it (goes into the batch's fact).
struct Resource {
    std::string type;
    std::string id;
    boost::json::object assigned = {};
    std::vector<EventData> derived = {};
};

//! Applies one event; returns the resource it touched, or the invariant it would break.
class EventApplier {
  public:
    EventApplier(EntityStoreState& state, Journal& journal, const EventBatch& batch)
        : s_(state), journal_(journal), batch_(batch), at_(batch.occurred_at) {}

    std::variant<Resource, Rejection> operator()(const UserRegistered& e) {
        if (const auto it = s_.users.find(batch_.user_id); it != s_.users.end())
            return it->second.erased() ? erased() : Rejection{"user_exists", "the user is already registered"};
        journal_.remember(s_.users, batch_.user_id);
        s_.users[batch_.user_id] =
            User{batch_.user_id, e.email, e.display_name, "user", e.time_zone, e.locale, e.settings, at_, at_};
        journal_.mark_dirty(s_.dirty_users, batch_.user_id);
        return Resource{"user", batch_.user_id};
    }

    std::variant<Resource, Rejection> operator()(const UserProfileUpdated& e) {
        auto* user = find_user();
        if (!user) return no_user();
        journal_.remember(s_.users, batch_.user_id);
        if (e.display_name) user->display_name = *e.display_name;
        if (e.email) user->email = *e.email;
        if (e.time_zone) user->time_zone = *e.time_zone;
        if (e.locale) user->locale = *e.locale;
        if (e.settings_patch) merge_patch(user->settings, *e.settings_patch);
        user->updated_at = at_;
        journal_.mark_dirty(s_.dirty_users, batch_.user_id);
        return Resource{"user", batch_.user_id};
    }

    std::variant<Resource, Rejection> operator()(const DeviceRegistered& e) {
        if (!find_user()) return no_user();
        const UserKey token_key{batch_.user_id, e.token};
        std::string id = e.device_id;
        if (auto it = s_.device_by_token.find(token_key); it != s_.device_by_token.end()) {
            id = it->second;
        } else if (s_.devices.contains(id)) {
            return Rejection{"device_exists", "device id already in use"};
        }
        journal_.remember(s_.devices, id);
        journal_.remember(s_.device_by_token, token_key);
        auto [it, inserted] =
            s_.devices.try_emplace(id, Device{id, batch_.user_id, e.token, e.platform, {}, {}, true, at_, at_});
        Device& device = it->second;
        device.platform = e.platform;
        device.locale = e.locale;
        device.time_zone = e.time_zone;
        device.active = true;
        device.last_seen_at = at_;
        s_.device_by_token[token_key] = id;
        journal_.mark_dirty(s_.dirty_devices, id);
        return Resource{"device", id, {{"device_id", id}, {"refreshed", !inserted}}};
    }

    std::variant<Resource, Rejection> operator()(const ChatCreated& e) {
        if (!find_user()) return no_user();
        if (s_.chats.contains(e.chat_id)) return Rejection{"chat_exists", "chat id already in use"};
        journal_.remember(s_.chats, e.chat_id);
        s_.chats[e.chat_id] = Chat{e.chat_id, batch_.user_id, e.title, e.model, e.settings, 0, false, {}, at_, at_};
        journal_.mark_dirty(s_.dirty_chats, e.chat_id);
        return Resource{"chat", e.chat_id};
    }

    std::variant<Resource, Rejection> operator()(const ChatArchived& e) {
        if (!find_user()) return no_user();
        auto* chat = find_chat(e.chat_id);
        if (!chat) return no_chat();
        const bool archived_now = !chat->archived;
        if (archived_now) {
            journal_.remember(s_.chats, e.chat_id);
            chat->archived = true;
            chat->archived_at = at_;
            journal_.mark_dirty(s_.dirty_chats, e.chat_id);
        }
        return Resource{"chat", e.chat_id, {{"archived_now", archived_now}}};
    }

    std::variant<Resource, Rejection> operator()(const MessagePosted& e) {
        if (!find_user()) return no_user();
        auto* chat = find_chat(e.chat_id);
        if (!chat) return no_chat();
        if (chat->archived) return Rejection{"chat_archived", "the chat is archived and takes no new messages"};

        boost::json::value ended_session = nullptr;
        Session* session = current_session(*chat, e, ended_session);
        if (!session) return Rejection{"session_exists", "proposed session id already in use"};
        const bool session_started = session->message_count == 0;
        journal_.remember(s_.sessions, session->id);
        session->last_activity_at = std::max(session->last_activity_at, at_);
        session->message_count += 1;
        journal_.mark_dirty(s_.dirty_sessions, session->id);

        journal_.remember(s_.chats, chat->id);
        chat->last_seq += 1;
        chat->last_active_at = std::max(chat->last_active_at, at_);
        journal_.mark_dirty(s_.dirty_chats, chat->id);

        if (e.client_msg_id) {
            const InboxKey key{batch_.user_id, e.source, *e.client_msg_id};
            journal_.remember(s_.inbox, key);
            s_.inbox[key] = InboxEntry{e.message_id, batch_.batch_id};
        }
        const auto message_count_before = s_.new_messages.size();
        undo_messages_to_ = std::min(undo_messages_to_, message_count_before);
        s_.new_messages.push_back(Message{e.message_id, batch_.user_id, chat->id, session->id, chat->last_seq, e.role,
                                          e.content, e.metadata, e.source, e.client_msg_id, batch_.request_id, at_,
                                          batch_.batch_id});
        return Resource{"message",
                        e.message_id,
                        {{"seq", chat->last_seq},
                         {"session_id", session->id},
                         {"session_started", session_started},
                         {"ended_session", std::move(ended_session)}}};
    }

    std::variant<Resource, Rejection> operator()(const SessionEnded& e) {
        if (!find_user()) return no_user();
        if (!find_chat(e.chat_id)) return no_chat();
        auto it = s_.sessions.find(e.session_id);
        if (it == s_.sessions.end() || it->second.chat_id != e.chat_id || !it->second.open())
            return Rejection{"no_open_session", "the session is not open"};
        Session& session = it->second;
        if (e.if_last_activity_at && *e.if_last_activity_at != session.last_activity_at)
            return Rejection{"session_active", "the session saw activity after the close was decided"};
        journal_.remember(s_.sessions, session.id);
        journal_.remember(s_.open_session_by_chat, e.chat_id);
        session.ended_at = std::max(at_, session.last_activity_at);
        session.end_reason = e.reason;
        s_.open_session_by_chat.erase(e.chat_id);
        journal_.mark_dirty(s_.dirty_sessions, session.id);
        return Resource{"session",
                        session.id,
                        {{"ended_at", format_timestamp(*session.ended_at)}, {"message_count", session.message_count}}};
    }

    //! Blanks every personal value of the user now and marks them erased: the writer removes their
    //! devices, chats, sessions and messages and destroys their key in the same transaction.
    std::variant<Resource, Rejection> operator()(const UserErased&) {
        auto* user = find_user();
        if (!user) return no_user();
        journal_.remember(s_.users, batch_.user_id);
        user->email.reset();
        user->display_name.clear();
        user->settings.clear();
        user->erased_at = at_;
        user->updated_at = at_;
        journal_.mark_dirty(s_.dirty_users, batch_.user_id);
        journal_.mark_dirty(s_.erased_users, batch_.user_id);
        return Resource{"user", batch_.user_id};
    }

    //! The goals graph's events: its rules decide (domain/goals/rules.hpp) on the user's whole
    //! graph, loaded before the fold.
    template <class E>
    requires goals::is_goal_event<E> std::variant<Resource, Rejection>
    operator()(const E& e) {
        if (!find_user()) return no_user();
        if constexpr (std::is_same_v<E, TaskCreated>)
            if (auto refusal = check_inbox_item(e.data)) return *refusal;
        return on_entities([&](goals::GoalGraph& graph) { return goals::apply_event(graph, EventData{e}, at_); });
    }

    //! Learning tracks (domain/learning/apply_event.hpp): the catalog's events only on the catalog
    //! stream, which has no user; a user's sessions on their own stream.
    template <class E>
    requires learning::is_learning_event<E> std::variant<Resource, Rejection>
    operator()(const E& e) {
        if constexpr (learning::is_catalog_event<E>) {
            if (batch_.user_id != learning::kCatalogStream)
                return Rejection{"catalog_stream_only", "catalog events belong to the catalog stream"};
        } else if (batch_.user_id == learning::kCatalogStream || !find_user()) {
            return no_user();  // the catalog stream is nobody's, even if its id were registered
        }
        return on_entities([&](goals::GoalGraph& graph) { return learning::apply_event(graph, EventData{e}); });
    }

    //! Derived events are the fold's to decide; a record proposing one is refused.
    std::variant<Resource, Rejection> operator()(const GoalBlocked&) { return derived(); }
    std::variant<Resource, Rejection> operator()(const GoalUnblocked&) { return derived(); }

    //! Drops messages this batch appended (the journal covers the maps).
    void rollback_messages() {
        if (undo_messages_to_ < s_.new_messages.size()) s_.new_messages.resize(undo_messages_to_);
    }

  private:
    //! Runs a rule on the stream's entities (goals graph, tasks, ..., learning), marks what it
    //! changed for writing, and rolls the graph back with the batch.
    template <class Rule>
    std::variant<Resource, Rejection> on_entities(Rule rule) {
        auto& graph = s_.goal_graphs[batch_.user_id];
        journal_.on_rollback([&graph, mark = graph.mark()] { graph.undo_to(mark); });
        auto result = rule(graph);
        if (auto* refusal = std::get_if<goals::Refusal>(&result)) {
            auto details = std::move(refusal->details);
            if (!refusal->field.empty()) details["field"] = refusal->field;
            return Rejection{refusal->code, refusal->message, std::move(details)};
        }
        auto& applied = std::get<goals::Applied>(result);
        for (const auto& id : applied.changed_goals) journal_.mark_dirty(s_.dirty_goals, UserKey{batch_.user_id, id});
        if (applied.changed_dependency)
            journal_.mark_dirty(s_.dirty_dependencies, UserKey{batch_.user_id, *applied.changed_dependency});
        for (const auto& id : applied.changed_entities)
            journal_.mark_dirty(s_.dirty_entities, UserKey{batch_.user_id, id});
        if (applied.changed_link) journal_.mark_dirty(s_.dirty_links, UserKey{batch_.user_id, *applied.changed_link});
        if (applied.removed_link) journal_.mark_dirty(s_.removed_links, UserKey{batch_.user_id, *applied.removed_link});
        if (applied.removed_dependency)
            journal_.mark_dirty(s_.removed_dependencies, UserKey{batch_.user_id, *applied.removed_dependency});
        return Resource{applied.resource_type, applied.resource_id, std::move(applied.assigned),
                        std::move(applied.derived)};
    }

    //! The user, if registered and not erased.
    User* find_user() {
        auto it = s_.users.find(batch_.user_id);
        return it == s_.users.end() || it->second.erased() ? nullptr : &it->second;
    }
    Chat* find_chat(const std::string& chat_id) {
        if (!find_user()) return nullptr;
        auto it = s_.chats.find(chat_id);
        // Another user's chat is reported exactly like a missing one.
        return it == s_.chats.end() || it->second.user_id != batch_.user_id ? nullptr : &it->second;
    }
    Rejection no_user() const {
        const auto it = s_.users.find(batch_.user_id);
        if (it != s_.users.end() && it->second.erased()) return erased();
        return {"user_not_found", "the user is not registered"};
    }
    static Rejection erased() { return {"user_erased", "the user was erased and takes no further command"}; }
    static Rejection no_chat() { return {"chat_not_found", "no such chat"}; }
    //! A task's source inbox item must be one of the user's messages (stored, or posted earlier in
    //! this batch of records).
    std::optional<Rejection> check_inbox_item(const boost::json::object& data) const {
        const auto* source = data.if_contains("source_inbox_item_id");
        if (!source || !source->is_string()) return std::nullopt;
        const std::string id(source->get_string());
        if (const auto it = s_.message_owner.find(id); it != s_.message_owner.end() && it->second == batch_.user_id)
            return std::nullopt;
        for (const auto& m : s_.new_messages)
            if (m.id == id && m.user_id == batch_.user_id) return std::nullopt;
        return Rejection{"inbox_item_not_found",
                         "the source inbox item is not one of your messages",
                         {{"field", "/source_inbox_item_id"}}};
    }
    static Rejection derived() {
        return {"derived_event", "goal.blocked and goal.unblocked are decided by the fold, never proposed"};
    }

    //! The open session if it has not idled out; else ends it (described in `ended`) and opens
    //! e.new_session_id.
    Session* current_session(const Chat& chat, const MessagePosted& e, boost::json::value& ended) {
        const auto timeout = std::chrono::seconds{e.idle_timeout_seconds};
        if (auto it = s_.open_session_by_chat.find(chat.id); it != s_.open_session_by_chat.end()) {
            Session& open = s_.sessions.at(it->second);
            if (at_ - open.last_activity_at <= timeout) return &open;
            journal_.remember(s_.sessions, open.id);
            open.ended_at = open.last_activity_at + timeout;
            open.end_reason = "idle_timeout";
            journal_.mark_dirty(s_.dirty_sessions, open.id);
            ended = boost::json::object{{"session_id", open.id},
                                        {"ended_at", format_timestamp(*open.ended_at)},
                                        {"end_reason", open.end_reason}};
        }
        if (s_.sessions.contains(e.new_session_id)) return nullptr;
        journal_.remember(s_.sessions, e.new_session_id);
        journal_.remember(s_.open_session_by_chat, chat.id);
        s_.sessions[e.new_session_id] = Session{e.new_session_id, batch_.user_id, chat.id, at_, at_, {}, "", 0};
        s_.open_session_by_chat[chat.id] = e.new_session_id;
        return &s_.sessions[e.new_session_id];
    }

    EntityStoreState& s_;
    Journal& journal_;
    const EventBatch& batch_;
    Timestamp at_;
    std::size_t undo_messages_to_ = SIZE_MAX;
};

//! The batch is decided: its goals undo steps are no longer needed.
void forget_goal_undo(EntityStoreState& state, const EventBatch& batch) {
    if (auto it = state.goal_graphs.find(batch.user_id); it != state.goal_graphs.end()) it->second.forget_undo();
}

Outcome base_outcome(const EntityStoreState& state, const EventBatch& batch) {
    Outcome outcome;
    outcome.batch_id = batch.batch_id;
    outcome.user_id = batch.user_id;
    outcome.idempotency_key = batch.idempotency_key;
    outcome.request_hash = batch.request_hash;
    outcome.expected_version = batch.expected_version;
    const auto it = state.stream_versions.find(batch.user_id);
    outcome.stream_version = it == state.stream_versions.end() ? 0 : it->second;
    outcome.occurred_at = batch.occurred_at;
    return outcome;
}

//! A message whose (source, client_msg_id) was seen before makes its batch a duplicate.
const InboxEntry* known_message(const EntityStoreState& state, const EventBatch& batch) {
    for (const auto& event : batch.events) {
        if (const auto* posted = std::get_if<MessagePosted>(&event.data); posted && posted->client_msg_id) {
            const auto it = state.inbox.find(InboxKey{batch.user_id, posted->source, *posted->client_msg_id});
            if (it != state.inbox.end()) return &it->second;
        }
    }
    return nullptr;
}

}  // namespace

Prefetch plan_prefetch(std::span<const EventBatch> batches) {
    Prefetch plan;
    for (const auto& batch : batches) {
        plan.user_ids.insert(batch.user_id);
        plan.idempotency_keys.emplace(batch.user_id, batch.idempotency_key);
        for (const auto& event : batch.events) {
            std::visit(
                [&](const auto& e) {
                    using T = std::decay_t<decltype(e)>;
                    if constexpr (std::is_same_v<T, DeviceRegistered>) {
                        plan.device_tokens.emplace(batch.user_id, e.token);
                        plan.device_ids.insert(e.device_id);
                    } else if constexpr (std::is_same_v<T, ChatCreated> || std::is_same_v<T, ChatArchived>) {
                        plan.chat_ids.insert(e.chat_id);
                    } else if constexpr (std::is_same_v<T, MessagePosted>) {
                        plan.chat_ids.insert(e.chat_id);
                        plan.session_ids.insert(e.new_session_id);
                        if (e.client_msg_id) plan.inbox_keys.emplace(batch.user_id, e.source, *e.client_msg_id);
                    } else if constexpr (std::is_same_v<T, SessionEnded>) {
                        plan.chat_ids.insert(e.chat_id);
                        plan.session_ids.insert(e.session_id);
                    } else if constexpr (goals::is_goal_event<T> || learning::is_learning_event<T>) {
                        plan.goal_users.insert(batch.user_id);
                        if constexpr (std::is_same_v<T, TaskCreated>)
                            if (const auto* s = e.data.if_contains("source_inbox_item_id"); s && s->is_string())
                                plan.message_ids.emplace(s->get_string());
                    }
                },
                event.data);
        }
    }
    return plan;
}

void fold(EntityStoreState& state, const EventBatch& batch) {
    Outcome outcome = base_outcome(state, batch);
    const UserKey key{batch.user_id, batch.idempotency_key};

    if (const auto it = state.taken_keys.find(key); it != state.taken_keys.end()) {
        const TakenKey& first = it->second;
        outcome.kind = Outcome::Kind::duplicate;
        outcome.code = first.kind == Outcome::Kind::rejected ? first.code : "idempotent_replay";
        outcome.message = first.kind == Outcome::Kind::rejected ? first.message : "";
        if (first.kind == Outcome::Kind::rejected) outcome.details = first.details;
        outcome.duplicate_of = first.batch_id;
        outcome.resource_type = first.resource_type;
        outcome.resource_id = first.resource_id;
        state.outcomes.push_back(std::move(outcome));
        return;
    }
    if (const InboxEntry* seen = known_message(state, batch)) {
        outcome.kind = Outcome::Kind::duplicate;
        outcome.code = "duplicate_client_msg_id";
        outcome.duplicate_of = seen->batch_id;
        outcome.resource_type = "message";
        outcome.resource_id = seen->message_id;
        state.outcomes.push_back(std::move(outcome));
        return;
    }
    if (batch.expected_version && *batch.expected_version != outcome.stream_version) {
        outcome.kind = Outcome::Kind::conflict;
        outcome.code = "stream_version_conflict";
        outcome.message =
            fmt::format("expected stream version {}, found {}", *batch.expected_version, outcome.stream_version);
        state.outcomes.push_back(std::move(outcome));
        return;
    }

    Journal journal;
    EventApplier applier(state, journal, batch);
    std::optional<Resource> first_resource;
    std::vector<EventResult> results;
    std::int64_t version = outcome.stream_version;
    for (const auto& event : batch.events) {
        auto result = std::visit(applier, event.data);
        if (auto* rejection = std::get_if<Rejection>(&result)) {
            journal.rollback();
            applier.rollback_messages();
            outcome.kind = Outcome::Kind::rejected;
            outcome.code = rejection->code;
            outcome.message = rejection->message;
            outcome.details = rejection->details;
            state.taken_keys[key] = TakenKey{batch.batch_id,
                                             batch.request_hash,
                                             outcome.kind,
                                             outcome.code,
                                             outcome.message,
                                             "",
                                             "",
                                             std::move(rejection->details)};
            forget_goal_undo(state, batch);
            state.outcomes.push_back(std::move(outcome));
            return;
        }
        auto& resource = std::get<Resource>(result);
        if (!first_resource) first_resource = Resource{resource.type, resource.id};
        EventResult applied{event.event_id, ++version, resource.type, resource.id, std::move(resource.assigned), {}};
        // Derived events get ids from the batch and their place in it: a replay decides the same ids.
        for (auto& data : resource.derived)
            applied.derived.push_back(
                Event{name_based_uuid(batch.batch_id, fmt::format("{}/{}", event.event_id, applied.derived.size())),
                      std::move(data)});
        results.push_back(std::move(applied));
    }
    forget_goal_undo(state, batch);

    state.stream_versions[batch.user_id] = version;
    state.dirty_streams.insert(batch.user_id);
    outcome.kind = Outcome::Kind::applied;
    outcome.stream_version = version;
    outcome.events = std::move(results);
    if (first_resource) {
        outcome.resource_type = first_resource->type;
        outcome.resource_id = first_resource->id;
    }
    state.taken_keys[key] =
        TakenKey{batch.batch_id, batch.request_hash, outcome.kind, "", "", outcome.resource_type, outcome.resource_id};
    state.outcomes.push_back(std::move(outcome));
}

}  // namespace aimi::conversation
