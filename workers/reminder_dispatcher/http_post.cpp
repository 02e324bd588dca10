#include "workers/reminder_dispatcher/http_post.hpp"

#include "workers/providers/http_client.hpp"

// The dispatcher's channels go through the workers' one HTTP client.
namespace aimi::dispatch {

HttpTarget parse_http_url(const std::string& url) {
    auto parsed = providers::parse_http_url(url);
    return HttpTarget{std::move(parsed.host), std::move(parsed.port), std::move(parsed.path)};
}

int post_json(const HttpTarget& target, const std::string& body, const std::map<std::string, std::string>& headers,
              std::chrono::milliseconds timeout) {
    providers::HttpRequest request{"POST", headers, body};
    request.headers.try_emplace("Content-Type", "application/json");
    return providers::send_http(providers::HttpUrl{target.host, target.port, target.path}, request, timeout).status;
}

}  // namespace aimi::dispatch
