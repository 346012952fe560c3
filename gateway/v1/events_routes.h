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
#include "gateway/router.h"
#include "store/event_log.h"

namespace dialtone::gateway::v1 {

struct EventsRouteOptions {
  size_t default_limit = 100;
  size_t max_limit = 1000;
};

// Registers the route on `router`. `log` must outlive the router.
Status AddEventsRoutes(Router& router, const store::EventLog& log, AdminKey admin_key,
                       EventsRouteOptions options = {});

}  // namespace dialtone::gateway::v1
