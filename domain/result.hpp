#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "domain/problem.hpp"

namespace aimi {

//! Either a value or a Problem: expected failures travel as values (C++20 has no std::expected).
template <class T>
class [[nodiscard]] Result {
  public:
    Result(T value) : state_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
    Result(Problem problem) : state_(std::move(problem)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return std::holds_alternative<T>(state_); }
    explicit operator bool() const { return ok(); }

    T& value() & {
        assert(ok());
        return std::get<T>(state_);
    }
    const T& value() const& {
        assert(ok());
        return std::get<T>(state_);
    }
    T&& value() && {
        assert(ok());
        return std::get<T>(std::move(state_));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Problem& problem() const {
        assert(!ok());
        return std::get<Problem>(state_);
    }

  private:
    std::variant<T, Problem> state_;
};

}  // namespace aimi
