#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/result.hpp"

namespace aimi::auth {

//! Who a request acts as: the token's subject (a user id) and role.
struct Principal {
    std::string user_id;
    std::string role;  //!< "user" or "admin"
    bool is_admin() const { return role == "admin"; }
};

//! Signs an HS256 JWT {"sub","role","iat","exp"}.
std::string sign_token(const Principal& principal, std::string_view secret, std::int64_t issued_at_s,
                       std::int64_t ttl_s);

//! Verifies signature (HS256 only), expiry and claims. Problems are kind unauthorized with code
//! "invalid_token" (malformed, bad signature, bad claims) or "token_expired".
Result<Principal> verify_token(std::string_view token, std::string_view secret, std::int64_t now_s);

}  // namespace aimi::auth
