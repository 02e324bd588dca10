#pragma once

#include <stdexcept>
#include <string>

namespace aimi {

//! An infrastructure failure (broker, database). `retryable()` says whether trying again later
//! can help; the gateway maps retryable failures to 503 in one place.
class InfrastructureError : public std::runtime_error {
  public:
    InfrastructureError(const std::string& what, bool retryable) : std::runtime_error(what), retryable_(retryable) {}
    bool retryable() const { return retryable_; }

  private:
    bool retryable_;
};

class KafkaUnavailable : public InfrastructureError {
  public:
    explicit KafkaUnavailable(const std::string& what) : InfrastructureError(what, true) {}
};

class DatabaseUnavailable : public InfrastructureError {
  public:
    explicit DatabaseUnavailable(const std::string& what) : InfrastructureError(what, true) {}
};

}  // namespace aimi
