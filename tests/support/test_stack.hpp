#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "projections/log_record.hpp"
#include "projections/pg/connection.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"

namespace aimi::kafka {
class EventLogWriter;
}
namespace aimi::keys {
class KeyStore;
}

namespace aimi::testing {

//! Where the stack that infra/ started for this test run lives (from infra/aimi test's
//! environment: AIMI_PG_URL, AIMI_KAFKA_BOOTSTRAP, AIMI_DATA_DIR).
struct StackCoordinates {
    std::string pg_url;
    std::string kafka_bootstrap;
    std::string data_dir;
    static const StackCoordinates& get();
    //! Runs infra/scripts/stack.sh <command> on this run's data dir (e.g. "pg-stop").
    void control(const std::string& command) const;
};

struct Gateway {
    std::unique_ptr<ChildProcess> process;
    std::uint16_t port = 0;
    HttpClient client() const { return HttpClient(port); }
};

//! One test's private slice of the shared stack: its own read-model schema (migrated) and its
//! own topic, so tests never see each other's data. Starts the real binaries as children.
class TestEnv {
  public:
    explicit TestEnv(int partitions = 3);
    ~TestEnv();

    const std::string& schema() const { return schema_; }
    const std::string& topic() const { return topic_; }
    const std::string& facts_topic() const { return facts_topic_; }
    static constexpr const char* kJwtSecret = "integration-test-secret-0123456789";
    static constexpr const char* kMasterKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    //! Environment for child processes (AIMI_* for this schema and topic) plus `extra`.
    std::map<std::string, std::string> child_env(const std::map<std::string, std::string>& extra = {}) const;

    std::unique_ptr<ChildProcess> start_projector(const std::map<std::string, std::string>& extra = {});
    std::unique_ptr<ChildProcess> start_session_closer(const std::map<std::string, std::string>& extra = {});
    std::unique_ptr<ChildProcess> start_dispatcher(const std::map<std::string, std::string>& extra = {});
    //! Starts a gateway on a free port and waits until /health answers.
    Gateway start_gateway(const std::map<std::string, std::string>& extra = {});

    std::string token(const std::string& user_id, const std::string& role = "user") const;

    //! A fresh connection to this test's schema.
    std::unique_ptr<pqxx::connection> connect() const;
    //! Runs a single-value query (e.g. SELECT count(*) ...) in this test's schema.
    std::int64_t scalar(const std::string& sql) const;
    //! Sum of the high watermarks of this test's topic: how many records were ever appended.
    std::int64_t records_in_topic() const;
    std::int64_t records_in(const std::string& topic) const;
    //! Every record of `topic` (this test's partition count), from offset 0 to the end as it is now.
    std::vector<LogRecord> read_topic(const std::string& topic) const;
    kafka::EventLogWriter& writer() const;
    //! The data keys (same table and master key as the children): opens sealed fields.
    keys::KeyStore& keys() const;

    std::string log_path(const std::string& name) const;

  private:
    std::string schema_;
    std::string topic_;
    std::string facts_topic_;
    int partitions_;
    mutable std::unique_ptr<kafka::EventLogWriter> writer_;
    mutable std::unique_ptr<keys::KeyStore> keys_;
    int children_ = 0;
};

//! Polls `condition` every 50 ms until it holds or `timeout` passes; returns the last result.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = std::chrono::seconds(30));

//! A random lower-case UUID.
std::string random_id();

}  // namespace aimi::testing
