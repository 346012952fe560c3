#include "gateway/v1/errors.h"

#include <utility>

#include <nlohmann/json.hpp>

#include "commands/account_commands.h"

namespace dialtone::gateway::v1 {

namespace {

ApiError Make(std::string code, std::string message, std::vector<ErrorDetail> details = {}) {
  ApiError e;
  e.status = StatusOfCode(code);
  e.code = std::move(code);
  e.message = std::move(message);
  e.details = std::move(details);
  return e;
}


}  // namespace

ApiError ApiError::InvalidArgument(std::string message, std::vector<ErrorDetail> details) {
  return Make("INVALID_ARGUMENT", std::move(message), std::move(details));
}
ApiError ApiError::Unauthenticated(std::string message) { return Make("UNAUTHENTICATED", std::move(message)); }
ApiError ApiError::PermissionDenied(std::string message) { return Make("PERMISSION_DENIED", std::move(message)); }
ApiError ApiError::NotFound(std::string message) { return Make("NOT_FOUND", std::move(message)); }
ApiError ApiError::Conflict(std::string message) { return Make("CONFLICT", std::move(message)); }
ApiError ApiError::PreconditionFailed(std::string message) {
  return Make("PRECONDITION_FAILED", std::move(message));
}
ApiError ApiError::UnsupportedMediaType(std::string message) {
  return Make("UNSUPPORTED_MEDIA_TYPE", std::move(message));
}
ApiError ApiError::PayloadTooLarge(std::string message) { return Make("PAYLOAD_TOO_LARGE", std::move(message)); }
ApiError ApiError::Unavailable(std::string message) { return Make("UNAVAILABLE", std::move(message)); }
ApiError ApiError::Internal(std::string message) { return Make("INTERNAL", std::move(message)); }

int StatusOfCode(std::string_view code) {
  if (code == "INVALID_ARGUMENT" || code == "BAD_REQUEST") return 400;
  if (code == "UNAUTHENTICATED") return 401;
  if (code == "PERMISSION_DENIED") return 403;
  if (code == "NOT_FOUND") return 404;
  if (code == "METHOD_NOT_ALLOWED") return 405;
  if (code == "REQUEST_TIMEOUT") return 408;
  if (code == "ALREADY_EXISTS" || code == "CONFLICT") return 409;
  if (code == "PRECONDITION_FAILED") return 412;
  if (code == "PAYLOAD_TOO_LARGE") return 413;
  if (code == "UNSUPPORTED_MEDIA_TYPE") return 415;
  if (code == "HEADERS_TOO_LARGE") return 431;
  if (code == "UNAVAILABLE" || code == "TIMEOUT") return 503;
  return 500;
}

Response RenderApiError(std::string_view request_id, const ApiError& error) {
  nlohmann::json details = nlohmann::json::array();
  for (const auto& d : error.details) details.push_back({{"path", d.path}, {"message", d.message}});
  nlohmann::json body = {{"error",
                          {{"code", error.code},
                           {"message", error.message},
                           {"details", std::move(details)},
                           {"request_id", request_id}}}};
  Response response = Response::Json(
      error.status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  if (error.status == 401) response.headers.Set("www-authenticate", "Bearer realm=\"dialtone\"");
  return response;
}

Response RenderV1Error(const Request& request, int status, std::string_view code,
                       std::string_view message) {
  ApiError error;
  error.status = status;
  error.code = std::string(code);
  error.message = std::string(message);
  return RenderApiError(request.request_id, error);
}

ApiError FromCommandError(const commands::CommandError& error, bool conditional) {
  const Status& status = error.status;
  switch (status.code()) {
    case ErrorCode::kInvalidArgument: {
      std::vector<ErrorDetail> details;
      for (const auto& e : error.field_errors) details.push_back({e.path, e.message});
      return ApiError::InvalidArgument(status.message(), std::move(details));
    }
    case ErrorCode::kNotFound:
      return ApiError::NotFound(status.message());
    case ErrorCode::kAlreadyExists:
      return Make("ALREADY_EXISTS", status.message());
    case ErrorCode::kFailedPrecondition: {
      std::vector<ErrorDetail> details;
      for (const auto& r : error.referrers) details.push_back({r.ToString(), "refers to this resource"});
      return Make("CONFLICT", status.message(), std::move(details));
    }
    case ErrorCode::kWrongExpectedVersion:
      if (conditional) {
        return ApiError::PreconditionFailed(
            "If-Match does not name the current revision (" + status.message() + "); nothing changed");
      }
      return ApiError::Conflict("another change got there first; retry (" + status.message() + ")");
    case ErrorCode::kUnavailable:
    case ErrorCode::kBusy:
      return ApiError::Unavailable(status.message());
    default:
      return ApiError::Internal(status.ToString());
  }
}

ApiError FromStatus(const Status& status, bool conditional) {
  return FromCommandError(commands::CommandError(status), conditional);
}

}  // namespace dialtone::gateway::v1
