#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <boost/json/value.hpp>

namespace aimi::testing {

struct HttpResult {
    int status = 0;
    int interim_status = 0;                      //!< 100 when the server said "Continue" first
    std::map<std::string, std::string> headers;  //!< lower-case names
    std::string body;

    //! The body parsed as JSON (null when empty or not JSON).
    boost::json::value json() const;
    //! error.code of an error body, or "" when there is none.
    std::string error_code() const;
    std::string error_field() const;
};

//! A minimal blocking HTTP/1.1 client over loopback (one connection per request), so tests
//! exercise the real server without pulling Beast into test code.
class HttpClient {
  public:
    explicit HttpClient(std::uint16_t port) : port_(port) {}

    //! With header "Expect: 100-continue", sends the body only after the server's interim
    //! response (or not at all if the server answers finally first), as clients that use it do.
    HttpResult request(const std::string& method, const std::string& target, const std::string& body = "",
                       const std::map<std::string, std::string>& headers = {}) const;

    //! Shorthands sending Authorization: Bearer <token> and Content-Type: application/json.
    HttpResult get(const std::string& target, const std::string& token,
                   const std::map<std::string, std::string>& headers = {}) const;
    HttpResult post(const std::string& target, const std::string& token, const std::string& body,
                    std::map<std::string, std::string> headers = {}) const;
    HttpResult patch(const std::string& target, const std::string& token, const std::string& body,
                     std::map<std::string, std::string> headers = {}) const;
    HttpResult put(const std::string& target, const std::string& token, const std::string& body,
                   std::map<std::string, std::string> headers = {}) const;
    HttpResult del(const std::string& target, const std::string& token,
                   std::map<std::string, std::string> headers = {}) const;

    std::uint16_t port() const { return port_; }

  private:
    std::uint16_t port_;
};

}  // namespace aimi::testing
