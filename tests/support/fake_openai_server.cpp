#include "tests/support/fake_openai_server.hpp"

#include <chrono>
#include <optional>
#include <sstream>

#include <simdjson.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/object.hpp>

#include "domain/json/convert.hpp"
#include "domain/json/serialize.hpp"

namespace aimi::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace bj = boost::json;
using tcp = boost::asio::ip::tcp;

namespace {

std::int64_t count_words(std::string_view text) {
    std::istringstream in{std::string(text)};
    std::int64_t n = 0;
    for (std::string word; in >> word;) ++n;
    return n;
}

bj::value error_body(const std::string& message, const std::string& type) {
    return bj::object{{"error", bj::object{{"message", message}, {"type", type}, {"code", nullptr}}}};
}

struct Item {
    std::string ref, role, text;
};

//! The items back from "[ref] role: text" lines (continuation lines are indented).
std::vector<Item> read_items(std::string_view message) {
    std::vector<Item> items;
    std::istringstream in{std::string(message)};
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("  ") && !items.empty()) {
            items.back().text += "\n" + line.substr(2);
            continue;
        }
        const auto close = line.find("] ");
        const auto colon = line.find(": ", close);
        if (!line.starts_with('[') || close == std::string::npos || colon == std::string::npos) continue;
        items.push_back(
            Item{line.substr(1, close - 1), line.substr(close + 2, colon - close - 2), line.substr(colon + 2)});
    }
    return items;
}

}  // namespace

struct FakeOpenAiServer::Answer {
    int status = 200;
    int retry_after_s = -1;
    int delay_ms = 0;
    std::string body;
};

struct FakeOpenAiServer::Impl {
    boost::asio::io_context io;
    tcp::acceptor acceptor{io};
    std::atomic<bool> stopping{false};
};

FakeOpenAiServer::FakeOpenAiServer() : impl_(std::make_unique<Impl>()) {
    const tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen();
    port_ = impl_->acceptor.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
}

FakeOpenAiServer::~FakeOpenAiServer() {
    impl_->stopping = true;
    try {  // wake the blocking accept with a connection of our own
        boost::asio::io_context io;
        tcp::socket s(io);
        s.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
    } catch (const std::exception&) {
    }
    thread_.join();
}

void FakeOpenAiServer::fail_next(int count, int status, int retry_after_s) {
    std::lock_guard lock(mutex_);
    fail_count_ = count;
    fail_status_ = status;
    fail_retry_after_s_ = retry_after_s;
}

void FakeOpenAiServer::delay_next(int count, int ms) {
    std::lock_guard lock(mutex_);
    delay_count_ = count;
    delay_ms_ = ms;
}

void FakeOpenAiServer::garbage_next(int count, Garbage kind) {
    std::lock_guard lock(mutex_);
    garbage_count_ = count;
    garbage_kind_ = kind;
}

void FakeOpenAiServer::set_extra_facts(bj::array facts) {
    std::lock_guard lock(mutex_);
    extra_facts_ = std::move(facts);
}

void FakeOpenAiServer::queue_chat_messages(std::vector<bj::value> messages) {
    std::lock_guard lock(mutex_);
    for (auto& message : messages) chat_messages_.push_back(std::move(message));
}

std::vector<FakeOpenAiServer::Request> FakeOpenAiServer::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

std::vector<float> FakeOpenAiServer::raw_vector(std::string_view text, std::size_t dimensions) {
    std::uint64_t hash = 1469598103934665603ull;  // FNV-1a
    for (const unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
    std::vector<float> out(dimensions);
    for (std::size_t i = 0; i < dimensions; ++i) {
        std::uint64_t z = hash + (i + 1) * 0x9e3779b97f4a7c15ull;  // splitmix64 step
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        out[i] = static_cast<float>(static_cast<double>(z >> 11) / 9007199254740992.0 * 6.0 - 3.0);  // [-3, 3)
    }
    return out;
}

FakeOpenAiServer::Answer FakeOpenAiServer::answer(const std::string& path, const bj::value& body) {
    std::lock_guard lock(mutex_);  // knobs apply to requests in arrival order
    Answer a;
    if (delay_count_ > 0) {
        --delay_count_;
        a.delay_ms = delay_ms_;
    }
    if (fail_count_ > 0) {
        --fail_count_;
        a.status = fail_status_;
        a.retry_after_s = fail_retry_after_s_;
        a.body = json::serialize(error_body("fake failure " + std::to_string(fail_status_),
                                            fail_status_ == 429 ? "rate_limit_exceeded" : "invalid_request_error"));
        return a;
    }
    const auto* request = body.if_object();
    if (path != "/v1/embeddings" && path != "/v1/chat/completions") {
        a.status = 404;
        a.body = json::serialize(error_body("no such endpoint: " + path, "invalid_request_error"));
        return a;
    }
    if (!request) {
        a.status = 400;
        a.body = json::serialize(error_body("the body is not a JSON object", "invalid_request_error"));
        return a;
    }
    std::optional<Garbage> garbage;
    if (garbage_count_ > 0) {
        --garbage_count_;
        garbage = garbage_kind_;
    }
    if (garbage == Garbage::not_json) {
        a.body = "<html>502 Bad Gateway</html>";
        return a;
    }

    if (path == "/v1/embeddings") {
        const auto* input = request->if_contains("input");
        if (!input || !input->is_array()) {
            a.status = 400;
            a.body = json::serialize(error_body("'input' must be an array", "invalid_request_error"));
            return a;
        }
        const auto& inputs = input->as_array();
        std::size_t dimensions = default_dimensions_;
        if (const auto* d = request->if_contains("dimensions"))
            dimensions = static_cast<std::size_t>(d->to_number<std::int64_t>());
        if (garbage == Garbage::wrong_dimension) ++dimensions;
        bj::array data;
        std::int64_t tokens = 0;
        for (std::size_t i = inputs.size(); i-- > 0;) {  // reverse order: clients must use index
            const std::string_view text = inputs[i].as_string();
            tokens += count_words(text);
            bj::array vector;
            for (const float x : raw_vector(text, dimensions)) vector.emplace_back(static_cast<double>(x));
            data.push_back(bj::object{{"object", "embedding"}, {"index", i}, {"embedding", std::move(vector)}});
        }
        if (garbage == Garbage::wrong_count && !data.empty()) data.pop_back();
        a.body =
            json::serialize(bj::object{{"object", "list"},
                                       {"data", std::move(data)},
                                       {"model", request->at("model")},
                                       {"usage", bj::object{{"prompt_tokens", tokens}, {"total_tokens", tokens}}}});
        return a;
    }

    if (request->contains("tools")) {  // the assistant's provider: scripted answers
        std::int64_t prompt_tokens = 0;
        for (const auto& message : request->at("messages").as_array())
            if (const auto* content = message.as_object().if_contains("content"); content && content->is_string())
                prompt_tokens += count_words(content->get_string());
        bj::value message = bj::object{{"role", "assistant"}, {"content", "ok"}};
        if (!chat_messages_.empty()) {
            message = std::move(chat_messages_.front());
            chat_messages_.pop_front();
        }
        const auto completion_tokens = count_words(json::serialize(message));
        const bool calls = message.is_object() && message.as_object().contains("tool_calls");
        a.body = json::serialize(bj::object{
            {"id", "chatcmpl-fake"},
            {"object", "chat.completion"},
            {"model", request->at("model")},
            {"choices",
             bj::array{bj::object{
                 {"index", 0}, {"message", std::move(message)}, {"finish_reason", calls ? "tool_calls" : "stop"}}}},
            {"usage", bj::object{{"prompt_tokens", prompt_tokens},
                                 {"completion_tokens", completion_tokens},
                                 {"total_tokens", prompt_tokens + completion_tokens}}}});
        return a;
    }

    std::int64_t prompt_tokens = 0;
    std::string user_message;
    for (const auto& message : request->at("messages").as_array()) {
        const std::string_view content = message.at("content").as_string();
        prompt_tokens += count_words(content);
        if (message.at("role").as_string() == "user") user_message = content;
    }
    const auto items = read_items(user_message);
    bj::object summary;
    bj::array key_points, facts, all_refs;
    for (const auto& item : items) {
        key_points.emplace_back(item.text);
        all_refs.emplace_back(item.ref);
        if (item.text.find("will") != std::string::npos)
            facts.push_back(bj::object{{"kind", "plan"}, {"text", item.text}, {"refs", bj::array{item.ref.c_str()}}});
    }
    facts.push_back(bj::object{{"kind", "fact"}, {"text", "they talked"}, {"refs", std::move(all_refs)}});
    for (const auto& extra : extra_facts_) facts.push_back(extra);
    if (garbage != Garbage::no_text) summary["text"] = items.empty() ? "" : items.front().text;
    summary["key_points"] = std::move(key_points);
    summary["facts"] = std::move(facts);
    const std::string content =
        garbage == Garbage::content_not_json ? "Sure! Here is a summary: they talked." : json::serialize(summary);
    const auto completion_tokens = count_words(content);
    a.body = json::serialize(bj::object{
        {"id", "chatcmpl-fake"},
        {"object", "chat.completion"},
        {"model", request->at("model")},
        {"choices", bj::array{bj::object{{"index", 0},
                                         {"message", bj::object{{"role", "assistant"}, {"content", content}}},
                                         {"finish_reason", "stop"}}}},
        {"usage", bj::object{{"prompt_tokens", prompt_tokens},
                             {"completion_tokens", completion_tokens},
                             {"total_tokens", prompt_tokens + completion_tokens}}}});
    return a;
}

void FakeOpenAiServer::serve() {
    simdjson::dom::parser parser;
    while (!impl_->stopping) {
        tcp::socket socket(impl_->io);
        boost::system::error_code ec;
        impl_->acceptor.accept(socket, ec);
        if (ec || impl_->stopping) continue;
        beast::flat_buffer buffer;
        http::request<http::string_body> request;
        http::read(socket, buffer, request, ec);
        if (ec) continue;

        bj::value body;
        simdjson::dom::element doc;
        if (!parser.parse(request.body()).get(doc)) body = json::to_boost(doc);
        const std::string path(request.target());
        Answer a;
        try {
            a = answer(path, body);
        } catch (const std::exception& e) {  // a request the fake does not understand: tell the test
            a.status = 400;
            a.body = json::serialize(error_body(std::string("fake server: ") + e.what(), "invalid_request_error"));
        }
        {
            std::lock_guard lock(mutex_);
            requests_.push_back(Request{path, std::string(request[http::field::authorization]), body, a.status});
        }
        if (a.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(a.delay_ms));

        http::response<http::string_body> response{static_cast<http::status>(a.status), 11};
        response.set(http::field::content_type, "application/json");
        if (a.retry_after_s >= 0) response.set(http::field::retry_after, std::to_string(a.retry_after_s));
        response.body() = std::move(a.body);
        response.prepare_payload();
        http::write(socket, response, ec);
        socket.shutdown(tcp::socket::shutdown_both, ec);
    }
}

}  // namespace aimi::testing
