// GET /v1/events?after=&limit= : a read-only window onto the global log, for operators.
// Guarded by the admin key. Response:
//   {"events":[<events::ToJson>…], "next_after":<position>, "head":<position>}
// `after` (default 0) is exclusive; `limit` defaults to 100, at most 1000. Reading past
// the head returns an empty list; a malformed or out-of-range parameter is 400.
#pragma once

#include <cstddef>
#include <memory>

#include "common/status.h"
#include "gateway/admin_auth.h"
#include "gateway/dialect.h"
#include "gateway/router.h"
#include "store/event_log.h"

namespace dialtone::gateway::v1 {

struct EventsRouteOptions {
  size_t default_limit = 100;
  size_t max_limit = 1000;
};

// A route group of the /v1 dialect. `log` must outlive the routes' requests.
class EventsRoutes final : public RouteGroup {
 public:
  EventsRoutes(const store::EventLog& log, AdminKey admin_key, EventsRouteOptions options = {})
      : log_(log), admin_key_(std::move(admin_key)), options_(options) {}
  Status AddRoutes(Router& router) override;
  void DescribeRoutes(RouteDocument& document) const override;

 private:
  const store::EventLog& log_;
  AdminKey admin_key_;
  EventsRouteOptions options_;
};

}  // namespace dialtone::gateway::v1
