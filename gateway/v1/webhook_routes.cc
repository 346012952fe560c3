#include "gateway/v1/webhook_routes.h"
#include "gateway/json_body.h"

#include <nlohmann/json.hpp>

namespace dialtone::gateway::v1 {

namespace {

using Json = nlohmann::json;

Json RenderAttempt(const webhooks::RecordedAttempt& a) {
  const auto& r = a.record;
  return Json{{"delivery_id", r.delivery_id},
              {"webhook_id", r.webhook_id},
              {"event", r.event},
              {"url", a.url},
              {"attempt", r.attempt},
              {"started_at", r.started_ms / 1000},
              {"duration_ms", r.duration_ms},
              {"http_status", r.http_status == 0 ? Json(nullptr) : Json(r.http_status)},
              {"outcome", std::string(webhooks::AttemptOutcomeName(r.outcome))},
              {"error", r.error.empty() ? Json(nullptr) : Json(r.error)},
              {"response_excerpt", r.response_excerpt},
              {"next_attempt_at", r.next_attempt_ms == 0 ? Json(nullptr) : Json(r.next_attempt_ms / 1000)}};
}

}  // namespace

Status AddWebhookRoutes(Router& router, ConfigApi& api, const projections::ConfigView& view,
                        webhooks::WebhookService& service, std::chrono::milliseconds view_wait) {
  const std::vector<std::string> scopes = {std::string(kConfigScope), "webhooks"};
  // The service folds the same log as the view: a webhook the caller has just been told
  // about is known to the service once it reaches the view's position.
  auto caught_up = [&view, &service, view_wait]() -> std::optional<ApiError> {
    if (!service.WaitForPosition(view.position(), view_wait)) {
      return ApiError::Unavailable("the webhook service is behind the configuration; retry shortly");
    }
    return std::nullopt;
  };

  Status s = api.AddAccountRoute(
      router, "POST", "/v1/webhooks/test", scopes,
      [&service, caught_up](const Request& request, const Principal&, const std::string& account) -> Result<Response, ApiError> {
        std::string webhook_id;
        if (!request.body.empty()) {
          const Json body = Json::parse(request.body, nullptr, false);
          if (!body.is_object()) return ApiError::InvalidArgument("the body must be a JSON object");
          for (const auto& [key, value] : body.items()) {
            if (key != "webhook_id") return ApiError::InvalidArgument("unknown field '" + key + "'", {{key, "is not a field of a webhook test"}});
            if (!value.is_string() || value.get<std::string>().empty()) {
              return ApiError::InvalidArgument("webhook_id must be a non-empty string", {{"webhook_id", "must be a non-empty string"}});
            }
            webhook_id = value.get<std::string>();
          }
        }
        if (auto error = caught_up()) return *error;
        auto attempts = service.Test(account, webhook_id);
        if (!attempts.ok()) return FromStatus(attempts.status());
        Json data = Json::array();
        for (const auto& a : *attempts) data.push_back(RenderAttempt(a));
        return JsonResponse(200, Json{{"data", std::move(data)}});
      });
  if (!s.ok()) return s;

  return api.AddAccountRoute(
      router, "GET", "/v1/webhooks/{id}/deliveries", scopes,
      [&view, &service, caught_up](const Request& request, const Principal&, const std::string& account) -> Result<Response, ApiError> {
        const std::string id(request.PathParam("id").value_or(""));
        auto row = view.Get(account, "webhook", id);
        if (!row.ok() || !row->has_value()) return ApiError::NotFound("webhook '" + id + "' not found");
        if (auto error = caught_up()) return *error;
        Json data = Json::array();
        for (const auto& a : service.RecentAttempts(account, id)) data.push_back(RenderAttempt(a));
        return JsonResponse(200, Json{{"data", std::move(data)}, {"next_cursor", nullptr}});
      });
}

}  // namespace dialtone::gateway::v1
