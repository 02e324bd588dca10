#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace aimi::testing {

//! A local stand-in for an OpenAI-compatible server, on 127.0.0.1 in a thread of its own, one
//! request at a time:
//! - POST /v1/embeddings: for each input a deterministic vector (raw_vector), not normalized,
//!   `dimensions` long when the request says so, else default_dimensions(); the data entries
//!   come in reverse order (clients must place them by index); prompt_tokens counts words.
//! - POST /v1/chat/completions: reads the items back from the "[ref] role: text" lines of the
//!   user message and answers a summary as JSON content: the first item's text as "text", every
//!   item's text as a key point, a "plan" fact for each item containing "will", one "fact" citing
//!   all refs, then extra_facts; prompt_tokens counts the words of the messages,
//!   completion_tokens those of the content.
//! - POST /v1/chat/completions with "tools" (the assistant's provider): answers the next of the
//!   queued assistant messages (queue_chat_messages), or {"role":"assistant","content":"ok"} when
//!   none is left; prompt_tokens counts the words of the messages' string contents,
//!   completion_tokens those of the answered message as JSON.
//! Knobs make the next requests fail, answer late or answer garbage; every request is recorded.
class FakeOpenAiServer {
  public:
    FakeOpenAiServer();
    ~FakeOpenAiServer();
    std::uint16_t port() const { return port_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

    void set_default_dimensions(std::size_t dimensions) { default_dimensions_ = dimensions; }
    //! The next `count` requests get `status`: with "Retry-After: retry_after_s" when that is
    //! >= 0, and an OpenAI-style error body {"error": {"message", "type", "code"}}.
    void fail_next(int count, int status, int retry_after_s = -1);
    //! The next `count` requests are answered only after `ms` (past a client's timeout, say).
    void delay_next(int count, int ms);

    enum class Garbage {
        not_json,          // a body that is not JSON
        wrong_count,       // embeddings: one entry fewer than inputs
        wrong_dimension,   // embeddings: every vector one longer than asked
        content_not_json,  // chat: message content that is prose
        no_text,           // chat: a summary without "text"
    };
    //! The next `count` successful answers are garbage of `kind`.
    void garbage_next(int count, Garbage kind);
    //! Added to the facts of every chat answer (unknown kinds, foreign refs, ...).
    void set_extra_facts(boost::json::array facts);
    //! Queues choices[0].message objects ({"role":"assistant","content":...,"tool_calls":[...]}) for
    //! the next chat requests that carry "tools", in order. Knobs apply first: a failed or garbage
    //! answer does not take one from the queue; a delayed one does (it is answered, late).
    void queue_chat_messages(std::vector<boost::json::value> messages);

    struct Request {
        std::string path, authorization;
        boost::json::value body;  // null when not JSON
        int status = 0;           // what it was answered
    };
    std::vector<Request> requests() const;

    //! What the server answers for `text` (before any normalization).
    static std::vector<float> raw_vector(std::string_view text, std::size_t dimensions);

  private:
    struct Answer;
    void serve();
    Answer answer(const std::string& path, const boost::json::value& body);

    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::uint16_t port_ = 0;
    std::atomic<std::size_t> default_dimensions_{16};
    mutable std::mutex mutex_;  // guards what follows
    int fail_count_ = 0, fail_status_ = 0, fail_retry_after_s_ = -1;
    int delay_count_ = 0, delay_ms_ = 0;
    int garbage_count_ = 0;
    Garbage garbage_kind_ = Garbage::not_json;
    boost::json::array extra_facts_;
    std::deque<boost::json::value> chat_messages_;
    std::vector<Request> requests_;
    std::thread thread_;
};

}  // namespace aimi::testing
