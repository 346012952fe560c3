// The native API's error shape and its mapping of failed commands:
//   {"error": {"code": "NOT_FOUND", "message": "…", "details": [{"path", "message"}],
//              "request_id": "…"}}
// The error itself is gateway::ApiError (codes and their HTTP statuses: api_error.h).
#pragma once

#include <string_view>

#include "commands/account_commands.h"
#include "common/status.h"
#include "gateway/api_error.h"
#include "gateway/http_types.h"

namespace dialtone::gateway::v1 {

// Renders `error` with the request id; 401 also carries `www-authenticate`.
Response RenderApiError(std::string_view request_id, const ApiError& error);
// The /v1 ErrorShape.
Response RenderV1Shape(const Request& request, const ApiError& error);

// An ErrorRenderer (router / server generic errors) in the /v1 shape, with no details.
Response RenderV1Error(const Request& request, int status, std::string_view code,
                       std::string_view message);

// Maps a failed account command:
//   kInvalidArgument -> 400 INVALID_ARGUMENT, a detail per field error;
//   kNotFound -> 404; kAlreadyExists -> 409 ALREADY_EXISTS;
//   kFailedPrecondition -> 409 CONFLICT (a delete refused because others refer to the
//     resource lists each referrer "kind/id" as a detail);
//   kWrongExpectedVersion -> 412 PRECONDITION_FAILED when the request sent If-Match
//     (`conditional`), else 409 CONFLICT (another writer got there first);
//   kUnavailable / kBusy -> 503 UNAVAILABLE; anything else -> 500 INTERNAL.
ApiError FromCommandError(const commands::CommandError& error, bool conditional = false);
// The same mapping for an error of a view or another module (ApiErrorOfStatus).
ApiError FromStatus(const Status& status, bool conditional = false);

}  // namespace dialtone::gateway::v1
