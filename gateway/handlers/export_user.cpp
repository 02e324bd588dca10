#include <pqxx/pqxx>

#include "domain/conversation/resource_json.hpp"
#include "domain/time.hpp"
#include "gateway/handlers/handlers.hpp"
#include "gateway/handlers/support.hpp"
#include "gateway/read_model.hpp"
#include "projections/pg/connection.hpp"

namespace aimi::gateway::handlers {

//! GET /v1/users/{user_id}/export — everything the product holds about the user, as one JSON
//! document (data portability): profile, devices, and every chat with its sessions and messages,
//! read in one snapshot. The user, or an admin. 410 once erased.
Reply export_user(const Call& call) {
    namespace bj = boost::json;
    auto user_id = path_uuid(call, "user_id");
    if (!user_id) return fail(call, user_id.problem());
    if (auto p = may_read_user(call, user_id.value())) return fail(call, *p);

    auto lease = call.gateway.pool.acquire();
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(*lease, "export_user");
    const auto user = read_model::find_user(tx, user_id.value());
    if (!user) return fail(call, Problem::not_found("user_not_found", "no such user", "user_id"));
    if (user->erased()) return fail(call, Problem{ProblemKind::gone, "user_erased", "this user was erased", "user_id"});

    bj::array devices;
    for (const auto& device : read_model::list_devices(tx, user->id)) devices.push_back(to_json(device));
    bj::array chats;
    constexpr int kPage = 200;
    std::optional<read_model::ChatCursor> before;
    for (;;) {
        const auto page = read_model::list_chats(tx, user->id, true, before, kPage);
        for (const auto& chat : page) {
            bj::object entry = to_json(chat);
            bj::array sessions;
            for (const auto& session : read_model::list_sessions(tx, chat.id, 1'000'000))
                sessions.push_back(to_json(session));
            bj::array messages;
            for (std::int64_t after = 0;;) {
                const auto batch = read_model::list_messages(tx, chat.id, after, 1000);
                for (const auto& message : batch) messages.push_back(to_json(message));
                if (batch.size() < 1000) break;
                after = batch.back().seq;
            }
            entry["sessions"] = std::move(sessions);
            entry["messages"] = std::move(messages);
            chats.push_back(std::move(entry));
        }
        if (static_cast<int>(page.size()) < kPage) break;
        before = read_model::ChatCursor{format_timestamp(page.back().created_at), page.back().id};
    }
    auto response = json_response(200, bj::object{{"format", "aimi.user-export.v1"},
                                                  {"exported_at", format_timestamp(now_utc())},
                                                  {"user", to_json(*user)},
                                                  {"devices", std::move(devices)},
                                                  {"chats", std::move(chats)}});
    response.headers.emplace_back("Content-Disposition", "attachment; filename=\"aimi-export-" + user->id + ".json\"");
    return response;
}

}  // namespace aimi::gateway::handlers
