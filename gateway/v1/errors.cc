#include "gateway/v1/errors.h"

#include <utility>

#include <nlohmann/json.hpp>

#include "gateway/json_body.h"

namespace dialtone::gateway::v1 {

Response RenderApiError(std::string_view request_id, const ApiError& error) {
  nlohmann::json details = nlohmann::json::array();
  for (const auto& d : error.details) details.push_back({{"path", d.path}, {"message", d.message}});
  nlohmann::json body = {{"error",
                          {{"code", error.code},
                           {"message", error.message},
                           {"details", std::move(details)},
                           {"request_id", request_id}}}};
  Response response = JsonResponse(error.status, body);
  if (error.status == 401) {
    response.headers.Set("www-authenticate", error.challenge.empty() ? "Bearer realm=\"dialtone\"" : error.challenge);
  }
  return response;
}

Response RenderV1Shape(const Request& request, const ApiError& error) {
  return RenderApiError(request.request_id, error);
}

Response RenderV1Error(const Request& request, int status, std::string_view code,
                       std::string_view message) {
  return RenderApiError(request.request_id, ApiError::Of(status, std::string(code), std::string(message)));
}

ApiError FromCommandError(const commands::CommandError& error, bool conditional) {
  const Status& status = error.status;
  switch (status.code()) {
    case ErrorCode::kInvalidArgument: {
      std::vector<ErrorDetail> details;
      for (const auto& e : error.field_errors) details.push_back({e.path, e.message});
      return ApiError::InvalidArgument(status.message(), std::move(details));
    }
    case ErrorCode::kFailedPrecondition: {
      std::vector<ErrorDetail> details;
      for (const auto& r : error.referrers) details.push_back({r.ToString(), "refers to this resource"});
      return ApiError::WithCode("CONFLICT", status.message(), std::move(details));
    }
    case ErrorCode::kWrongExpectedVersion:
      if (conditional) {
        return ApiError::PreconditionFailed(
            "If-Match does not name the current revision (" + status.message() + "); nothing changed");
      }
      return ApiErrorOfStatus(status);
    default:
      return ApiErrorOfStatus(status);
  }
}

ApiError FromStatus(const Status& status, bool conditional) {
  return FromCommandError(commands::CommandError(status), conditional);
}

}  // namespace dialtone::gateway::v1
