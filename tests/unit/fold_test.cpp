// Unit tests for domain/conversation/fold (+ entity_store_state, merge_patch): hand-built event
// batches folded into an in-memory EntityStoreState.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "domain/conversation/fold.hpp"

namespace {

using namespace aimi::conversation;
namespace ev = aimi::events;
namespace bj = boost::json;
using Kind = Outcome::Kind;
using aimi::Timestamp;

// ---- builders ------------------------------------------------------------------------------

std::string uuid(const char* prefix, int n) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%s-0000-4000-8000-%012d", prefix, n);
    return buffer;
}
std::string chat_id(int n) {
    return uuid("c0000000", n);
}
std::string message_id(int n) {
    return uuid("a0000000", n);
}
std::string session_id(int n) {
    return uuid("50000000", n);
}
std::string device_id(int n) {
    return uuid("d0000000", n);
}

const std::string kAnn = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const std::string kBob = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
const std::string kCarl = "cccccccc-cccc-4ccc-8ccc-cccccccccccc";  // never registered

constexpr std::int64_t kEpoch2024 = 1'704'067'200LL * 1'000'000;
Timestamp at(std::int64_t seconds) {
    return aimi::from_micros(kEpoch2024 + seconds * 1'000'000);
}

ev::UserRegistered registered(std::string name = "Ann", bj::object settings = {}) {
    return ev::UserRegistered{std::nullopt, std::move(name), "UTC", "en", std::move(settings)};
}
ev::ChatCreated chat_created(const std::string& chat, std::string title = "t") {
    return ev::ChatCreated{chat, std::move(title), "aimi-rule-based", {}};
}
ev::MessagePosted posted(const std::string& message, const std::string& chat, const std::string& new_session,
                         std::optional<std::string> client_msg_id = std::nullopt, std::string source = "api",
                         std::int64_t idle_timeout_seconds = 1800) {
    return ev::MessagePosted{message,
                             chat,
                             "user",
                             "content of " + message,
                             {},
                             std::move(source),
                             std::move(client_msg_id),
                             new_session,
                             idle_timeout_seconds};
}
ev::SessionEnded ended(const std::string& chat, const std::string& session, std::string reason = "user",
                       std::optional<Timestamp> if_last_activity_at = std::nullopt) {
    return ev::SessionEnded{chat, session, std::move(reason), if_last_activity_at};
}
ev::DeviceRegistered device(const std::string& id, std::string token, std::string platform = "ios") {
    return ev::DeviceRegistered{id, std::move(token), std::move(platform), std::nullopt, std::nullopt};
}

//! Numbers batches so ids, keys and hashes are unique unless a test says otherwise.
struct BatchFactory {
    int count = 0;
    ev::EventBatch make(const std::string& user, std::vector<ev::EventData> data, std::int64_t at_seconds = 0,
                        std::optional<std::int64_t> expected_version = std::nullopt, std::string key = {}) {
        ++count;
        ev::EventBatch b;
        b.batch_id = uuid("b0000000", count);
        b.user_id = user;
        b.expected_version = expected_version;
        b.occurred_at = at(at_seconds);
        b.request_id = "req-" + std::to_string(count);
        b.idempotency_key = key.empty() ? "key-" + std::to_string(count) : std::move(key);
        b.request_hash = "hash-" + std::to_string(count);
        b.causation_id = b.request_id;
        b.producer = "fold_test";
        int n = 0;
        for (auto& d : data) b.events.push_back(ev::Event{uuid("e0000000", count * 1000 + ++n), std::move(d)});
        return b;
    }
};

std::int64_t version_of(const EntityStoreState& s, const std::string& user) {
    const auto it = s.stream_versions.find(user);
    return it == s.stream_versions.end() ? 0 : it->second;
}

class Fold : public ::testing::Test {
  protected:
    EntityStoreState state;
    BatchFactory batches;

    //! Folds one batch; returns (a copy of) its outcome.
    Outcome fold_batch(const ev::EventBatch& batch) {
        const auto before = state.outcomes.size();
        fold(state, batch);
        EXPECT_EQ(state.outcomes.size(), before + 1) << "every batch gets exactly one outcome";
        return state.outcomes.back();
    }
    Outcome apply(const std::string& user, std::vector<ev::EventData> data, std::int64_t at_seconds = 0,
                  std::optional<std::int64_t> expected_version = std::nullopt, std::string key = {}) {
        return fold_batch(batches.make(user, std::move(data), at_seconds, expected_version, std::move(key)));
    }
    void given_user(const std::string& user) {
        const auto o = apply(user, {registered()}, 0, version_of(state, user));
        ASSERT_EQ(o.kind, Kind::applied) << o.code;
    }
    void given_chat(const std::string& user, const std::string& chat) {
        const auto o = apply(user, {chat_created(chat)});
        ASSERT_EQ(o.kind, Kind::applied) << o.code;
    }
    const Message& last_message() const { return state.new_messages.back(); }
};

void expect_rejected(const Outcome& o, const std::string& code) {
    EXPECT_EQ(o.kind, Kind::rejected) << to_string(o.kind) << " " << o.code;
    EXPECT_EQ(o.code, code);
    EXPECT_FALSE(o.message.empty());
    EXPECT_TRUE(o.resource_type.empty());
    EXPECT_TRUE(o.resource_id.empty());
}

// ---- users and stream versions -------------------------------------------------------------

TEST_F(Fold, UserRegisteredCreatesUserAndStreamVersionOne) {
    const auto batch = batches.make(
        kAnn, {ev::UserRegistered{"ann@example.com", "Ann", "Europe/Berlin", "de", bj::object{{"theme", "dark"}}}}, 5,
        0);
    const auto o = fold_batch(batch);
    EXPECT_EQ(o.kind, Kind::applied);
    EXPECT_EQ(o.code, "");
    EXPECT_EQ(o.batch_id, batch.batch_id);
    EXPECT_EQ(o.user_id, kAnn);
    EXPECT_EQ(o.resource_type, "user");
    EXPECT_EQ(o.resource_id, kAnn);
    EXPECT_EQ(o.stream_version, 1);
    EXPECT_EQ(o.expected_version, 0);
    EXPECT_EQ(o.idempotency_key, batch.idempotency_key);
    EXPECT_EQ(o.request_hash, batch.request_hash);
    EXPECT_EQ(o.occurred_at, at(5));
    EXPECT_FALSE(o.duplicate_of.has_value());

    EXPECT_EQ(version_of(state, kAnn), 1);
    ASSERT_TRUE(state.users.contains(kAnn));
    const User& u = state.users.at(kAnn);
    EXPECT_EQ(u.id, kAnn);
    EXPECT_EQ(u.email, "ann@example.com");
    EXPECT_EQ(u.display_name, "Ann");
    EXPECT_EQ(u.role, "user");
    EXPECT_EQ(u.time_zone, "Europe/Berlin");
    EXPECT_EQ(u.locale, "de");
    EXPECT_EQ(u.settings, (bj::object{{"theme", "dark"}}));
    EXPECT_EQ(u.created_at, at(5));
    EXPECT_EQ(u.updated_at, at(5));
    EXPECT_TRUE(state.dirty_users.contains(kAnn));
    EXPECT_TRUE(state.dirty_streams.contains(kAnn));
    ASSERT_TRUE(state.taken_keys.contains(UserKey{kAnn, batch.idempotency_key}));
    EXPECT_EQ(state.taken_keys.at(UserKey{kAnn, batch.idempotency_key}).batch_id, batch.batch_id);
}

TEST_F(Fold, RegisteringTwiceIsRejectedUserExists) {
    given_user(kAnn);
    expect_rejected(apply(kAnn, {registered("Again")}), "user_exists");
    EXPECT_EQ(state.users.at(kAnn).display_name, "Ann");
    EXPECT_EQ(version_of(state, kAnn), 1);
}

TEST_F(Fold, ExpectedVersionMismatchIsConflictAndChangesNothing) {
    given_user(kAnn);
    const auto users_before = state.users.at(kAnn).display_name;
    const auto batch = batches.make(kAnn, {ev::UserProfileUpdated{"Changed"}}, 1, /*expected=*/0);
    const auto o = fold_batch(batch);
    EXPECT_EQ(o.kind, Kind::conflict);
    EXPECT_EQ(o.code, "stream_version_conflict");
    EXPECT_EQ(o.stream_version, 1);
    EXPECT_EQ(o.expected_version, 0);
    EXPECT_TRUE(o.resource_type.empty());
    EXPECT_EQ(state.users.at(kAnn).display_name, users_before);
    EXPECT_EQ(version_of(state, kAnn), 1);
    EXPECT_FALSE(state.taken_keys.contains(UserKey{kAnn, batch.idempotency_key})) << "a conflict must not take the key";

    // The gateway re-decides and retries with the same key and the current version: it applies.
    auto retry = batches.make(kAnn, {ev::UserProfileUpdated{"Changed"}}, 2, /*expected=*/1, batch.idempotency_key);
    const auto applied = fold_batch(retry);
    EXPECT_EQ(applied.kind, Kind::applied);
    EXPECT_EQ(applied.stream_version, 2);
    EXPECT_EQ(state.users.at(kAnn).display_name, "Changed");
}

TEST_F(Fold, RegistrationOfAnExistingStreamConflicts) {
    given_user(kAnn);
    const auto o = apply(kAnn, {registered()}, 0, /*expected=*/0);
    EXPECT_EQ(o.kind, Kind::conflict);
    EXPECT_EQ(o.stream_version, 1);
}

TEST_F(Fold, StreamVersionGrowsByTheNumberOfEventsAndResourceIsTheFirst) {
    given_user(kAnn);
    const auto o = apply(kAnn, {chat_created(chat_id(1)), chat_created(chat_id(2)), ev::ChatArchived{chat_id(1)}});
    EXPECT_EQ(o.kind, Kind::applied);
    EXPECT_EQ(o.stream_version, 4);
    EXPECT_EQ(version_of(state, kAnn), 4);
    EXPECT_EQ(o.resource_type, "chat");
    EXPECT_EQ(o.resource_id, chat_id(1));
}

TEST_F(Fold, EmptyBatchIsAppliedWithoutResourceOrVersionChange) {
    given_user(kAnn);
    const auto o = apply(kAnn, {});
    EXPECT_EQ(o.kind, Kind::applied);
    EXPECT_EQ(o.stream_version, 1);
    EXPECT_TRUE(o.resource_type.empty());
}

TEST_F(Fold, ProfileUpdateAppliesFieldsAndMergePatchesSettings) {
    const auto reg =
        apply(kAnn,
              {ev::UserRegistered{"ann@example.com", "Ann", "UTC", "en",
                                  bj::parse(R"({"theme":"dark","n":{"a":1,"b":2},"keep":1})").as_object()}},
              0, 0);
    ASSERT_EQ(reg.kind, Kind::applied);
    ev::UserProfileUpdated update;
    update.display_name = "Ann B";
    update.email = std::optional<std::string>{};  // clear
    update.locale = "fr";
    update.settings_patch = bj::parse(R"({"theme":null,"n":{"b":3,"c":4},"new":true})").as_object();
    const auto o = apply(kAnn, {update}, 60);
    EXPECT_EQ(o.kind, Kind::applied);
    EXPECT_EQ(o.resource_type, "user");
    EXPECT_EQ(o.stream_version, 2);
    const User& u = state.users.at(kAnn);
    EXPECT_EQ(u.display_name, "Ann B");
    EXPECT_FALSE(u.email.has_value());
    EXPECT_EQ(u.time_zone, "UTC") << "absent fields stay unchanged";
    EXPECT_EQ(u.locale, "fr");
    EXPECT_EQ(u.settings, bj::parse(R"({"n":{"a":1,"b":3,"c":4},"keep":1,"new":true})").as_object());
    EXPECT_EQ(u.created_at, at(0));
    EXPECT_EQ(u.updated_at, at(60));

    ev::UserProfileUpdated set_email;
    set_email.email = std::optional<std::string>{"new@example.com"};
    ASSERT_EQ(apply(kAnn, {set_email}, 61).kind, Kind::applied);
    EXPECT_EQ(state.users.at(kAnn).email, "new@example.com");
    EXPECT_EQ(state.users.at(kAnn).display_name, "Ann B");
}

TEST_F(Fold, EventsOfAnUnregisteredUserAreRejected) {
    given_user(kAnn);
    given_chat(kAnn, chat_id(1));
    expect_rejected(apply(kCarl, {ev::UserProfileUpdated{"x"}}), "user_not_found");
    expect_rejected(apply(kCarl, {device(device_id(1), "tok")}), "user_not_found");
    expect_rejected(apply(kCarl, {chat_created(chat_id(2))}), "user_not_found");
    // Chat-scoped events too report the missing user first, as decide() does.
    expect_rejected(apply(kCarl, {posted(message_id(1), chat_id(1), session_id(1))}), "user_not_found");
    expect_rejected(apply(kCarl, {ev::ChatArchived{chat_id(1)}}), "user_not_found");
    EXPECT_FALSE(state.users.contains(kCarl));
    EXPECT_FALSE(state.stream_versions.contains(kCarl));
    EXPECT_FALSE(state.chats.contains(chat_id(2)));
    EXPECT_TRUE(state.devices.empty());
    EXPECT_TRUE(state.new_messages.empty());
}

// ---- idempotency ---------------------------------------------------------------------------

TEST_F(Fold, ReusedIdempotencyKeyIsDuplicateOfTheFirstBatch) {
    given_user(kAnn);
    const auto first = batches.make(kAnn, {chat_created(chat_id(1))}, 1, std::nullopt, "create-chat-1");
    ASSERT_EQ(fold_batch(first).kind, Kind::applied);
    const auto version = version_of(state, kAnn);

    // A retry that raced the first attempt was decided again and proposes another chat id.
    const auto retry = batches.make(kAnn, {chat_created(chat_id(2))}, 2, std::nullopt, "create-chat-1");
    const auto o = fold_batch(retry);
    EXPECT_EQ(o.kind, Kind::duplicate);
    EXPECT_EQ(o.code, "idempotent_replay");
    EXPECT_EQ(o.duplicate_of, first.batch_id);
    EXPECT_EQ(o.batch_id, retry.batch_id);
    EXPECT_EQ(o.resource_type, "chat");
    EXPECT_EQ(o.resource_id, chat_id(1));
    EXPECT_EQ(o.stream_version, version);
    EXPECT_FALSE(state.chats.contains(chat_id(2)));
    EXPECT_EQ(state.chats.size(), 1u);
    EXPECT_EQ(version_of(state, kAnn), version);

    // And again: still the first batch, not the previous duplicate.
    const auto third = fold_batch(batches.make(kAnn, {chat_created(chat_id(3))}, 3, std::nullopt, "create-chat-1"));
    EXPECT_EQ(third.duplicate_of, first.batch_id);
}

TEST_F(Fold, IdempotencyKeysAreScopedPerUser) {
    given_user(kAnn);
    given_user(kBob);
    ASSERT_EQ(apply(kAnn, {chat_created(chat_id(1))}, 0, std::nullopt, "same-key").kind, Kind::applied);
    const auto o = apply(kBob, {chat_created(chat_id(2))}, 0, std::nullopt, "same-key");
    EXPECT_EQ(o.kind, Kind::applied);
    EXPECT_EQ(state.chats.at(chat_id(2)).user_id, kBob);
}

TEST_F(Fold, RejectedBatchTakesTheKeyAndLaterBatchesRepeatTheRejection) {
    given_user(kAnn);
    const auto first = batches.make(kAnn, {ev::ChatArchived{chat_id(9)}}, 1, std::nullopt, "archive-9");
    const auto rejected = fold_batch(first);
    expect_rejected(rejected, "chat_not_found");
    ASSERT_TRUE(state.taken_keys.contains(UserKey{kAnn, "archive-9"}));

    // Even a batch that would now succeed repeats the first result.
    given_chat(kAnn, chat_id(9));
    const auto version = version_of(state, kAnn);
    const auto o = fold_batch(batches.make(kAnn, {ev::ChatArchived{chat_id(9)}}, 2, std::nullopt, "archive-9"));
    EXPECT_EQ(o.kind, Kind::duplicate);
    EXPECT_EQ(o.code, "chat_not_found");
    EXPECT_EQ(o.message, rejected.message);
    EXPECT_EQ(o.duplicate_of, first.batch_id);
    EXPECT_TRUE(o.resource_type.empty());
    EXPECT_FALSE(state.chats.at(chat_id(9)).archived);
    EXPECT_EQ(version_of(state, kAnn), version);
}

TEST_F(Fold, TakenKeyLoadedFromTheStoreIsHonoured) {
    given_user(kAnn);
    state.taken_keys[UserKey{kAnn, "old-key"}] =
        TakenKey{"b0000000-0000-4000-8000-999999999999", "h", Kind::applied, "", "", "chat", chat_id(7)};
    const auto o = apply(kAnn, {chat_created(chat_id(8))}, 0, std::nullopt, "old-key");
    EXPECT_EQ(o.kind, Kind::duplicate);
    EXPECT_EQ(o.duplicate_of, "b0000000-0000-4000-8000-999999999999");
    EXPECT_EQ(o.resource_id, chat_id(7));
    EXPECT_FALSE(state.chats.contains(chat_id(8)));
}

// ---- messages: seq and client_msg_id ---------------------------------------------------------

TEST_F(Fold, MessagePostedAssignsContiguousSeqPerChatIndependentAcrossChats) {
    given_user(kAnn);
    given_chat(kAnn, chat_id(1));
    given_chat(kAnn, chat_id(2));
    const std::vector<std::pair<int, std::int64_t>> posts = {{1, 1}, {1, 2}, {2, 1}, {1, 3}, {2, 2}};
    int n = 0;
    for (const auto& [chat, expected_seq] : posts) {
        ++n;
        const auto o = apply(kAnn, {posted(message_id(n), chat_id(chat), session_id(n))}, n);
        ASSERT_EQ(o.kind, Kind::applied) << o.code;
        EXPECT_EQ(o.resource_type, "message");
        EXPECT_EQ(o.resource_id, message_id(n));
        EXPECT_EQ(last_message().seq, expected_seq) << "message " << n;
        EXPECT_EQ(last_message().chat_id, chat_id(chat));
    }
    EXPECT_EQ(state.chats.at(chat_id(1)).last_seq, 3);
    EXPECT_EQ(state.chats.at(chat_id(2)).last_seq, 2);
    EXPECT_EQ(state.new_messages.size(), 5u);
    EXPECT_EQ(version_of(state, kAnn), 3 + 5);
}

TEST_F(Fold, MessageCarriesItsEventAndBatchData) {
    given_user(kAnn);
    given_chat(kAnn, chat_id(1));
    auto e = posted(message_id(1), chat_id(1), session_id(1), "client-1", "mobile");
    e.role = "assistant";
    e.metadata = bj::object{{"k", 1}};
    const auto batch = batches.make(kAnn, {e}, 42);
    ASSERT_EQ(fold_batch(batch).kind, Kind::applied);
    const Message& m = last_message();
    EXPECT_EQ(m.id, message_id(1));
    EXPECT_EQ(m.user_id, kAnn);
    EXPECT_EQ(m.chat_id, chat_id(1));
    EXPECT_EQ(m.session_id, session_id(1));
    EXPECT_EQ(m.seq, 1);
    EXPECT_EQ(m.role, "assistant");
    EXPECT_EQ(m.content, e.content);
    EXPECT_EQ(m.metadata, e.metadata);
    EXPECT_EQ(m.source, "mobile");
    EXPECT_EQ(m.client_msg_id, "client-1");
    EXPECT_EQ(m.request_id, batch.request_id);
    EXPECT_EQ(m.batch_id, batch.batch_id);
    EXPECT_EQ(m.created_at, at(42));
    EXPECT_EQ(state.chats.at(chat_id(1)).last_active_at, at(42));
}

TEST_F(Fold, DuplicateClientMsgIdIsDuplicateOfTheFirstMessage) {
    given_user(kAnn);
    given_chat(kAnn, chat_id(1));
    const auto first = batches.make(kAnn, {posted(message_id(1), chat_id(1), session_id(1), "c-1", "app")}, 1);
    ASSERT_EQ(fold_batch(first).kind, Kind::applied);
    const auto version = version_of(state, kAnn);

    const auto o = apply(kAnn, {posted(message_id(2), chat_id(1), session_id(2), "c-1", "app")}, 2);
    EXPECT_EQ(o.kind, Kind::duplicate);
    EXPECT_EQ(o.code, "duplicate_client_msg_id");
    EXPECT_EQ(o.resource_type, "message");
    EXPECT_EQ(o.resource_id, message_id(1));
    EXPECT_EQ(o.duplicate_of, first.batch_id);
    EXPECT_EQ(o.stream_version, version);
    EXPECT_EQ(state.new_messages.size(), 1u);
    EXPECT_EQ(state.chats.at(chat_id(1)).last_seq, 1);
    EXPECT_EQ(state.sessions.at(session_id(1)).message_count, 1);
    EXPECT_EQ(version_of(state, kAnn), version);
}

TEST_F(Fold, DuplicateClientMsgIdFromTheStoreNamesItsBatch) {
    given_user(kAnn);
    given_chat(kAnn, chat_id(1));
    state.inbox[InboxKey{kAnn, "app", "c-9"}] = InboxEntry{message_id(9), "b0000000-0000-4000-8000-000000000999"};
    const auto o = apply(kAnn, {posted(message_id(10), chat_id(1), session_id(1), "c-9", "app")});
    EXPECT_EQ(o.kind, Kind::duplicate);
    EXPECT_EQ(o.resource_id, message_id(9));
    EXPECT_EQ(o.duplicate_of, "b0000000-0000-4000-8000-000000000999");
    EXPECT_TRUE(state.new_messages.empty());
}

TEST_F(Fold, SameClientMsgIdUnderAnotherSourceOrUserIsANewMessage) {
    given_user(kAnn);
    given_user(kBob);
    given_chat(kAnn, chat_id(1));
    given_chat(kBob, chat_id(2));
    ASSERT_EQ(apply(kAnn, {posted(message_id(1), chat_id(1), session_id(1), "c-1", "app")}).kind, Kind::applied);
    const auto other_source = apply(kAnn, {posted(message_id(2), chat_id(1), session_id(2), "c-1", "web")});
    EXPECT_EQ(other_source.kind, Kind::applied);
    EXPECT_EQ(last_message().seq, 2);
    const auto other_user = apply(kBob, {posted(message_id(3), chat_id(2), session_id(3), "c-1", "app")});
    EXPECT_EQ(other_user.kind, Kind::applied);
    EXPECT_EQ(state.new_messages.size(), 3u);
    EXPECT_EQ(state.inbox.size(), 3u);
}

TEST_F(Fold, MessagesWithoutClientMsgIdAreNeverDeduplicated) {
    given_user(kAnn);
    given_chat(kAnn, chat_id(1));
    ASSERT_EQ(apply(kAnn, {posted(message_id(1), chat_id(1), session_id(1))}).kind, Kind::applied);
    ASSERT_EQ(apply(kAnn, {posted(message_id(2), chat_id(1), session_id(2))}).kind, Kind::applied);
    EXPECT_EQ(state.new_messages.size(), 2u);
    EXPECT_TRUE(state.inbox.empty());
}

TEST_F(Fold, MessageToArchivedOrUnknownChatIsRejected) {
    given_user(kAnn);
    given_chat(kAnn, chat_id(1));
    ASSERT_EQ(apply(kAnn, {ev::ChatArchived{chat_id(1)}}).kind, Kind::applied);
    expect_rejected(apply(kAnn, {posted(message_id(1), chat_id(1), session_id(1))}), "chat_archived");
    expect_rejected(apply(kAnn, {posted(message_id(2), chat_id(2), session_id(2))}), "chat_not_found");
    EXPECT_TRUE(state.new_messages.empty());
    EXPECT_TRUE(state.sessions.empty());
}

// ---- chats -----------------------------------------------------------------------------------

TEST_F(Fold, ChatCreatedAndArchived) {
    given_user(kAnn);
    const auto created = apply(kAnn, {ev::ChatCreated{chat_id(1), "Trip", "m", bj::object{{"t", 1}}}}, 10);
    EXPECT_EQ(created.resource_type, "chat");
    EXPECT_EQ(created.resource_id, chat_id(1));
    const Chat& chat = state.chats.at(chat_id(1));
    EXPECT_EQ(chat.user_id, kAnn);
    EXPECT_EQ(chat.title, "Trip");
    EXPECT_EQ(chat.model, "m");
    EXPECT_EQ(chat.settings, (bj::object{{"t", 1}}));
    EXPECT_EQ(chat.last_seq, 0);
    EXPECT_FALSE(chat.archived);
    EXPECT_EQ(chat.created_at, at(10));

    ASSERT_EQ(apply(kAnn, {ev::ChatArchived{chat_id(1)}}, 20).kind, Kind::applied);
    EXPECT_TRUE(state.chats.at(chat_id(1)).archived);
    EXPECT_EQ(state.chats.at(chat_id(1)).archived_at, at(20));

    // Archiving again is accepted and keeps the first archive time.
    const auto again = apply(kAnn, {ev::ChatArchived{chat_id(1)}}, 30);
    EXPECT_EQ(again.kind, Kind::applied);
    EXPECT_EQ(state.chats.at(chat_id(1)).archived_at, at(20));
}

TEST_F(Fold, ChatIdsAreGlobal) {
    given_user(kAnn);
    given_user(kBob);
    given_chat(kAnn, chat_id(1));
    expect_rejected(apply(kAnn, {chat_created(chat_id(1))}), "chat_exists");
    expect_rejected(apply(kBob, {chat_created(chat_id(1))}), "chat_exists");
    EXPECT_EQ(state.chats.at(chat_id(1)).user_id, kAnn);
}

TEST_F(Fold, ChatOfAnotherUserIsReportedAsNotFound) {
    given_user(kAnn);
    given_user(kBob);
    given_chat(kAnn, chat_id(1));
    ASSERT_EQ(apply(kAnn, {posted(message_id(1), chat_id(1), session_id(1))}, 1).kind, Kind::applied);
    const auto bob_version = version_of(state, kBob);

    expect_rejected(apply(kBob, {posted(message_id(2), chat_id(1), session_id(2))}, 2), "chat_not_found");
    expect_rejected(apply(kBob, {ev::ChatArchived{chat_id(1)}}, 3), "chat_not_found");
    expect_rejected(apply(kBob, {ended(chat_id(1), session_id(1))}, 4), "chat_not_found");

    const Chat& chat = state.chats.at(chat_id(1));
    EXPECT_FALSE(chat.archived);
    EXPECT_EQ(chat.last_seq, 1);
    EXPECT_TRUE(state.sessions.at(session_id(1)).open());
    EXPECT_EQ(state.new_messages.size(), 1u);
    EXPECT_EQ(version_of(state, kBob), bob_version);
}

// ---- sessions --------------------------------------------------------------------------------

TEST_F(Fold, FirstMessageOpensTheProposedSession) {
    given_user(kAnn);
    given_chat(kAnn, chat_id(1));
    ASSERT_EQ(apply(kAnn, {posted(message_id(1), chat_id(1), session_id(1))}, 100).kind, Kind::applied);
    ASSERT_TRUE(state.sessions.contains(session_id(1)));
    const Session& s = state.sessions.at(session_id(1));
    EXPECT_EQ(s.user_id, kAnn);
    EXPECT_EQ(s.chat_id, chat_id(1));
    EXPECT_EQ(s.started_at, at(100));
    EXPECT_EQ(s.last_activity_at, at(100));
    EXPECT_TRUE(s.open());
    EXPECT_EQ(s.end_reason, "");
    EXPECT_EQ(s.message_count, 1);
    EXPECT_EQ(state.open_session_by_chat.at(chat_id(1)), session_id(1));
    EXPECT_EQ(last_message().session_id, session_id(1));
    EXPECT_TRUE(state.dirty_sessions.contains(session_id(1)));
}

TEST_F(Fold, MessageWithinIdleTimeoutReusesTheOpenSession) {
    given_user(kAnn);
    given_chat(kAnn, chat_id(1));
    ASSERT_EQ(apply(kAnn, {posted(message_id(1), chat_id(1), session_id(1))}, 0).kind, Kind::applied);
    ASSERT_EQ(apply(kAnn, {posted(message_id(2), chat_id(1), session_id(2))}, 1000).kind, Kind::applied);
    // Exactly the timeout after the last activity still counts as "within".
    ASSERT_EQ(apply(kAnn, {posted(message_id(3), chat_id(1), session_id(3))}, 2800).kind, Kind::applied);
    EXPECT_EQ(state.sessions.size(), 1u);
    const Session& s = state.sessions.at(session_id(1));
    EXPECT_EQ(s.message_count, 3);
    EXPECT_EQ(s.last_activity_at, at(2800));
    EXPECT_TRUE(s.open());
    for (const auto& m : state.new_messages) EXPECT_EQ(m.session_id, session_id(1));
}

TEST_F(Fold, MessageAfterIdleTimeoutEndsSessionAndOpensNew) {
    given_user(kAnn);
    given_chat(kAnn, chat_id(1));
    ASSERT_EQ(apply(kAnn, {posted(message_id(1), chat_id(1), session_id(1))}, 0).kind, Kind::applied);
    ASSERT_EQ(apply(kAnn, {posted(message_id(2), chat_id(1), session_id(2))}, 600).kind, Kind::applied);
    ASSERT_EQ(apply(kAnn, {posted(message_id(3), chat_id(1), session_id(3))}, 600 + 1801).kind, Kind::applied);

    const Session& old = state.sessions.at(session_id(1));
    EXPECT_FALSE(old.open());
    EXPECT_EQ(old.ended_at, at(600 + 1800)) << "ended_at = last activity + timeout";
    EXPECT_EQ(old.end_reason, "idle_timeout");
    EXPECT_EQ(old.message_count, 2);

    const Session& fresh = state.sessions.at(session_id(3));
    EXPECT_TRUE(fresh.open());
    EXPECT_EQ(fresh.started_at, at(2401));
    EXPECT_EQ(fresh.message_count, 1);
    EXPECT_EQ(state.open_session_by_chat.at(chat_id(1)), session_id(3));
    EXPECT_EQ(last_message().session_id, session_id(3));
    EXPECT_EQ(last_message().seq, 3) << "seq continues across sessions";
    EXPECT_FALSE(state.sessions.contains(session_id(2)));
    EXPECT_TRUE(state.dirty_sessions.contains(session_id(1)));
    EXPECT_TRUE(state.dirty_sessions.contains(session_id(3)));
}

TEST_F(Fold, IdleTimeoutComesFromTheEvent) {
    given_user(kAnn);
    given_chat(kAnn, chat_id(1));
    ASSERT_EQ(apply(kAnn, {posted(message_id(1), chat_id(1), session_id(1), {}, "api", 60)}, 0).kind, Kind::applied);
    ASSERT_EQ(apply(kAnn, {posted(message_id(2), chat_id(1), session_id(2), {}, "api", 60)}, 61).kind, Kind::applied);
    EXPECT_EQ(state.sessions.at(session_id(1)).ended_at, at(60));
    EXPECT_EQ(state.open_session_by_chat.at(chat_id(1)), session_id(2));
}

TEST_F(Fold, ProposedSessionIdAlreadyInUseIsRejected) {
    given_user(kAnn);
    given_chat(kAnn, chat_id(1));
    given_chat(kAnn, chat_id(2));
    ASSERT_EQ(apply(kAnn, {posted(message_id(1), chat_id(1), session_id(1))}).kind, Kind::applied);
    expect_rejected(apply(kAnn, {posted(message_id(2), chat_id(2), session_id(1))}), "session_exists");
    EXPECT_EQ(state.chats.at(chat_id(2)).last_seq, 0);
}

TEST_F(Fold, SessionEndedClosesWithReasonUser) {
    given_user(kAnn);
    given_chat(kAnn, chat_id(1));
    ASSERT_EQ(apply(kAnn, {posted(message_id(1), chat_id(1), session_id(1))}, 0).kind, Kind::applied);
    const auto version = version_of(state, kAnn);
    const auto o = apply(kAnn, {ended(chat_id(1), session_id(1))}, 10);
    EXPECT_EQ(o.kind, Kind::applied);
    EXPECT_EQ(o.resource_type, "session");
    EXPECT_EQ(o.resource_id, session_id(1));
    EXPECT_EQ(o.stream_version, version + 1);
    const Session& s = state.sessions.at(session_id(1));
    EXPECT_EQ(s.ended_at, at(10));
    EXPECT_EQ(s.end_reason, "user");
    EXPECT_FALSE(state.open_session_by_chat.contains(chat_id(1)));

    // Already closed: nothing to end.
    expect_rejected(apply(kAnn, {ended(chat_id(1), session_id(1))}, 11), "no_open_session");

    // The next message opens a new session even within the idle timeout.
    ASSERT_EQ(apply(kAnn, {posted(message_id(2), chat_id(1), session_id(2))}, 12).kind, Kind::applied);
    EXPECT_EQ(last_message().session_id, session_id(2));
    EXPECT_EQ(state.sessions.at(session_id(1)).ended_at, at(10));
}

TEST_F(Fold, SessionEndedNeverEndsBeforeTheLastActivity) {
    given_user(kAnn);
    given_chat(kAnn, chat_id(1));
    ASSERT_EQ(apply(kAnn, {posted(message_id(1), chat_id(1), session_id(1))}, 100).kind, Kind::applied);
    ASSERT_EQ(apply(kAnn, {ended(chat_id(1), session_id(1))}, 50).kind, Kind::applied);
    EXPECT_EQ(state.sessions.at(session_id(1)).ended_at, at(100));
}

TEST_F(Fold, SessionEndedForUnknownOrForeignSessionIsNoOpenSession) {
    given_user(kAnn);
    given_chat(kAnn, chat_id(1));
    given_chat(kAnn, chat_id(2));
    ASSERT_EQ(apply(kAnn, {posted(message_id(1), chat_id(1), session_id(1))}).kind, Kind::applied);
    expect_rejected(apply(kAnn, {ended(chat_id(1), session_id(99))}), "no_open_session");
    expect_rejected(apply(kAnn, {ended(chat_id(2), session_id(1))}), "no_open_session");
    expect_rejected(apply(kAnn, {ended(chat_id(3), session_id(1))}), "chat_not_found");
    EXPECT_TRUE(state.sessions.at(session_id(1)).open());
}

TEST_F(Fold, IdleCloseWithStaleLastActivityIsRejectedSessionActive) {
    given_user(kAnn);
    given_chat(kAnn, chat_id(1));
    ASSERT_EQ(apply(kAnn, {posted(message_id(1), chat_id(1), session_id(1))}, 0).kind, Kind::applied);
    // The closer saw last activity at 0, but a message arrived at 1700 before its close landed.
    ASSERT_EQ(apply(kAnn, {posted(message_id(2), chat_id(1), session_id(2))}, 1700).kind, Kind::applied);
    const auto version = version_of(state, kAnn);
    expect_rejected(apply(kAnn, {ended(chat_id(1), session_id(1), "idle_timeout", at(0))}, 1801), "session_active");
    EXPECT_TRUE(state.sessions.at(session_id(1)).open());
    EXPECT_EQ(state.open_session_by_chat.at(chat_id(1)), session_id(1));
    EXPECT_EQ(version_of(state, kAnn), version);

    // With the current last activity the close applies.
    const auto o = apply(kAnn, {ended(chat_id(1), session_id(1), "idle_timeout", at(1700))}, 3600);
    EXPECT_EQ(o.kind, Kind::applied);
    EXPECT_EQ(state.sessions.at(session_id(1)).end_reason, "idle_timeout");
    EXPECT_EQ(state.sessions.at(session_id(1)).ended_at, at(3600));
}

// ---- devices ---------------------------------------------------------------------------------

TEST_F(Fold, DeviceRegisteredTwiceWithSameTokenKeepsTheFirstDeviceId) {
    given_user(kAnn);
    const auto first = apply(kAnn, {device(device_id(1), "tok", "ios")}, 0);
    EXPECT_EQ(first.kind, Kind::applied);
    EXPECT_EQ(first.resource_type, "device");
    EXPECT_EQ(first.resource_id, device_id(1));

    auto refresh = device(device_id(2), "tok", "android");
    refresh.locale = "de";
    refresh.time_zone = "Europe/Berlin";
    const auto second = apply(kAnn, {refresh}, 10);
    EXPECT_EQ(second.kind, Kind::applied);
    EXPECT_EQ(second.resource_id, device_id(1));
    EXPECT_EQ(state.devices.size(), 1u);
    EXPECT_FALSE(state.devices.contains(device_id(2)));
    const Device& d = state.devices.at(device_id(1));
    EXPECT_EQ(d.user_id, kAnn);
    EXPECT_EQ(d.token, "tok");
    EXPECT_EQ(d.platform, "android");
    EXPECT_EQ(d.locale, "de");
    EXPECT_EQ(d.time_zone, "Europe/Berlin");
    EXPECT_TRUE(d.active);
    EXPECT_EQ(d.registered_at, at(0));
    EXPECT_EQ(d.last_seen_at, at(10));
    EXPECT_EQ(state.device_by_token.at(UserKey{kAnn, "tok"}), device_id(1));
}

TEST_F(Fold, DeviceTokensAreScopedPerUserAndDeviceIdsAreUnique) {
    given_user(kAnn);
    given_user(kBob);
    ASSERT_EQ(apply(kAnn, {device(device_id(1), "tok")}).kind, Kind::applied);
    const auto bob = apply(kBob, {device(device_id(2), "tok")});
    EXPECT_EQ(bob.kind, Kind::applied);
    EXPECT_EQ(bob.resource_id, device_id(2));
    ASSERT_EQ(apply(kAnn, {device(device_id(3), "other")}).kind, Kind::applied);
    EXPECT_EQ(state.devices.size(), 3u);
    expect_rejected(apply(kAnn, {device(device_id(2), "third")}), "device_exists");
    EXPECT_EQ(state.devices.at(device_id(2)).user_id, kBob);
}

// ---- all or nothing --------------------------------------------------------------------------

TEST_F(Fold, RejectedBatchLeavesNoTrace) {
    given_user(kAnn);
    const auto chats_before = state.chats.size();
    const auto o = apply(kAnn,
                         {chat_created(chat_id(1)), posted(message_id(1), chat_id(1), session_id(1), "c-1", "app"),
                          posted(message_id(2), chat_id(2), session_id(2))},
                         5);
    expect_rejected(o, "chat_not_found");
    EXPECT_EQ(o.stream_version, 1);
    EXPECT_EQ(state.chats.size(), chats_before);
    EXPECT_FALSE(state.chats.contains(chat_id(1)));
    EXPECT_TRUE(state.sessions.empty());
    EXPECT_TRUE(state.open_session_by_chat.empty());
    EXPECT_TRUE(state.inbox.empty());
    EXPECT_TRUE(state.new_messages.empty());
    EXPECT_EQ(version_of(state, kAnn), 1);

    // Nothing of it is remembered: the same ids and client_msg_id work afterwards.
    ASSERT_EQ(apply(kAnn, {chat_created(chat_id(1))}).kind, Kind::applied);
    const auto post = apply(kAnn, {posted(message_id(1), chat_id(1), session_id(1), "c-1", "app")});
    EXPECT_EQ(post.kind, Kind::applied);
    EXPECT_EQ(last_message().seq, 1);
}

TEST_F(Fold, RejectedBatchRestoresChatsSessionsAndKeepsEarlierMessages) {
    given_user(kAnn);
    given_chat(kAnn, chat_id(1));
    ASSERT_EQ(apply(kAnn, {posted(message_id(1), chat_id(1), session_id(1))}, 0).kind, Kind::applied);
    const auto version = version_of(state, kAnn);

    // A post that times the session out, an archive, and a post the archive forbids.
    const auto o = apply(kAnn,
                         {posted(message_id(2), chat_id(1), session_id(2)), ev::ChatArchived{chat_id(1)},
                          posted(message_id(3), chat_id(1), session_id(3))},
                         5000);
    expect_rejected(o, "chat_archived");
    EXPECT_EQ(version_of(state, kAnn), version);
    const Chat& chat = state.chats.at(chat_id(1));
    EXPECT_FALSE(chat.archived);
    EXPECT_FALSE(chat.archived_at.has_value());
    EXPECT_EQ(chat.last_seq, 1);
    EXPECT_EQ(chat.last_active_at, at(0));
    const Session& s = state.sessions.at(session_id(1));
    EXPECT_TRUE(s.open()) << "the idle end done by the rolled-back post must be undone";
    EXPECT_EQ(s.end_reason, "");
    EXPECT_EQ(s.message_count, 1);
    EXPECT_EQ(s.last_activity_at, at(0));
    EXPECT_FALSE(state.sessions.contains(session_id(2)));
    EXPECT_EQ(state.open_session_by_chat.at(chat_id(1)), session_id(1));
    ASSERT_EQ(state.new_messages.size(), 1u) << "messages of earlier batches stay";
    EXPECT_EQ(state.new_messages[0].id, message_id(1));
}

TEST_F(Fold, RejectedRegistrationBatchLeavesNoUser) {
    const auto o = apply(kCarl, {registered("Carl"), ev::ChatArchived{chat_id(1)}}, 0, 0);
    expect_rejected(o, "chat_not_found");
    EXPECT_FALSE(state.users.contains(kCarl));
    EXPECT_EQ(version_of(state, kCarl), 0);
}

TEST_F(Fold, DirtySetsNameOnlyEntitiesThatExistAfterARejectedBatch) {
    given_user(kAnn);
    ASSERT_EQ(apply(kAnn, {chat_created(chat_id(1)), posted(message_id(1), chat_id(1), session_id(1)),
                           posted(message_id(2), chat_id(2), session_id(2))})
                  .kind,
              Kind::rejected);
    ASSERT_EQ(apply(kCarl, {registered("Carl"), device(device_id(1), "tok"), ev::ChatArchived{chat_id(9)}}, 0, 0).kind,
              Kind::rejected);
    for (const auto& id : state.dirty_users) EXPECT_TRUE(state.users.contains(id)) << "dirty user " << id;
    for (const auto& id : state.dirty_streams) EXPECT_TRUE(state.stream_versions.contains(id)) << "stream " << id;
    for (const auto& id : state.dirty_devices) EXPECT_TRUE(state.devices.contains(id)) << "dirty device " << id;
    for (const auto& id : state.dirty_chats) EXPECT_TRUE(state.chats.contains(id)) << "dirty chat " << id;
    for (const auto& id : state.dirty_sessions) EXPECT_TRUE(state.sessions.contains(id)) << "dirty session " << id;
}

// ---- merge patch (RFC 7386) ------------------------------------------------------------------

TEST(MergePatch, FollowsRfc7386) {
    struct Case {
        const char* target;
        const char* patch;
        const char* result;
    };
    // RFC 7386 appendix A (the cases whose target and patch are objects) plus nested merges.
    const std::vector<Case> cases = {
        {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
        {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
        {R"({"a":"b"})", R"({"a":null})", R"({})"},
        {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
        {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
        {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
        {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
        {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
        {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
        {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
        {R"({"a":{"x":1,"y":2}})", R"({"a":{"y":3}})", R"({"a":{"x":1,"y":3}})"},
        {R"({"a":"scalar"})", R"({"a":{"x":1}})", R"({"a":{"x":1}})"},
        {R"({"a":{"x":1}})", R"({"a":5})", R"({"a":5})"},
        {R"({"a":1})", R"({"missing":null})", R"({"a":1})"},
        {R"({"a":1})", R"({})", R"({"a":1})"},
        {R"({"a":{"b":{"c":1,"d":2}}})", R"({"a":{"b":{"c":null}}})", R"({"a":{"b":{"d":2}}})"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.target) + " + " + c.patch);
        auto target = bj::parse(c.target).as_object();
        merge_patch(target, bj::parse(c.patch).as_object());
        EXPECT_EQ(target, bj::parse(c.result).as_object()) << bj::serialize(target);
    }
}

// ---- prefetch plan ---------------------------------------------------------------------------

TEST(PlanPrefetch, CollectsEveryKeyTheFoldLooksUp) {
    BatchFactory f;
    std::vector<ev::EventBatch> list;
    list.push_back(f.make(kAnn, {registered(), device(device_id(1), "tok"), chat_created(chat_id(1))}, 0, 0, "k-ann"));
    list.push_back(f.make(kBob,
                          {ev::ChatArchived{chat_id(2)}, posted(message_id(1), chat_id(3), session_id(1), "c", "app"),
                           posted(message_id(2), chat_id(3), session_id(2)), ended(chat_id(4), session_id(3)),
                           ev::UserProfileUpdated{"x"}},
                          0, std::nullopt, "k-bob"));
    const auto plan = plan_prefetch(list);
    EXPECT_EQ(plan.user_ids, (std::set<std::string>{kAnn, kBob}));
    EXPECT_EQ(plan.idempotency_keys, (std::set<UserKey>{{kAnn, "k-ann"}, {kBob, "k-bob"}}));
    EXPECT_EQ(plan.device_tokens, (std::set<UserKey>{{kAnn, "tok"}}));
    EXPECT_EQ(plan.device_ids, (std::set<std::string>{device_id(1)}));
    EXPECT_EQ(plan.chat_ids, (std::set<std::string>{chat_id(1), chat_id(2), chat_id(3), chat_id(4)}));
    EXPECT_EQ(plan.session_ids, (std::set<std::string>{session_id(1), session_id(2), session_id(3)}));
    EXPECT_EQ(plan.inbox_keys, (std::set<InboxKey>{{kBob, "app", "c"}}));

    const auto empty = plan_prefetch({});
    EXPECT_TRUE(empty.user_ids.empty());
    EXPECT_TRUE(empty.chat_ids.empty());
    EXPECT_TRUE(empty.idempotency_keys.empty());
}

// ---- determinism -----------------------------------------------------------------------------

auto tie(const Outcome& o) {
    return std::tie(o.batch_id, o.user_id, o.kind, o.code, o.message, o.duplicate_of, o.idempotency_key, o.request_hash,
                    o.resource_type, o.resource_id, o.expected_version, o.stream_version, o.occurred_at);
}
auto tie(const Message& m) {
    return std::tie(m.id, m.user_id, m.chat_id, m.session_id, m.seq, m.role, m.content, m.metadata, m.source,
                    m.client_msg_id, m.request_id, m.created_at, m.batch_id);
}
auto tie(const Session& s) {
    return std::tie(s.id, s.user_id, s.chat_id, s.started_at, s.last_activity_at, s.ended_at, s.end_reason,
                    s.message_count);
}
auto tie(const Chat& c) {
    return std::tie(c.id, c.user_id, c.title, c.model, c.settings, c.last_seq, c.archived, c.archived_at, c.created_at,
                    c.last_active_at);
}

template <class T>
bool same_list(const std::vector<T>& a, const std::vector<T>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (tie(a[i]) != tie(b[i])) return false;
    return true;
}
template <class K, class V>
bool same_map(const std::map<K, V>& a, const std::map<K, V>& b) {
    if (a.size() != b.size()) return false;
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib)
        if (ia->first != ib->first || tie(ia->second) != tie(ib->second)) return false;
    return true;
}

TEST(FoldDeterminism, SameBatchesIntoFreshStatesGiveIdenticalResults) {
    BatchFactory f;
    std::vector<ev::EventBatch> log;
    log.push_back(f.make(kAnn, {registered()}, 0, 0));
    log.push_back(f.make(kBob, {registered("Bob")}, 0, 0));
    log.push_back(f.make(kAnn, {chat_created(chat_id(1))}, 1));
    log.push_back(f.make(kBob, {chat_created(chat_id(2))}, 1));
    log.push_back(f.make(kAnn, {posted(message_id(1), chat_id(1), session_id(1), "c-1", "app")}, 2));
    log.push_back(f.make(kAnn, {posted(message_id(2), chat_id(1), session_id(2), "c-1", "app")}, 3));  // dup
    log.push_back(f.make(kBob, {posted(message_id(3), chat_id(1), session_id(3))}, 4));                // foreign chat
    log.push_back(f.make(kAnn, {posted(message_id(4), chat_id(1), session_id(4))}, 4000));  // idle → new session
    log.push_back(f.make(kAnn, {ended(chat_id(1), session_id(4), "idle_timeout", at(1))}, 4001));  // stale
    log.push_back(f.make(kAnn, {ended(chat_id(1), session_id(4))}, 4002));
    log.push_back(f.make(kAnn, {registered()}, 5, 0));  // conflict
    log.push_back(f.make(kBob, {posted(message_id(5), chat_id(2), session_id(5))}, 6, std::nullopt, "bk"));
    log.push_back(f.make(kBob, {posted(message_id(6), chat_id(2), session_id(6))}, 7, std::nullopt, "bk"));  // dup
    log.push_back(f.make(
        kAnn,
        {chat_created(chat_id(3)), posted(message_id(7), chat_id(3), session_id(7)), ev::ChatArchived{chat_id(9)}},
        8));  // rejected
    log.push_back(f.make(kAnn, {device(device_id(1), "tok"), device(device_id(2), "tok")}, 9));

    EntityStoreState one, two;
    for (const auto& b : log) fold(one, b);
    for (const auto& b : log) fold(two, b);

    ASSERT_EQ(one.outcomes.size(), log.size());
    EXPECT_TRUE(same_list(one.outcomes, two.outcomes));
    EXPECT_TRUE(same_list(one.new_messages, two.new_messages));
    EXPECT_TRUE(same_map(one.sessions, two.sessions));
    EXPECT_TRUE(same_map(one.chats, two.chats));
    EXPECT_EQ(one.stream_versions, two.stream_versions);
    EXPECT_EQ(one.open_session_by_chat, two.open_session_by_chat);
    EXPECT_EQ(one.device_by_token, two.device_by_token);

    // The scenario exercised every outcome kind.
    std::vector<Kind> kinds;
    for (const auto& o : one.outcomes) kinds.push_back(o.kind);
    const std::vector<Kind> expected = {Kind::applied,   Kind::applied,   Kind::applied,  Kind::applied,
                                        Kind::applied,   Kind::duplicate, Kind::rejected, Kind::applied,
                                        Kind::rejected,  Kind::applied,   Kind::conflict, Kind::applied,
                                        Kind::duplicate, Kind::rejected,  Kind::applied};
    EXPECT_EQ(kinds, expected);
    EXPECT_EQ(one.new_messages.size(), 3u);
}

TEST(OutcomeKind, HasStableNames) {
    EXPECT_EQ(to_string(Kind::applied), "applied");
    EXPECT_EQ(to_string(Kind::duplicate), "duplicate");
    EXPECT_EQ(to_string(Kind::conflict), "conflict");
    EXPECT_EQ(to_string(Kind::rejected), "rejected");
}

}  // namespace
