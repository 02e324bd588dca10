#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pqxx/connection>

namespace aimi::pg {

//! True for schema names the project accepts (lower-case identifier, <= 63 bytes).
bool is_valid_schema_name(std::string_view name);

//! Opens a connection whose search_path is `schema` and whose plan_cache_mode is
//! AIMI_PG_PLAN_CACHE_MODE (default auto: generic plans where they cost no more; pg::exec keeps them
//! at most a minute old); both are set in the startup packet, so they survive reconnects.
//! @throws DatabaseUnavailable when the server cannot be reached.
std::unique_ptr<pqxx::connection> connect(const std::string& url, const std::string& schema);

//! A fixed-size pool of connections, lent out one request at a time.
class ConnectionPool {
  public:
    ConnectionPool(std::string url, std::string schema, std::size_t size);
    ~ConnectionPool();

    class Lease {
      public:
        Lease(ConnectionPool& pool, std::unique_ptr<pqxx::connection> connection);
        Lease(Lease&& other) noexcept
            : pool_(std::exchange(other.pool_, nullptr)), connection_(std::move(other.connection_)) {}
        Lease& operator=(Lease&&) = delete;
        ~Lease();
        pqxx::connection& operator*() const { return *connection_; }
        pqxx::connection* operator->() const { return connection_.get(); }
        //! Drops the connection instead of returning it (after a broken-connection error).
        void discard() { connection_.reset(); }

      private:
        ConnectionPool* pool_;
        std::unique_ptr<pqxx::connection> connection_;
    };

    //! Blocks until a connection is free; opens one lazily. @throws DatabaseUnavailable
    Lease acquire();

    struct Stats {
        std::size_t size = 0;  //!< most connections
        std::size_t open = 0;  //!< opened (in use + idle)
        std::size_t idle = 0;
        std::size_t waiting = 0;  //!< callers blocked in acquire()
    };
    Stats stats();

  private:
    void release(std::unique_ptr<pqxx::connection> connection);

    std::string url_;
    std::string schema_;
    std::size_t size_;
    std::size_t open_ = 0;
    std::size_t waiting_ = 0;
    std::vector<std::unique_ptr<pqxx::connection>> idle_;
    std::mutex mutex_;
    std::condition_variable available_;
};

}  // namespace aimi::pg
