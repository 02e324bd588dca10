#pragma once

#include <string>
#include <string_view>

namespace aimi::gateway {

//! The one-click sign-in of the local development stack (`POST /v1/dev/sign-in`, docs/console.md).
//! It hands out tokens without a credential, so it is refused outright unless explicitly enabled
//! (AIMI_DEV_SIGN_IN=1) and the gateway listens on a loopback address only: a gateway reachable
//! from other machines — any production configuration — cannot serve it.
struct DevSignIn {
    //! The user it signs in as (role user) and the operator (role admin): fixed, so a browser
    //! that signs in again finds its data.
    static constexpr std::string_view kUserId = "00000000-0000-4000-8000-00000000a1e1";
    static constexpr std::string_view kAdminId = "00000000-0000-4000-8000-00000000ad01";
    static constexpr long kTokenTtlSeconds = 12 * 3600;
};

//! Whether `address` (AIMI_HTTP_ADDRESS) is loopback only: 127.0.0.0/8, ::1 or "localhost".
bool is_loopback_address(std::string_view address);

//! Whether dev sign-in is on, from AIMI_DEV_SIGN_IN ("1" on; unset, "0" off) and the listen
//! address. Throws std::invalid_argument, naming both settings, when it is asked for on a
//! non-loopback address, and for any other value of the flag.
bool dev_sign_in_enabled(std::string_view flag, std::string_view address);

}  // namespace aimi::gateway
