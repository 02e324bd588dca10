#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace aimi::http {

//! A request as handlers see it: transport-free, so handlers and the router are testable
//! without a socket. Header names are lower-case.
struct Request {
    std::string method;
    std::string target;  //!< as sent: path and query
    std::string path;    //!< percent-decoded path without the query
    std::map<std::string, std::string> query;
    std::map<std::string, std::string> headers;
    std::string body;
    std::string request_id;  //!< X-Request-Id if sane, else generated; echoed on the response
    bool websocket_upgrade = false;  //!< a valid RFC 6455 upgrade request (Exchange::accept_websocket)

    const std::string* header(const std::string& lower_name) const {
        const auto it = headers.find(lower_name);
        return it == headers.end() ? nullptr : &it->second;
    }
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

//! Splits "a=1&b=x%20y" into decoded pairs (last one wins). Malformed escapes are kept verbatim.
std::map<std::string, std::string> parse_query(std::string_view query);

//! Percent-decodes a path or query component ('+' stays '+' in paths).
std::string percent_decode(std::string_view text, bool plus_is_space);

}  // namespace aimi::http
