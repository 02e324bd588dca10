// aimi-loadgen: appends message.posted batches to the event topic as fast as an asynchronous
// producer can (idempotent, acks=all, key = user id, no wait per record, one flush at the end).
// Each user is first registered and given one chat, so every message is one the entity-store
// projection applies. Records are encoded before the clock starts: the figure is the log's.
//
//   AIMI_KAFKA_BOOTSTRAP=127.0.0.1:9092 aimi-loadgen --topic T --users 100 --messages-per-user 1000
//       [--content-bytes 96] [--words N] [--users-out FILE] [--timeout-s 300]
// With --words N each message is N words drawn (seeded, Zipf s=1.1) from a vocabulary of 50 000
// pronounceable pseudo-words, word(rank) = aimi-loadgen's `word` below: rank 1 is the most common;
// bench/search_latency.py queries words of chosen ranks. Without it, content is 'x' * bytes.
// With --goal-graph LxW (and --messages-per-user 0) the first user also gets a goals graph: L layers
// of W goals (goal.created, estimated_days 1..10), each goal below the first layer with
// --goal-parents P `requires` dependencies on goals of the layer above (dependency.added): adjacent
// layers only, so the graph is acyclic and transitively reduced by construction and every record
// is one the decider applies. --goals-out FILE gets the goal ids, layer by layer.
// Extra librdkafka properties: AIMI_KAFKA_PROP_<name with dots as __>=value (e.g. linger.ms).
// Prints a summary and a last line "RESULT records=N seconds=S records_per_s=R" for scripts (N counts
// every record; S and R leave out the first one, appended alone as a warm-up before the clock starts).
// Exit status 1 if any record was not acknowledged.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <random>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <librdkafka/rdkafkacpp.h>

#include "domain/events/envelope.hpp"
#include "domain/uuid.hpp"
#include "projections/kafka/kafka_config.hpp"

namespace {

using namespace aimi;
using Clock = std::chrono::steady_clock;

struct Options {
    std::string bootstrap;
    std::string topic;
    int users = 100;
    int messages_per_user = 1000;
    std::size_t content_bytes = 96;
    int words = 0;
    std::string users_out;  //!< file to write the user ids to, one per line
    int timeout_s = 300;
    int goal_layers = 0, goal_width = 0, goal_parents = 5;
    std::string goals_out;
};

[[noreturn]] void usage(const std::string& error) {
    std::cerr << "aimi-loadgen: " << error
              << "\nusage: AIMI_KAFKA_BOOTSTRAP=host:port aimi-loadgen --topic T --users U --messages-per-user M"
                 " [--content-bytes B] [--timeout-s S]\n";
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options o;
    const char* bootstrap = std::getenv("AIMI_KAFKA_BOOTSTRAP");
    o.bootstrap = bootstrap ? bootstrap : "";
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) usage("missing value for " + arg);
        const std::string value = argv[++i];
        try {
            if (arg == "--topic") o.topic = value;
            else if (arg == "--users") o.users = std::stoi(value);
            else if (arg == "--messages-per-user") o.messages_per_user = std::stoi(value);
            else if (arg == "--content-bytes") o.content_bytes = std::stoul(value);
            else if (arg == "--timeout-s") o.timeout_s = std::stoi(value);
            else if (arg == "--words") o.words = std::stoi(value);
            else if (arg == "--users-out") o.users_out = value;
            else if (arg == "--bootstrap") o.bootstrap = value;
            else if (arg == "--goal-graph") {
                const auto x = value.find('x');
                if (x == std::string::npos) usage("--goal-graph takes LAYERSxWIDTH");
                o.goal_layers = std::stoi(value.substr(0, x));
                o.goal_width = std::stoi(value.substr(x + 1));
            }
            else if (arg == "--goal-parents") o.goal_parents = std::stoi(value);
            else if (arg == "--goals-out") o.goals_out = value;
            else usage("unknown option " + arg);
        } catch (const std::logic_error&) {
            usage("bad value for " + arg + ": " + value);
        }
    }
    if (o.bootstrap.empty()) usage("AIMI_KAFKA_BOOTSTRAP is required");
    if (o.topic.empty()) usage("--topic is required");
    if (o.users < 1 || o.messages_per_user < 0 || o.content_bytes < 1 || o.timeout_s < 1) usage("bad sizes");
    return o;
}

events::EventBatch make_batch(const std::string& user_id, events::EventData data,
                              std::optional<std::int64_t> expected_version = std::nullopt) {
    events::EventBatch batch;
    batch.batch_id = new_uuid();
    batch.user_id = user_id;
    batch.expected_version = expected_version;
    batch.occurred_at = now_utc();
    batch.request_id = new_uuid();
    batch.idempotency_key = "auto:" + batch.request_id;
    batch.request_hash = std::string(64, '0');
    batch.causation_id = batch.request_id;
    batch.producer = "loadgen@bench";
    batch.events.push_back(events::Event{new_uuid(), std::move(data)});
    return batch;
}

//! The pseudo-word of a vocabulary rank: syllables spelled from the rank's digits in base 20.
std::string word(int rank) {
    static const char* syllables[] = {"ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "de", "gu",
                                      "ba", "fe", "zo", "vi", "ha", "yu", "we", "co", "ja", "xi"};
    std::string out;
    int n = rank;
    do {
        out += syllables[n % 20];
        n /= 20;
    } while (n > 0);
    return out + "n";
}

//! Samples ranks 1..n with probability proportional to 1/rank^1.1 (inverse CDF over a table).
class Zipf {
  public:
    Zipf(int n, std::uint64_t seed) : rng_(seed) {
        double sum = 0;
        cdf_.reserve(n);
        for (int r = 1; r <= n; ++r) cdf_.push_back(sum += 1.0 / std::pow(r, 1.1));
        for (auto& c : cdf_) c /= sum;
    }
    int next() {
        const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
        return static_cast<int>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin()) + 1;
    }

  private:
    std::mt19937_64 rng_;
    std::vector<double> cdf_;
};

struct Record {
    std::string key;
    std::string value;
};

class Reports final : public RdKafka::DeliveryReportCb {
public:
    std::atomic<std::int64_t> acked{0};
    std::atomic<std::int64_t> failed{0};
    std::string first_error;
    void dr_cb(RdKafka::Message& message) override {
        if (message.err() == RdKafka::ERR_NO_ERROR) {
            ++acked;
        } else {
            if (failed++ == 0) first_error = message.errstr();
        }
    }
};

}  // namespace

int main(int argc, char** argv) {
    const auto o = parse(argc, argv);

    // Registration and chat first for every user, then messages round-robin over users: a user's
    // records share a key, hence a partition, so its order is kept by the idempotent producer.
    std::vector<Record> records;
    records.reserve(static_cast<std::size_t>(o.users) * (2 + static_cast<std::size_t>(o.messages_per_user)));
    std::vector<std::string> users, chats;
    const auto encode_start = Clock::now();
    for (int u = 0; u < o.users; ++u) {
        users.push_back(new_uuid());
        chats.push_back(new_uuid());
        records.push_back({users[u], events::encode(make_batch(
                                         users[u], events::UserRegistered{std::nullopt, "Load", "UTC", "en", {}}, 0))});
        records.push_back({users[u], events::encode(make_batch(
                                         users[u], events::ChatCreated{chats[u], "load", "aimi-rule-based", {}}))});
    }
    if (!o.users_out.empty()) {
        std::ofstream out(o.users_out);
        for (const auto& u : users) out << u << "\n";
    }
    if (o.goal_layers > 0) {
        std::mt19937 rng(42);
        std::vector<std::vector<std::string>> layers(o.goal_layers);
        for (int l = 0; l < o.goal_layers; ++l)
            for (int i = 0; i < o.goal_width; ++i) {
                layers[l].push_back(new_uuid());
                records.push_back({users[0], events::encode(make_batch(
                                                 users[0], events::GoalCreated{layers[l].back(),
                                                                               fmt::format("goal {}.{}", l, i),
                                                                               std::nullopt,
                                                                               "other",
                                                                               3,
                                                                               std::nullopt,
                                                                               1 + static_cast<std::int64_t>(rng() % 10),
                                                                               {},
                                                                               true}))});
            }
        for (int l = 1; l < o.goal_layers; ++l)
            for (const auto& goal : layers[l]) {
                std::vector<std::string> parents = layers[l - 1];
                std::shuffle(parents.begin(), parents.end(), rng);
                for (int k = 0; k < o.goal_parents && k < static_cast<int>(parents.size()); ++k)
                    records.push_back({users[0], events::encode(make_batch(
                                                     users[0], events::DependencyAdded{new_uuid(), parents[k], goal,
                                                                                       "requires", 1, std::nullopt}))});
            }
        if (!o.goals_out.empty()) {
            std::ofstream out(o.goals_out);
            for (const auto& layer : layers)
                for (const auto& g : layer) out << g << "\n";
        }
    }
    const std::string filler(o.content_bytes, 'x');
    Zipf zipf(50000, 42);
    for (int m = 0; m < o.messages_per_user; ++m) {
        for (int u = 0; u < o.users; ++u) {
            std::string content = o.words > 0 ? std::string() : filler;
            for (int w = 0; w < o.words; ++w) content += (w ? " " : "") + word(zipf.next());
            records.push_back({users[u], events::encode(make_batch(
                                             users[u], events::MessagePosted{new_uuid(), chats[u], "user", content, {},
                                                                             "loadgen", "m-" + std::to_string(m),
                                                                             new_uuid(), 1800}))});
        }
    }
    const double encode_s = std::chrono::duration<double>(Clock::now() - encode_start).count();
    std::size_t bytes = 0;
    for (const auto& r : records) bytes += r.value.size();

    kafka::Properties properties{
        {"bootstrap.servers", o.bootstrap},
        {"enable.idempotence", "true"},
        {"acks", "all"},
        {"partitioner", "murmur2_random"},  // same as the gateway: same key, same partition
        {"linger.ms", "5"},
        {"queue.buffering.max.messages", "200000"},
        {"queue.buffering.max.kbytes", "1048576"},
        {"message.timeout.ms", std::to_string(o.timeout_s * 1000)},
    };
    for (const auto& [key, value] : kafka::properties_from_env()) properties[key] = value;
    Reports reports;
    std::unique_ptr<RdKafka::Producer> producer;
    try {
        auto conf = kafka::make_conf(properties);
        std::string error;
        conf->set("dr_cb", &reports, error);
        producer.reset(RdKafka::Producer::create(conf.get(), error));
        if (!producer) throw std::runtime_error("cannot create producer: " + error);
    } catch (const std::exception& e) {
        std::cerr << "aimi-loadgen: " << e.what() << "\n";
        return 1;
    }

    const auto deadline = Clock::now() + std::chrono::seconds(o.timeout_s);
    // Warm-up, not timed: the first record (a registration) alone, so that connecting and getting
    // the idempotent producer id (slow on a freshly started broker) stay out of the figure.
    if (producer->produce(o.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                          const_cast<char*>(records[0].value.data()), records[0].value.size(), records[0].key.data(),
                          records[0].key.size(), 0, nullptr) != RdKafka::ERR_NO_ERROR ||
        producer->flush(o.timeout_s * 1000) != RdKafka::ERR_NO_ERROR || reports.acked != 1) {
        std::cerr << "aimi-loadgen: the warm-up record was not acknowledged" << (reports.first_error.empty() ? "" : ": ")
                  << reports.first_error << "\n";
        return 1;
    }
    const auto start = Clock::now();
    std::size_t produced = 1;
    for (std::size_t i = 1; i < records.size(); ++i) {
        const auto& r = records[i];
        for (;;) {
            const auto rc = producer->produce(o.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                                              const_cast<char*>(r.value.data()), r.value.size(), r.key.data(),
                                              r.key.size(), 0, nullptr);
            if (rc == RdKafka::ERR_NO_ERROR) break;
            if (rc != RdKafka::ERR__QUEUE_FULL || Clock::now() > deadline) {
                std::cerr << "aimi-loadgen: produce failed after " << produced << " records: " << RdKafka::err2str(rc)
                          << "\n";
                producer->flush(5000);
                return 1;
            }
            producer->poll(5);  // local queue full: serve delivery reports, then retry
        }
        ++produced;
        producer->poll(0);
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    producer->flush(static_cast<int>(std::max<std::int64_t>(left.count(), 1000)));
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

    const auto expected = static_cast<std::int64_t>(records.size());
    const auto timed = static_cast<double>(expected - 1);
    if (reports.acked != expected) {
        std::cerr << fmt::format("aimi-loadgen: only {} of {} records acknowledged ({} failed{}{}, {} still queued)\n",
                                 reports.acked.load(), expected, reports.failed.load(),
                                 reports.first_error.empty() ? "" : ": ", reports.first_error, producer->outq_len());
        return 1;
    }
    std::cout << fmt::format(
        "aimi-loadgen: {} records ({} users x (2 + {} messages)), {:.1f} MB, encoded in {:.2f} s; appended and "
        "acknowledged in {:.2f} s (after a 1-record warm-up): {:.0f} records/s, {:.1f} MB/s\n",
        expected, o.users, o.messages_per_user, static_cast<double>(bytes) / 1e6, encode_s, seconds,
        timed / seconds, static_cast<double>(bytes) / 1e6 / seconds);
    std::cout << fmt::format("RESULT records={} seconds={:.3f} records_per_s={:.0f} bytes={}\n", expected, seconds,
                             timed / seconds, bytes);
    return 0;
}
