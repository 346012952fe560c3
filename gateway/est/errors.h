// The EST dialect's error shape (seed 002 "Error Messages"):
//   {"code": 400, "status": "INVALID_ARGUMENT", "message": "…",
//    "details": [{"field": "hostName", "description": "…"}]}
// `code` is the HTTP status, `status` a stable upper-case name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "gateway/http_types.h"

namespace dialtone::gateway::est {

struct EstErrorDetail {
  std::string field;        // camelCase path into the request ("" = the body / the request)
  std::string description;
};

struct EstError {
  int code = 500;
  std::string status;       // e.g. "NOT_FOUND"; empty = no error
  std::string message;
  std::vector<EstErrorDetail> details;

  bool ok() const { return status.empty(); }

  static EstError InvalidArgument(std::string message, std::vector<EstErrorDetail> details = {});
  static EstError Unauthenticated(std::string message);
  static EstError PermissionDenied(std::string message);
  static EstError NotFound(std::string message);
  static EstError FailedPrecondition(std::string message);  // 409
  static EstError UnsupportedMediaType(std::string message);
  static EstError Unavailable(std::string message);
  static EstError Internal(std::string message);
};

Response RenderEstError(const EstError& error);

// An ErrorRenderer for the router and the server (unknown route, 405, 413, …).
Response RenderEstGenericError(const Request& request, int status, std::string_view code,
                               std::string_view message);

// Internal errors (account service, views): kInvalidArgument 400, kNotFound 404,
// kAlreadyExists 400 ALREADY_EXISTS, kFailedPrecondition / kWrongExpectedVersion 409,
// kUnavailable / kBusy / kTimeout 503, others 500. Field errors are NOT mapped here (the
// API maps model paths to camelCase itself).
EstError FromStatus(const Status& status);

}  // namespace dialtone::gateway::est
