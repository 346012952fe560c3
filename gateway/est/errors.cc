#include "gateway/est/errors.h"

#include <nlohmann/json.hpp>

#include "gateway/json_body.h"

namespace dialtone::gateway::est {

ApiError FailedPrecondition(std::string message) {
  return ApiError::Of(409, "FAILED_PRECONDITION", std::move(message));
}

Response RenderEstError(const ApiError& error) {
  nlohmann::json details = nlohmann::json::array();
  for (const auto& d : error.details) details.push_back({{"field", d.path}, {"description", d.message}});
  nlohmann::json body = {{"code", error.status},
                         {"status", error.code},
                         {"message", error.message},
                         {"details", std::move(details)}};
  Response response = JsonResponse(error.status, body);
  if (error.status == 401) {
    response.headers.Set("www-authenticate", error.challenge.empty() ? "Basic realm=\"est\", Bearer" : error.challenge);
  }
  return response;
}

Response RenderEstShape(const Request&, const ApiError& error) { return RenderEstError(error); }

Response RenderEstGenericError(const Request&, int status, std::string_view code, std::string_view message) {
  return RenderEstError(ApiError::Of(status, std::string(code), std::string(message)));
}

ApiError FromStatus(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kInvalidArgument: return ApiError::InvalidArgument(status.message());
    case ErrorCode::kNotFound: return ApiError::NotFound(status.message());
    case ErrorCode::kAlreadyExists: return ApiError::Of(400, "ALREADY_EXISTS", status.message());
    case ErrorCode::kFailedPrecondition:
    case ErrorCode::kWrongExpectedVersion: return FailedPrecondition(status.message());
    case ErrorCode::kUnavailable:
    case ErrorCode::kBusy: return ApiError::Unavailable(status.message());
    default: return ApiError::Internal(status.message());
  }
}

}  // namespace dialtone::gateway::est
