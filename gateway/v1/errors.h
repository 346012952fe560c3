// The native API's error shape and the mapping from internal errors to it:
//   {"error": {"code": "NOT_FOUND", "message": "…", "details": [{"path", "message"}],
//              "request_id": "…"}}
// Codes and their HTTP statuses: INVALID_ARGUMENT and BAD_REQUEST 400, UNAUTHENTICATED 401,
// PERMISSION_DENIED 403, NOT_FOUND 404, METHOD_NOT_ALLOWED 405, ALREADY_EXISTS and
// CONFLICT 409, PRECONDITION_FAILED 412, PAYLOAD_TOO_LARGE 413, UNSUPPORTED_MEDIA_TYPE
// 415, INTERNAL 500, UNAVAILABLE and TIMEOUT 503.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "commands/account_commands.h"
#include "common/status.h"
#include "gateway/http_types.h"

namespace dialtone::gateway::v1 {

struct ErrorDetail {
  std::string path;     // JSON path into the request body ("" = the body itself)
  std::string message;
};

struct ApiError {
  int status = 500;
  std::string code;     // e.g. "NOT_FOUND"
  std::string message;
  std::vector<ErrorDetail> details;

  // An ApiError with no code is "no error" (lets Result<T, ApiError> hold it).
  bool ok() const { return code.empty(); }

  static ApiError InvalidArgument(std::string message, std::vector<ErrorDetail> details = {});
  static ApiError Unauthenticated(std::string message);
  static ApiError PermissionDenied(std::string message);
  static ApiError NotFound(std::string message);
  static ApiError Conflict(std::string message);
  static ApiError PreconditionFailed(std::string message);
  static ApiError UnsupportedMediaType(std::string message);
  static ApiError PayloadTooLarge(std::string message);
  static ApiError Unavailable(std::string message);
  static ApiError Internal(std::string message);
};

// The HTTP status of a code (500 for an unknown one).
int StatusOfCode(std::string_view code);

// Renders `error` with the request id; 401 also carries `www-authenticate`.
Response RenderApiError(std::string_view request_id, const ApiError& error);

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
//   kUnavailable / kBusy / kTimeout -> 503 UNAVAILABLE; anything else -> 500 INTERNAL.
ApiError FromCommandError(const commands::CommandError& error, bool conditional = false);
// The same mapping for an error of a view or another module (a kInvalidArgument is an
// error of the request itself: one detail without a path).
ApiError FromStatus(const Status& status, bool conditional = false);

}  // namespace dialtone::gateway::v1
