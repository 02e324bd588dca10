#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

// Prometheus metrics: counters, gauges and histograms with labels, rendered in the text
// exposition format (version 0.0.4). Thread-safe; a metric with labels keeps one series per
// label values. Pure: the HTTP endpoint lives with each process.
namespace aimi::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
  public:
    void add(double amount = 1);
    double value() const;

  private:
    std::atomic<double> value_{0};
};

class Gauge {
  public:
    void set(double value);
    void add(double amount);
    double value() const;

  private:
    std::atomic<double> value_{0};
};

class Histogram {
  public:
    explicit Histogram(std::vector<double> bounds);
    void observe(double value);
    //! Cumulative counts per upper bound (+Inf last), sum, count.
    struct Snapshot {
        std::vector<double> bounds;
        std::vector<std::uint64_t> cumulative;
        double sum = 0;
        std::uint64_t count = 0;
    };
    Snapshot snapshot() const;

  private:
    std::vector<double> bounds_;
    mutable std::mutex mutex_;
    std::vector<std::uint64_t> buckets_;  // per bucket, +Inf last
    double sum_ = 0;
    std::uint64_t count_ = 0;
};

//! Latency buckets in seconds: 0.5 ms to 30 s.
std::vector<double> latency_buckets();
//! Size buckets: 1 to 10 000 (records per batch).
std::vector<double> size_buckets();

class Registry {
  public:
    Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
    Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
    Histogram& histogram(const std::string& name, const std::string& help, const Labels& labels = {},
                         std::vector<double> bounds = latency_buckets());

    //! Called before each render (e.g. to refresh gauges that are read, not pushed).
    void on_collect(std::function<void()> refresh);

    //! The text exposition format.
    std::string render();

  private:
    struct Family {
        std::string type;  // counter | gauge | histogram
        std::string help;
        std::map<Labels, std::unique_ptr<Counter>> counters;
        std::map<Labels, std::unique_ptr<Gauge>> gauges;
        std::map<Labels, std::unique_ptr<Histogram>> histograms;
    };
    Family& family(const std::string& name, const std::string& type, const std::string& help);

    std::mutex mutex_;
    std::map<std::string, Family> families_;
    std::vector<std::function<void()>> refreshers_;
};

//! The process's registry.
Registry& registry();

}  // namespace aimi::metrics
