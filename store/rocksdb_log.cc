// The RocksDB event log. Appends and deletes are committed in groups: one thread at a time
// holds the commit role and turns everything pending into exactly one WriteBatch, then
// publishes the new head. The role is held by the committer thread, or, when the log is
// idle, by a blocking Append/DeleteStream caller committing its own request (no thread
// hand-off). Reads go straight to RocksDB and never look above the published head.
// Layout and invariants: store/FORMAT.md.
#include "store/rocksdb_log.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/slice.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <random>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "events/event_types.h"

namespace dialtone::store {
namespace {

// ---------------------------------------------------------------------------------------
// Encodings (store/FORMAT.md)

constexpr uint32_t kFormatVersion = 1;

constexpr std::string_view kLogFamily = "log";
constexpr std::string_view kStreamsFamily = "streams";
constexpr std::string_view kMetaFamily = "meta";
constexpr std::string_view kSnapshotsFamily = "snapshots";

// `meta` keys: two fixed one-byte keys and two tagged key spaces.
constexpr std::string_view kMetaFormatKey = "F";
constexpr std::string_view kMetaHeadKey = "H";
constexpr char kMetaStreamTag = 's';
constexpr char kMetaIdempotencyTag = 'k';

void StoreBigEndian64(char* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}

uint64_t LoadBigEndian64(const char* in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

void AppendBigEndian64(std::string* out, uint64_t v) {
  char buf[8];
  StoreBigEndian64(buf, v);
  out->append(buf, sizeof(buf));
}

// A big-endian u64 held inline: the key of `log`, the value of `streams`, the head.
struct U64Bytes {
  explicit U64Bytes(uint64_t v) { StoreBigEndian64(bytes, v); }
  rocksdb::Slice slice() const { return {bytes, sizeof(bytes)}; }
  char bytes[8];
};

// The head of one stream as stored under meta `s` ‖ stream.
struct StreamHead {
  uint64_t version = 0;          // events ever appended to the stream
  uint64_t deleted_through = 0;  // versions <= this read as deleted
  uint64_t last_position = 0;    // global position of `version` (0 when version is 0)
};
constexpr size_t kStreamHeadBytes = 24;

struct StreamHeadBytes {
  explicit StreamHeadBytes(const StreamHead& h) {
    StoreBigEndian64(bytes, h.version);
    StoreBigEndian64(bytes + 8, h.deleted_through);
    StoreBigEndian64(bytes + 16, h.last_position);
  }
  rocksdb::Slice slice() const { return {bytes, sizeof(bytes)}; }
  char bytes[kStreamHeadBytes];
};

std::optional<StreamHead> DecodeStreamHead(std::string_view v) {
  if (v.size() != kStreamHeadBytes) return std::nullopt;
  StreamHead h{LoadBigEndian64(v.data()), LoadBigEndian64(v.data() + 8),
               LoadBigEndian64(v.data() + 16)};
  if (h.deleted_through > h.version || (h.version == 0) != (h.last_position == 0)) {
    return std::nullopt;
  }
  return h;
}

// The stored result of an idempotent append, under meta `k` ‖ key.
constexpr size_t kAppendResultBytes = 32;

struct AppendResultBytes {
  explicit AppendResultBytes(const AppendResult& r) {
    StoreBigEndian64(bytes, r.first_position);
    StoreBigEndian64(bytes + 8, r.last_position);
    StoreBigEndian64(bytes + 16, r.first_version);
    StoreBigEndian64(bytes + 24, r.last_version);
  }
  rocksdb::Slice slice() const { return {bytes, sizeof(bytes)}; }
  char bytes[kAppendResultBytes];
};

std::optional<AppendResult> DecodeAppendResult(std::string_view v) {
  if (v.size() != kAppendResultBytes) return std::nullopt;
  AppendResult r;
  r.first_position = LoadBigEndian64(v.data());
  r.last_position = LoadBigEndian64(v.data() + 8);
  r.first_version = LoadBigEndian64(v.data() + 16);
  r.last_version = LoadBigEndian64(v.data() + 24);
  if (r.first_position == 0 || r.last_position < r.first_position ||
      r.last_version - r.first_version != r.last_position - r.first_position) {
    return std::nullopt;
  }
  return r;
}

// `streams` keys: stream ‖ 0x00 ‖ big-endian version. Stream ids never contain NUL, so
// stream ‖ 0x00 is a prefix no other stream's keys share.
void StreamKeyPrefix(std::string_view stream, std::string* out) {
  out->assign(stream);
  out->push_back('\0');
}

// Extracts stream ‖ 0x00 from a `streams` key. Used only as the memtable insert hint
// (each stream's keys arrive in increasing order), never for filters or iteration.
class StreamKeyPrefixTransform final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "dialtone.StreamKeyPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const void* nul = std::memchr(key.data(), 0, key.size());
    return {key.data(), static_cast<size_t>(static_cast<const char*>(nul) - key.data()) + 1};
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return std::memchr(key.data(), 0, key.size()) != nullptr;
  }
};

bool IsValidStreamId(std::string_view stream) {
  return !stream.empty() && stream.size() <= kMaxStreamIdBytes &&
         stream.find('\0') == std::string_view::npos;
}

std::string_view ToView(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// Maps an error of DB::Open to a one-line Status naming the folder.
Status OpenError(const rocksdb::Status& s, const std::string& path) {
  const std::string text = s.ToString();
  if (s.IsIOError() && Contains(text, "Resource temporarily unavailable")) {
    return Status::Busy("data folder '" + path + "' is locked by another process");
  }
  if (s.IsIOError() && Contains(text, "lock hold by current process")) {
    return Status::Busy("data folder '" + path + "' is already open in this process");
  }
  if (s.IsCorruption()) return Status::Corruption("data folder '" + path + "' is damaged: " + text);
  if (s.IsInvalidArgument() && Contains(text, "does not exist")) {
    return Status::NotFound("data folder '" + path + "' holds no event log");
  }
  if (s.IsInvalidArgument() || s.IsNotSupported()) {
    return Status::Corruption("data folder '" + path + "' is not a dialtone event log: " + text);
  }
  return Status::IOError("cannot open data folder '" + path + "': " + text);
}

Status ReadError(const rocksdb::Status& s, std::string_view what) {
  if (s.IsCorruption()) return Status::Corruption(std::string(what) + ": " + s.ToString());
  return Status::IOError(std::string(what) + ": " + s.ToString());
}

// Refuses, without changing it, an existing RocksDB database that lacks the log's column
// families and holds data: opening it would add our families to someone else's database.
// Anything unexpected here (no database yet, unreadable files) is left to DB::Open.
Status RefuseForeignDatabase(const std::string& path) {
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok()) {
    return Status::Ok();
  }
  bool has_all = true;
  for (std::string_view ours : {kLogFamily, kStreamsFamily, kMetaFamily, kSnapshotsFamily}) {
    has_all = has_all && std::find(names.begin(), names.end(), ours) != names.end();
  }
  if (has_all) return Status::Ok();

  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const auto& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), path, families, &handles, &raw).ok()) {
    return Status::Ok();
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  bool holds_data = false;
  for (auto* handle : handles) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handle));
    it->SeekToFirst();
    holds_data = holds_data || it->Valid();
  }
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
  db->Close();
  if (holds_data) {
    return Status::Corruption("data folder '" + path +
                              "' is not a dialtone event log (a RocksDB database without the "
                              "log's column families)");
  }
  return Status::Ok();
}

bool MatchesFilter(const RecordedEvent& e, const ReadAllOptions& o) {
  if (!o.stream_prefix.empty() &&
      e.stream.compare(0, o.stream_prefix.size(), o.stream_prefix) != 0) {
    return false;
  }
  return o.event_type.empty() || e.type == o.event_type;
}

// Random (version 4) UUIDs, in the canonical form events::NewUuid produces, for events
// that arrive without an id. events::NewUuid asks OpenSSL for every id, which costs more
// than the rest of an append; ids need uniqueness, not unpredictability, so the committer
// draws from a PRNG seeded once with 256 bits from the OS.
class UuidGenerator {
 public:
  UuidGenerator() {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(),
                       device(), device(), device(), device()};
    rng_.seed(seed);
  }

  static constexpr size_t kChars = 36;

  // Writes the canonical text form (kChars characters) to `out`.
  void Next(char* out) {
    static constexpr char kHex[] = "0123456789abcdef";
    uint64_t hi = rng_();
    uint64_t lo = rng_();
    hi = (hi & ~uint64_t{0xf000}) | 0x4000;                      // version 4
    lo = (lo & ~(uint64_t{0xc} << 60)) | (uint64_t{0x8} << 60);  // RFC 4122 variant
    size_t at = 0;
    for (int nibble = 0; nibble < 32; ++nibble) {
      if (nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20) out[at++] = '-';
      const uint64_t word = nibble < 16 ? hi : lo;
      out[at++] = kHex[(word >> (60 - 4 * (nibble % 16))) & 0xf];
    }
    assert(at == kChars);
  }

 private:
  std::mt19937_64 rng_;
};

AppendError WrongVersion(std::string_view stream, uint64_t actual) {
  return AppendError{
      Status(ErrorCode::kWrongExpectedVersion,
             "stream '" + std::string(stream) + "' is at version " + std::to_string(actual)),
      actual};
}

AppendError ClosedError() { return AppendError{Status::Unavailable("event log is closed"), 0}; }

// ---------------------------------------------------------------------------------------

class RocksDbEventLog final : public EventLog {
 public:
  explicit RocksDbEventLog(RocksDbLogOptions options) : options_(std::move(options)) {
    write_options_.sync = options_.durability == Durability::kSync;
  }

  ~RocksDbEventLog() override { Close(); }

  Status Open();

  // Commits on the calling thread when the log is idle (TryCommitHere), otherwise queues
  // to the committer like AppendAsync and waits.
  AppendOutcome Append(AppendRequest request) override {
    if (OnCallbackThread()) {
      return AppendError{Status::FailedPrecondition("Append called from an append callback"), 0};
    }
    if (Status s = ValidateAppend(request); !s.ok()) return AppendError{std::move(s), 0};
    return CommitAndWait(Pending::Kind::kAppend, std::move(request));
  }

  void AppendAsync(AppendRequest request, AppendCallback done) override {
    if (Status s = ValidateAppend(request); !s.ok()) {
      done(AppendError{std::move(s), 0});
      return;
    }
    const size_t weight = request.events.size();
    Enqueue(Pending{Pending::Kind::kAppend, std::move(request), std::move(done),
                    std::chrono::steady_clock::now(), std::nullopt},
            weight);
  }

  Result<RecordedEvents> ReadStream(std::string_view stream,
                                    const ReadStreamOptions& options) const override;
  Result<RecordedEvents> ReadAll(const ReadAllOptions& options) const override;

  uint64_t HeadPosition() const override { return head_.load(std::memory_order_acquire); }

  Result<uint64_t> StreamVersion(std::string_view stream) const override;

  Result<uint64_t, AppendError> DeleteStream(std::string_view stream,
                                             ExpectedVersion expected) override;

  Status SaveSnapshot(std::string_view stream, const Snapshot& snapshot) override;
  Result<std::optional<Snapshot>> LoadSnapshot(std::string_view stream) const override;

  uint64_t WaitForHeadAfter(uint64_t position, std::chrono::milliseconds timeout) const override {
    std::unique_lock lock(head_mu_);
    head_cv_.wait_for(lock, timeout,
                      [&] { return head_.load(std::memory_order_acquire) > position || closed_; });
    return head_.load(std::memory_order_acquire);
  }

  Status Close() override;

 private:
  // One queued request. Deletes travel the same queue so they are ordered with appends.
  struct Pending {
    enum class Kind : uint8_t { kAppend, kDelete };
    Kind kind;
    AppendRequest request;  // for kDelete: stream and expected only
    AppendCallback done;    // for kDelete: last_version carries the stream's version
    std::chrono::steady_clock::time_point enqueued;
    std::optional<AppendOutcome> outcome;  // decided by the committer
  };

  // A cached stream head. Outside CommitGroup `pending == committed`; inside, `pending`
  // holds the group's tentative head, kept only if the group's write succeeds.
  struct CachedStream {
    StreamHead committed;
    StreamHead pending;
    bool touched = false;
  };
  using StreamCache = std::unordered_map<std::string, CachedStream>;

  void Enqueue(Pending pending, size_t weight);
  // Commits one request of a blocking caller and returns its outcome: on the calling
  // thread when TryCommitHere succeeds, otherwise through the queue.
  AppendOutcome CommitAndWait(Pending::Kind kind, AppendRequest request);
  bool TryCommitHere(Pending& pending);
  void CommitterLoop();
  void SpinUntilWorkOrTimeout() const;
  void TakeGroup(std::vector<Pending>* group);
  void CommitGroup(std::vector<Pending>& group);
  void Acknowledge(std::vector<Pending>& group);
  void AcknowledgerLoop();
  void DecideAppend(Pending& p, int64_t now_ms, uint64_t* next_position);
  void DecideDelete(Pending& p);
  // The cache entry of `stream`, loaded from `meta` on a miss.
  Result<StreamCache::value_type*> LookupStream(const std::string& stream);
  Result<std::optional<AppendResult>> LookupIdempotencyKey(const std::string& key);
  void Touch(StreamCache::value_type* entry) {
    if (!entry->second.touched) {
      entry->second.touched = true;
      touched_.push_back(entry);
    }
  }

  Status Recover();
  void ReleaseDb();
  // True on the threads that run append callbacks.
  bool OnCallbackThread() const {
    const auto self = std::this_thread::get_id();
    return self == committer_id_ || self == acknowledger_id_;
  }

  const RocksDbLogOptions options_;
  rocksdb::WriteOptions write_options_;

  // The database. Readers hold db_mu_ shared; Close() takes it exclusively to close it.
  mutable std::shared_mutex db_mu_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* default_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* log_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* streams_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* snapshots_cf_ = nullptr;

  // The published head: every position <= head_ is in RocksDB and readable. Written only
  // by the committer, after its batch is written.
  std::atomic<uint64_t> head_{0};
  mutable std::mutex head_mu_;
  mutable std::condition_variable head_cv_;
  bool closed_ = false;  // guarded by head_mu_

  // The submission queue.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<Pending> queue_;
  size_t queued_weight_ = 0;
  bool accepting_ = false;
  bool committer_waiting_ = false;
  std::atomic<bool> has_pending_{false};  // queue_ is non-empty (a hint read without the lock)

  std::thread committer_;
  std::thread::id committer_id_;

  // The commit role. Whoever holds commit_mu_ (the committer thread, or a blocking caller
  // in TryCommitHere) is the only thread that takes requests off the queue, decides them,
  // writes, publishes the head and hands groups to the acknowledger; everything from here
  // to the acknowledgement members is guarded by it. Lock order: commit_mu_, queue_mu_,
  // ack_mu_.
  std::mutex commit_mu_;
  rocksdb::WriteBatch batch_;
  StreamCache stream_cache_;
  std::vector<StreamCache::value_type*> touched_;
  std::unordered_map<std::string_view, AppendResult> group_keys_;  // keys decided this group
  std::vector<Pending> lead_group_;  // the one-request group of TryCommitHere
  std::string envelope_buffer_;
  UuidGenerator uuids_;
  Status write_failure_;  // set by the first failed write; every later group fails with it
  std::string key_buffer_;
  std::string value_buffer_;

  // Acknowledgements. Small groups are acknowledged inline by the committer; larger ones
  // are handed to the acknowledger thread so that waking many waiters overlaps the next
  // group's write. Callbacks run in commit order either way: the committer acknowledges
  // inline only when the acknowledger has nothing queued or running.
  std::thread acknowledger_;
  std::thread::id acknowledger_id_;
  std::mutex ack_mu_;
  std::condition_variable ack_cv_;
  std::vector<Pending> ack_queue_;
  bool ack_running_ = false;  // the acknowledger is running callbacks
  bool ack_stop_ = false;

  std::mutex close_mu_;
  bool close_done_ = false;
  Status close_status_;

  std::mutex snapshot_mu_;  // serializes SaveSnapshot's read-compare-write
};

// ---------------------------------------------------------------------------------------
// Open, recovery, close

Status RocksDbEventLog::Open() {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options_.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.max_total_wal_size = 256ull << 20;
  db_options.keep_log_file_num = 4;
  db_options.max_log_file_size = 8 << 20;
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db_options.allow_concurrent_memtable_write = false;

  auto block_cache = rocksdb::NewLRUCache(64 << 20);
  auto table = [&](bool bloom) {
    rocksdb::BlockBasedTableOptions t;
    t.block_cache = block_cache;
    if (bloom) t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    return std::shared_ptr<rocksdb::TableFactory>(rocksdb::NewBlockBasedTableFactory(t));
  };
  rocksdb::ColumnFamilyOptions log_options;
  log_options.write_buffer_size = 64 << 20;
  log_options.max_write_buffer_number = 4;
  log_options.target_file_size_base = 64 << 20;
  log_options.compression = rocksdb::kLZ4Compression;
  log_options.level_compaction_dynamic_level_bytes = true;
  log_options.table_factory = table(false);
  // Every `log` key is larger than the previous one: one insert hint serves them all.
  log_options.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(0));
  rocksdb::ColumnFamilyOptions streams_options;
  streams_options.write_buffer_size = 32 << 20;
  streams_options.compression = rocksdb::kLZ4Compression;
  streams_options.level_compaction_dynamic_level_bytes = true;
  streams_options.table_factory = table(false);
  streams_options.memtable_insert_with_hint_prefix_extractor =
      std::make_shared<StreamKeyPrefixTransform>();
  rocksdb::ColumnFamilyOptions meta_options;
  meta_options.write_buffer_size = 32 << 20;
  // "H" and the touched stream heads are rewritten, same size, by every commit: update them
  // in place rather than adding a memtable version per commit (store/FORMAT.md). Requires
  // allow_concurrent_memtable_write = false; writes come from one commit role anyway.
  meta_options.inplace_update_support = true;
  meta_options.level_compaction_dynamic_level_bytes = true;
  meta_options.table_factory = table(true);
  rocksdb::ColumnFamilyOptions snapshot_options;
  snapshot_options.write_buffer_size = 16 << 20;
  snapshot_options.compression = rocksdb::kLZ4Compression;
  snapshot_options.table_factory = table(true);

  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {std::string(kLogFamily), log_options},
      {std::string(kStreamsFamily), streams_options},
      {std::string(kMetaFamily), meta_options},
      {std::string(kSnapshotsFamily), snapshot_options},
  };
  if (Status foreign = RefuseForeignDatabase(options_.path); !foreign.ok()) return foreign;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options_.path, families, &handles, &raw);
  if (!s.ok()) return OpenError(s, options_.path);
  db_.reset(raw);
  default_cf_ = handles[0];
  log_cf_ = handles[1];
  streams_cf_ = handles[2];
  meta_cf_ = handles[3];
  snapshots_cf_ = handles[4];

  if (Status r = Recover(); !r.ok()) {
    ReleaseDb();
    return r;
  }
  {
    std::lock_guard lock(queue_mu_);
    accepting_ = true;
  }
  acknowledger_ = std::thread([this] { AcknowledgerLoop(); });
  acknowledger_id_ = acknowledger_.get_id();
  committer_ = std::thread([this] { CommitterLoop(); });
  committer_id_ = committer_.get_id();
  return Status::Ok();
}

// Checks the invariants that are cheap to check and recovers the head from `meta`.
Status RocksDbEventLog::Recover() {
  const std::string& path = options_.path;
  auto corrupt = [&](const std::string& what) {
    return Status::Corruption("event log in '" + path + "' is damaged: " + what);
  };
  rocksdb::ReadOptions ro;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, default_cf_));
    it->SeekToFirst();
    if (it->Valid()) {
      return Status::Corruption("data folder '" + path +
                                "' is not a dialtone event log (its default column family "
                                "holds data)");
    }
    if (!it->status().ok()) return ReadError(it->status(), "reading '" + path + "'");
  }

  std::string value;
  rocksdb::Status s =
      db_->Get(ro, meta_cf_, rocksdb::Slice(kMetaFormatKey.data(), kMetaFormatKey.size()), &value);
  if (!s.ok() && !s.IsNotFound()) return ReadError(s, "reading the format of '" + path + "'");
  const bool has_format = s.ok();
  if (has_format) {
    if (value.size() != 4) return corrupt("the format marker is malformed");
    const uint32_t format = (uint32_t{static_cast<uint8_t>(value[0])} << 24) |
                            (uint32_t{static_cast<uint8_t>(value[1])} << 16) |
                            (uint32_t{static_cast<uint8_t>(value[2])} << 8) |
                            uint32_t{static_cast<uint8_t>(value[3])};
    if (format != kFormatVersion) {
      return corrupt("it has format version " + std::to_string(format) + "; this build reads " +
                     std::to_string(kFormatVersion));
    }
  }

  uint64_t meta_head = 0;
  s = db_->Get(ro, meta_cf_, rocksdb::Slice(kMetaHeadKey.data(), kMetaHeadKey.size()), &value);
  if (s.ok()) {
    if (value.size() != 8) return corrupt("the stored head is malformed");
    meta_head = LoadBigEndian64(value.data());
  } else if (!s.IsNotFound()) {
    return ReadError(s, "reading the head of '" + path + "'");
  }

  uint64_t first_key = 0;
  uint64_t last_key = 0;
  std::string last_value;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, log_cf_));
    it->SeekToLast();
    if (it->Valid()) {
      if (it->key().size() != 8) return corrupt("a `log` key is not 8 bytes");
      last_key = LoadBigEndian64(it->key().data());
      last_value = it->value().ToString();
      it->SeekToFirst();
      if (it->Valid()) {
        if (it->key().size() != 8) return corrupt("a `log` key is not 8 bytes");
        first_key = LoadBigEndian64(it->key().data());
      }
    }
    if (!it->status().ok()) return ReadError(it->status(), "reading the log of '" + path + "'");
  }

  if (!has_format) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, meta_cf_));
    it->SeekToFirst();
    if (last_key != 0 || it->Valid()) return corrupt("the format marker is missing");
    if (!it->status().ok()) return ReadError(it->status(), "reading '" + path + "'");
    char marker[4] = {static_cast<char>(kFormatVersion >> 24),
                      static_cast<char>(kFormatVersion >> 16),
                      static_cast<char>(kFormatVersion >> 8), static_cast<char>(kFormatVersion)};
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = db_->Put(wo, meta_cf_, rocksdb::Slice(kMetaFormatKey.data(), kMetaFormatKey.size()),
                 rocksdb::Slice(marker, sizeof(marker)));
    if (!s.ok())
      return Status::IOError("initializing the event log in '" + path + "': " + s.ToString());
  }

  if (meta_head != last_key) {
    return corrupt("the stored head is " + std::to_string(meta_head) +
                   " but the last logged position is " + std::to_string(last_key));
  }
  if (last_key != 0) {
    if (first_key != 1) {
      return corrupt("the first logged position is " + std::to_string(first_key) + ", not 1");
    }
    auto last = events::DecodeEnvelope(last_value);
    if (!last.ok())
      return corrupt("the envelope at position " + std::to_string(last_key) + " does not decode");
    if (last->position != last_key) {
      return corrupt("the envelope under key " + std::to_string(last_key) + " carries position " +
                     std::to_string(last->position));
    }
  }
  head_.store(meta_head, std::memory_order_release);
  return Status::Ok();
}

void RocksDbEventLog::ReleaseDb() {
  if (!db_) return;
  for (auto* handle : {default_cf_, log_cf_, streams_cf_, meta_cf_, snapshots_cf_}) {
    if (handle != nullptr) db_->DestroyColumnFamilyHandle(handle);
  }
  default_cf_ = log_cf_ = streams_cf_ = meta_cf_ = snapshots_cf_ = nullptr;
  rocksdb::Status s = db_->Close();
  if (!s.ok() && close_status_.ok()) {
    close_status_ =
        Status::IOError("closing the event log in '" + options_.path + "': " + s.ToString());
  }
  db_.reset();
}

Status RocksDbEventLog::Close() {
  if (OnCallbackThread()) {
    assert(false && "EventLog::Close called from an append callback");
    return Status::FailedPrecondition("Close() called from an append callback");
  }
  std::lock_guard close_lock(close_mu_);
  if (close_done_) return close_status_;
  {
    std::lock_guard lock(queue_mu_);
    accepting_ = false;
  }
  queue_cv_.notify_all();
  if (committer_.joinable()) committer_.join();  // commits everything already queued
  // A caller that took the commit role before accepting_ turned false finishes its commit;
  // no caller takes it afterwards.
  { std::lock_guard commit_lock(commit_mu_); }
  {
    std::lock_guard lock(ack_mu_);
    ack_stop_ = true;
  }
  ack_cv_.notify_all();
  if (acknowledger_.joinable()) acknowledger_.join();  // acknowledges everything committed
  {
    std::lock_guard lock(head_mu_);
    closed_ = true;
  }
  head_cv_.notify_all();
  {
    std::unique_lock db_lock(db_mu_);
    if (db_ && !write_options_.sync) {
      rocksdb::Status s = db_->FlushWAL(/*sync=*/true);
      if (!s.ok())
        close_status_ = Status::IOError("syncing the log's WAL on close: " + s.ToString());
    }
    ReleaseDb();
  }
  close_done_ = true;
  return close_status_;
}

// ---------------------------------------------------------------------------------------
// Group commit

void RocksDbEventLog::Enqueue(Pending pending, size_t weight) {
  bool wake = false;
  {
    std::unique_lock lock(queue_mu_);
    if (!accepting_) {
      lock.unlock();
      pending.done(ClosedError());
      return;
    }
    queue_.push_back(std::move(pending));
    queued_weight_ += weight;
    has_pending_.store(true, std::memory_order_release);
    wake = committer_waiting_;
  }
  if (wake) queue_cv_.notify_one();
}

void RocksDbEventLog::CommitterLoop() {
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);  // no per-comparison perf counters
  std::vector<Pending> group;
  for (;;) {
    SpinUntilWorkOrTimeout();
    {
      std::unique_lock lock(queue_mu_);
      committer_waiting_ = true;
      queue_cv_.wait(lock, [&] { return !queue_.empty() || !accepting_; });
      committer_waiting_ = false;
      if (queue_.empty()) return;  // closed and drained
    }
    std::lock_guard commit_lock(commit_mu_);
    {
      // Still non-empty: only the commit role takes from the queue, and a caller takes the
      // role only while the queue is empty.
      std::lock_guard lock(queue_mu_);
      assert(!queue_.empty());
      TakeGroup(&group);
    }
    CommitGroup(group);
    group.clear();
  }
}

AppendOutcome RocksDbEventLog::CommitAndWait(Pending::Kind kind, AppendRequest request) {
  struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<AppendOutcome> outcome;
  } waiter;
  const size_t weight = kind == Pending::Kind::kAppend ? request.events.size() : 1;
  Pending pending{kind, std::move(request),
                  [&waiter](AppendOutcome outcome) {
                    std::lock_guard lock(waiter.mu);
                    waiter.outcome.emplace(std::move(outcome));
                    waiter.cv.notify_one();
                  },
                  std::chrono::steady_clock::now(), std::nullopt};
  if (!TryCommitHere(pending)) Enqueue(std::move(pending), weight);
  std::unique_lock lock(waiter.mu);
  waiter.cv.wait(lock, [&] { return waiter.outcome.has_value(); });
  return std::move(*waiter.outcome);
}

// The leader/follower fast path of a blocking caller: it commits its own request as a group
// of one, exactly as the committer would, when
//  - nobody holds the commit role (the committer thread is idle),
//  - nothing is queued (nothing submitted earlier would be committed after it), and
//  - no acknowledgement is pending (every callback of an earlier group has run, so
//    acknowledgements stay in commit order; its own is then acknowledged inline).
// Requests submitted meanwhile queue up and the committer thread takes them as the next
// group. Returns false, leaving `pending` untouched, when it cannot lead.
bool RocksDbEventLog::TryCommitHere(Pending& pending) {
  std::unique_lock commit_lock(commit_mu_, std::try_to_lock);
  if (!commit_lock.owns_lock()) return false;
  {
    std::lock_guard lock(queue_mu_);
    if (!accepting_ || !queue_.empty()) return false;
  }
  {
    std::lock_guard lock(ack_mu_);
    if (ack_running_ || !ack_queue_.empty()) return false;
  }
  const rocksdb::PerfLevel caller_perf_level = rocksdb::GetPerfLevel();
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  assert(lead_group_.empty());
  lead_group_.push_back(std::move(pending));
  CommitGroup(lead_group_);  // a one-request group with an idle acknowledger: inline ack
  assert(lead_group_.empty());
  rocksdb::SetPerfLevel(caller_perf_level);
  return true;
}

// Waits briefly for the next request without sleeping: a sleeping committer costs every
// append a thread wake-up, which dominates a lone writer's latency.
void RocksDbEventLog::SpinUntilWorkOrTimeout() const {
  constexpr auto kSpin = std::chrono::microseconds(50);
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (int i = 1; !has_pending_.load(std::memory_order_acquire); ++i) {
    if (i % 64 == 0 && std::chrono::steady_clock::now() >= deadline) return;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
  }
}

// Moves the oldest pending requests, at most max_group_events events (but at least one
// request), into `group`. Called with queue_mu_ held.
void RocksDbEventLog::TakeGroup(std::vector<Pending>* group) {
  if (queued_weight_ <= options_.max_group_events) {
    group->swap(queue_);
    queued_weight_ = 0;
    has_pending_.store(false, std::memory_order_relaxed);
    return;
  }
  auto weight = [](const Pending& p) -> size_t {
    return p.kind == Pending::Kind::kAppend ? p.request.events.size() : 1;
  };
  size_t taken = 0;
  size_t count = 0;
  while (count < queue_.size()) {
    const size_t w = weight(queue_[count]);
    if (count > 0 && taken + w > options_.max_group_events) break;
    taken += w;
    ++count;
  }
  std::move(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(count),
            std::back_inserter(*group));
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(count));
  queued_weight_ -= taken;
}

Result<RocksDbEventLog::StreamCache::value_type*> RocksDbEventLog::LookupStream(
    const std::string& stream) {
  auto it = stream_cache_.find(stream);
  if (it != stream_cache_.end()) return &*it;
  key_buffer_.clear();
  key_buffer_.push_back(kMetaStreamTag);
  key_buffer_.append(stream);
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_cf_, key_buffer_, &value_buffer_);
  StreamHead head;
  if (s.ok()) {
    auto decoded = DecodeStreamHead(value_buffer_);
    if (!decoded) return Status::Corruption("the head of stream '" + stream + "' is malformed");
    head = *decoded;
  } else if (!s.IsNotFound()) {
    return ReadError(s, "reading the head of stream '" + stream + "'");
  }
  auto [inserted, ok] = stream_cache_.emplace(stream, CachedStream{head, head, false});
  return &*inserted;
}

Result<std::optional<AppendResult>> RocksDbEventLog::LookupIdempotencyKey(const std::string& key) {
  key_buffer_.clear();
  key_buffer_.push_back(kMetaIdempotencyTag);
  key_buffer_.append(key);
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_cf_, key_buffer_, &value_buffer_);
  if (s.IsNotFound()) return std::optional<AppendResult>();
  if (!s.ok()) return ReadError(s, "reading an idempotency record");
  auto decoded = DecodeAppendResult(value_buffer_);
  if (!decoded)
    return Status::Corruption("the idempotency record of key '" + key + "' is malformed");
  return std::optional<AppendResult>(*decoded);
}

void RocksDbEventLog::DecideAppend(Pending& p, int64_t now_ms, uint64_t* next_position) {
  AppendRequest& r = p.request;
  if (!r.idempotency_key.empty()) {
    if (auto it = group_keys_.find(r.idempotency_key); it != group_keys_.end()) {
      AppendResult first = it->second;
      first.deduplicated = true;
      p.outcome.emplace(first);
      return;
    }
    auto stored = LookupIdempotencyKey(r.idempotency_key);
    if (!stored.ok()) {
      p.outcome.emplace(AppendError{stored.status(), 0});
      return;
    }
    if (stored->has_value()) {
      AppendResult first = **stored;
      first.deduplicated = true;
      p.outcome.emplace(first);
      return;
    }
  }
  auto entry = LookupStream(r.stream);
  if (!entry.ok()) {
    p.outcome.emplace(AppendError{entry.status(), 0});
    return;
  }
  StreamHead& head = (*entry)->second.pending;
  if (!r.expected.Matches(head.version)) {
    p.outcome.emplace(WrongVersion(r.stream, head.version));
    return;
  }

  const uint64_t count = r.events.size();
  AppendResult result;
  result.first_position = *next_position;
  result.last_position = *next_position + count - 1;
  result.first_version = head.version + 1;
  result.last_version = head.version + count;
  result.time_ms = now_ms;

  std::string& stream_key = key_buffer_;
  StreamKeyPrefix(r.stream, &stream_key);
  const size_t prefix_size = stream_key.size();
  events::EnvelopeView e;
  e.stream = r.stream;
  e.time_ms = now_ms;
  e.idempotency_key = r.idempotency_key;
  char generated_id[UuidGenerator::kChars];
  for (uint64_t i = 0; i < count; ++i) {
    const EventData& data = r.events[i];
    e.position = result.first_position + i;
    e.version = result.first_version + i;
    e.type = data.type;
    if (data.event_id.empty()) {
      uuids_.Next(generated_id);
      e.event_id = std::string_view(generated_id, sizeof(generated_id));
    } else {
      e.event_id = data.event_id;
    }
    e.causation_id = data.causation_id;
    e.correlation_id = data.correlation_id;
    e.principal = data.principal;
    e.payload = data.payload;
    events::EncodeEnvelope(e, &envelope_buffer_);
    const U64Bytes position_bytes(e.position);
    batch_.Put(log_cf_, position_bytes.slice(), envelope_buffer_);
    stream_key.resize(prefix_size);
    AppendBigEndian64(&stream_key, e.version);
    batch_.Put(streams_cf_, stream_key, position_bytes.slice());
  }
  head.version = result.last_version;
  head.last_position = result.last_position;
  Touch(*entry);
  if (!r.idempotency_key.empty()) {
    key_buffer_.clear();
    key_buffer_.push_back(kMetaIdempotencyTag);
    key_buffer_.append(r.idempotency_key);
    batch_.Put(meta_cf_, key_buffer_, AppendResultBytes(result).slice());
    group_keys_.emplace(r.idempotency_key, result);
  }
  *next_position += count;
  p.outcome.emplace(result);
}

void RocksDbEventLog::DecideDelete(Pending& p) {
  auto entry = LookupStream(p.request.stream);
  if (!entry.ok()) {
    p.outcome.emplace(AppendError{entry.status(), 0});
    return;
  }
  StreamHead& head = (*entry)->second.pending;
  if (!p.request.expected.Matches(head.version)) {
    p.outcome.emplace(WrongVersion(p.request.stream, head.version));
    return;
  }
  if (head.deleted_through != head.version) {
    head.deleted_through = head.version;
    Touch(*entry);
  }
  AppendResult result;
  result.last_version = head.version;
  p.outcome.emplace(result);
}

void RocksDbEventLog::CommitGroup(std::vector<Pending>& group) {
  if (!write_failure_.ok()) {
    for (Pending& p : group) p.outcome.emplace(AppendError{write_failure_, 0});
    Acknowledge(group);
    return;
  }
  const uint64_t committed_head = head_.load(std::memory_order_relaxed);
  uint64_t next_position = committed_head + 1;
  batch_.Clear();
  touched_.clear();
  group_keys_.clear();
  const int64_t now_ms = NowMs();
  for (Pending& p : group) {
    if (p.kind == Pending::Kind::kAppend) {
      DecideAppend(p, now_ms, &next_position);
    } else {
      DecideDelete(p);
    }
  }

  const uint64_t new_head = next_position - 1;
  if (new_head != committed_head || !touched_.empty()) {
    for (auto* entry : touched_) {
      key_buffer_.clear();
      key_buffer_.push_back(kMetaStreamTag);
      key_buffer_.append(entry->first);
      batch_.Put(meta_cf_, key_buffer_, StreamHeadBytes(entry->second.pending).slice());
    }
    batch_.Put(meta_cf_, rocksdb::Slice(kMetaHeadKey.data(), kMetaHeadKey.size()),
               U64Bytes(new_head).slice());
    const rocksdb::Status s = db_->Write(write_options_, &batch_);
    if (s.ok()) {
      for (auto* entry : touched_) {
        entry->second.committed = entry->second.pending;
        entry->second.touched = false;
      }
      metrics_.commit_batches.Add();
      if (new_head != committed_head) {
        head_.store(new_head, std::memory_order_release);
        { std::lock_guard lock(head_mu_); }
        head_cv_.notify_all();
      }
    } else {
      for (auto* entry : touched_) {
        entry->second.pending = entry->second.committed;
        entry->second.touched = false;
      }
      const Status failure = Status::IOError("writing to the event log in '" + options_.path +
                                             "' failed: " + s.ToString());
      for (Pending& p : group) {
        if (p.outcome->ok()) p.outcome.emplace(AppendError{failure, 0});
      }
      // Fail-stop: the batch may or may not have reached the WAL, so reusing its positions
      // could leave index or idempotency entries pointing at other events. Recovery on the
      // next open decides what survived.
      write_failure_ =
          Status::IOError("the event log in '" + options_.path +
                          "' refuses writes since a write failed (reopen it): " + s.ToString());
    }
  }
  touched_.clear();
  group_keys_.clear();
  if (stream_cache_.size() > options_.stream_cache_entries) stream_cache_.clear();

  const auto acked = std::chrono::steady_clock::now();
  uint64_t appends = 0;
  uint64_t events_appended = 0;
  for (Pending& p : group) {
    if (p.kind == Pending::Kind::kAppend && p.outcome->ok() && !(*p.outcome)->deduplicated) {
      ++appends;
      events_appended += (*p.outcome)->last_position - (*p.outcome)->first_position + 1;
      metrics_.append_latency.ObserveNanos(static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(acked - p.enqueued).count()));
    }
  }
  if (appends > 0) {
    metrics_.appends.Add(appends);
    metrics_.events_appended.Add(events_appended);
  }
  Acknowledge(group);
}

void RocksDbEventLog::Acknowledge(std::vector<Pending>& group) {
  constexpr size_t kMaxInlineAcks = 4;
  bool handed_off = false;
  bool wake = false;
  {
    std::lock_guard lock(ack_mu_);
    if (group.size() > kMaxInlineAcks || ack_running_ || !ack_queue_.empty()) {
      if (ack_queue_.empty()) {
        ack_queue_.swap(group);
      } else {
        std::move(group.begin(), group.end(), std::back_inserter(ack_queue_));
      }
      handed_off = true;
      wake = !ack_running_;
    }
  }
  if (handed_off) {
    if (wake) ack_cv_.notify_one();
  } else {
    for (Pending& p : group) p.done(std::move(*p.outcome));
  }
  group.clear();
}

void RocksDbEventLog::AcknowledgerLoop() {
  std::vector<Pending> batch;
  for (;;) {
    {
      std::unique_lock lock(ack_mu_);
      ack_running_ = false;
      ack_cv_.wait(lock, [&] { return !ack_queue_.empty() || ack_stop_; });
      if (ack_queue_.empty()) return;  // stopped and drained
      batch.swap(ack_queue_);
      ack_running_ = true;
    }
    for (Pending& p : batch) p.done(std::move(*p.outcome));
    batch.clear();
  }
}

// ---------------------------------------------------------------------------------------
// Deletes and snapshots

Result<uint64_t, AppendError> RocksDbEventLog::DeleteStream(std::string_view stream,
                                                            ExpectedVersion expected) {
  if (OnCallbackThread()) {
    return AppendError{Status::FailedPrecondition("DeleteStream called from an append callback"),
                       0};
  }
  AppendRequest request;
  request.stream = std::string(stream);
  request.expected = expected;
  AppendOutcome outcome = CommitAndWait(Pending::Kind::kDelete, std::move(request));
  if (!outcome.ok()) return outcome.error();
  return outcome->last_version;
}

Status RocksDbEventLog::SaveSnapshot(std::string_view stream, const Snapshot& snapshot) {
  std::shared_lock db_lock(db_mu_);
  if (!db_) return Status::Unavailable("event log is closed");
  std::lock_guard lock(snapshot_mu_);
  const rocksdb::Slice key(stream.data(), stream.size());
  std::string stored;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), snapshots_cf_, key, &stored);
  if (s.ok()) {
    if (stored.size() < 8)
      return Status::Corruption("the snapshot of stream '" + std::string(stream) +
                                "' is malformed");
    if (LoadBigEndian64(stored.data()) > snapshot.version)
      return Status::Ok();  // keep the newer one
  } else if (!s.IsNotFound()) {
    return ReadError(s, "reading the snapshot of stream '" + std::string(stream) + "'");
  }
  std::string value;
  value.reserve(8 + snapshot.state.size());
  AppendBigEndian64(&value, snapshot.version);
  value.append(snapshot.state);
  // Snapshots are a cache of state derivable from the log: written without fsync. The WAL
  // is ordered, so a snapshot that survives a crash never runs ahead of surviving events.
  s = db_->Put(rocksdb::WriteOptions(), snapshots_cf_, key, value);
  if (!s.ok())
    return Status::IOError("writing the snapshot of stream '" + std::string(stream) +
                           "': " + s.ToString());
  return Status::Ok();
}

Result<std::optional<Snapshot>> RocksDbEventLog::LoadSnapshot(std::string_view stream) const {
  std::shared_lock db_lock(db_mu_);
  if (!db_) return Status::Unavailable("event log is closed");
  std::string stored;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), snapshots_cf_,
                               rocksdb::Slice(stream.data(), stream.size()), &stored);
  if (s.IsNotFound()) return std::optional<Snapshot>();
  if (!s.ok()) return ReadError(s, "reading the snapshot of stream '" + std::string(stream) + "'");
  if (stored.size() < 8)
    return Status::Corruption("the snapshot of stream '" + std::string(stream) + "' is malformed");
  Snapshot snapshot;
  snapshot.version = LoadBigEndian64(stored.data());
  snapshot.state.assign(stored, 8);
  return std::optional<Snapshot>(std::move(snapshot));
}

// ---------------------------------------------------------------------------------------
// Reads. Positions above the published head are never returned: the committer writes a
// batch before it publishes the head, so everything at or below a loaded head is readable.

Result<RecordedEvents> RocksDbEventLog::ReadAll(const ReadAllOptions& o) const {
  RecordedEvents out;
  std::shared_lock db_lock(db_mu_);
  if (!db_) return Status::Unavailable("event log is closed");
  const uint64_t head = head_.load(std::memory_order_acquire);
  if (o.max_count == 0 || head == 0) return out;
  const bool forward = o.direction == Direction::kForward;
  const uint64_t start =
      forward ? std::max<uint64_t>(o.from_position, 1) : std::min(o.from_position, head);
  if (start == 0 || start > head) return out;

  const uint64_t available = forward ? head - start + 1 : start;
  out.reserve(static_cast<size_t>(std::min<uint64_t>({o.max_count, available, 1024})));
  const U64Bytes upper(head + 1);
  const rocksdb::Slice upper_slice = upper.slice();
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, log_cf_));
  // `expected` walks start, start±1, ... ; every position in [1, head] must exist.
  uint64_t expected = start;
  bool reached_end = false;  // walked past the head (forward) or position 1 (backward)
  const U64Bytes start_key(start);
  if (forward) {
    it->Seek(start_key.slice());
  } else {
    it->SeekForPrev(start_key.slice());
  }
  // Events are decoded in place into out[kept]; one that the filter rejects leaves its slot
  // to be overwritten by the next, and the vector is cut to `kept` at the end.
  size_t kept = 0;
  while (it->Valid() && kept < o.max_count) {
    const rocksdb::Slice key = it->key();
    if (key.size() != 8 || LoadBigEndian64(key.data()) != expected) {
      return Status::Corruption("the log has a gap or a malformed key at position " +
                                std::to_string(expected));
    }
    if (kept == out.size()) out.emplace_back();
    RecordedEvent& event = out[kept];
    if (!events::DecodeEnvelopeInto(ToView(it->value()), &event).ok()) {
      return Status::Corruption("the event at position " + std::to_string(expected) +
                                " does not decode");
    }
    if (event.position != expected) {
      return Status::Corruption("the event under position " + std::to_string(expected) +
                                " carries position " + std::to_string(event.position));
    }
    if (MatchesFilter(event, o)) ++kept;
    if (forward ? expected == head : expected == 1) {
      reached_end = true;
      break;
    }
    if (forward) {
      ++expected;
      it->Next();
    } else {
      --expected;
      it->Prev();
    }
  }
  if (!it->status().ok()) return ReadError(it->status(), "reading the log");
  if (!reached_end && kept < o.max_count) {
    return Status::Corruption("the log has a gap at position " + std::to_string(expected));
  }
  out.resize(kept);
  return out;
}

Result<RecordedEvents> RocksDbEventLog::ReadStream(std::string_view stream,
                                                   const ReadStreamOptions& o) const {
  RecordedEvents out;
  std::shared_lock db_lock(db_mu_);
  if (!db_) return Status::Unavailable("event log is closed");
  if (o.max_count == 0 || !IsValidStreamId(stream)) return out;
  const uint64_t head = head_.load(std::memory_order_acquire);
  if (head == 0) return out;

  rocksdb::ReadOptions ro;
  std::string key;
  key.push_back(kMetaStreamTag);
  key.append(stream);
  std::string value;
  rocksdb::Status s = db_->Get(ro, meta_cf_, key, &value);
  if (s.IsNotFound()) return out;
  if (!s.ok()) return ReadError(s, "reading the head of stream '" + std::string(stream) + "'");
  const auto stream_head = DecodeStreamHead(value);
  if (!stream_head)
    return Status::Corruption("the head of stream '" + std::string(stream) + "' is malformed");
  const uint64_t deleted_through = stream_head->deleted_through;

  const bool forward = o.direction == Direction::kForward;
  uint64_t start_version;
  if (forward) {
    start_version = std::max<uint64_t>({o.from_version, deleted_through + 1, 1});
    if (start_version > stream_head->version) return out;
  } else {
    start_version = o.from_version;
    if (start_version <= deleted_through) return out;
  }
  // At most the stream's live versions from the start (the head may be newer than the
  // published head, so this is an upper bound).
  const uint64_t at_most = forward ? stream_head->version - start_version + 1
                                   : std::min(start_version, stream_head->version) - deleted_through;
  constexpr uint64_t kMaxReserve = 1 << 16;
  out.reserve(static_cast<size_t>(std::min<uint64_t>({o.max_count, at_most, kMaxReserve})));

  std::string lower;
  StreamKeyPrefix(stream, &lower);
  const size_t prefix_size = lower.size();
  std::string upper = lower;
  upper.back() = '\x01';  // the prefix's successor: stream ‖ 0x01
  const rocksdb::Slice lower_slice(lower);
  const rocksdb::Slice upper_slice(upper);
  ro.iterate_lower_bound = &lower_slice;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, streams_cf_));
  std::string seek_key = lower;
  AppendBigEndian64(&seek_key, start_version);
  if (forward) {
    it->Seek(seek_key);
  } else {
    it->SeekForPrev(seek_key);
  }

  // Collects (version, position) pairs in chunks and fetches their envelopes: a run of
  // consecutive positions (events appended together, or a stream nobody interleaved with)
  // with one forward iterator, anything else with MultiGet.
  constexpr size_t kChunk = 256;
  std::vector<std::pair<uint64_t, U64Bytes>> chunk;
  chunk.reserve(std::min(kChunk, o.max_count));
  std::vector<rocksdb::Slice> keys;
  std::vector<rocksdb::PinnableSlice> values;
  std::vector<rocksdb::Status> statuses;
  auto missing = [&](uint64_t position) {
    return Status::Corruption("stream '" + std::string(stream) + "' indexes position " +
                              std::to_string(position) + ", which is not in the log");
  };
  // Decodes the envelope of chunk[i] (at `position`) and checks it against the index.
  auto decode = [&](size_t i, uint64_t position, std::string_view bytes) -> Status {
    RecordedEvent& event = out.emplace_back();
    if (!events::DecodeEnvelopeInto(bytes, &event).ok())
      return Status::Corruption("the event at position " + std::to_string(position) +
                                " does not decode");
    if (event.stream != stream || event.version != chunk[i].first || event.position != position) {
      return Status::Corruption("the event at position " + std::to_string(position) +
                                " does not match the index of stream '" + std::string(stream) +
                                "'");
    }
    return Status::Ok();
  };
  auto consecutive = [&] {
    const uint64_t first = LoadBigEndian64(chunk.front().second.bytes);
    for (size_t i = 1; i < chunk.size(); ++i) {
      if (LoadBigEndian64(chunk[i].second.bytes) != first + i) return false;
    }
    return true;
  };
  auto flush = [&]() -> Status {
    if (chunk.empty()) return Status::Ok();
    if (forward && chunk.size() > 1 && consecutive()) {
      const uint64_t first = LoadBigEndian64(chunk.front().second.bytes);
      const U64Bytes end_key(first + chunk.size());
      const rocksdb::Slice end_slice = end_key.slice();
      rocksdb::ReadOptions scan_options;
      scan_options.iterate_upper_bound = &end_slice;
      std::unique_ptr<rocksdb::Iterator> log_it(db_->NewIterator(scan_options, log_cf_));
      log_it->Seek(chunk.front().second.slice());
      for (size_t i = 0; i < chunk.size(); ++i, log_it->Next()) {
        const uint64_t position = first + i;
        if (!log_it->Valid()) {
          if (!log_it->status().ok()) return ReadError(log_it->status(), "reading the log");
          return missing(position);
        }
        const rocksdb::Slice key = log_it->key();
        if (key.size() != 8 || LoadBigEndian64(key.data()) != position) return missing(position);
        if (Status d = decode(i, position, ToView(log_it->value())); !d.ok()) return d;
      }
      chunk.clear();
      return Status::Ok();
    }
    keys.clear();
    for (const auto& [version, position] : chunk) keys.push_back(position.slice());
    values.resize(chunk.size());
    statuses.resize(chunk.size());
    for (auto& v : values) v.Reset();
    db_->MultiGet(rocksdb::ReadOptions(), log_cf_, keys.size(), keys.data(), values.data(),
                  statuses.data(), forward);
    for (size_t i = 0; i < chunk.size(); ++i) {
      const uint64_t position = LoadBigEndian64(chunk[i].second.bytes);
      if (!statuses[i].ok()) {
        if (statuses[i].IsNotFound()) return missing(position);
        return ReadError(statuses[i], "reading the log");
      }
      if (Status d = decode(i, position, ToView(values[i])); !d.ok()) return d;
    }
    chunk.clear();
    return Status::Ok();
  };
  while (it->Valid() && out.size() + chunk.size() < o.max_count) {
    const rocksdb::Slice k = it->key();
    const rocksdb::Slice v = it->value();
    if (k.size() != prefix_size + 8 || v.size() != 8) {
      return Status::Corruption("stream '" + std::string(stream) + "' has a malformed index entry");
    }
    const uint64_t version = LoadBigEndian64(k.data() + prefix_size);
    const uint64_t position = LoadBigEndian64(v.data());
    if (forward) {
      if (position > head) break;  // positions grow with versions: the rest is unpublished
      chunk.emplace_back(version, U64Bytes(position));
      it->Next();
    } else {
      if (version <= deleted_through) break;
      if (position <= head) chunk.emplace_back(version, U64Bytes(position));
      it->Prev();
    }
    if (chunk.size() == kChunk) {
      if (Status f = flush(); !f.ok()) return f;
    }
  }
  if (!it->status().ok())
    return ReadError(it->status(), "reading stream '" + std::string(stream) + "'");
  if (Status f = flush(); !f.ok()) return f;
  return out;
}

Result<uint64_t> RocksDbEventLog::StreamVersion(std::string_view stream) const {
  std::shared_lock db_lock(db_mu_);
  if (!db_) return Status::Unavailable("event log is closed");
  if (!IsValidStreamId(stream)) return uint64_t{0};
  const uint64_t head = head_.load(std::memory_order_acquire);
  std::string key;
  key.push_back(kMetaStreamTag);
  key.append(stream);
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_cf_, key, &value);
  if (s.IsNotFound()) return uint64_t{0};
  if (!s.ok()) return ReadError(s, "reading the head of stream '" + std::string(stream) + "'");
  const auto stream_head = DecodeStreamHead(value);
  if (!stream_head)
    return Status::Corruption("the head of stream '" + std::string(stream) + "' is malformed");
  if (stream_head->last_position <= head) return stream_head->version;

  // A group commit is between its write and its publication: report the version of the
  // newest event at or below the published head.
  std::string lower;
  StreamKeyPrefix(stream, &lower);
  const size_t prefix_size = lower.size();
  std::string seek_key = lower;
  AppendBigEndian64(&seek_key, stream_head->version);
  const rocksdb::Slice lower_slice(lower);
  rocksdb::ReadOptions ro;
  ro.iterate_lower_bound = &lower_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, streams_cf_));
  for (it->SeekForPrev(seek_key); it->Valid(); it->Prev()) {
    if (it->key().size() != prefix_size + 8 || it->value().size() != 8) {
      return Status::Corruption("stream '" + std::string(stream) + "' has a malformed index entry");
    }
    if (LoadBigEndian64(it->value().data()) <= head) {
      return LoadBigEndian64(it->key().data() + prefix_size);
    }
  }
  if (!it->status().ok())
    return ReadError(it->status(), "reading stream '" + std::string(stream) + "'");
  return uint64_t{0};
}

}  // namespace

Result<std::unique_ptr<EventLog>> OpenRocksDbLog(const RocksDbLogOptions& options) {
  if (options.path.empty())
    return Status::InvalidArgument("the event log's data folder path is empty");
  if (options.max_group_events == 0)
    return Status::InvalidArgument("max_group_events must be at least 1");
  if (options.stream_cache_entries == 0)
    return Status::InvalidArgument("stream_cache_entries must be at least 1");
  auto log = std::make_unique<RocksDbEventLog>(options);
  if (Status s = log->Open(); !s.ok()) return s;
  return std::unique_ptr<EventLog>(std::move(log));
}

}  // namespace dialtone::store
