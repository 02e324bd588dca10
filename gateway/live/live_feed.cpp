#include "gateway/live/live_feed.hpp"

#include <atomic>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "domain/facts/fact.hpp"
#include "domain/metrics/registry.hpp"
#include "domain/privacy/data_key.hpp"
#include "projections/kafka/assign_only_consumer.hpp"

namespace aimi::live {

namespace {

constexpr int kPollMs = 100;
constexpr auto kBrokerTimeout = std::chrono::milliseconds(5000);
constexpr std::uint16_t kPolicyViolation = 1008;
constexpr std::uint16_t kGoingAway = 1001;
constexpr std::uint16_t kInternalError = 1011;

std::unique_ptr<RdKafka::KafkaConsumer> make_consumer(const LiveFeedOptions& options, const std::string& purpose) {
    return kafka::assign_only_consumer(options.bootstrap, "aimi.live." + purpose,
                                       {{"auto.offset.reset", "error"}, {"fetch.wait.max.ms", kafka::kFetchWaitMaxMs}},
                                       options.overrides);
}

metrics::Gauge& connections_gauge() {
    static auto& gauge = metrics::registry().gauge("aimi_live_connections", "WebSocket connections to GET /v1/live");
    return gauge;
}

metrics::Counter& frames_counter() {
    static auto& counter = metrics::registry().counter("aimi_live_frames_total", "Frames queued to live connections");
    return counter;
}

metrics::Counter& slow_counter() {
    static auto& counter = metrics::registry().counter("aimi_live_slow_disconnects_total",
                                                       "Live connections closed because the client read too slowly");
    return counter;
}

}  // namespace

//! One connection: whose, where it stands, and while it catches up the tail's frames for it.
struct Subscriber {
    std::string user;
    std::int32_t partition = 0;
    std::optional<LivePosition> resume;
    std::shared_ptr<http::WebSocketChannel> channel;  // set once open
    LivePosition last;                                // what it has been sent up to
    bool catching_up = false;
    std::vector<std::pair<LivePosition, std::string>> held;  // the tail's frames during a catch-up
    std::size_t held_bytes = 0;
    std::atomic<bool> gone{false};
};

struct LiveFeed::State : std::enable_shared_from_this<LiveFeed::State> {
    LiveFeedOptions options;
    const privacy::KeyLookup& keys;
    std::atomic<bool> stopping{false};
    boost::asio::thread_pool catch_ups;

    mutable std::mutex mutex;  // guards everything below
    bool running = false;      // the tail is assigned and knows where each partition stands
    std::unique_ptr<RdKafka::KafkaConsumer> tail;
    std::unique_ptr<RdKafka::Topic> topic_handle;  // for the producer's partitioner
    std::vector<std::int64_t> next_offset;         // per partition: the next offset the tail delivers
    std::vector<std::int64_t> origin_mark;         // per partition: the highest origin it has seen
    std::unordered_map<std::string, std::vector<std::shared_ptr<Subscriber>>> subscribers;
    std::size_t connection_count = 0;
    std::thread tail_thread;

    State(LiveFeedOptions o, const privacy::KeyLookup& k)
        : options(std::move(o)), keys(k), catch_ups(options.catch_up_threads) {}

    std::int32_t partition_of(const std::string& user) const {
        // The producer's partitioner (murmur2, as Java's): a user's facts share its intake partition.
        return rd_kafka_msg_partitioner_murmur2(topic_handle->c_ptr(), user.data(), user.size(),
                                                static_cast<std::int32_t>(next_offset.size()), nullptr, nullptr);
    }

    // ---- the tail --------------------------------------------------------------------------

    //! Assigns the tail at the end of every partition, after reading each one's last record for
    //! the origin it covers (so relayed copies of older facts are recognized).
    void start_tail() {
        auto consumer = make_consumer(options, "tail");
        std::string error;
        std::unique_ptr<RdKafka::Topic> handle(
            RdKafka::Topic::create(consumer.get(), options.facts_topic, nullptr, error));
        if (!handle) throw std::runtime_error("cannot open topic " + options.facts_topic + ": " + error);
        RdKafka::Metadata* raw = nullptr;
        if (consumer->metadata(false, handle.get(), &raw, kBrokerTimeout.count()) != RdKafka::ERR_NO_ERROR)
            throw std::runtime_error("cannot read the metadata of " + options.facts_topic);
        std::unique_ptr<RdKafka::Metadata> metadata(raw);
        int partitions = 0;
        for (const auto* t : *metadata->topics())
            if (t->topic() == options.facts_topic && t->err() == RdKafka::ERR_NO_ERROR)
                partitions = static_cast<int>(t->partitions()->size());
        if (partitions == 0) throw std::runtime_error("topic " + options.facts_topic + " does not exist");

        std::vector<std::int64_t> next(partitions), marks(partitions, -1);
        std::vector<RdKafka::TopicPartition*> assignment;
        for (int p = 0; p < partitions; ++p) {
            std::int64_t low = 0, high = 0;
            if (consumer->query_watermark_offsets(options.facts_topic, p, &low, &high, kBrokerTimeout.count()) !=
                RdKafka::ERR_NO_ERROR)
                throw std::runtime_error("cannot read the ends of " + options.facts_topic);
            next[p] = high;
            if (high > low) marks[p] = last_origin(p, high - 1);
            assignment.push_back(RdKafka::TopicPartition::create(options.facts_topic, p, high));
        }
        const auto assigned = consumer->assign(assignment);
        RdKafka::TopicPartition::destroy(assignment);
        if (assigned != RdKafka::ERR_NO_ERROR) throw std::runtime_error("cannot assign the facts topic");
        std::lock_guard lock(mutex);
        tail = std::move(consumer);
        topic_handle = std::move(handle);
        next_offset = std::move(next);
        origin_mark = std::move(marks);
        running = true;
        spdlog::info("live feed: tailing {} ({} partitions)", options.facts_topic, partitions);
    }

    //! The origin of the record at `offset` (-1 if it does not read as a fact).
    std::int64_t last_origin(int partition, std::int64_t offset) {
        auto reader = make_consumer(options, "probe");
        std::vector<RdKafka::TopicPartition*> at{
            RdKafka::TopicPartition::create(options.facts_topic, partition, offset)};
        reader->assign(at);
        RdKafka::TopicPartition::destroy(at);
        const auto deadline = std::chrono::steady_clock::now() + kBrokerTimeout;
        while (std::chrono::steady_clock::now() < deadline && !stopping) {
            std::unique_ptr<RdKafka::Message> m(reader->consume(kPollMs));
            if (m->err() != RdKafka::ERR_NO_ERROR) continue;
            const auto origin = facts::peek_origin({static_cast<const char*>(m->payload()), m->len()});
            return origin ? origin->offset : -1;
        }
        throw std::runtime_error(fmt::format("cannot read the last fact of partition {}", partition));
    }

    void run_tail() {
        while (!stopping) {
            try {
                if (!running) start_tail();
                std::unique_ptr<RdKafka::Message> m(tail->consume(kPollMs));
                if (m->err() == RdKafka::ERR__TIMED_OUT || m->err() == RdKafka::ERR__PARTITION_EOF) continue;
                if (m->err() != RdKafka::ERR_NO_ERROR) {
                    spdlog::warn("live feed: {}", m->errstr());
                    continue;
                }
                on_record(*m);
            } catch (const std::exception& e) {
                spdlog::warn("live feed: {}; retrying", e.what());
                for (int i = 0; i < 10 && !stopping; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        }
    }

    void on_record(const RdKafka::Message& m) {
        const std::string_view value(static_cast<const char*>(m.payload()), m.len());
        const std::string user = m.key() ? *m.key() : std::string();
        const auto partition = m.partition();
        const auto origin = facts::peek_origin(value);
        bool wanted = false;
        {
            std::lock_guard lock(mutex);
            next_offset[partition] = m.offset() + 1;
            if (!origin || origin->offset <= origin_mark[partition]) return;  // a relayed copy
            origin_mark[partition] = origin->offset;
            wanted = subscribers.contains(user);
        }
        if (!wanted) return;
        // Decoding opens sealed fields (a key lookup): outside the lock.
        const LivePosition position{partition, m.offset(), origin->offset};
        auto frame = frame_of(value, position);
        if (!frame) return;
        std::lock_guard lock(mutex);
        const auto it = subscribers.find(user);
        if (it == subscribers.end()) return;
        for (const auto& subscriber : it->second) offer(*subscriber, position, *frame);
    }

    std::optional<std::string> frame_of(std::string_view value, const LivePosition& position) const {
        auto fact = facts::decode(value, &keys);
        if (!fact) {
            spdlog::warn("live feed: skipping fact at {}: {}", format_position(position), fact.problem().message);
            return std::nullopt;
        }
        return fact_frame(fact.value(), position);
    }

    //! Under the lock: sends `frame` if it is past what `subscriber` has, or holds it while the
    //! subscriber catches up.
    void offer(Subscriber& subscriber, const LivePosition& position, const std::string& frame) {
        if (!subscriber.channel) return;
        if (subscriber.catching_up) {
            subscriber.held_bytes += frame.size();
            if (subscriber.held_bytes > options.catch_up_buffer_limit) {
                slow_counter().add();
                subscriber.channel->close(kPolicyViolation, "client too slow: catch-up buffer full");
                return;
            }
            subscriber.held.emplace_back(position, frame);
            return;
        }
        deliver(subscriber, position, frame);
    }

    static void deliver(Subscriber& subscriber, const LivePosition& position, std::string frame) {
        if (position.offset <= subscriber.last.offset || position.origin <= subscriber.last.origin) return;
        subscriber.last = position;
        frames_counter().add();
        if (!subscriber.channel->send(std::move(frame))) slow_counter().add();
    }

    // ---- connections -----------------------------------------------------------------------

    void open(const std::shared_ptr<Subscriber>& subscriber, std::shared_ptr<http::WebSocketChannel> channel) {
        std::lock_guard lock(mutex);
        if (stopping || subscriber->gone) return channel->close(kGoingAway, "gateway stopping");
        subscriber->channel = std::move(channel);
        const auto tail_end = next_offset[subscriber->partition];
        subscriber->last = subscriber->resume.value_or(
            LivePosition{subscriber->partition, tail_end - 1, origin_mark[subscriber->partition]});
        subscriber->channel->send(ready_frame(subscriber->last));
        subscribers[subscriber->user].push_back(subscriber);
        if (subscriber->last.offset + 1 >= tail_end) return;  // nothing older to read
        subscriber->catching_up = true;
        boost::asio::post(catch_ups,
                          [self = shared_from_this(), subscriber, tail_end] { self->catch_up(subscriber, tail_end); });
    }

    //! Reads the user's partition from after its position up to where the tail was when it
    //! connected, then sends what the tail held for it meanwhile.
    void catch_up(const std::shared_ptr<Subscriber>& subscriber, std::int64_t tail_end) {
        LivePosition last;
        {
            std::lock_guard lock(mutex);
            last = subscriber->last;
        }
        try {
            auto reader = make_consumer(options, "catch-up");
            std::vector<RdKafka::TopicPartition*> at{
                RdKafka::TopicPartition::create(options.facts_topic, subscriber->partition, last.offset + 1)};
            reader->assign(at);
            RdKafka::TopicPartition::destroy(at);
            std::int64_t read_to = last.offset;
            while (read_to + 1 < tail_end && !stopping && !subscriber->gone) {
                std::unique_ptr<RdKafka::Message> m(reader->consume(kPollMs));
                if (m->err() == RdKafka::ERR__TIMED_OUT || m->err() == RdKafka::ERR__PARTITION_EOF) continue;
                if (m->err() != RdKafka::ERR_NO_ERROR) throw std::runtime_error(m->errstr());
                read_to = m->offset();
                if (read_to >= tail_end || !m->key() || *m->key() != subscriber->user) continue;
                const std::string_view value(static_cast<const char*>(m->payload()), m->len());
                const auto origin = facts::peek_origin(value);
                if (!origin || origin->offset <= last.origin) continue;
                const LivePosition position{subscriber->partition, read_to, origin->offset};
                if (auto frame = frame_of(value, position)) {
                    std::lock_guard lock(mutex);
                    deliver(*subscriber, position, std::move(*frame));
                    last = subscriber->last;
                }
            }
        } catch (const std::exception& e) {
            spdlog::warn("live feed: catch-up for a connection failed: {}", e.what());
            std::lock_guard lock(mutex);
            if (subscriber->channel) subscriber->channel->close(kInternalError, "live feed unavailable; reconnect");
            return;
        }
        std::lock_guard lock(mutex);
        for (auto& [position, frame] : subscriber->held) deliver(*subscriber, position, std::move(frame));
        subscriber->held.clear();
        subscriber->held_bytes = 0;
        subscriber->catching_up = false;
    }

    void closed(const std::shared_ptr<Subscriber>& subscriber) {
        subscriber->gone = true;
        std::lock_guard lock(mutex);
        const auto it = subscribers.find(subscriber->user);
        if (it == subscribers.end()) return;
        std::erase(it->second, subscriber);
        if (it->second.empty()) subscribers.erase(it);
    }
};

namespace {

class LivePeer final : public http::WebSocketPeer {
  public:
    LivePeer(std::weak_ptr<LiveFeed::State> state, std::shared_ptr<Subscriber> subscriber)
        : state_(std::move(state)), subscriber_(std::move(subscriber)) {}

    void on_open(std::shared_ptr<http::WebSocketChannel> channel) override {
        if (auto state = state_.lock()) return state->open(subscriber_, std::move(channel));
        channel->close(kGoingAway, "gateway stopping");
    }

    void on_close() override {
        if (auto state = state_.lock()) state->closed(subscriber_);
    }

    ~LivePeer() override {
        // Counted from connect() until the connection (or the refused handshake) is gone.
        if (auto state = state_.lock()) {
            std::lock_guard lock(state->mutex);
            --state->connection_count;
            connections_gauge().set(static_cast<double>(state->connection_count));
        }
    }

  private:
    std::weak_ptr<LiveFeed::State> state_;
    std::shared_ptr<Subscriber> subscriber_;
};

Problem bad_resume(std::string message) {
    return Problem::invalid("invalid_resume_position", std::move(message), "resume");
}

}  // namespace

LiveFeed::LiveFeed(LiveFeedOptions options, const privacy::KeyLookup& keys)
    : state_(std::make_shared<State>(std::move(options), keys)) {
    state_->tail_thread = std::thread([state = state_.get()] { state->run_tail(); });
}

LiveFeed::~LiveFeed() {
    state_->stopping = true;
    state_->tail_thread.join();
    state_->catch_ups.join();
    std::lock_guard lock(state_->mutex);
    for (auto& [user, list] : state_->subscribers)
        for (auto& subscriber : list)
            if (subscriber->channel) subscriber->channel->close(kGoingAway, "gateway stopping");
    state_->subscribers.clear();
    if (state_->tail) state_->tail->close();
}

Result<std::shared_ptr<http::WebSocketPeer>> LiveFeed::connect(const std::string& user, const std::string* resume) {
    auto subscriber = std::make_shared<Subscriber>();
    subscriber->user = user;
    std::shared_ptr<http::WebSocketPeer> peer;
    {
        std::lock_guard lock(state_->mutex);
        if (!state_->running)
            return Problem{ProblemKind::unavailable, "live_unavailable",
                           "live updates are not available yet (the facts topic is not reachable); retry", ""};
        if (state_->connection_count >= state_->options.max_connections)
            return Problem{ProblemKind::too_many_requests, "too_many_connections",
                           fmt::format("this gateway serves at most {} live connections; retry later or elsewhere",
                                       state_->options.max_connections),
                           ""};
        subscriber->partition = state_->partition_of(user);
        ++state_->connection_count;  // until the peer is gone (its destructor)
        connections_gauge().set(static_cast<double>(state_->connection_count));
        peer = std::make_shared<LivePeer>(state_, subscriber);
    }
    if (!resume) return peer;
    const auto position = parse_position(*resume);
    if (!position) return bad_resume("expected a position from a frame of this stream (P:F:O)");
    if (position->partition != subscriber->partition)
        return bad_resume(fmt::format("names partition {}; your updates are on partition {}", position->partition,
                                      subscriber->partition));
    std::int64_t low = 0, high = 0;
    if (state_->tail->query_watermark_offsets(state_->options.facts_topic, position->partition, &low, &high,
                                              kBrokerTimeout.count()) != RdKafka::ERR_NO_ERROR)
        return Problem{ProblemKind::unavailable, "live_unavailable", "cannot reach the facts topic; retry", ""};
    if (position->offset >= high)
        return bad_resume(fmt::format("names offset {}, past the end of the stream ({})", position->offset, high));
    if (position->offset + 1 < low)
        return Problem{ProblemKind::gone, "resume_position_expired",
                       fmt::format("updates before offset {} are no longer kept; reconnect without resume and reload "
                                   "from the API",
                                   low),
                       "resume"};
    subscriber->resume = position;
    return peer;
}

}  // namespace aimi::live
