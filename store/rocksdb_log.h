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
  std::string path;  // the log's folder (created if missing; its parent must exist)
  Durability durability = Durability::kSync;
  bool create_if_missing = true;
  size_t max_group_events = 8192;  // events per group-commit batch, at most (>= 1)
  // Stream heads the committer keeps in memory; when exceeded the cache is dropped and
  // refilled from the `meta` column family on demand (>= 1).
  size_t stream_cache_entries = size_t{1} << 20;
};

// Opens (or creates) the log. Errors: kInvalidArgument for bad options, kBusy when
// another process (or another open instance) holds the folder, kIOError for an
// unwritable path or a missing parent folder, kNotFound when the folder holds no log and
// create_if_missing is false, kCorruption for damaged data or a folder that is not a
// dialtone log.
Result<std::unique_ptr<EventLog>> OpenRocksDbLog(const RocksDbLogOptions& options);

}  // namespace dialtone::store
