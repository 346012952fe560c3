// Operational routes of `dialtone serve`: GET /healthz and GET /metrics (Prometheus).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "gateway/http_server.h"
#include "gateway/router.h"
#include "store/event_log.h"

namespace dialtone::app {

struct OpsSources {
  const store::EventLog* log = nullptr;          // required; must outlive the router
  std::function<size_t()> actors_alive;          // required
  std::shared_ptr<const gateway::HttpMetrics> http_metrics;  // optional
};

// The /metrics body: the log's counters and append latency histogram, its head position,
// actors alive, and the HTTP counters.
std::string RenderMetrics(const OpsSources& sources);

// Registers GET /healthz ({"status":"ok","head":<position>}) and GET /metrics.
Status AddOpsRoutes(gateway::Router& router, OpsSources sources);

}  // namespace dialtone::app
