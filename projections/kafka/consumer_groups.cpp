#include "projections/kafka/consumer_groups.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <stdexcept>

namespace aimi::kafka {

namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using Queue = std::unique_ptr<rd_kafka_queue_t, Deleter<rd_kafka_queue_t, rd_kafka_queue_destroy>>;
using Options =
    std::unique_ptr<rd_kafka_AdminOptions_t, Deleter<rd_kafka_AdminOptions_t, rd_kafka_AdminOptions_destroy>>;
using Event = std::unique_ptr<rd_kafka_event_t, Deleter<rd_kafka_event_t, rd_kafka_event_destroy>>;

std::string text(const char* s) {
    return s ? s : "";
}

GroupMember member_of(const rd_kafka_MemberDescription_t* m) {
    GroupMember member{text(rd_kafka_MemberDescription_client_id(m)),
                       text(rd_kafka_MemberDescription_consumer_id(m)),
                       text(rd_kafka_MemberDescription_host(m)),
                       {}};
    if (const auto* assignment = rd_kafka_MemberDescription_assignment(m))
        if (const auto* list = rd_kafka_MemberAssignment_partitions(assignment))
            for (int i = 0; i < list->cnt; ++i)
                member.partitions.emplace_back(text(list->elems[i].topic), list->elems[i].partition);
    return member;
}

}  // namespace

ConsumerGroupInspector::ConsumerGroupInspector(const std::string& bootstrap, const Properties& overrides) {
    Properties properties = overrides;
    properties["bootstrap.servers"] = bootstrap;
    properties.emplace("client.id", "aimi-group-inspector");
    auto conf = make_conf(properties);
    std::string error;
    client_.reset(RdKafka::Producer::create(conf.get(), error));
    if (!client_) throw std::runtime_error("kafka: cannot create the group inspector: " + error);
}

ConsumerGroupInspector::~ConsumerGroupInspector() = default;

std::vector<GroupDescription> ConsumerGroupInspector::describe(const std::vector<std::string>& group_ids,
                                                               std::chrono::milliseconds timeout) {
    if (group_ids.empty()) return {};
    rd_kafka_t* rk = client_->c_ptr();
    Queue queue(rd_kafka_queue_new(rk));
    Options options(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS));
    char error[512];
    if (rd_kafka_AdminOptions_set_request_timeout(options.get(), static_cast<int>(timeout.count()), error,
                                                  sizeof error) != RD_KAFKA_RESP_ERR_NO_ERROR)
        throw std::runtime_error(std::string("kafka: describe groups: ") + error);
    std::vector<const char*> names;
    for (const auto& id : group_ids) names.push_back(id.c_str());
    rd_kafka_DescribeConsumerGroups(rk, names.data(), names.size(), options.get(), queue.get());
    Event event(rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count()) + 1000));
    if (!event) throw std::runtime_error("kafka: describe groups: no answer in time");
    if (rd_kafka_event_error(event.get()))
        throw std::runtime_error("kafka: describe groups: " + text(rd_kafka_event_error_string(event.get())));
    const auto* result = rd_kafka_event_DescribeConsumerGroups_result(event.get());
    if (!result) throw std::runtime_error("kafka: describe groups: unexpected answer");
    std::size_t count = 0;
    const auto** groups = rd_kafka_DescribeConsumerGroups_result_groups(result, &count);
    std::map<std::string, GroupDescription> by_id;
    for (std::size_t i = 0; i < count; ++i) {
        const auto* g = groups[i];
        GroupDescription description{
            text(rd_kafka_ConsumerGroupDescription_group_id(g)),
            text(rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(g))),
            {},
            {}};
        if (const auto* e = rd_kafka_ConsumerGroupDescription_error(g))
            description.error = text(rd_kafka_error_string(e));
        const auto members = rd_kafka_ConsumerGroupDescription_member_count(g);
        for (std::size_t m = 0; m < members; ++m)
            description.members.push_back(member_of(rd_kafka_ConsumerGroupDescription_member(g, static_cast<int>(m))));
        by_id[description.group_id] = std::move(description);
    }
    std::vector<GroupDescription> out;
    for (const auto& id : group_ids) {
        auto it = by_id.find(id);
        out.push_back(it == by_id.end() ? GroupDescription{id, "Unknown", {}, "not in the broker's answer"}
                                        : std::move(it->second));
    }
    return out;
}

}  // namespace aimi::kafka
