#pragma once

#include <chrono>
#include <map>
#include <string>

// The dispatcher's outbound channels (webhook, push provider) over the shared HTTP client
// (workers/providers/http_client.hpp).
namespace aimi::dispatch {

struct HttpTarget {
    std::string host, port, path;
};

//! "http://host[:port][/path]"; @throws std::invalid_argument for anything else (no TLS here:
//! channels are reached through a local relay or sidecar).
HttpTarget parse_http_url(const std::string& url);

//! POSTs a JSON body and returns the response status. @throws std::runtime_error when the
//! target cannot be reached or does not answer within `timeout`.
int post_json(const HttpTarget& target, const std::string& body, const std::map<std::string, std::string>& headers,
              std::chrono::milliseconds timeout);

}  // namespace aimi::dispatch
