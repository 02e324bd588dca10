#pragma once

#include <chrono>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

// The one outbound HTTP/1.1 client of the workers (model providers, the dispatcher's webhook and
// push channels). Plain http:// only, no TLS: outbound services are reached through a local relay
// or sidecar that terminates TLS. One connection per request (no keep-alive pool).
namespace aimi::providers {

struct HttpUrl {
    std::string host, port, path;  // path is the request target, "/" at least
};

//! "http://host[:port][/path]" (host may be a bracketed IPv6 literal); @throws
//! std::invalid_argument for anything else, https:// included.
HttpUrl parse_http_url(const std::string& url);

struct HttpRequest {
    std::string method = "GET";
    std::map<std::string, std::string> headers;
    std::string body;
};

struct HttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names; repeated ones joined by ", "
    std::string body;

    //! The value of header `lower_case_name`, or nullptr.
    const std::string* header(const std::string& lower_case_name) const;
};

//! The server could not be reached or did not answer in time (a transport failure: whether to
//! try again is the caller's call).
class HttpError : public std::runtime_error {
  public:
    HttpError(const std::string& what, bool timed_out) : std::runtime_error(what), timed_out_(timed_out) {}
    bool timed_out() const noexcept { return timed_out_; }

  private:
    bool timed_out_;
};

//! Sends `request` to `url` and reads the whole answer, within `timeout` for all of it (resolve,
//! connect, write and read). Any status is an answer; @throws HttpError when there is none, and
//! std::invalid_argument for an unknown method.
HttpResponse send_http(const HttpUrl& url, const HttpRequest& request, std::chrono::milliseconds timeout);

}  // namespace aimi::providers
