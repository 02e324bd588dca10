#include "gateway/dev_sign_in.hpp"

#include <stdexcept>

#include <boost/asio/ip/address.hpp>

namespace aimi::gateway {

bool is_loopback_address(std::string_view address) {
    if (address == "localhost") return true;
    boost::system::error_code error;
    const auto parsed = boost::asio::ip::make_address(std::string(address), error);
    return !error && parsed.is_loopback();
}

bool dev_sign_in_enabled(std::string_view flag, std::string_view address) {
    if (flag.empty() || flag == "0") return false;
    if (flag != "1") throw std::invalid_argument("AIMI_DEV_SIGN_IN must be 0 or 1, not '" + std::string(flag) + "'");
    if (!is_loopback_address(address))
        throw std::invalid_argument("AIMI_DEV_SIGN_IN=1 needs AIMI_HTTP_ADDRESS on loopback (it is '" +
                                    std::string(address) +
                                    "'): the development sign-in hands out tokens to anyone who can reach it");
    return true;
}

}  // namespace aimi::gateway
