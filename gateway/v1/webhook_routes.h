// The webhook routes beyond CRUD (which ConfigApi generates for the `webhook` kind):
//   POST /v1/webhooks/test              {webhook_id?}: one signed webhook.test event to that
//                                       webhook (or to every enabled one), sent now, once;
//                                       answers each attempt
//   GET  /v1/webhooks/{id}/deliveries   the latest attempts to that webhook, newest first
// Scopes `webhooks` or `config`. The webhooks themselves come from the config view; the
// attempts from the webhook service, which records every attempt in the log.
#pragma once

#include <chrono>

#include "common/status.h"
#include "gateway/dialect.h"
#include "gateway/router.h"
#include "gateway/v1/config_api.h"
#include "projections/config_view.h"
#include "webhooks/service.h"

namespace dialtone::gateway::v1 {

// A route group of the /v1 dialect, behind ConfigApi's authentication and workers. The
// service, the view and `api` must outlive the routes' requests.
class WebhookRoutes final : public RouteGroup {
 public:
  WebhookRoutes(ConfigApi& api, const projections::ConfigView& view, webhooks::WebhookService& service,
                std::chrono::milliseconds view_wait = std::chrono::milliseconds(5000))
      : api_(api), view_(view), service_(service), view_wait_(view_wait) {}
  Status AddRoutes(Router& router) override;
  void DescribeRoutes(RouteDocument& document) const override;

 private:
  ConfigApi& api_;
  const projections::ConfigView& view_;
  webhooks::WebhookService& service_;
  std::chrono::milliseconds view_wait_;
};

}  // namespace dialtone::gateway::v1
