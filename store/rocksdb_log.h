// The embedded event log of record: RocksDB under a data folder, with group commit.
// On-disk layout: store/FORMAT.md.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "store/event_log.h"

namespace dialtone::store {

enum class Durability : uint8_t {
  kSync,   // default: an acknowledged append is fsynced (survives power loss)
  kAsync,  // WAL written but not fsynced: survives a process crash, not power loss
};

struct RocksDbLogOptions {
  std::string path;                 // the log's folder (created if missing)
  Durability durability = Durability::kSync;
  bool create_if_missing = true;
  size_t max_group_events = 8192;   // events per group-commit batch, at most
};

// Opens (or creates) the log. Errors: kBusy when another process holds the folder,
// kIOError for an unwritable path, kCorruption for damaged data.
Result<std::unique_ptr<EventLog>> OpenRocksDbLog(const RocksDbLogOptions& options);

}  // namespace dialtone::store
