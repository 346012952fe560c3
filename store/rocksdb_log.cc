#include "store/rocksdb_log.h"

namespace dialtone::store {

Result<std::unique_ptr<EventLog>> OpenRocksDbLog(const RocksDbLogOptions& options) {
  return Status::Unavailable("RocksDB log not built yet");
}

}  // namespace dialtone::store
