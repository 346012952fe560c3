// An error a dialect answers, as values: the HTTP status, a stable upper-case code, a
// message for people, and the request fields it concerns. Each dialect renders it in its
// own shape (an ErrorShape: /v1 {"error":{…}}, EST {code, status, message, details}) and
// maps failed commands to it with its own table.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "gateway/http_types.h"

namespace dialtone::gateway {

struct ErrorDetail {
  std::string path;     // the request field ("" = the body or the request itself)
  std::string message;
};

struct ApiError {
  int status = 500;
  std::string code;     // e.g. "NOT_FOUND"
  std::string message;
  std::vector<ErrorDetail> details;
  // A 401's WWW-Authenticate challenge when it must say more than the dialect's own (RFC
  // 6750 §3: `Bearer error="invalid_token", …`); "" = the dialect's.
  std::string challenge;

  // An ApiError with no code is "no error" (lets Result<T, ApiError> hold it).
  bool ok() const { return code.empty(); }

  static ApiError Of(int status, std::string code, std::string message, std::vector<ErrorDetail> details = {});
  // The status is the code's (StatusOfCode).
  static ApiError WithCode(std::string code, std::string message, std::vector<ErrorDetail> details = {});
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

// The HTTP status of a code: INVALID_ARGUMENT and BAD_REQUEST 400, UNAUTHENTICATED 401,
// PERMISSION_DENIED 403, NOT_FOUND 404, METHOD_NOT_ALLOWED 405, REQUEST_TIMEOUT 408,
// ALREADY_EXISTS and CONFLICT 409, PRECONDITION_FAILED 412, PAYLOAD_TOO_LARGE 413,
// UNSUPPORTED_MEDIA_TYPE 415, HEADERS_TOO_LARGE 431, UNAVAILABLE and TIMEOUT 503; 500 for
// any other.
int StatusOfCode(std::string_view code);

// The failure of a module the dialects read from (a view, a store): kInvalidArgument 400
// INVALID_ARGUMENT (an error of the request itself: one detail without a path), kNotFound
// 404, kAlreadyExists 409 ALREADY_EXISTS, kFailedPrecondition 409 CONFLICT,
// kWrongExpectedVersion 409 CONFLICT (another writer got there first), kUnavailable /
// kBusy 503 UNAVAILABLE, anything else 500 INTERNAL.
ApiError ApiErrorOfStatus(const Status& status);

// Renders an error in a dialect's shape.
using ErrorShape = std::function<Response(const Request& request, const ApiError& error)>;

// The router's and the server's generic errors (404, 405, 413, …) in that shape.
ErrorRenderer RendererOf(ErrorShape shape);

}  // namespace dialtone::gateway
