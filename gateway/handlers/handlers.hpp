#pragma once

#include "gateway/gateway_context.hpp"

// One endpoint per file; routes are declared in gateway/dispatcher.cpp (make_routes).
namespace aimi::gateway::handlers {

http::Response health(const Call& call);
http::Response ready(const Call& call);

http::Response create_user(const Call& call);
http::Response get_user(const Call& call);
http::Response update_user(const Call& call);
http::Response register_device(const Call& call);
http::Response list_devices(const Call& call);

http::Response create_chat(const Call& call);
http::Response list_chats(const Call& call);
http::Response get_chat(const Call& call);
http::Response archive_chat(const Call& call);

http::Response post_message(const Call& call);
http::Response list_messages(const Call& call);
http::Response recent_messages(const Call& call);

http::Response list_sessions(const Call& call);
http::Response end_session(const Call& call);

http::Response get_batch(const Call& call);

}  // namespace aimi::gateway::handlers
