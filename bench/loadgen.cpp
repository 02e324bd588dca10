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
// With --reminders COUNT@FROM+SPAN (repeatable; use --messages-per-user 0) every user is registered with
// settings.reminders = {"offsets_minutes": [--reminder-offset-min M (5)], "quiet_hours": --quiet-hours
// HH:MM-HH:MM if given}, and COUNT calendar events are created round-robin over the users, event k starting at
// FROM + k*SPAN/COUNT + M minutes (FROM in Unix seconds, UTC; users in UTC, floating events), so that its one
// reminder triggers at FROM + k*SPAN/COUNT. Each event's record is what POST /v1/calendar-events appends: the
// body {"title","start"} goes through the gateway's decode (schema + calendar checks) and decide, and every
// record is sealed with the user's data key, created in PostgreSQL as the gateway creates it (needs AIMI_PG_URL
// and AIMI_MASTER_KEY; the dispatcher delivers only to users with a key).
// With --dispatch-like N (and --users U), N records built like aimi-reminder-dispatcher's chat records (assistant
// message.posted + reminder.delivered, sealed, same envelope fields) are appended round-robin over U user keys
// with the dispatcher's producer (kafka::EventLogWriter, its settings) by append_all in chunks of --chunk C
// records (0 = all in one call), each waiting for all its acknowledgements: the baseline of phase i.
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

#include <ctime>

#include <unistd.h>

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <librdkafka/rdkafkacpp.h>

#include "domain/events/envelope.hpp"
#include "domain/goals/commands.hpp"
#include "domain/json/serialize.hpp"
#include "domain/privacy/data_key.hpp"
#include "domain/uuid.hpp"
#include "projections/kafka/event_log_writer.hpp"
#include "projections/kafka/kafka_config.hpp"
#include "projections/keys/key_store.hpp"

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
    struct Window {
        int count = 0;
        std::int64_t from_s = 0, span_s = 60;
    };
    std::vector<Window> reminders;  //!< --reminders COUNT@FROM+SPAN
    int reminder_offset_min = 5;
    std::string quiet_hours;  //!< HH:MM-HH:MM
    int dispatch_like = 0;
    int chunk = 0;
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
            else if (arg == "--reminders") {
                const auto at = value.find('@'), plus = value.find('+');
                if (at == std::string::npos || plus == std::string::npos || plus < at)
                    usage("--reminders takes COUNT@FROM+SPAN");
                o.reminders.push_back({std::stoi(value.substr(0, at)), std::stoll(value.substr(at + 1, plus - at - 1)),
                                       std::stoll(value.substr(plus + 1))});
                if (o.reminders.back().count < 1 || o.reminders.back().span_s < 1) usage("bad --reminders " + value);
            }
            else if (arg == "--reminder-offset-min") o.reminder_offset_min = std::stoi(value);
            else if (arg == "--quiet-hours") o.quiet_hours = value;
            else if (arg == "--dispatch-like") o.dispatch_like = std::stoi(value);
            else if (arg == "--chunk") o.chunk = std::stoi(value);
            else usage("unknown option " + arg);
        } catch (const std::logic_error&) {
            usage("bad value for " + arg + ": " + value);
        }
    }
    if (o.bootstrap.empty()) usage("AIMI_KAFKA_BOOTSTRAP is required");
    if (o.topic.empty()) usage("--topic is required");
    if (o.users < 1 || o.messages_per_user < 0 || o.content_bytes < 1 || o.timeout_s < 1) usage("bad sizes");
    if (!o.reminders.empty() && (o.messages_per_user != 0 || o.goal_layers != 0))
        usage("--reminders goes with --messages-per-user 0 and no --goal-graph");
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

//! A Unix time as a calendar event's wall-clock time (UTC): YYYY-MM-DDTHH:MM:SS.
std::string wall_clock(std::int64_t unix_s) {
    const std::time_t t = unix_s;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char out[32];
    std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%S", &tm);
    return out;
}

std::string required_env(const char* name) {
    const char* value = std::getenv(name);
    if (!value || !*value) usage(std::string(name) + " is required with --reminders");
    return value;
}

//! The user's record for registration with reminder settings, then a chat; every event's record
//! after them, round-robin over the users. Sealed with keys created as the gateway creates them.
std::vector<Record> reminder_records(const Options& o, std::vector<std::string>& users, std::size_t& events) {
    keys::KeyStore keys(required_env("AIMI_PG_URL"), privacy::parse_master_key(required_env("AIMI_MASTER_KEY")),
                        std::chrono::hours(24));
    boost::json::object reminders{{"offsets_minutes", boost::json::array{o.reminder_offset_min}}};
    if (!o.quiet_hours.empty()) {
        const auto dash = o.quiet_hours.find('-');
        if (dash == std::string::npos) usage("--quiet-hours takes HH:MM-HH:MM");
        reminders["quiet_hours"] =
            boost::json::object{{"start", o.quiet_hours.substr(0, dash)}, {"end", o.quiet_hours.substr(dash + 1)}};
    }
    const boost::json::object settings{{"reminders", reminders}};
    std::vector<privacy::DataKey> user_keys;
    std::vector<Record> records;
    for (int u = 0; u < o.users; ++u) {
        users.push_back(new_uuid());
        const auto key = keys.get_or_create(users[u]);
        if (!key) throw std::runtime_error("no data key for " + users[u]);
        user_keys.push_back(*key);
        records.push_back({users[u], events::encode(make_batch(users[u],
                                                               events::UserRegistered{std::nullopt, "Load", "UTC",
                                                                                      "en", settings},
                                                               0),
                                                    &user_keys[u])});
        records.push_back({users[u], events::encode(make_batch(users[u],
                                                               events::ChatCreated{new_uuid(), "reminders",
                                                                                   "aimi-rule-based", {}}),
                                                    &user_keys[u])});
    }
    std::size_t next_user = 0;
    for (std::size_t w = 0; w < o.reminders.size(); ++w) {
        const auto& window = o.reminders[w];
        for (int k = 0; k < window.count; ++k) {
            const auto u = next_user++ % users.size();
            const auto trigger = window.from_s + static_cast<std::int64_t>(k) * window.span_s / window.count;
            const auto body = json::serialize(boost::json::object{
                {"title", fmt::format("Bench reminder {}.{}", w, k)},
                {"start", wall_clock(trigger + 60LL * o.reminder_offset_min)}});
            auto command = goals::decode_create_entity("calendar_event", body);
            if (!command) throw std::runtime_error("calendar event refused: " + command.problem().code + ": " + command.problem().message);
            conversation::DecisionContext context;
            context.user_id = users[u];
            context.new_id = [] { return new_uuid(); };
            auto decision = goals::decide(context, command.value());
            if (!decision || decision.value().events.size() != 1)
                throw std::runtime_error("calendar event not decided");
            records.push_back({users[u], events::encode(make_batch(users[u], std::move(decision.value().events[0])),
                                                        &user_keys[u])});
            ++events;
        }
    }
    return records;
}

//! What the dispatcher appends for one reminder on the chat channel
//! (workers/reminder_dispatcher/reminder_dispatcher.cpp: deliver_chat, append).
std::string dispatch_like_record(const std::string& user_id, const std::string& chat_id, const privacy::DataKey& key,
                                 int k) {
    const auto event_id = new_uuid();
    const auto occurrence = wall_clock(1764768000 + k % 60);  // a day's seconds, as the phase's window has
    const auto reminder_id = event_id + "/" + occurrence + "/5";
    const auto title = fmt::format("Bench reminder 1.{}", k);
    events::MessagePosted message;
    message.message_id = new_uuid();
    message.chat_id = chat_id;
    message.role = "assistant";
    auto human = occurrence.substr(0, 16);
    human[10] = ' ';
    message.content = fmt::format("Reminder: {} — {}", title, human);
    message.metadata = boost::json::object{{"reminder_id", reminder_id},
                                           {"calendar_event_id", event_id},
                                           {"occurrence", occurrence},
                                           {"occurrence_at", occurrence + "Z"}};
    message.source = "reminder";
    message.client_msg_id = reminder_id;
    message.new_session_id = new_uuid();
    message.idle_timeout_seconds = 1800;
    boost::json::object report{{"reminder_id", reminder_id}, {"calendar_event_id", event_id},
                               {"occurrence", occurrence},   {"offset_minutes", 5},
                               {"channel", "chat"},          {"status", "sent"},
                               {"attempts", 1},              {"message_id", message.message_id}};
    events::EventBatch batch;
    batch.batch_id = new_uuid();
    batch.user_id = user_id;
    batch.occurred_at = now_utc();
    batch.request_id = batch.batch_id;
    batch.idempotency_key = "reminder:" + reminder_id + ":chat";
    batch.causation_id = "reminder-due";
    batch.producer = "reminder-dispatcher@bench/" + std::to_string(::getpid());
    batch.events.push_back(events::Event{new_uuid(), std::move(message)});
    batch.events.push_back(events::Event{new_uuid(), events::ReminderDelivered{std::move(report)}});
    return events::encode(batch, &key);
}

//! --dispatch-like: N dispatcher-like records through the dispatcher's producer, in chunks.
int run_dispatch_like(const Options& o) {
    std::vector<std::string> users, chats;
    std::vector<privacy::DataKey> user_keys;
    for (int u = 0; u < o.users; ++u) {
        users.push_back(new_uuid());
        chats.push_back(new_uuid());
        user_keys.push_back(privacy::random_key());
    }
    const auto encode_start = Clock::now();
    std::vector<kafka::EventLogWriter::KeyedValue> records;
    records.reserve(static_cast<std::size_t>(o.dispatch_like) + 1);
    for (int k = 0; k <= o.dispatch_like; ++k) {
        const auto u = static_cast<std::size_t>(k) % users.size();
        records.push_back({users[u], dispatch_like_record(users[u], chats[u], user_keys[u], k), 0});
    }
    const double encode_s = std::chrono::duration<double>(Clock::now() - encode_start).count();
    std::size_t bytes = 0;
    for (const auto& r : records) bytes += r.value.size();
    // The dispatcher's producer and settings (linger.ms 1, acks=all, idempotent, murmur2_random), with a
    // message timeout long enough for one call of all records.
    kafka::EventLogWriter log(o.bootstrap, std::chrono::seconds(o.timeout_s), kafka::properties_from_env());
    log.append_all(o.topic, kafka::EventLogWriter::kPartitionByKey, {records[0]});  // warm-up, not timed
    const std::size_t chunk = o.chunk > 0 ? static_cast<std::size_t>(o.chunk) : records.size();
    const auto start = Clock::now();
    for (std::size_t i = 1; i < records.size(); i += chunk) {
        const std::vector<kafka::EventLogWriter::KeyedValue> part(
            records.begin() + static_cast<std::ptrdiff_t>(i),
            records.begin() + static_cast<std::ptrdiff_t>(std::min(records.size(), i + chunk)));
        log.append_all(o.topic, kafka::EventLogWriter::kPartitionByKey, part);
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const auto n = static_cast<double>(o.dispatch_like);
    std::cout << fmt::format(
        "aimi-loadgen: {} dispatcher-like records ({} users, {:.0f} bytes each on average), encoded in {:.2f} s "
        "({:.1f} us each); appended in chunks of {} and acknowledged in {:.2f} s: {:.0f} records/s\n",
        o.dispatch_like, o.users, static_cast<double>(bytes) / static_cast<double>(records.size()), encode_s,
        1e6 * encode_s / static_cast<double>(records.size()), chunk, seconds, n / seconds);
    std::cout << fmt::format("RESULT records={} seconds={:.3f} records_per_s={:.0f} bytes={} encode_us={:.1f}\n",
                             o.dispatch_like, seconds, n / seconds,
                             bytes / records.size() * static_cast<std::size_t>(o.dispatch_like),
                             1e6 * encode_s / static_cast<double>(records.size()));
    return 0;
}

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
    if (o.dispatch_like > 0) {
        try {
            return run_dispatch_like(o);
        } catch (const std::exception& e) {
            std::cerr << "aimi-loadgen: " << e.what() << "\n";
            return 1;
        }
    }

    // Registration and chat first for every user, then messages round-robin over users: a user's
    // records share a key, hence a partition, so its order is kept by the idempotent producer.
    std::vector<Record> records;
    records.reserve(static_cast<std::size_t>(o.users) * (2 + static_cast<std::size_t>(o.messages_per_user)));
    std::vector<std::string> users, chats;
    const auto encode_start = Clock::now();
    std::size_t calendar_events = 0;
    if (!o.reminders.empty()) {
        try {
            records = reminder_records(o, users, calendar_events);
        } catch (const std::exception& e) {
            std::cerr << "aimi-loadgen: " << e.what() << "\n";
            return 1;
        }
    }
    for (int u = 0; u < o.users && o.reminders.empty(); ++u) {
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
        "aimi-loadgen: {} records ({} users x (2 + {} messages){}), {:.1f} MB, encoded in {:.2f} s; appended and "
        "acknowledged in {:.2f} s (after a 1-record warm-up): {:.0f} records/s, {:.1f} MB/s\n",
        expected, o.users, o.messages_per_user,
        calendar_events ? fmt::format(" + {} calendar events", calendar_events) : std::string(),
        static_cast<double>(bytes) / 1e6, encode_s, seconds, timed / seconds, static_cast<double>(bytes) / 1e6 / seconds);
    std::cout << fmt::format("RESULT records={} seconds={:.3f} records_per_s={:.0f} bytes={}\n", expected, seconds,
                             timed / seconds, bytes);
    return 0;
}
