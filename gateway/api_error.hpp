#pragma once

#include <string>

#include <boost/json/value.hpp>

#include "domain/problem.hpp"
#include "gateway/http/http_types.hpp"

namespace aimi::gateway {

//! The one place a ProblemKind becomes an HTTP status.
int http_status(ProblemKind kind);

//! {"error":{"code","message","field","request_id"}} with the kind's status.
http::Response error_response(const Problem& problem, const std::string& request_id);

//! A JSON body with the given status.
http::Response json_response(int status, const boost::json::value& body);

}  // namespace aimi::gateway
