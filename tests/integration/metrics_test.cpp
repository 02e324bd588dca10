// Prometheus metrics with the real thing: promtool accepts what the gateway and a projector
// expose, and a real Prometheus scraping the stack sees a projection's lag rise while it is
// stopped and fall back to zero once it runs again (PromQL over its HTTP API).
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "tests/support/test_stack.hpp"

namespace aimi::testing {
namespace {

namespace bj = boost::json;

std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t size = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
    ::close(fd);
    return ntohs(address.sin_port);
}

std::uint16_t read_port(const std::string& file) {
    std::uint16_t port = 0;
    eventually([&] {
        std::ifstream in(file);
        return static_cast<bool>(in >> port) && port > 0;
    });
    return port;
}

//! promtool's verdict on a /metrics text (exit 0 and no complaint).
std::string promtool_problems(const std::string& text, const std::string& path) {
    std::ofstream(path) << text;
    const auto out = path + ".promtool";
    const int status = std::system(fmt::format("promtool check metrics < '{}' > '{}' 2>&1", path, out).c_str());
    std::ifstream in(out);
    std::string report((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return status == 0 && report.empty() ? "" : report.empty() ? "exit status " + std::to_string(status) : report;
}

TEST(Metrics, PromtoolAcceptsThemAndPrometheusSeesAProjectionsLagRiseAndFall) {
    TestEnv env(3);
    const auto projector_port_file = env.log_path("projector-metrics.port");
    const std::map<std::string, std::string> projector_env{{"AIMI_METRICS_PORT", "0"},
                                                           {"AIMI_METRICS_PORT_FILE", projector_port_file}};
    auto projector = env.start_projector(projector_env);
    auto gateway = env.start_gateway();
    const auto http = gateway.client();
    const auto user = random_id();
    const auto token = env.token(user);
    ASSERT_EQ(http.post("/v1/users", token, R"({"display_name":"M"})").status, 201);
    auto chat = http.post("/v1/chats", token, "{}");
    const auto chat_id = std::string(chat.json().at("id").as_string());
    ASSERT_EQ(http.post("/v1/chats/" + chat_id + "/messages", token, R"({"content":"hi"})").status, 201);
    EXPECT_EQ(http.post("/v1/chats", token, "not json").status, 400);

    // Both expositions are valid and say what they should.
    const auto gateway_text = http.request("GET", "/metrics").body;
    EXPECT_EQ(promtool_problems(gateway_text, env.log_path("gateway.metrics")), "");
    for (const char* series :
         {"aimi_http_requests_total{route=\"/v1/chats\",method=\"POST\",status=\"201\"} 1",
          "aimi_http_requests_total{route=\"/v1/chats\",method=\"POST\",status=\"400\"} 1",
          "aimi_http_request_duration_seconds_bucket{route=\"/v1/chats/{chat_id}/"
          "messages\",method=\"POST\",le=\"+Inf\"} 1",
          "aimi_command_outcomes_total{outcome=\"applied\"} 3", "aimi_kafka_append_duration_seconds_count 3",
          "aimi_db_pool_connections{state=\"max\"}", "aimi_parked_waits 0",
          "aimi_projection_lag_records{projection=\"entity_store\",partition=\"0\"}"})
        EXPECT_NE(gateway_text.find(series), std::string::npos) << series << "\n" << gateway_text;
    const HttpClient projector_http(read_port(projector_port_file));
    const auto projector_text = projector_http.request("GET", "/metrics").body;
    EXPECT_EQ(promtool_problems(projector_text, env.log_path("projector.metrics")), "");
    for (const char* series : {"aimi_projector_batches_total{projection=\"entity_store\"}",
                               "aimi_projector_records_total{projection=\"entity_store\",result=\"applied\"} 3",
                               "aimi_projector_batch_apply_seconds_bucket", "aimi_projector_next_offset{",
                               "aimi_fact_relay_published_total "})
        EXPECT_NE(projector_text.find(series), std::string::npos) << series << "\n" << projector_text;

    // A real Prometheus scrapes the gateway and the projector every 500 ms.
    const auto prometheus_port = free_port();
    const auto config = env.log_path("prometheus.yml");
    std::ofstream(config) << fmt::format(R"(global:
  scrape_interval: 500ms
  evaluation_interval: 500ms
scrape_configs:
  - job_name: aimi-gateway
    static_configs: [{{targets: ["127.0.0.1:{}"]}}]
  - job_name: aimi-projector
    static_configs: [{{targets: ["127.0.0.1:{}"]}}]
)",
                                         gateway.port, read_port(projector_port_file));
    ChildProcess prometheus("/usr/bin/prometheus",
                            {"--config.file=" + config, "--storage.tsdb.path=" + env.log_path("prometheus-data"),
                             fmt::format("--web.listen-address=127.0.0.1:{}", prometheus_port), "--log.level=warn"},
                            {}, env.log_path("prometheus"));
    const HttpClient promql(prometheus_port);
    const auto query = [&](const std::string& expression) -> std::optional<double> {
        std::string encoded;
        for (unsigned char c : expression)
            encoded += std::isalnum(c) ? std::string(1, static_cast<char>(c)) : fmt::format("%{:02X}", c);
        try {
            const auto body = promql.request("GET", "/api/v1/query?query=" + encoded).json();
            const auto& result = body.at("data").at("result").as_array();
            if (result.empty()) return std::nullopt;
            return std::stod(std::string(result[0].at("value").at(1).as_string()));
        } catch (const std::exception&) {
            return std::nullopt;
        }
    };
    const std::string lag = R"(sum(aimi_projection_lag_records{job="aimi-gateway",projection="entity_store"}))";
    ASSERT_TRUE(eventually([&] { return query(lag) == 0.0; }, std::chrono::seconds(60))) << prometheus.log_tail();
    ASSERT_TRUE(eventually([&] { return query("up{job=\"aimi-projector\"}") == 1.0; }));

    // The projector stops; commands keep coming (202): the lag rises where Prometheus sees it.
    projector.reset();
    for (int i = 0; i < 20; ++i)
        EXPECT_EQ(http.post("/v1/chats/" + chat_id + "/messages", token, R"({"content":"later"})",
                            {{"Prefer", "respond-async"}})
                      .status,
                  202);
    EXPECT_TRUE(eventually([&] { return query(lag) == 20.0; }, std::chrono::seconds(30))) << query(lag).value_or(-1);
    EXPECT_TRUE(eventually([&] { return query("up{job=\"aimi-projector\"}") == 0.0; }));

    // It runs again and catches up: the lag falls back to zero.
    projector = env.start_projector(projector_env);
    EXPECT_TRUE(eventually([&] { return query(lag) == 0.0; }, std::chrono::seconds(30))) << query(lag).value_or(-1);
    EXPECT_TRUE(eventually([&] {
        return query(R"(max_over_time(sum(aimi_projection_lag_records{job="aimi-gateway"})[1m:500ms]))") >= 20.0;
    }));
}

}  // namespace
}  // namespace aimi::testing
