#include "domain/metrics/registry.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace aimi::metrics {

namespace {

void atomic_add(std::atomic<double>& target, double amount) {
    double current = target.load();
    while (!target.compare_exchange_weak(current, current + amount)) {
    }
}

std::string escape(std::string_view value) {
    std::string out;
    for (char c : value) {
        if (c == '\\' || c == '"')
            out += std::string("\\") + c;
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string label_text(const Labels& labels, const std::string& extra = {}) {
    std::string out;
    for (const auto& [k, v] : labels) out += (out.empty() ? "" : ",") + k + "=\"" + escape(v) + "\"";
    if (!extra.empty()) out += (out.empty() ? "" : ",") + extra;
    return out.empty() ? "" : "{" + out + "}";
}

std::string number(double v) {
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (std::isnan(v)) return "NaN";
    return fmt::format("{}", v);
}

}  // namespace

void Counter::add(double amount) {
    if (amount < 0) throw std::invalid_argument("a counter only goes up");
    atomic_add(value_, amount);
}
double Counter::value() const {
    return value_.load();
}
void Gauge::set(double value) {
    value_.store(value);
}
void Gauge::add(double amount) {
    atomic_add(value_, amount);
}
double Gauge::value() const {
    return value_.load();
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)), buckets_(bounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
    std::lock_guard lock(mutex_);
    std::size_t i = 0;
    while (i < bounds_.size() && value > bounds_[i]) ++i;
    ++buckets_[i];
    sum_ += value;
    ++count_;
}

Histogram::Snapshot Histogram::snapshot() const {
    std::lock_guard lock(mutex_);
    Snapshot s{bounds_, {}, sum_, count_};
    std::uint64_t running = 0;
    for (auto n : buckets_) s.cumulative.push_back(running += n);
    return s;
}

std::vector<double> latency_buckets() {
    return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}
std::vector<double> size_buckets() {
    return {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
}

Registry::Family& Registry::family(const std::string& name, const std::string& type, const std::string& help) {
    auto [it, inserted] = families_.try_emplace(name);
    if (inserted) {
        it->second.type = type;
        it->second.help = help;
    } else if (it->second.type != type) {
        throw std::logic_error("metric " + name + " registered as " + it->second.type + " and " + type);
    }
    return it->second;
}

Counter& Registry::counter(const std::string& name, const std::string& help, const Labels& labels) {
    std::lock_guard lock(mutex_);
    auto& slot = family(name, "counter", help).counters[labels];
    if (!slot) slot = std::make_unique<Counter>();
    return *slot;
}

Gauge& Registry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
    std::lock_guard lock(mutex_);
    auto& slot = family(name, "gauge", help).gauges[labels];
    if (!slot) slot = std::make_unique<Gauge>();
    return *slot;
}

Histogram& Registry::histogram(const std::string& name, const std::string& help, const Labels& labels,
                               std::vector<double> bounds) {
    std::lock_guard lock(mutex_);
    auto& slot = family(name, "histogram", help).histograms[labels];
    if (!slot) slot = std::make_unique<Histogram>(std::move(bounds));
    return *slot;
}

void Registry::on_collect(std::function<void()> refresh) {
    std::lock_guard lock(mutex_);
    refreshers_.push_back(std::move(refresh));
}

std::string Registry::render() {
    std::vector<std::function<void()>> refreshers;
    {
        std::lock_guard lock(mutex_);
        refreshers = refreshers_;
    }
    for (const auto& refresh : refreshers) refresh();  // outside the lock: they set gauges
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& [name, f] : families_) {
        out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, f.help, name, f.type);
        for (const auto& [labels, c] : f.counters) out += name + label_text(labels) + " " + number(c->value()) + "\n";
        for (const auto& [labels, g] : f.gauges) out += name + label_text(labels) + " " + number(g->value()) + "\n";
        for (const auto& [labels, h] : f.histograms) {
            const auto s = h->snapshot();
            for (std::size_t i = 0; i < s.cumulative.size(); ++i) {
                const auto le = i < s.bounds.size() ? number(s.bounds[i]) : "+Inf";
                out += name + "_bucket" + label_text(labels, "le=\"" + le + "\"") + " " +
                       std::to_string(s.cumulative[i]) + "\n";
            }
            out += name + "_sum" + label_text(labels) + " " + number(s.sum) + "\n";
            out += name + "_count" + label_text(labels) + " " + std::to_string(s.count) + "\n";
        }
    }
    return out;
}

Registry& registry() {
    static Registry instance;
    return instance;
}

}  // namespace aimi::metrics
