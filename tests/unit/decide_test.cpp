// Unit tests for domain/conversation/decide: each command's rules and the events it produces.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "domain/conversation/decide.hpp"

namespace {

using namespace aimi::conversation;
namespace ev = aimi::events;
using aimi::ProblemKind;

constexpr const char* kUser = "11111111-1111-4111-8111-111111111111";
constexpr const char* kChat = "33333333-3333-4333-8333-333333333333";
constexpr const char* kSession = "44444444-4444-4444-8444-444444444444";

//! A context whose new_id() hands out "id-1", "id-2", ... and counts its calls.
struct Fixture {
    std::shared_ptr<int> ids = std::make_shared<int>(0);
    DecisionContext context;

    Fixture() {
        context.user_id = kUser;
        context.new_id = [ids = ids] { return "id-" + std::to_string(++*ids); };
    }
    Fixture& with_user() {
        context.user = User{kUser};
        context.stream_version = 1;
        return *this;
    }
    Fixture& with_chat(bool archived = false) {
        Chat chat;
        chat.id = kChat;
        chat.user_id = kUser;
        chat.archived = archived;
        context.chat = chat;
        return *this;
    }
    Fixture& with_open_session() {
        Session session;
        session.id = kSession;
        session.chat_id = kChat;
        session.user_id = kUser;
        context.open_session = session;
        return *this;
    }
};

template <class T>
void expect_problem(const aimi::Result<T>& result, ProblemKind kind, const std::string& code) {
    ASSERT_FALSE(result.ok()) << "expected " << code;
    EXPECT_EQ(result.problem().kind, kind);
    EXPECT_EQ(result.problem().code, code);
    EXPECT_FALSE(result.problem().message.empty());
}

template <class E>
const E& only_event(const aimi::Result<Decision>& result) {
    static const E empty{};
    EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.problem().code);
    if (!result.ok()) return empty;
    EXPECT_EQ(result->events.size(), 1u);
    if (result->events.size() != 1 || !std::holds_alternative<E>(result->events[0])) {
        ADD_FAILURE() << "not a single " << E::kType;
        return empty;
    }
    return std::get<E>(result->events[0]);
}

// ---- register user -------------------------------------------------------------------------

TEST(DecideRegisterUser, FreshStreamProducesUserRegisteredWithVersionCheck) {
    Fixture f;
    RegisterUser command{"ann@example.com", "Ann", "Europe/Berlin", "de", boost::json::object{{"theme", "dark"}}};
    const auto result = decide(f.context, command);
    const auto& e = only_event<ev::UserRegistered>(result);
    EXPECT_EQ(e.email, "ann@example.com");
    EXPECT_EQ(e.display_name, "Ann");
    EXPECT_EQ(e.time_zone, "Europe/Berlin");
    EXPECT_EQ(e.locale, "de");
    EXPECT_EQ(e.settings, command.settings);
    EXPECT_TRUE(result->check_version);
}

TEST(DecideRegisterUser, ExistingUserIsUserExists) {
    Fixture f;
    f.with_user();
    expect_problem(decide(f.context, RegisterUser{}), ProblemKind::conflict, "user_exists");
}

TEST(DecideRegisterUser, StartedStreamWithoutUserRowIsUserExists) {
    Fixture f;
    f.context.stream_version = 3;  // the read model has not caught up, but the stream exists
    expect_problem(decide(f.context, RegisterUser{}), ProblemKind::conflict, "user_exists");
}

// ---- update profile ------------------------------------------------------------------------

TEST(DecideUpdateProfile, RequiresUser) {
    Fixture f;
    expect_problem(decide(f.context, UpdateProfile{"x"}), ProblemKind::not_found, "user_not_found");
}

TEST(DecideUpdateProfile, CopiesChangesAsAnUncheckedAppend) {
    // decide.hpp: only decisions the fold cannot re-check (a new stream) carry a version check;
    // profile deltas commute, so they are order-assigned appends.
    Fixture f;
    f.with_user();
    UpdateProfile command;
    command.display_name = "Bob";
    command.email = std::optional<std::string>{};  // clear
    command.settings_patch = boost::json::object{{"theme", nullptr}};
    const auto result = decide(f.context, command);
    const auto& e = only_event<ev::UserProfileUpdated>(result);
    EXPECT_EQ(e.display_name, "Bob");
    ASSERT_TRUE(e.email.has_value());
    EXPECT_FALSE(e.email->has_value());
    EXPECT_FALSE(e.time_zone.has_value());
    EXPECT_FALSE(e.locale.has_value());
    EXPECT_EQ(e.settings_patch, command.settings_patch);
    EXPECT_FALSE(result->check_version);
}

// ---- register device -----------------------------------------------------------------------

TEST(DecideRegisterDevice, RequiresUser) {
    Fixture f;
    expect_problem(decide(f.context, RegisterDevice{"t", "ios"}), ProblemKind::not_found, "user_not_found");
    EXPECT_EQ(*f.ids, 0) << "no id is drawn for a refused command";
}

TEST(DecideRegisterDevice, TakesDeviceIdFromNewIdAndAppendsWithoutVersionCheck) {
    Fixture f;
    f.with_user();
    const auto result = decide(f.context, RegisterDevice{"tok", "android", "en-US", "America/Chicago"});
    const auto& e = only_event<ev::DeviceRegistered>(result);
    EXPECT_EQ(e.device_id, "id-1");
    EXPECT_EQ(e.token, "tok");
    EXPECT_EQ(e.platform, "android");
    EXPECT_EQ(e.locale, "en-US");
    EXPECT_EQ(e.time_zone, "America/Chicago");
    EXPECT_FALSE(result->check_version);
}

// ---- create chat ---------------------------------------------------------------------------

TEST(DecideCreateChat, RequiresUser) {
    Fixture f;
    expect_problem(decide(f.context, CreateChat{}), ProblemKind::not_found, "user_not_found");
}

TEST(DecideCreateChat, TakesChatIdFromNewId) {
    Fixture f;
    f.with_user();
    const auto result = decide(f.context, CreateChat{"Trip", "m", boost::json::object{{"t", 1}}});
    const auto& e = only_event<ev::ChatCreated>(result);
    EXPECT_EQ(e.chat_id, "id-1");
    EXPECT_EQ(e.title, "Trip");
    EXPECT_EQ(e.model, "m");
    EXPECT_EQ(e.settings, (boost::json::object{{"t", 1}}));
    EXPECT_FALSE(result->check_version);

    const auto second = decide(f.context, CreateChat{});
    EXPECT_EQ(only_event<ev::ChatCreated>(second).chat_id, "id-2");
}

// ---- archive chat --------------------------------------------------------------------------

TEST(DecideArchiveChat, RequiresUserThenChat) {
    Fixture no_user;
    no_user.with_chat();
    expect_problem(decide(no_user.context, ArchiveChat{kChat}), ProblemKind::not_found, "user_not_found");
    Fixture no_chat;
    no_chat.with_user();
    expect_problem(decide(no_chat.context, ArchiveChat{kChat}), ProblemKind::not_found, "chat_not_found");
}

TEST(DecideArchiveChat, OpenChatIsArchived) {
    Fixture f;
    f.with_user().with_chat();
    const auto result = decide(f.context, ArchiveChat{kChat});
    EXPECT_EQ(only_event<ev::ChatArchived>(result).chat_id, kChat);
    EXPECT_FALSE(result->check_version);
}

TEST(DecideArchiveChat, ArchivingAnArchivedChatProducesNoEvents) {
    Fixture f;
    f.with_user().with_chat(/*archived=*/true);
    const auto result = decide(f.context, ArchiveChat{kChat});
    ASSERT_TRUE(result.ok());
    EXPECT_TRUE(result->events.empty());
    EXPECT_FALSE(result->check_version);
}

// ---- post message --------------------------------------------------------------------------

TEST(DecidePostMessage, RequiresUserThenChat) {
    Fixture no_user;
    no_user.with_chat();
    expect_problem(decide(no_user.context, PostMessage{kChat}), ProblemKind::not_found, "user_not_found");
    Fixture no_chat;
    no_chat.with_user();
    expect_problem(decide(no_chat.context, PostMessage{kChat}), ProblemKind::not_found, "chat_not_found");
    EXPECT_EQ(*no_chat.ids, 0);
}

TEST(DecidePostMessage, ArchivedChatIsChatArchived) {
    Fixture f;
    f.with_user().with_chat(true);
    expect_problem(decide(f.context, PostMessage{kChat, "user", "hi"}), ProblemKind::conflict, "chat_archived");
}

TEST(DecidePostMessage, ProducesMessageWithNewIdsAndContextTimeout) {
    Fixture f;
    f.with_user().with_chat();
    f.context.idle_timeout_seconds = 60;
    PostMessage command{kChat, "assistant", "hello", boost::json::object{{"k", "v"}}, "mobile", "client-7"};
    const auto result = decide(f.context, command);
    const auto& e = only_event<ev::MessagePosted>(result);
    EXPECT_EQ(e.message_id, "id-1");
    EXPECT_EQ(e.new_session_id, "id-2");
    EXPECT_EQ(e.chat_id, kChat);
    EXPECT_EQ(e.role, "assistant");
    EXPECT_EQ(e.content, "hello");
    EXPECT_EQ(e.metadata, command.metadata);
    EXPECT_EQ(e.source, "mobile");
    EXPECT_EQ(e.client_msg_id, "client-7");
    EXPECT_EQ(e.idle_timeout_seconds, 60);
    EXPECT_FALSE(result->check_version);
}

TEST(DecidePostMessage, ProposesANewSessionEvenWhenOneIsOpen) {
    // The fold decides whether the open session continues; the decider always proposes an id.
    Fixture f;
    f.with_user().with_chat().with_open_session();
    const auto result = decide(f.context, PostMessage{kChat, "user", "hi"});
    EXPECT_EQ(only_event<ev::MessagePosted>(result).new_session_id, "id-2");
}

// ---- end session ---------------------------------------------------------------------------

TEST(DecideEndSession, RequiresUserChatAndOpenSession) {
    Fixture no_user;
    no_user.with_chat().with_open_session();
    expect_problem(decide(no_user.context, EndSession{kChat}), ProblemKind::not_found, "user_not_found");
    Fixture no_chat;
    no_chat.with_user();
    expect_problem(decide(no_chat.context, EndSession{kChat}), ProblemKind::not_found, "chat_not_found");
    Fixture no_session;
    no_session.with_user().with_chat();
    expect_problem(decide(no_session.context, EndSession{kChat}), ProblemKind::conflict, "no_open_session");
}

TEST(DecideEndSession, NamedSessionMustBeTheOpenOne) {
    Fixture f;
    f.with_user().with_chat().with_open_session();
    EndSession command{kChat, std::string("55555555-5555-4555-8555-555555555555"), "idle_timeout",
                       aimi::from_micros(1)};
    expect_problem(decide(f.context, command), ProblemKind::conflict, "no_open_session");
}

TEST(DecideEndSession, EndsTheOpenSessionByUser) {
    Fixture f;
    f.with_user().with_chat().with_open_session();
    const auto result = decide(f.context, EndSession{kChat});
    const auto& e = only_event<ev::SessionEnded>(result);
    EXPECT_EQ(e.chat_id, kChat);
    EXPECT_EQ(e.session_id, kSession);
    EXPECT_EQ(e.reason, "user");
    EXPECT_FALSE(e.if_last_activity_at.has_value());
    EXPECT_FALSE(result->check_version);
}

TEST(DecideEndSession, IdleCloserCarriesSessionAndLastActivity) {
    Fixture f;
    f.with_user().with_chat().with_open_session();
    const auto seen = aimi::from_micros(1'704'067'200'000'000);
    const auto result = decide(f.context, EndSession{kChat, std::string(kSession), "idle_timeout", seen});
    const auto& e = only_event<ev::SessionEnded>(result);
    EXPECT_EQ(e.session_id, kSession);
    EXPECT_EQ(e.reason, "idle_timeout");
    EXPECT_EQ(e.if_last_activity_at, seen);
}

// ---- version check -------------------------------------------------------------------------

TEST(Decide, OnlyRegisterUserChecksTheStreamVersion) {
    Fixture fresh;
    EXPECT_TRUE(decide(fresh.context, RegisterUser{})->check_version);
    Fixture f;
    f.with_user().with_chat().with_open_session();
    EXPECT_FALSE(decide(f.context, UpdateProfile{"x"})->check_version);
    EXPECT_FALSE(decide(f.context, RegisterDevice{"t", "ios"})->check_version);
    EXPECT_FALSE(decide(f.context, CreateChat{})->check_version);
    EXPECT_FALSE(decide(f.context, ArchiveChat{kChat})->check_version);
    EXPECT_FALSE(decide(f.context, PostMessage{kChat, "user", "x"})->check_version);
    EXPECT_FALSE(decide(f.context, EndSession{kChat})->check_version);
}

}  // namespace
