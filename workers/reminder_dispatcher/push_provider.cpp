#include "workers/reminder_dispatcher/push_provider.hpp"

#include <stdexcept>

#include <boost/json/object.hpp>

#include "domain/json/serialize.hpp"

namespace aimi::dispatch {

HttpPushProvider::HttpPushProvider(const std::string& url, std::chrono::milliseconds timeout)
    : target_(parse_http_url(url)), timeout_(timeout) {}

void HttpPushProvider::send(const PushMessage& m) {
    const boost::json::object body{
        {"device_id", m.device_id}, {"token", m.token}, {"platform", m.platform}, {"title", m.title}, {"body", m.body}};
    const int status = post_json(target_, json::serialize(body), {{"Idempotency-Key", m.idempotency_key}}, timeout_);
    if (status < 200 || status >= 300)
        throw std::runtime_error("push provider answered HTTP " + std::to_string(status));
}

}  // namespace aimi::dispatch
