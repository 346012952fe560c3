// The EST dialect's error shape (seed 002 "Error Messages") and its mapping of failures:
//   {"code": 400, "status": "INVALID_ARGUMENT", "message": "…",
//    "details": [{"field": "hostName", "description": "…"}]}
// `code` is the HTTP status, `status` the error's stable upper-case code (ApiError::code),
// a detail's `field` its path and `description` its message.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "gateway/api_error.h"
#include "gateway/http_types.h"

namespace dialtone::gateway::est {

// 409 FAILED_PRECONDITION: the EST code of a write the state refuses.
ApiError FailedPrecondition(std::string message);

Response RenderEstError(const ApiError& error);
// The EST ErrorShape.
Response RenderEstShape(const Request& request, const ApiError& error);

// An ErrorRenderer for the router and the server (unknown route, 405, 413, …).
Response RenderEstGenericError(const Request& request, int status, std::string_view code,
                               std::string_view message);

// Internal errors (account service, views): kInvalidArgument 400, kNotFound 404,
// kAlreadyExists 400 ALREADY_EXISTS, kFailedPrecondition / kWrongExpectedVersion 409,
// kUnavailable / kBusy 503, others 500. Field errors are NOT mapped here (the dialect maps
// model paths to camelCase itself).
ApiError FromStatus(const Status& status);

}  // namespace dialtone::gateway::est
