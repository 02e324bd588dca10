#pragma once

#include <string>
#include <utility>

#include <boost/json/object.hpp>

namespace aimi {

//! What kind of failure a Problem is; the gateway maps each kind to one HTTP status in one place.
enum class ProblemKind {
    invalid_input,           //!< malformed or schema-violating input
    unauthorized,            //!< missing or bad credentials
    forbidden,               //!< authenticated, but not allowed
    not_found,               //!< unknown id, or one that belongs to somebody else
    conflict,                //!< the current state forbids the command
    gone,                    //!< the resource existed and was erased for good
    unprocessable,           //!< well-formed, but semantically refused (e.g. idempotency key reused)
    payload_too_large,       //!< body over the limit
    method_not_allowed,      //!< the path exists, the method does not
    unsupported_media_type,  //!< a body that is not application/json
    too_many_requests,       //!< the caller holds too much at once (e.g. parked waits); retry later
    unavailable,             //!< a dependency is down; retrying later may help
    timeout,                 //!< waited too long for the projection
    internal,                //!< a bug or an unexpected infrastructure error
};

//! An expected failure, returned as a value. `code` is stable and documented; `field` is a JSON
//! pointer (or header name) naming the offending input, empty when none applies.
struct Problem {
    ProblemKind kind = ProblemKind::internal;
    std::string code;
    std::string message;
    std::string field;
    boost::json::object details = {};  //!< more to name: the goals, path or dependencies at fault

    static Problem invalid(std::string code, std::string message, std::string field = {}) {
        return {ProblemKind::invalid_input, std::move(code), std::move(message), std::move(field)};
    }
    static Problem not_found(std::string code, std::string message, std::string field = {}) {
        return {ProblemKind::not_found, std::move(code), std::move(message), std::move(field)};
    }
    static Problem conflict(std::string code, std::string message, std::string field = {}) {
        return {ProblemKind::conflict, std::move(code), std::move(message), std::move(field)};
    }
};

}  // namespace aimi
