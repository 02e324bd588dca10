#include "tests/support/test_stack.hpp"

#include <cstdlib>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <librdkafka/rdkafkacpp.h>
#include "domain/auth/jwt.hpp"
#include "domain/uuid.hpp"

#include "projections/kafka/event_log_writer.hpp"
#include "projections/kafka/kafka_config.hpp"
#include "projections/keys/key_store.hpp"
#include "projections/pg/migrate.hpp"
#include "workers/admin/create_topics.hpp"

namespace aimi::testing {

namespace {
std::string required_env(const char* name) {
    const char* value = std::getenv(name);
    if (!value || !*value)
        throw std::runtime_error(fmt::format("{} is not set: run integration tests through `infra/aimi test`", name));
    return value;
}
}  // namespace

const StackCoordinates& StackCoordinates::get() {
    static const StackCoordinates coordinates{required_env("AIMI_PG_URL"), required_env("AIMI_KAFKA_BOOTSTRAP"),
                                              required_env("AIMI_DATA_DIR")};
    return coordinates;
}

void StackCoordinates::control(const std::string& command) const {
    const auto line = fmt::format("'{}/infra/scripts/stack.sh' {} '{}' >> '{}/logs/stack-control.log' 2>&1",
                                  AIMI_SOURCE_DIR, command, data_dir, data_dir);
    if (std::system(line.c_str()) != 0)
        throw std::runtime_error("stack.sh " + command + " failed; see " + data_dir + "/logs");
}

std::string random_id() {
    return new_uuid();
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return condition();
}

TestEnv::TestEnv(int partitions) : partitions_(partitions) {
    const auto suffix = new_uuid().substr(0, 8);
    schema_ = "t_" + suffix;
    topic_ = "aimi.test." + suffix;
    facts_topic_ = "aimi.test." + suffix + ".facts";
    const auto& stack = StackCoordinates::get();
    auto db = pg::connect(stack.pg_url, schema_);
    pg::migrate(*db, schema_);
    create_topic(stack.kafka_bootstrap, {.name = topic_, .partitions = partitions_});
    create_topic(stack.kafka_bootstrap, {.name = facts_topic_, .partitions = partitions_});
}

TestEnv::~TestEnv() {
    writer_.reset();
    keys_.reset();
    // Keep the data of failed tests for inspection; drop the rest to keep the cluster small.
    if (::testing::Test::HasFailure()) {
        std::fprintf(stderr, "kept schema %s and topic %s for inspection\n", schema_.c_str(), topic_.c_str());
        return;
    }
    try {
        auto db = connect();
        pqxx::nontransaction tx(*db);
        tx.exec("DROP SCHEMA IF EXISTS " + tx.quote_name(schema_) + " CASCADE");
    } catch (const std::exception&) {
        // best effort: a test that stopped PostgreSQL may leave it down
    }
}

std::map<std::string, std::string> TestEnv::child_env(const std::map<std::string, std::string>& extra) const {
    const auto& stack = StackCoordinates::get();
    std::map<std::string, std::string> env{
        {"AIMI_PG_URL", stack.pg_url},
        {"AIMI_PG_SCHEMA", schema_},
        {"AIMI_KAFKA_BOOTSTRAP", stack.kafka_bootstrap},
        {"AIMI_EVENTS_TOPIC", topic_},
        {"AIMI_FACTS_TOPIC", facts_topic_},
        {"AIMI_EVENTS_PARTITIONS", std::to_string(partitions_)},
        {"AIMI_JWT_SECRET", kJwtSecret},
        {"AIMI_MASTER_KEY", kMasterKey},
        {"AIMI_HTTP_WORKERS", "16"},
    };
    for (const auto& [k, v] : extra) env[k] = v;
    return env;
}

std::string TestEnv::log_path(const std::string& name) const {
    return fmt::format("{}/logs/{}-{}.log", StackCoordinates::get().data_dir, schema_, name);
}

std::unique_ptr<ChildProcess> TestEnv::start_projector(const std::map<std::string, std::string>& extra) {
    return std::make_unique<ChildProcess>(std::string(AIMI_BIN_DIR) + "/aimi-projector", std::vector<std::string>{},
                                          child_env(extra), log_path(fmt::format("projector{}", children_++)));
}

std::unique_ptr<ChildProcess> TestEnv::start_session_closer(const std::map<std::string, std::string>& extra) {
    return std::make_unique<ChildProcess>(std::string(AIMI_BIN_DIR) + "/aimi-session-closer",
                                          std::vector<std::string>{}, child_env(extra),
                                          log_path(fmt::format("closer{}", children_++)));
}

std::unique_ptr<ChildProcess> TestEnv::start_dispatcher(const std::map<std::string, std::string>& extra) {
    return std::make_unique<ChildProcess>(std::string(AIMI_BIN_DIR) + "/aimi-reminder-dispatcher",
                                          std::vector<std::string>{}, child_env(extra),
                                          log_path(fmt::format("dispatcher{}", children_++)));
}

Gateway TestEnv::start_gateway(const std::map<std::string, std::string>& extra) {
    const auto port_file = log_path(fmt::format("gateway{}.port", children_));
    std::remove(port_file.c_str());
    auto env = child_env(extra);
    env["AIMI_HTTP_PORT"] = "0";
    env["AIMI_HTTP_PORT_FILE"] = port_file;
    Gateway gateway;
    gateway.process =
        std::make_unique<ChildProcess>(std::string(AIMI_BIN_DIR) + "/aimi-gateway", std::vector<std::string>{}, env,
                                       log_path(fmt::format("gateway{}", children_++)));
    const bool listening = eventually(
        [&] {
            std::ifstream in(port_file);
            int port = 0;
            if (in >> port && port > 0) gateway.port = static_cast<std::uint16_t>(port);
            if (!gateway.port) return false;
            try {
                return gateway.client().request("GET", "/health").status == 200;
            } catch (const std::exception&) {
                return false;
            }
        },
        std::chrono::seconds(30));
    if (!listening) throw std::runtime_error("gateway did not start:\n" + gateway.process->log_tail());
    return gateway;
}

std::string TestEnv::token(const std::string& user_id, const std::string& role) const {
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    return auth::sign_token({user_id, role}, kJwtSecret, now, 3600);
}

std::unique_ptr<pqxx::connection> TestEnv::connect() const {
    return pg::connect(StackCoordinates::get().pg_url, schema_);
}

std::int64_t TestEnv::scalar(const std::string& sql) const {
    auto db = connect();
    pqxx::read_transaction tx(*db);
    return tx.exec1(sql)[0].as<std::int64_t>();
}

keys::KeyStore& TestEnv::keys() const {
    if (!keys_)
        keys_ = std::make_unique<keys::KeyStore>(StackCoordinates::get().pg_url, privacy::parse_master_key(kMasterKey));
    return *keys_;
}

kafka::EventLogWriter& TestEnv::writer() const {
    if (!writer_)
        writer_ = std::make_unique<kafka::EventLogWriter>(StackCoordinates::get().kafka_bootstrap,
                                                          std::chrono::milliseconds(10000));
    return *writer_;
}

std::int64_t TestEnv::records_in_topic() const {
    return records_in(topic_);
}

std::int64_t TestEnv::records_in(const std::string& topic) const {
    auto& w = writer();
    std::int64_t total = 0;
    for (int p = 0; p < partitions_; ++p) total += w.high_watermark(topic, p, std::chrono::seconds(5)).value();
    return total;
}

std::vector<LogRecord> TestEnv::read_topic(const std::string& topic) const {
    std::vector<LogRecord> out;
    std::string error;
    auto conf = kafka::make_conf({{"bootstrap.servers", StackCoordinates::get().kafka_bootstrap},
                                  {"group.id", "aimi.test.reader." + new_uuid()},
                                  {"enable.auto.commit", "false"},
                                  {"enable.partition.eof", "true"}});
    std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), error));
    if (!consumer) throw std::runtime_error("cannot create Kafka consumer: " + error);
    std::vector<RdKafka::TopicPartition*> partitions;
    for (int p = 0; p < partitions_; ++p) {
        const auto end = writer().high_watermark(topic, p, std::chrono::seconds(5)).value();
        if (end > 0) partitions.push_back(RdKafka::TopicPartition::create(topic, p, 0));
    }
    if (partitions.empty()) return out;
    consumer->assign(partitions);
    std::size_t at_end = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (at_end < partitions.size() && std::chrono::steady_clock::now() < deadline) {
        std::unique_ptr<RdKafka::Message> m(consumer->consume(500));
        if (m->err() == RdKafka::ERR__PARTITION_EOF) {
            ++at_end;
        } else if (m->err() == RdKafka::ERR_NO_ERROR) {
            out.push_back(LogRecord{m->topic_name(), m->partition(), m->offset(), m->key() ? *m->key() : "",
                                    std::string(static_cast<const char*>(m->payload()), m->len())});
        }
    }
    RdKafka::TopicPartition::destroy(partitions);
    consumer->close();
    if (at_end < partitions.size()) throw std::runtime_error("could not read " + topic + " to its end in 120 s");
    return out;
}

}  // namespace aimi::testing
