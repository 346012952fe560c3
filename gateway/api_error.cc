#include "gateway/api_error.h"

#include <utility>

namespace dialtone::gateway {

ApiError ApiError::Of(int status, std::string code, std::string message, std::vector<ErrorDetail> details) {
  ApiError e;
  e.status = status;
  e.code = std::move(code);
  e.message = std::move(message);
  e.details = std::move(details);
  return e;
}

ApiError ApiError::WithCode(std::string code, std::string message, std::vector<ErrorDetail> details) {
  const int status = StatusOfCode(code);
  return Of(status, std::move(code), std::move(message), std::move(details));
}

ApiError ApiError::InvalidArgument(std::string message, std::vector<ErrorDetail> details) {
  return WithCode("INVALID_ARGUMENT", std::move(message), std::move(details));
}
ApiError ApiError::Unauthenticated(std::string message) { return WithCode("UNAUTHENTICATED", std::move(message)); }
ApiError ApiError::PermissionDenied(std::string message) { return WithCode("PERMISSION_DENIED", std::move(message)); }
ApiError ApiError::NotFound(std::string message) { return WithCode("NOT_FOUND", std::move(message)); }
ApiError ApiError::Conflict(std::string message) { return WithCode("CONFLICT", std::move(message)); }
ApiError ApiError::PreconditionFailed(std::string message) {
  return WithCode("PRECONDITION_FAILED", std::move(message));
}
ApiError ApiError::UnsupportedMediaType(std::string message) {
  return WithCode("UNSUPPORTED_MEDIA_TYPE", std::move(message));
}
ApiError ApiError::PayloadTooLarge(std::string message) { return WithCode("PAYLOAD_TOO_LARGE", std::move(message)); }
ApiError ApiError::Unavailable(std::string message) { return WithCode("UNAVAILABLE", std::move(message)); }
ApiError ApiError::Internal(std::string message) { return WithCode("INTERNAL", std::move(message)); }

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

ApiError ApiErrorOfStatus(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kInvalidArgument:
      return ApiError::InvalidArgument(status.message(), {{"", status.message()}});
    case ErrorCode::kNotFound:
      return ApiError::NotFound(status.message());
    case ErrorCode::kAlreadyExists:
      return ApiError::WithCode("ALREADY_EXISTS", status.message());
    case ErrorCode::kFailedPrecondition:
      return ApiError::Conflict(status.message());
    case ErrorCode::kWrongExpectedVersion:
      return ApiError::Conflict("another change got there first; retry (" + status.message() + ")");
    case ErrorCode::kUnavailable:
    case ErrorCode::kBusy:
      return ApiError::Unavailable(status.message());
    default:
      return ApiError::Internal(status.ToString());
  }
}

ErrorRenderer RendererOf(ErrorShape shape) {
  return [shape = std::move(shape)](const Request& request, int status, std::string_view code,
                                    std::string_view message) {
    return shape(request, ApiError::Of(status, std::string(code), std::string(message)));
  };
}

}  // namespace dialtone::gateway
