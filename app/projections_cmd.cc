#include "app/projections_cmd.h"

#include "projections/config_view.h"

namespace dialtone::app {

Result<RebuildReport> RebuildConfigView(const store::EventLog& log, const std::string& views_path) {
  auto view = projections::ConfigView::Open(projections::ConfigViewOptions{views_path}, log);
  if (!view.ok()) return view.status();
  RebuildReport report;
  // The view first catches up with the log as it would on a server start.
  report.head = log.HeadPosition();
  if (!(*view)->WaitForPosition(report.head, std::chrono::hours(1))) {
    Status health = (*view)->health();
    (*view)->Stop();
    return health.ok() ? Status::Unavailable("the view did not catch up with the log") : health;
  }
  auto before = (*view)->ContentDigest();
  if (!before.ok()) return before.status();
  report.digest_before = *before;
  if (Status s = (*view)->Rebuild(); !s.ok()) return s;
  auto after = (*view)->ContentDigest();
  if (!after.ok()) return after.status();
  report.digest_after = *after;
  report.events_folded = (*view)->stats().events_folded;
  (*view)->Stop();
  return report;
}

}  // namespace dialtone::app
