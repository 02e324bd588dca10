#include "workers/admin/export.hpp"

#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <librdkafka/rdkafkacpp.h>
#include <boost/json/object.hpp>

#include "domain/events/envelope.hpp"
#include "domain/facts/fact.hpp"
#include "domain/json/parse.hpp"
#include "domain/json/serialize.hpp"
#include "domain/text.hpp"
#include "projections/kafka/assign_only_consumer.hpp"
#include "projections/kafka/kafka_config.hpp"
#include "projections/keys/key_store.hpp"
#include "workers/common/shutdown.hpp"

namespace aimi {

namespace {

using Clock = std::chrono::steady_clock;

struct Range {
    std::int64_t from = 0;
    std::int64_t end = 0;  //!< exclusive
};

}  // namespace

int export_records(const RuntimeSettings& settings, const ExportRequest& request) {
    const auto& stop = install_shutdown_handlers();
    const std::string topic = request.facts ? settings.facts_topic : settings.events_topic;
    auto consumer = kafka::assign_only_consumer(settings.kafka_bootstrap, "aimi.export",
                                                {{"fetch.max.bytes", "104857600"},
                                                 {"max.partition.fetch.bytes", "16777216"},
                                                 {"queued.max.messages.kbytes", "262144"}},
                                                kafka::properties_from_env());
    std::string error;

    // Which partitions, from where to where (ends as they are now: a consistent snapshot).
    std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(consumer.get(), topic, nullptr, error));
    RdKafka::Metadata* metadata = nullptr;
    if (consumer->metadata(false, handle.get(), &metadata, 10000) != RdKafka::ERR_NO_ERROR)
        throw std::runtime_error("cannot read the metadata of " + topic);
    std::unique_ptr<RdKafka::Metadata> owned(metadata);
    int partitions = -1;
    for (const auto* t : *owned->topics())
        if (t->topic() == topic && t->err() == RdKafka::ERR_NO_ERROR)
            partitions = static_cast<int>(t->partitions()->size());
    if (partitions < 0) throw std::runtime_error("topic " + topic + " does not exist");
    if (request.partition && (*request.partition < 0 || *request.partition >= partitions))
        throw std::invalid_argument(
            fmt::format("--partition {}: {} has {} partitions", *request.partition, topic, partitions));

    std::map<std::int32_t, Range> ranges;
    std::vector<RdKafka::TopicPartition*> by_time;
    for (std::int32_t p = 0; p < partitions; ++p) {
        if (request.partition && p != *request.partition) continue;
        std::int64_t low = 0, high = 0;
        if (consumer->query_watermark_offsets(topic, p, &low, &high, 10000) != RdKafka::ERR_NO_ERROR)
            throw std::runtime_error("cannot read the ends of " + topic);
        Range range{std::max(low, request.from_offset.value_or(low)), std::min(high, request.to_offset.value_or(high))};
        ranges[p] = range;
        if (request.from_ms) by_time.push_back(RdKafka::TopicPartition::create(topic, p, *request.from_ms));
    }
    if (!by_time.empty()) {  // the first offset stamped at or after --from, per partition
        if (consumer->offsetsForTimes(by_time, 10000) != RdKafka::ERR_NO_ERROR)
            throw std::runtime_error("cannot look offsets up by time in " + topic);
        for (const auto* tp : by_time) {
            auto& range = ranges[tp->partition()];
            range.from = tp->offset() < 0 ? range.end : std::max(range.from, tp->offset());
        }
        RdKafka::TopicPartition::destroy(by_time);
    }
    std::vector<RdKafka::TopicPartition*> assignment;
    std::int64_t expected = 0;
    for (const auto& [p, range] : ranges)
        if (range.from < range.end) {
            assignment.push_back(RdKafka::TopicPartition::create(topic, p, range.from));
            expected += range.end - range.from;
        }
    std::erase_if(ranges, [](const auto& entry) { return entry.second.from >= entry.second.end; });
    if (!assignment.empty()) consumer->assign(assignment);
    RdKafka::TopicPartition::destroy(assignment);

    std::optional<keys::KeyStore> keys;
    if (request.decrypt) keys.emplace(settings.pg_url, privacy::parse_master_key(settings.master_key_hex));
    // The value with its sealed fields opened (re-encoded in the clear); a record that does not
    // decode is written as it is.
    const auto opened = [&](std::string_view value) -> std::string {
        if (request.facts) {
            auto fact = facts::decode(value, &*keys);
            return fact ? facts::encode(fact.value()) : std::string(value);
        }
        auto batch = events::decode(value, &*keys);
        return batch ? events::encode(batch.value()) : std::string(value);
    };

    static char buffer[1 << 20];
    std::setvbuf(stdout, buffer, _IOFBF, sizeof buffer);
    const auto started = Clock::now();
    auto last_report = started;
    std::int64_t read = 0, written = 0;
    const auto report = [&](const char* what) {
        const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
        std::cerr << fmt::format("export: {} {} of {} records read, {} written, {:.1f} s ({:.0f} records/s)\n", what,
                                 read, expected, written, seconds, read / std::max(seconds, 1e-3));
    };
    while (!ranges.empty() && !stop) {
        std::unique_ptr<RdKafka::Message> m(consumer->consume(1000));
        if (m->err() == RdKafka::ERR__TIMED_OUT || m->err() == RdKafka::ERR__PARTITION_EOF) continue;
        if (m->err() != RdKafka::ERR_NO_ERROR) throw std::runtime_error("consume: " + m->errstr());
        const auto it = ranges.find(m->partition());
        if (it == ranges.end() || m->offset() >= it->second.end) continue;
        ++read;
        if (m->offset() + 1 >= it->second.end) ranges.erase(it);
        const auto timestamp = m->timestamp().timestamp;
        if (request.to_ms && timestamp >= *request.to_ms) {
            ranges.erase(m->partition());  // stamped after the window: the rest of the partition too
            continue;
        }
        const std::string_view key = m->key() ? std::string_view(*m->key()) : std::string_view();
        if (request.user_id && key != *request.user_id) continue;
        std::string_view value(static_cast<const char*>(m->payload()), m->len());
        std::string plain;
        if (keys) value = plain = opened(value);
        if (request.with_position) {
            // A value that is not JSON (a poison record) is kept as text, so every line parses.
            auto parsed = json::parse_value(value);
            const std::string line = json::serialize(boost::json::object{
                {"topic", topic},
                {"partition", m->partition()},
                {"offset", m->offset()},
                {"timestamp_ms", timestamp},
                {"key", storable_text_or_hex(key)},
                {"value", parsed ? std::move(parsed.value()) : boost::json::value(storable_text_or_hex(value))}});
            std::fwrite(line.data(), 1, line.size(), stdout);
        } else {
            std::fwrite(value.data(), 1, value.size(), stdout);
        }
        std::fputc('\n', stdout);
        ++written;
        if (Clock::now() - last_report > std::chrono::seconds(1)) {
            last_report = Clock::now();
            report("progress:");
        }
    }
    std::fflush(stdout);
    consumer->close();
    report(stop ? "interrupted:" : "done:");
    return stop ? 130 : 0;
}

}  // namespace aimi
