#include "gateway/v1/webhook_routes.h"

#include <nlohmann/json.hpp>

#include "gateway/json_body.h"
#include "gateway/v1/openapi.h"

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

Status WebhookRoutes::AddRoutes(Router& router) {
  ConfigApi& api = api_;
  const projections::ConfigView& view = view_;
  webhooks::WebhookService& service = service_;
  const std::chrono::milliseconds view_wait = view_wait_;
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
      router, "POST", "/webhooks/test", scopes,
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
      router, "GET", "/webhooks/{id}/deliveries", scopes,
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

void WebhookRoutes::DescribeRoutes(RouteDocument& document) const {
  using namespace openapi;
  const Json nullable_string = kNullableString;
  const Json nullable_int = kNullableInt;
  document.schemas["WebhookAttempt"] = ObjectOf({{"delivery_id", kString},
                                        {"webhook_id", kString},
                                        {"event", kString},
                                        {"url", kString},
                                        {"attempt", {{"type", "integer"}}},
                                        {"started_at", {{"type", "integer"}}},
                                        {"duration_ms", {{"type", "integer"}}},
                                        {"http_status", nullable_int},
                                        {"outcome", {{"type", "string"}, {"enum", {"succeeded", "will_retry", "gave_up"}}}},
                                        {"error", nullable_string},
                                        {"response_excerpt", kString},
                                        {"next_attempt_at", nullable_int}},
                                       {"delivery_id", "webhook_id", "event", "url", "attempt", "started_at", "duration_ms",
                                        "http_status", "outcome", "error", "response_excerpt", "next_attempt_at"});
  document.schemas["WebhookAttempts"] = ObjectOf({{"data", {{"type", "array"}, {"items", Ref("WebhookAttempt")}}}}, {"data"});
  document.schemas["WebhookAttemptPage"] = ListSchema("WebhookAttempt");
  const Json tags = Json::array({"webhook"});
  document.paths["/webhooks/test"]["post"] = {
      {"tags", tags}, {"summary", "send a signed webhook.test now to one or every enabled webhook"},
      {"operationId", "test_webhooks"}, {"parameters", AccountParams()},
      {"requestBody", {{"required", false}, {"content", JsonContent(ObjectOf({{"webhook_id", kString}}, {}))}}},
      {"responses", Responses({{200, JsonContent(Ref("WebhookAttempts"))}}, kWriteErrors)}};
  document.paths["/webhooks/{id}/deliveries"]["get"] = {
      {"tags", tags}, {"summary", "the latest attempts, newest first"}, {"operationId", "list_webhook_deliveries"},
      {"parameters", With(AccountParams(), {Param("id", "path", kString, true)})},
      {"responses", Responses({{200, JsonContent(Ref("WebhookAttemptPage"))}}, kReadErrors)}};

}

}  // namespace dialtone::gateway::v1
