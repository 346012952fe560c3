// GET /v1/calls: the account's call records (CDR) from the call-record view.
//   ?since=&until=   epoch seconds, since <= start < until (default: everything)
//   ?limit=1..1000   (default 100), newest first
//   ?cursor=         the next_cursor of the previous page (keyset: stable while calls arrive)
//   ?format=csv      the same rows as text/csv (a header line, then one line per call)
// Scope `cdr` or `config`. Answer {"data": [...], "next_cursor": "…"|null}.
#pragma once

#include "common/status.h"
#include "gateway/dialect.h"
#include "gateway/router.h"
#include "gateway/v1/config_api.h"
#include "projections/calls/calls_view.h"

namespace dialtone::gateway::v1 {

// A route group of the /v1 dialect, behind ConfigApi's authentication and workers.
// `calls` and `api` must outlive the route's requests.
class CallsRoutes final : public RouteGroup {
 public:
  CallsRoutes(ConfigApi& api, const projections::calls::CallsView& calls) : api_(api), calls_(calls) {}
  Status AddRoutes(Router& router) override;
  void DescribeRoutes(RouteDocument& document) const override;

 private:
  ConfigApi& api_;
  const projections::calls::CallsView& calls_;
};

}  // namespace dialtone::gateway::v1
