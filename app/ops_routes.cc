#include "app/ops_routes.h"

#include <nlohmann/json.hpp>

namespace dialtone::app {

std::string RenderMetrics(const OpsSources& sources) {
  std::string out;
  const store::LogMetrics& m = sources.log->metrics();
  RenderPrometheusCounter("dialtone_appends_total", "Successful, non-deduplicated append requests.",
                          m.appends.value(), &out);
  RenderPrometheusCounter("dialtone_events_appended_total", "Events written to the log.",
                          m.events_appended.value(), &out);
  RenderPrometheusCounter("dialtone_commit_batches_total", "Storage writes (one per group commit).",
                          m.commit_batches.value(), &out);
  m.append_latency.RenderPrometheus("dialtone_append_latency_seconds",
                                    "Append submitted to acknowledged.", &out);
  RenderPrometheusGauge("dialtone_log_head_position", "Highest visible global log position.",
                        static_cast<double>(sources.log->HeadPosition()), &out);
  RenderPrometheusGauge("dialtone_actors_alive", "Actors currently running.",
                        static_cast<double>(sources.actors_alive()), &out);
  if (sources.http_metrics) sources.http_metrics->RenderPrometheus(&out);
  return out;
}

Status AddOpsRoutes(gateway::Router& router, OpsSources sources) {
  if (sources.log == nullptr || !sources.actors_alive) {
    return Status::InvalidArgument("ops routes need the log and an actors-alive gauge");
  }
  const store::EventLog* log = sources.log;
  if (Status s = router.Add("GET", "/healthz",
                            [log](gateway::Request, gateway::Responder responder) {
                              nlohmann::json body = {{"status", "ok"}, {"head", log->HeadPosition()}};
                              responder.Send(gateway::Response::Json(200, body.dump()));
                            });
      !s.ok()) {
    return s;
  }
  return router.Add("GET", "/metrics",
                    [sources = std::move(sources)](gateway::Request, gateway::Responder responder) {
                      responder.Send(gateway::Response::Text(200, RenderMetrics(sources),
                                                             "text/plain; version=0.0.4; charset=utf-8"));
                    });
}

}  // namespace dialtone::app
