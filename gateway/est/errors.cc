#include "gateway/est/errors.h"

#include <nlohmann/json.hpp>

namespace dialtone::gateway::est {

namespace {
EstError Make(int code, std::string status, std::string message, std::vector<EstErrorDetail> details = {}) {
  EstError e;
  e.code = code;
  e.status = std::move(status);
  e.message = std::move(message);
  e.details = std::move(details);
  return e;
}
}  // namespace

EstError EstError::InvalidArgument(std::string m, std::vector<EstErrorDetail> d) {
  return Make(400, "INVALID_ARGUMENT", std::move(m), std::move(d));
}
EstError EstError::Unauthenticated(std::string m) { return Make(401, "UNAUTHENTICATED", std::move(m)); }
EstError EstError::PermissionDenied(std::string m) { return Make(403, "PERMISSION_DENIED", std::move(m)); }
EstError EstError::NotFound(std::string m) { return Make(404, "NOT_FOUND", std::move(m)); }
EstError EstError::FailedPrecondition(std::string m) { return Make(409, "FAILED_PRECONDITION", std::move(m)); }
EstError EstError::UnsupportedMediaType(std::string m) {
  return Make(415, "UNSUPPORTED_MEDIA_TYPE", std::move(m));
}
EstError EstError::Unavailable(std::string m) { return Make(503, "UNAVAILABLE", std::move(m)); }
EstError EstError::Internal(std::string m) { return Make(500, "INTERNAL", std::move(m)); }

Response RenderEstError(const EstError& error) {
  nlohmann::json details = nlohmann::json::array();
  for (const auto& d : error.details) details.push_back({{"field", d.field}, {"description", d.description}});
  nlohmann::json body = {{"code", error.code},
                         {"status", error.status},
                         {"message", error.message},
                         {"details", std::move(details)}};
  Response response = Response::Json(error.code, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  if (error.code == 401) response.headers.Set("www-authenticate", "Basic realm=\"est\", Bearer");
  return response;
}

Response RenderEstGenericError(const Request&, int status, std::string_view code, std::string_view message) {
  EstError e;
  e.code = status;
  e.status = std::string(code);
  e.message = std::string(message);
  return RenderEstError(e);
}

EstError FromStatus(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kInvalidArgument: return EstError::InvalidArgument(status.message());
    case ErrorCode::kNotFound: return EstError::NotFound(status.message());
    case ErrorCode::kAlreadyExists: return Make(400, "ALREADY_EXISTS", status.message());
    case ErrorCode::kFailedPrecondition:
    case ErrorCode::kWrongExpectedVersion: return EstError::FailedPrecondition(status.message());
    case ErrorCode::kUnavailable:
    case ErrorCode::kBusy: return EstError::Unavailable(status.message());
    default: return EstError::Internal(status.message());
  }
}

}  // namespace dialtone::gateway::est
