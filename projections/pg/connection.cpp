#include "projections/pg/connection.hpp"

#include <cerrno>  // program_invocation_short_name (glibc)
#include <cstdlib>
#include <stdexcept>

#include <pqxx/pqxx>

#include "projections/errors.hpp"

namespace aimi::pg {

bool is_valid_schema_name(std::string_view name) {
    if (name.empty() || name.size() > 63) return false;
    if (!(name[0] == '_' || (name[0] >= 'a' && name[0] <= 'z'))) return false;
    for (char c : name)
        if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
    return true;
}

std::unique_ptr<pqxx::connection> connect(const std::string& url, const std::string& schema) {
    if (!is_valid_schema_name(schema)) throw std::invalid_argument("invalid schema name: " + schema);
    // libpq URI query parameter ("%3D" is '=', "%20" a space); the server sees
    //   -c search_path=<schema> -c plan_cache_mode=<AIMI_PG_PLAN_CACHE_MODE, default auto>
    // Under auto, PostgreSQL plans a prepared statement's first five executions for their
    // parameters, then keeps a generic plan if it costs no more; pg::exec drops cached plans once a
    // minute (pg/statement.hpp), so a generic plan made while a table was tiny cannot outlive its
    // growth. Planning every execution (force_custom_plan) cost ~17 ms of PostgreSQL CPU per
    // assistant turn (docs/benchmarks.md, phase k).
    const char* mode = std::getenv("AIMI_PG_PLAN_CACHE_MODE");
    const std::string plan_mode = mode && *mode ? mode : "auto";
    if (plan_mode != "auto" && plan_mode != "force_custom_plan" && plan_mode != "force_generic_plan")
        throw std::invalid_argument("AIMI_PG_PLAN_CACHE_MODE must be auto, force_custom_plan or force_generic_plan");
    // application_name: pg_stat_activity names the process a backend serves (aimi-assistant, ...).
    const std::string options = "options=-csearch_path%3D" + schema + "%20-cplan_cache_mode%3D" + plan_mode +
                                "&application_name=" + program_invocation_short_name;
    const std::string full = url + (url.find('?') == std::string::npos ? "?" : "&") + options;
    try {
        return std::make_unique<pqxx::connection>(full);
    } catch (const pqxx::broken_connection& e) {
        throw DatabaseUnavailable(std::string("cannot connect to PostgreSQL: ") + e.what());
    }
}

ConnectionPool::ConnectionPool(std::string url, std::string schema, std::size_t size)
    : url_(std::move(url)), schema_(std::move(schema)), size_(size) {}

ConnectionPool::~ConnectionPool() = default;

ConnectionPool::Lease::Lease(ConnectionPool& pool, std::unique_ptr<pqxx::connection> connection)
    : pool_(&pool), connection_(std::move(connection)) {}

ConnectionPool::Lease::~Lease() {
    if (pool_) pool_->release(std::move(connection_));
}

ConnectionPool::Lease ConnectionPool::acquire() {
    std::unique_lock lock(mutex_);
    ++waiting_;
    available_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
    --waiting_;
    if (!idle_.empty()) {
        auto connection = std::move(idle_.back());
        idle_.pop_back();
        return Lease(*this, std::move(connection));
    }
    ++open_;
    lock.unlock();
    try {
        return Lease(*this, connect(url_, schema_));
    } catch (...) {
        lock.lock();
        --open_;
        available_.notify_one();
        throw;
    }
}

ConnectionPool::Stats ConnectionPool::stats() {
    std::lock_guard lock(mutex_);
    return Stats{size_, open_, idle_.size(), waiting_};
}

void ConnectionPool::release(std::unique_ptr<pqxx::connection> connection) {
    std::lock_guard lock(mutex_);
    if (connection && connection->is_open()) {
        idle_.push_back(std::move(connection));
    } else {
        --open_;
    }
    available_.notify_one();
}

}  // namespace aimi::pg
