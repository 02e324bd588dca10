#include "workers/admin/create_topics.hpp"

#include <memory>
#include <stdexcept>

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

namespace aimi {

namespace {
template <class T, void (*Destroy)(T*)>
struct Deleter {
    void operator()(T* p) const { Destroy(p); }
};
using Client = std::unique_ptr<rd_kafka_t, Deleter<rd_kafka_t, rd_kafka_destroy>>;
using Queue = std::unique_ptr<rd_kafka_queue_t, Deleter<rd_kafka_queue_t, rd_kafka_queue_destroy>>;
using NewTopic = std::unique_ptr<rd_kafka_NewTopic_t, Deleter<rd_kafka_NewTopic_t, rd_kafka_NewTopic_destroy>>;
using Event = std::unique_ptr<rd_kafka_event_t, Deleter<rd_kafka_event_t, rd_kafka_event_destroy>>;
}  // namespace

void create_topic(const std::string& bootstrap, const TopicSpec& spec) {
    char error[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error(error);
    }
    Client client(rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error));
    if (!client) throw std::runtime_error(std::string("cannot create Kafka admin client: ") + error);

    NewTopic topic(
        rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions, spec.replication_factor, error, sizeof error));
    if (!topic) throw std::runtime_error(fmt::format("topic {}: {}", spec.name, error));
    rd_kafka_NewTopic_set_config(topic.get(), "retention.ms", std::to_string(spec.retention_ms).c_str());
    rd_kafka_NewTopic_set_config(topic.get(), "cleanup.policy", "delete");
    rd_kafka_NewTopic_set_config(topic.get(), "min.insync.replicas", std::to_string(spec.min_insync_replicas).c_str());

    Queue queue(rd_kafka_queue_new(client.get()));
    rd_kafka_NewTopic_t* topics[] = {topic.get()};
    rd_kafka_CreateTopics(client.get(), topics, 1, nullptr, queue.get());
    Event event(rd_kafka_queue_poll(queue.get(), 30000));
    if (!event) throw std::runtime_error("Kafka did not answer CreateTopics within 30 s");
    if (rd_kafka_event_error(event.get()))
        throw std::runtime_error(fmt::format("CreateTopics: {}", rd_kafka_event_error_string(event.get())));
    std::size_t count = 0;
    const auto** results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event.get()), &count);
    for (std::size_t i = 0; i < count; ++i) {
        const auto err = rd_kafka_topic_result_error(results[i]);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
            throw std::runtime_error(
                fmt::format("cannot create topic {}: {}", spec.name, rd_kafka_topic_result_error_string(results[i])));
    }
}

}  // namespace aimi
