// `dialtone projections rebuild`: folds the query views of a data folder again from
// position 0 of its log, offline (a running server holds the folder's locks).
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "store/event_log.h"

namespace dialtone::app {

struct RebuildReport {
  uint64_t head = 0;             // the log position the rebuilt view reached
  uint64_t events_folded = 0;    // events of a type the view folds
  std::string digest_before;     // ConfigView::ContentDigest before and after
  std::string digest_after;
};

// Opens the configuration view at `views_path` over `log` (creating it when missing),
// rebuilds it from position 0 and reports its content digest before and after: equal
// digests mean the view held exactly what the log implies. Errors: those of
// ConfigView::Open and Rebuild.
Result<RebuildReport> RebuildConfigView(const store::EventLog& log, const std::string& views_path);

}  // namespace dialtone::app
