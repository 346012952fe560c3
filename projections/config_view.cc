// The RocksDB configuration view. One subscription thread folds events into a
// WriteBatchWithIndex (so a burst's read-modify-writes see the burst's own earlier
// changes) and writes it, together with the checkpoint, as one WriteBatch when the
// subscription catches up or the batch is full. Readers go straight to RocksDB.
// Layout and invariants: projections/FORMAT.md.
#include "projections/config_view.h"

#include <openssl/evp.h>
#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/utilities/write_batch_with_index.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <condition_variable>
#include <map>
#include <mutex>
#include <unordered_map>
#include <string_view>

#include "account.pb.h"
#include "domain/account_fold.h"
#include "events/event_types.h"
#include "model/schema.h"
#include "model/validate.h"
#include "resource.pb.h"

namespace dialtone::projections {
namespace {

using events::RecordedEvent;
using google::protobuf::FieldDescriptor;

// ---------------------------------------------------------------------------------------
// Encodings (projections/FORMAT.md)

constexpr std::string_view kFormatTag = "dialtone.config_view/3";
// Earlier formats: a folder in one of them is cleared and folded again from position 0
// when opened (a view is derived data).
constexpr std::array<std::string_view, 2> kOlderFormatTags = {"dialtone.config_view/1", "dialtone.config_view/2"};

constexpr std::string_view kRowsFamily = "rows";
constexpr std::string_view kAccountsFamily = "accounts";
constexpr std::string_view kChildrenFamily = "children";
constexpr std::string_view kApiKeysFamily = "api_keys";
constexpr std::string_view kAccountKeysFamily = "account_keys";
constexpr std::string_view kReservationsFamily = "reservations";
constexpr std::string_view kMetaFamily = "meta";

// Every family but `default`, in the order ContentDigest hashes them (meta last, unhashed).
constexpr std::array<std::string_view, 7> kFamilies = {
    kRowsFamily,         kAccountsFamily,       kChildrenFamily, kApiKeysFamily,
    kAccountKeysFamily,  kReservationsFamily,   kMetaFamily};
constexpr size_t kMetaIndex = 6;

constexpr std::string_view kMetaFormatKey = "F";
constexpr std::string_view kMetaCheckpointKey = "P";

constexpr std::string_view kAccountKind = "account";

// Events read per step of the subscription, and folded into one WriteBatch at most.
constexpr size_t kReadBatchEvents = 1024;
constexpr size_t kMaxBatchEvents = 1024;

void AppendBigEndian64(std::string* out, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, sizeof(buf));
}

uint64_t LoadBigEndian64(const char* in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

std::string BigEndian64(uint64_t v) {
  std::string out;
  AppendBigEndian64(&out, v);
  return out;
}

std::string_view ToView(const rocksdb::Slice& s) { return {s.data(), s.size()}; }
rocksdb::Slice ToSlice(std::string_view s) { return {s.data(), s.size()}; }

// A key component: non-empty and free of NUL (the separator).
bool IsKeyPart(std::string_view s) { return !s.empty() && s.find('\0') == std::string_view::npos; }

// `a ‖ 0x00 ‖ b ‖ 0x00 ‖ ...`: tuples of NUL-free parts sort like the tuples themselves.
std::string JoinKey(std::initializer_list<std::string_view> parts) {
  std::string key;
  bool first = true;
  for (std::string_view part : parts) {
    if (!first) key.push_back('\0');
    key.append(part);
    first = false;
  }
  return key;
}

std::string RowKey(std::string_view account_id, std::string_view kind, std::string_view id) {
  return JoinKey({account_id, kind, id});
}
// The prefix shared by every row of (account_id, kind); the id follows it.
std::string RowPrefix(std::string_view account_id, std::string_view kind) {
  return JoinKey({account_id, kind, ""});
}

// rows value: u64 revision ‖ u64 position ‖ document JSON text.
std::string EncodeRowText(uint64_t revision, uint64_t position, std::string_view document_text) {
  std::string value;
  value.reserve(16 + document_text.size());
  AppendBigEndian64(&value, revision);
  AppendBigEndian64(&value, position);
  value.append(document_text);
  return value;
}
std::string EncodeRowValue(uint64_t revision, uint64_t position, const nlohmann::json& document) {
  return EncodeRowText(revision, position, document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// The row of `key`/`value` with its document text (not parsed).
Result<RowText> DecodeRowText(std::string_view key, std::string_view value) {
  RowText row;
  const size_t first = key.find('\0');
  const size_t second = first == std::string_view::npos ? first : key.find('\0', first + 1);
  if (second == std::string_view::npos || value.size() < 16) {
    return Status::Corruption("config view row is damaged");
  }
  row.account_id = std::string(key.substr(0, first));
  row.kind = std::string(key.substr(first + 1, second - first - 1));
  row.id = std::string(key.substr(second + 1));
  row.revision = LoadBigEndian64(value.data());
  row.position = LoadBigEndian64(value.data() + 8);
  row.document = std::string(value.substr(16));
  return row;
}

Result<nlohmann::json> ParseDocument(const RowText& row) {
  nlohmann::json document = nlohmann::json::parse(row.document, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return Status::Corruption("config view row '" + row.kind + "/" + row.id +
                              "' holds a document that does not parse");
  }
  return document;
}

Result<ResourceRow> DecodeRow(std::string_view key, std::string_view value) {
  auto text = DecodeRowText(key, value);
  if (!text.ok()) return text.status();
  auto document = ParseDocument(*text);
  if (!document.ok()) return document.status();
  ResourceRow row;
  row.account_id = std::move(text->account_id);
  row.kind = std::move(text->kind);
  row.id = std::move(text->id);
  row.revision = text->revision;
  row.position = text->position;
  row.document = std::move(document).value();
  return row;
}

// accounts value: u64 version ‖ domain::EncodeAccountSnapshot bytes.
std::string EncodeAccountState(const domain::AccountState& state) {
  std::string value;
  AppendBigEndian64(&value, state.version);
  value += domain::EncodeAccountSnapshot(state);
  return value;
}

Result<domain::AccountState> DecodeAccountState(std::string_view value) {
  if (value.size() < 8) return Status::Corruption("config view account state is damaged");
  return domain::DecodeAccountSnapshot(value.substr(8), LoadBigEndian64(value.data()));
}

// api_keys value: u8 revoked ‖ u64 created_ms ‖ events::ApiKeyCreated bytes.
std::string EncodeApiKey(const events::ApiKeyCreated& created, int64_t created_ms, bool revoked) {
  std::string value(1, revoked ? '\1' : '\0');
  AppendBigEndian64(&value, static_cast<uint64_t>(created_ms));
  value += created.SerializeAsString();
  return value;
}

Result<ApiKeyRow> DecodeApiKey(std::string_view value) {
  events::ApiKeyCreated created;
  if (value.size() < 9 || (value[0] != '\0' && value[0] != '\1') ||
      !created.ParseFromArray(value.data() + 9, static_cast<int>(value.size() - 9))) {
    return Status::Corruption("config view API key is damaged");
  }
  ApiKeyRow row;
  row.key_id = created.key_id();
  row.account_id = created.account_id();
  row.secret_sha256 = created.secret_sha256();
  row.scopes.assign(created.scopes().begin(), created.scopes().end());
  row.label = created.label();
  row.created_by = created.created_by();
  row.created_ms = static_cast<int64_t>(LoadBigEndian64(value.data() + 1));
  row.revoked = value[0] == '\1';
  return row;
}

// reservations value: events::ReservationClaimed bytes.
Result<events::ReservationClaimed> DecodeReservation(std::string_view value) {
  events::ReservationClaimed claimed;
  if (!claimed.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return Status::Corruption("config view reservation is damaged");
  }
  return claimed;
}

// The /v1 document of an account: identity, status, every AccountSettings field
// (booleans 0/1) and epoch-second times.
nlohmann::json AccountDocument(const commands::AccountView& view) {
  nlohmann::json doc = nlohmann::json::object();
  doc["account_id"] = view.account_id;
  doc["parent_id"] = view.parent_id;
  doc["status"] = view.status;
  const auto* descriptor = events::AccountSettings::descriptor();
  const auto* reflection = events::AccountSettings::GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (!reflection->HasField(view.settings, field)) {  // an optional setting left null
      doc[field->name()] = nullptr;
      continue;
    }
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        doc[field->name()] = reflection->GetString(view.settings, field);
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        doc[field->name()] = reflection->GetInt32(view.settings, field);
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        doc[field->name()] = reflection->GetBool(view.settings, field) ? 1 : 0;
        break;
      default:
        assert(false && "AccountSettings holds a field type the view does not render");
    }
  }
  doc["created_at"] = view.created_ms / 1000;
  doc["updated_at"] = view.updated_ms / 1000;
  return doc;
}

bool MatchesFilters(const nlohmann::json& document,
                    const std::vector<std::pair<std::string, std::string>>& filters) {
  for (const auto& [field, wanted] : filters) {
    if (!document.is_object()) return false;
    auto it = document.find(field);
    if (it == document.end()) return false;
    if (it->is_string()) {
      if (it->get_ref<const std::string&>() != wanted) return false;
    } else if (it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) != wanted) {
      return false;
    }
  }
  return true;
}

Status OpenError(const rocksdb::Status& s, const std::string& path) {
  const std::string text = s.ToString();
  auto contains = [&](std::string_view needle) { return text.find(needle) != std::string::npos; };
  if (s.IsIOError() && contains("Resource temporarily unavailable")) {
    return Status::Busy("view folder '" + path + "' is locked by another process");
  }
  if (s.IsIOError() && contains("lock hold by current process")) {
    return Status::Busy("view folder '" + path + "' is already open in this process");
  }
  if (s.IsCorruption() || s.IsInvalidArgument() || s.IsNotSupported()) {
    return Status::Corruption("view folder '" + path + "' is damaged or not a config view: " +
                              text);
  }
  return Status::IOError("cannot open view folder '" + path + "': " + text);
}

Status StorageError(const rocksdb::Status& s, std::string_view what) {
  if (s.IsCorruption()) return Status::Corruption(std::string(what) + ": " + s.ToString());
  return Status::IOError(std::string(what) + ": " + s.ToString());
}

// Refuses, without changing it, a RocksDB database with families that are not ours (for
// instance the event log's own folder).
Status RefuseForeignDatabase(const std::string& path) {
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok()) {
    return Status::Ok();  // no database yet, or unreadable: DB::Open reports it
  }
  for (const std::string& name : names) {
    if (name == rocksdb::kDefaultColumnFamilyName) continue;
    if (std::find(kFamilies.begin(), kFamilies.end(), name) == kFamilies.end()) {
      return Status::Corruption("view folder '" + path + "' is not a config view (it holds a '" +
                                name + "' column family)");
    }
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------

class RocksDbConfigView final : public ConfigView {
 public:
  RocksDbConfigView(ConfigViewOptions options, const store::EventLog& log)
      : options_(std::move(options)), log_(log), batch_(rocksdb::BytewiseComparator(), 0, true) {
    write_options_.sync = false;  // the WAL orders batches; a lost tail is folded again
  }

  ~RocksDbConfigView() override {
    Stop();
    if (db_ != nullptr) {
      for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
      db_->Close();
    }
  }

  Status Open();

  Result<std::optional<ResourceRow>> Get(std::string_view account_id, std::string_view kind,
                                         std::string_view id) const override;
  Result<ListPage> List(const ListQuery& query) const override;
  Result<std::optional<RowText>> GetText(std::string_view account_id, std::string_view kind,
                                         std::string_view id) const override;
  Result<TextPage> ListText(const ListQuery& query) const override;
  Result<ListPage> ListChildAccounts(std::string_view parent_id, std::string_view after_id,
                                     size_t limit) const override;
  Result<std::optional<ApiKeyRow>> FindApiKey(std::string_view key_id) const override;
  Result<std::vector<ApiKeyRow>> ListApiKeys(std::string_view account_id) const override;
  Result<std::optional<Reservation>> FindReservation(std::string_view scope,
                                                     std::string_view value) const override;

  uint64_t position() const override { return position_.load(std::memory_order_acquire); }
  uint64_t credentials_generation() const override {
    return credentials_generation_.load(std::memory_order_acquire);
  }
  bool WaitForPosition(uint64_t position, std::chrono::milliseconds timeout) const override;
  void NotifyAt(uint64_t position, std::function<void(bool)> reached) const override;
  Status Rebuild() override;
  Result<std::string> ContentDigest() const override;
  void Stop() override;

  ConfigViewStats stats() const override {
    ConfigViewStats s;
    s.events_folded = events_folded_.load();
    s.events_skipped = events_skipped_.load();
    s.events_malformed = events_malformed_.load();
    s.batches_written = batches_written_.load();
    return s;
  }
  Status health() const override {
    std::lock_guard lock(progress_mu_);
    return failure_;
  }

 private:
  rocksdb::ColumnFamilyHandle* rows() const { return handles_[1]; }
  rocksdb::ColumnFamilyHandle* accounts() const { return handles_[2]; }
  rocksdb::ColumnFamilyHandle* children() const { return handles_[3]; }
  rocksdb::ColumnFamilyHandle* api_keys() const { return handles_[4]; }
  rocksdb::ColumnFamilyHandle* account_keys() const { return handles_[5]; }
  rocksdb::ColumnFamilyHandle* reservations() const { return handles_[6]; }
  rocksdb::ColumnFamilyHandle* meta() const { return handles_[7]; }

  // --- folding (subscription thread, under fold_mu_) ---
  void StartFollowing(uint64_t after_position);
  void StopFollowing();
  void OnEvent(const RecordedEvent& event);
  void OnCaughtUp();
  void FlushLocked();
  // Drops the batch in progress; folding resumes after the last written checkpoint.
  void DiscardPendingLocked();
  // Folds one event into batch_. kInvalidArgument = the event is unusable (malformed),
  // kNotFound = a type the view does not fold; a storage error is returned as is.
  Status Fold(const RecordedEvent& event);
  Status FoldAccount(const RecordedEvent& event);
  Status FoldResource(const RecordedEvent& event);
  Status FoldApiKey(const RecordedEvent& event);
  Status FoldReservation(const RecordedEvent& event);
  // Row writes of the batch in progress; their keys leave the row cache when it is written.
  void PutRow(const std::string& key, const std::string& value) {
    batch_.Put(rows(), key, value);
    pending_row_keys_.push_back(key);
  }
  void DeleteRow(const std::string& key) {
    batch_.Delete(rows(), key);
    pending_row_keys_.push_back(key);
  }
  // Drops the cached rows `keys` names; called after their batch is written, before the
  // position that makes it visible is published.
  void Uncache(const std::vector<std::string>& keys);
  // Reads `key` as the batch in progress would leave it; nullopt when absent.
  Result<std::optional<std::string>> ReadThrough(rocksdb::ColumnFamilyHandle* family,
                                                 const std::string& key);
  void PublishPosition(uint64_t position);
  void Fail(Status status);
  // Adds to `batch` the deletion of every entry of every family but meta.
  Status AddClearAll(rocksdb::WriteBatch& batch) const;

  // --- reading ---
  // Visits the entries of `family` whose key starts with `prefix` and whose remaining
  // tail sorts after `after`, in key order, until `visit` returns false.
  template <typename Visit>
  Status ScanPrefix(rocksdb::ColumnFamilyHandle* family, const rocksdb::ReadOptions& read,
                    std::string_view prefix, std::string_view after, Visit visit) const;
  // A page of account rows named by the tails of an index scan (accounts or children).
  Result<ListPage> ListAccountsByIndex(rocksdb::ColumnFamilyHandle* index, std::string_view prefix,
                                       const ListQuery& query) const;
  Result<std::optional<ResourceRow>> GetRow(const rocksdb::ReadOptions& read,
                                            const std::string& key) const;

  const ConfigViewOptions options_;
  const store::EventLog& log_;
  rocksdb::WriteOptions write_options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // default, then kFamilies in order

  // Start/stop/rebuild are serialised; the subscription is owned under control_mu_.
  std::mutex control_mu_;
  std::unique_ptr<store::Subscription> subscription_;

  // The batch in progress: events up to pending_position_ folded but not yet written.
  std::mutex fold_mu_;
  rocksdb::WriteBatchWithIndex batch_;
  size_t pending_events_ = 0;
  uint64_t pending_position_ = 0;
  uint64_t pending_folded_ = 0, pending_skipped_ = 0, pending_malformed_ = 0;
  bool pending_touches_credentials_ = false;  // the batch folds an account or API-key event
  std::vector<std::string> pending_row_keys_;   // rows the batch in progress writes

  // Rows read recently (key -> value as stored), in front of RocksDB for GetText/Get.
  // A read that misses fills it only if no batch was written since the read began
  // (row_cache_epoch_), so a row is never cached older than what RocksDB holds.
  static constexpr size_t kRowCacheCapacity = 65536;
  mutable std::mutex row_cache_mu_;
  mutable std::unordered_map<std::string, std::shared_ptr<const std::string>> row_cache_;
  mutable uint64_t row_cache_epoch_ = 0;  // guarded by row_cache_mu_
  // The stored value of row `key` (nullopt: none), through the row cache.
  Result<std::optional<std::shared_ptr<const std::string>>> ReadRowValue(const std::string& key) const;
  std::atomic<uint64_t> credentials_generation_{0};

  // Progress visible to readers: the checkpoint written last, or the first write failure.
  std::atomic<uint64_t> position_{0};
  mutable std::mutex progress_mu_;
  mutable std::condition_variable progress_cv_;
  Status failure_;  // guarded by progress_mu_
  bool stopped_ = false;  // guarded by progress_mu_: Stop() ran, nothing more is folded
  // NotifyAt callbacks by the position they wait for; guarded by progress_mu_.
  mutable std::multimap<uint64_t, std::function<void(bool)>> waiters_;
  // Runs the waiters that `position` satisfies (all of them, with false, when `failed`).
  void RunWaiters(uint64_t position, bool failed);
  std::atomic<bool> failed_{false};  // failure_ is set (read by the fold without the lock)

  std::atomic<uint64_t> events_folded_{0}, events_skipped_{0}, events_malformed_{0},
      batches_written_{0};
};

Status RocksDbConfigView::Open() {
  if (options_.path.empty()) return Status::InvalidArgument("config view path is empty");
  if (Status s = RefuseForeignDatabase(options_.path); !s.ok()) return s;

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 4;
  db_options.max_total_wal_size = 128ull << 20;
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  rocksdb::ColumnFamilyOptions family_options;
  family_options.write_buffer_size = 16 << 20;
  family_options.level_compaction_dynamic_level_bytes = true;

  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, family_options);
  for (std::string_view name : kFamilies) families.emplace_back(std::string(name), family_options);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options_.path, families, &handles_, &raw);
  if (!s.ok()) return OpenError(s, options_.path);
  db_.reset(raw);

  std::string value;
  s = db_->Get(rocksdb::ReadOptions(), meta(), ToSlice(kMetaFormatKey), &value);
  if (s.IsNotFound()) {
    // A new folder: every family must be empty before the format tag is written.
    for (size_t i = 0; i < handles_.size(); ++i) {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[i]));
      it->SeekToFirst();
      if (it->Valid()) {
        return Status::Corruption("view folder '" + options_.path +
                                  "' holds data but no config view format tag");
      }
    }
    rocksdb::WriteBatch init;
    init.Put(meta(), ToSlice(kMetaFormatKey), ToSlice(kFormatTag));
    init.Put(meta(), ToSlice(kMetaCheckpointKey), BigEndian64(0));
    rocksdb::WriteOptions durable;
    durable.sync = true;
    if (s = db_->Write(durable, &init); !s.ok()) return StorageError(s, "initialising the view");
  } else if (!s.ok()) {
    return StorageError(s, "reading the view's format tag");
  } else if (std::find(kOlderFormatTags.begin(), kOlderFormatTags.end(), value) != kOlderFormatTags.end()) {
    // Derived data in an earlier layout: empty it in one batch and fold the log again.
    rocksdb::WriteBatch clear;
    if (Status cleared = AddClearAll(clear); !cleared.ok()) return cleared;
    clear.Put(meta(), ToSlice(kMetaFormatKey), ToSlice(kFormatTag));
    clear.Put(meta(), ToSlice(kMetaCheckpointKey), BigEndian64(0));
    rocksdb::WriteOptions durable;
    durable.sync = true;
    if (s = db_->Write(durable, &clear); !s.ok()) return StorageError(s, "clearing a view of an earlier format");
  } else if (value != kFormatTag) {
    return Status::Corruption("view folder '" + options_.path + "' has format '" + value +
                              "', expected '" + std::string(kFormatTag) + "'");
  }

  s = db_->Get(rocksdb::ReadOptions(), meta(), ToSlice(kMetaCheckpointKey), &value);
  if (!s.ok()) return StorageError(s, "reading the view's checkpoint");
  if (value.size() != 8) return Status::Corruption("the view's checkpoint is damaged");
  const uint64_t checkpoint = LoadBigEndian64(value.data());
  if (checkpoint > log_.HeadPosition()) {
    return Status::Corruption("the view is at position " + std::to_string(checkpoint) +
                              ", beyond the log's head " + std::to_string(log_.HeadPosition()) +
                              " (a view of another log?)");
  }
  position_.store(checkpoint, std::memory_order_release);
  pending_position_ = checkpoint;

  std::lock_guard control(control_mu_);
  StartFollowing(checkpoint);
  return Status::Ok();
}

// --- folding -----------------------------------------------------------------------------

void RocksDbConfigView::StartFollowing(uint64_t after_position) {
  store::SubscribeOptions subscribe;
  subscribe.after_position = after_position;
  subscribe.batch_size = kReadBatchEvents;
  subscribe.on_caught_up = [this](uint64_t /*head*/) { OnCaughtUp(); };
  subscription_ = log_.Subscribe(std::move(subscribe),
                                 [this](const RecordedEvent& event) { OnEvent(event); });
}

void RocksDbConfigView::StopFollowing() {
  if (subscription_ == nullptr) return;
  subscription_->Stop();
  subscription_.reset();
}

void RocksDbConfigView::OnEvent(const RecordedEvent& event) {
  std::unique_lock lock(fold_mu_);
  if (failed_.load()) return;  // a failed write stopped the view
  assert(event.position == pending_position_ + 1 && "the log delivered a gap or a repeat");
  const Status folded = Fold(event);
  switch (folded.code()) {
    case ErrorCode::kOk: ++pending_folded_; break;
    case ErrorCode::kNotFound: ++pending_skipped_; break;
    case ErrorCode::kInvalidArgument: ++pending_malformed_; break;
    default:
      DiscardPendingLocked();
      Fail(folded);
      return;
  }
  if (folded.ok() && (event.type.rfind("account.", 0) == 0 || event.type.rfind("apikey.", 0) == 0)) {
    pending_touches_credentials_ = true;
  }
  pending_position_ = event.position;
  if (++pending_events_ < kMaxBatchEvents) return;
  FlushLocked();
  lock.unlock();
  RunWaiters(position_.load(std::memory_order_acquire), false);
}

void RocksDbConfigView::OnCaughtUp() {
  {
    std::lock_guard lock(fold_mu_);
    FlushLocked();
  }
  RunWaiters(position_.load(std::memory_order_acquire), false);
}

void RocksDbConfigView::FlushLocked() {
  if (pending_events_ == 0 || failed_.load()) return;
  batch_.Put(meta(), ToSlice(kMetaCheckpointKey), BigEndian64(pending_position_));
  const rocksdb::Status s = db_->Write(write_options_, batch_.GetWriteBatch());
  if (!s.ok()) {
    DiscardPendingLocked();
    Fail(StorageError(s, "writing the config view"));
    return;
  }
  batch_.Clear();
  pending_events_ = 0;
  events_folded_ += pending_folded_;
  events_skipped_ += pending_skipped_;
  events_malformed_ += pending_malformed_;
  pending_folded_ = pending_skipped_ = pending_malformed_ = 0;
  ++batches_written_;
  // Rows leave the cache before the credentials generation moves: a reader that sees the
  // new generation and re-reads an account or key must get the row just written.
  Uncache(pending_row_keys_);
  pending_row_keys_.clear();
  if (pending_touches_credentials_) {
    credentials_generation_.fetch_add(1, std::memory_order_acq_rel);
    pending_touches_credentials_ = false;
  }
  PublishPosition(pending_position_);
}

void RocksDbConfigView::Uncache(const std::vector<std::string>& keys) {
  std::lock_guard lock(row_cache_mu_);
  ++row_cache_epoch_;
  for (const std::string& key : keys) row_cache_.erase(key);
}

Result<std::optional<std::shared_ptr<const std::string>>> RocksDbConfigView::ReadRowValue(const std::string& key) const {
  uint64_t epoch = 0;
  {
    std::lock_guard lock(row_cache_mu_);
    if (auto it = row_cache_.find(key); it != row_cache_.end()) return std::optional(it->second);
    epoch = row_cache_epoch_;
  }
  std::string value;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), rows(), key, &value);
  if (s.IsNotFound()) return std::optional<std::shared_ptr<const std::string>>();
  if (!s.ok()) return StorageError(s, "reading the config view");
  auto shared = std::make_shared<const std::string>(std::move(value));
  std::lock_guard lock(row_cache_mu_);
  if (row_cache_epoch_ == epoch) {
    if (row_cache_.size() >= kRowCacheCapacity) row_cache_.clear();
    row_cache_.emplace(key, shared);
  }
  return std::optional(std::move(shared));
}

void RocksDbConfigView::DiscardPendingLocked() {
  batch_.Clear();
  pending_events_ = 0;
  pending_row_keys_.clear();
  pending_touches_credentials_ = false;
  pending_folded_ = pending_skipped_ = pending_malformed_ = 0;
  pending_position_ = position_.load(std::memory_order_acquire);
}

void RocksDbConfigView::PublishPosition(uint64_t position) {
  {
    std::lock_guard lock(progress_mu_);
    position_.store(position, std::memory_order_release);
  }
  progress_cv_.notify_all();
}

void RocksDbConfigView::RunWaiters(uint64_t position, bool failed) {
  std::vector<std::function<void(bool)>> due;
  {
    std::lock_guard lock(progress_mu_);
    auto end = failed ? waiters_.end() : waiters_.upper_bound(position);
    for (auto it = waiters_.begin(); it != end; ++it) due.push_back(std::move(it->second));
    waiters_.erase(waiters_.begin(), end);
  }
  for (auto& reached : due) reached(!failed);
}

void RocksDbConfigView::NotifyAt(uint64_t position, std::function<void(bool)> reached) const {
  {
    std::lock_guard lock(progress_mu_);
    const bool done = position_.load(std::memory_order_acquire) >= position;
    if (!done && failure_.ok() && !stopped_) {
      waiters_.emplace(position, std::move(reached));
      return;
    }
  }
  // Reached already, or never will be: answered outside the lock.
  reached(position_.load(std::memory_order_acquire) >= position);
}

void RocksDbConfigView::Fail(Status status) {
  assert(!status.ok());
  {
    std::lock_guard lock(progress_mu_);
    if (failure_.ok()) failure_ = std::move(status);
    failed_.store(true);
  }
  progress_cv_.notify_all();
  RunWaiters(0, true);
}

Result<std::optional<std::string>> RocksDbConfigView::ReadThrough(
    rocksdb::ColumnFamilyHandle* family, const std::string& key) {
  std::string value;
  const rocksdb::Status s =
      batch_.GetFromBatchAndDB(db_.get(), rocksdb::ReadOptions(), family, key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return StorageError(s, "reading the config view");
  return std::optional<std::string>(std::move(value));
}

Status RocksDbConfigView::Fold(const RecordedEvent& event) {
  const std::string_view type = event.type;
  if (type == events::kAccountCreated || type == events::kAccountUpdated ||
      type == events::kAccountSuspended || type == events::kAccountReactivated ||
      type == events::kAccountClosed) {
    return FoldAccount(event);
  }
  if (type == events::kResourceCreated || type == events::kResourceUpdated ||
      type == events::kResourceDeleted) {
    return FoldResource(event);
  }
  if (type == events::kApiKeyCreated || type == events::kApiKeyRevoked) return FoldApiKey(event);
  if (type == events::kReservationClaimed || type == events::kReservationReleased) {
    return FoldReservation(event);
  }
  return Status::NotFound("not folded by the config view");
}

// Account events reuse the rules' own fold (domain::ReplayAccount), so the view and
// the actor can never disagree on defaults or merge rules. The account stream also
// carries resource events, so the state's version is moved to just before each account
// event: the view folds the account events of the stream, not all of its versions.
Status RocksDbConfigView::FoldAccount(const RecordedEvent& event) {
  constexpr std::string_view kStreamPrefix = "account-";
  if (event.stream.compare(0, kStreamPrefix.size(), kStreamPrefix) != 0 || event.version == 0) {
    return Status::InvalidArgument("account event outside an account stream");
  }
  const std::string account_id = event.stream.substr(kStreamPrefix.size());
  if (!IsKeyPart(account_id)) return Status::InvalidArgument("bad account id");

  auto stored = ReadThrough(accounts(), account_id);
  if (!stored.ok()) return stored.status();
  domain::AccountState state;
  if (stored->has_value()) {
    auto decoded = DecodeAccountState(**stored);
    if (!decoded.ok()) return decoded.status();
    state = std::move(decoded).value();
  }
  const bool was_created = state.exists();
  state.version = event.version - 1;
  if (!domain::ReplayAccount(state, events::RecordedEvents{event}).ok() ||
      state.account_id != account_id) {
    return Status::InvalidArgument("account event does not apply");
  }

  const commands::AccountView view = domain::ToAccountView(state);
  batch_.Put(accounts(), account_id, EncodeAccountState(state));
  PutRow(RowKey(account_id, kAccountKind, account_id),
             EncodeRowValue(view.version, event.position, AccountDocument(view)));
  if (!was_created) batch_.Put(children(), JoinKey({view.parent_id, account_id}), "");
  return Status::Ok();
}

Status RocksDbConfigView::FoldResource(const RecordedEvent& event) {
  if (event.type == events::kResourceDeleted) {
    events::ResourceDeleted deleted;
    if (!events::ParsePayload(event, &deleted).ok() || !IsKeyPart(deleted.account_id()) ||
        !IsKeyPart(deleted.kind()) || !IsKeyPart(deleted.id()) || deleted.kind() == kAccountKind) {
      return Status::InvalidArgument("bad resource.deleted");
    }
    DeleteRow(RowKey(deleted.account_id(), deleted.kind(), deleted.id()));
    return Status::Ok();
  }
  // resource.created and resource.updated carry the same fields.
  std::string account_id, kind, id, document_text;
  uint64_t revision = 0;
  auto take = [&](auto& message) {
    if (!events::ParsePayload(event, &message).ok()) return false;
    account_id = std::move(*message.mutable_account_id());
    kind = std::move(*message.mutable_kind());
    id = std::move(*message.mutable_id());
    document_text = std::move(*message.mutable_document());
    revision = message.revision();
    return true;
  };
  events::ResourceCreated created;
  events::ResourceUpdated updated;
  const bool parsed = event.type == events::kResourceCreated ? take(created) : take(updated);
  if (!parsed || !IsKeyPart(account_id) || !IsKeyPart(kind) || !IsKeyPart(id) ||
      kind == kAccountKind) {
    return Status::InvalidArgument("bad resource event");
  }
  // Readers answer rows as they are: the view keeps the public document, in the kind's
  // current shape, only. A kind with no hidden field (all but devices) and no earlier
  // shape is public as the event carries it: the text is checked to be a JSON object and
  // kept, not parsed and written again.
  const model::ResourceSpec* spec = model::FindResource(kind);
  const bool rewrites =
      spec == nullptr || spec->upgrade != nullptr ||
      std::any_of(spec->fields.begin(), spec->fields.end(), [](const model::FieldSpec& f) {
        return f.write_only || f.type == model::FieldType::kPassword;
      });
  if (!rewrites) {
    if (document_text.empty() || document_text.front() != '{' || !nlohmann::json::accept(document_text)) {
      return Status::InvalidArgument("resource document is not a JSON object");
    }
    PutRow(RowKey(account_id, kind, id), EncodeRowText(revision, event.position, document_text));
    return Status::Ok();
  }
  nlohmann::json document = nlohmann::json::parse(document_text, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    return Status::InvalidArgument("resource document is not a JSON object");
  }
  if (spec != nullptr) document = model::PublicView(*spec, model::UpgradeStored(*spec, std::move(document)));
  PutRow(RowKey(account_id, kind, id), EncodeRowValue(revision, event.position, document));
  return Status::Ok();
}

Status RocksDbConfigView::FoldApiKey(const RecordedEvent& event) {
  if (event.type == events::kApiKeyCreated) {
    events::ApiKeyCreated created;
    if (!events::ParsePayload(event, &created).ok() || !IsKeyPart(created.key_id()) ||
        !IsKeyPart(created.account_id())) {
      return Status::InvalidArgument("bad apikey.created");
    }
    batch_.Put(api_keys(), created.key_id(), EncodeApiKey(created, event.time_ms, false));
    batch_.Put(account_keys(), JoinKey({created.account_id(), created.key_id()}), "");
    return Status::Ok();
  }
  events::ApiKeyRevoked revoked;
  if (!events::ParsePayload(event, &revoked).ok() || !IsKeyPart(revoked.key_id())) {
    return Status::InvalidArgument("bad apikey.revoked");
  }
  auto stored = ReadThrough(api_keys(), revoked.key_id());
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return Status::InvalidArgument("revoke of an unknown key");
  std::string value = std::move(**stored);
  events::ApiKeyCreated created;
  if (value.size() < 9 || !created.ParseFromArray(value.data() + 9, int(value.size() - 9))) {
    return Status::Corruption("config view API key '" + revoked.key_id() + "' is damaged");
  }
  if (created.account_id() != revoked.account_id()) {
    return Status::InvalidArgument("revoke names another account's key");
  }
  value[0] = '\1';
  batch_.Put(api_keys(), revoked.key_id(), value);
  return Status::Ok();
}

Status RocksDbConfigView::FoldReservation(const RecordedEvent& event) {
  if (event.type == events::kReservationClaimed) {
    events::ReservationClaimed claimed;
    if (!events::ParsePayload(event, &claimed).ok() || !IsKeyPart(claimed.scope()) ||
        !IsKeyPart(claimed.value())) {
      return Status::InvalidArgument("bad reservation.claimed");
    }
    batch_.Put(reservations(), JoinKey({claimed.scope(), claimed.value()}),
               claimed.SerializeAsString());
    return Status::Ok();
  }
  events::ReservationReleased released;
  if (!events::ParsePayload(event, &released).ok() || !IsKeyPart(released.scope()) ||
      !IsKeyPart(released.value())) {
    return Status::InvalidArgument("bad reservation.released");
  }
  const std::string key = JoinKey({released.scope(), released.value()});
  auto stored = ReadThrough(reservations(), key);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return Status::Ok();  // nothing held: nothing to release
  auto holder = DecodeReservation(**stored);
  if (!holder.ok()) return holder.status();
  // A release by anyone but the holder leaves the current claim in place.
  if (holder->account_id() == released.account_id() &&
      holder->resource_id() == released.resource_id()) {
    batch_.Delete(reservations(), key);
  }
  return Status::Ok();
}

Status RocksDbConfigView::AddClearAll(rocksdb::WriteBatch& batch) const {
  for (size_t i = 1; i < handles_.size(); ++i) {
    if (handles_[i] == meta()) continue;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[i]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) batch.Delete(handles_[i], it->key());
    if (!it->status().ok()) return StorageError(it->status(), "scanning the view to clear it");
  }
  return Status::Ok();
}

// --- control -----------------------------------------------------------------------------

bool RocksDbConfigView::WaitForPosition(uint64_t position,
                                        std::chrono::milliseconds timeout) const {
  std::unique_lock lock(progress_mu_);
  progress_cv_.wait_for(lock, timeout, [&] {
    return position_.load(std::memory_order_acquire) >= position || !failure_.ok();
  });
  return position_.load(std::memory_order_acquire) >= position;
}

void RocksDbConfigView::Stop() {
  {
    std::lock_guard control(control_mu_);
    StopFollowing();
    // The subscription thread is gone: what it folded is a prefix of the log, keep it.
    std::lock_guard lock(fold_mu_);
    FlushLocked();
  }
  {
    std::lock_guard lock(progress_mu_);
    stopped_ = true;
  }
  RunWaiters(position_.load(std::memory_order_acquire), false);
  RunWaiters(0, true);  // nothing more will be folded: the rest never is reached
}

Status RocksDbConfigView::Rebuild() {
  std::lock_guard control(control_mu_);
  const uint64_t head = log_.HeadPosition();
  StopFollowing();
  {
    std::lock_guard lock(fold_mu_);
    DiscardPendingLocked();

    // One batch empties every family and resets the checkpoint: a crash leaves either
    // the old view or an empty one at position 0, never a mix.
    rocksdb::WriteBatch clear;
    if (Status cleared = AddClearAll(clear); !cleared.ok()) {
      StartFollowing(pending_position_);
      return cleared;
    }
    clear.Put(meta(), ToSlice(kMetaCheckpointKey), BigEndian64(0));
    rocksdb::WriteOptions durable;
    durable.sync = true;
    if (const rocksdb::Status s = db_->Write(durable, &clear); !s.ok()) {
      StartFollowing(pending_position_);
      return StorageError(s, "clearing the view");
    }
    {
      std::lock_guard cache(row_cache_mu_);
      ++row_cache_epoch_;
      row_cache_.clear();
    }
    pending_position_ = 0;
    credentials_generation_.fetch_add(1, std::memory_order_acq_rel);
    {
      std::lock_guard progress(progress_mu_);
      failure_ = Status::Ok();
      failed_.store(false);
      position_.store(0, std::memory_order_release);
    }
  }
  StartFollowing(0);
  std::unique_lock lock(progress_mu_);
  progress_cv_.wait(lock, [&] { return position_.load() >= head || !failure_.ok(); });
  return failure_;
}

// --- reading -----------------------------------------------------------------------------

template <typename Visit>
Status RocksDbConfigView::ScanPrefix(rocksdb::ColumnFamilyHandle* family,
                                     const rocksdb::ReadOptions& read, std::string_view prefix,
                                     std::string_view after, Visit visit) const {
  std::string start(prefix);
  if (!after.empty()) {
    start.append(after);
    start.push_back('\0');  // the smallest key whose tail sorts after `after`
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, family));
  for (it->Seek(start); it->Valid(); it->Next()) {
    const std::string_view key = ToView(it->key());
    if (key.substr(0, prefix.size()) != prefix) break;
    Result<bool> more = visit(key, key.substr(prefix.size()), ToView(it->value()));
    if (!more.ok()) return more.status();
    if (!*more) return Status::Ok();
  }
  if (!it->status().ok()) return StorageError(it->status(), "scanning the config view");
  return Status::Ok();
}

Result<std::optional<ResourceRow>> RocksDbConfigView::GetRow(const rocksdb::ReadOptions& read,
                                                             const std::string& key) const {
  std::string value;
  const rocksdb::Status s = db_->Get(read, rows(), key, &value);
  if (s.IsNotFound()) return std::optional<ResourceRow>();
  if (!s.ok()) return StorageError(s, "reading the config view");
  auto row = DecodeRow(key, value);
  if (!row.ok()) return row.status();
  return std::optional<ResourceRow>(std::move(row).value());
}

Result<std::optional<ResourceRow>> RocksDbConfigView::Get(std::string_view account_id,
                                                          std::string_view kind,
                                                          std::string_view id) const {
  if (!IsKeyPart(account_id) || !IsKeyPart(kind) || !IsKeyPart(id)) {
    return Status::InvalidArgument("account id, kind and id must be non-empty and free of NUL");
  }
  const std::string key = RowKey(account_id, kind, id);
  auto value = ReadRowValue(key);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::optional<ResourceRow>();
  auto row = DecodeRow(key, ***value);
  if (!row.ok()) return row.status();
  return std::optional<ResourceRow>(std::move(row).value());
}

Status ValidatePaging(std::string_view after_id, size_t limit) {
  if (limit == 0 || limit > kMaxListLimit) {
    return Status::InvalidArgument("limit must be between 1 and " + std::to_string(kMaxListLimit));
  }
  if (after_id.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("cursor holds a NUL byte");
  }
  return Status::Ok();
}

// Collects matching rows into a page: after `limit` rows, one more match sets the cursor.
template <typename Page>
struct PageBuilder {
  const ListQuery& query;
  Page page;

  // False once the page is complete. `matches` tells whether the row passes the filters.
  bool Offer(bool matches, auto row) {
    if (!matches) return true;
    if (page.rows.size() == query.limit) {
      page.next_cursor = page.rows.back().id;
      return false;
    }
    page.rows.push_back(std::move(row));
    return true;
  }
  bool Offer(ResourceRow row) {
    const bool matches = MatchesFilters(row.document, query.filters);
    return Offer(matches, std::move(row));
  }
};

Result<ListPage> RocksDbConfigView::List(const ListQuery& query) const {
  if (Status s = ValidatePaging(query.after_id, query.limit); !s.ok()) return s;
  if (!IsKeyPart(query.kind)) return Status::InvalidArgument("kind must be non-empty, without NUL");
  for (const auto& filter : query.filters) {
    if (filter.first.empty()) return Status::InvalidArgument("a filter names no field");
  }
  if (query.account_id.empty()) {
    if (query.kind != kAccountKind) {
      return Status::InvalidArgument("account_id is required to list '" + query.kind + "'");
    }
    return ListAccountsByIndex(accounts(), "", query);
  }
  if (!IsKeyPart(query.account_id)) return Status::InvalidArgument("account_id holds a NUL byte");

  PageBuilder<ListPage> builder{query, {}};
  const std::string prefix = RowPrefix(query.account_id, query.kind);
  Status s = ScanPrefix(rows(), rocksdb::ReadOptions(), prefix, query.after_id,
                        [&](std::string_view key, std::string_view, std::string_view value)
                            -> Result<bool> {
                          auto row = DecodeRow(key, value);
                          if (!row.ok()) return row.status();
                          return builder.Offer(std::move(row).value());
                        });
  if (!s.ok()) return s;
  return std::move(builder.page);
}

Result<std::optional<RowText>> RocksDbConfigView::GetText(std::string_view account_id,
                                                          std::string_view kind,
                                                          std::string_view id) const {
  if (!IsKeyPart(account_id) || !IsKeyPart(kind) || !IsKeyPart(id)) {
    return Status::InvalidArgument("account id, kind and id must be non-empty and free of NUL");
  }
  const std::string key = RowKey(account_id, kind, id);
  auto value = ReadRowValue(key);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::optional<RowText>();
  auto row = DecodeRowText(key, ***value);
  if (!row.ok()) return row.status();
  return std::optional<RowText>(std::move(row).value());
}

Result<TextPage> RocksDbConfigView::ListText(const ListQuery& query) const {
  if (query.account_id.empty() || query.kind == kAccountKind) {
    // Accounts are listed through their index; their rows are few and small.
    auto page = List(query);
    if (!page.ok()) return page.status();
    TextPage out;
    out.next_cursor = std::move(page->next_cursor);
    for (auto& row : page->rows) {
      out.rows.push_back(RowText{std::move(row.account_id), std::move(row.kind), std::move(row.id),
                                 row.document.dump(), row.revision, row.position});
    }
    return out;
  }
  if (Status s = ValidatePaging(query.after_id, query.limit); !s.ok()) return s;
  if (!IsKeyPart(query.kind)) return Status::InvalidArgument("kind must be non-empty, without NUL");
  if (!IsKeyPart(query.account_id)) return Status::InvalidArgument("account_id holds a NUL byte");
  for (const auto& filter : query.filters) {
    if (filter.first.empty()) return Status::InvalidArgument("a filter names no field");
  }
  PageBuilder<TextPage> builder{query, {}};
  const std::string prefix = RowPrefix(query.account_id, query.kind);
  Status s = ScanPrefix(rows(), rocksdb::ReadOptions(), prefix, query.after_id,
                        [&](std::string_view key, std::string_view, std::string_view value)
                            -> Result<bool> {
                          auto row = DecodeRowText(key, value);
                          if (!row.ok()) return row.status();
                          bool matches = true;
                          if (!query.filters.empty()) {
                            auto document = ParseDocument(*row);
                            if (!document.ok()) return document.status();
                            matches = MatchesFilters(*document, query.filters);
                          }
                          return builder.Offer(matches, std::move(row).value());
                        });
  if (!s.ok()) return s;
  return std::move(builder.page);
}

Result<ListPage> RocksDbConfigView::ListAccountsByIndex(rocksdb::ColumnFamilyHandle* index,
                                                        std::string_view prefix,
                                                        const ListQuery& query) const {
  // The index and the rows it names are read from one snapshot.
  rocksdb::ReadOptions read;
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  read.snapshot = snapshot;
  PageBuilder<ListPage> builder{query, {}};
  Status s = ScanPrefix(index, read, prefix, query.after_id,
                        [&](std::string_view, std::string_view account_id, std::string_view)
                            -> Result<bool> {
                          auto row = GetRow(read, RowKey(account_id, kAccountKind, account_id));
                          if (!row.ok()) return row.status();
                          if (!row->has_value()) {
                            return Status::Corruption("account '" + std::string(account_id) +
                                                      "' is indexed but has no row");
                          }
                          return builder.Offer(std::move(**row));
                        });
  db_->ReleaseSnapshot(snapshot);
  if (!s.ok()) return s;
  return std::move(builder.page);
}

Result<ListPage> RocksDbConfigView::ListChildAccounts(std::string_view parent_id,
                                                      std::string_view after_id,
                                                      size_t limit) const {
  if (Status s = ValidatePaging(after_id, limit); !s.ok()) return s;
  if (parent_id.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("parent id holds a NUL byte");
  }
  ListQuery query;
  query.kind = std::string(kAccountKind);
  query.after_id = std::string(after_id);
  query.limit = limit;
  return ListAccountsByIndex(children(), JoinKey({parent_id, ""}), query);
}

Result<std::optional<ApiKeyRow>> RocksDbConfigView::FindApiKey(std::string_view key_id) const {
  if (!IsKeyPart(key_id)) return Status::InvalidArgument("key id must be non-empty, without NUL");
  std::string value;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), api_keys(), ToSlice(key_id), &value);
  if (s.IsNotFound()) return std::optional<ApiKeyRow>();
  if (!s.ok()) return StorageError(s, "reading the config view");
  auto row = DecodeApiKey(value);
  if (!row.ok()) return row.status();
  return std::optional<ApiKeyRow>(std::move(row).value());
}

Result<std::vector<ApiKeyRow>> RocksDbConfigView::ListApiKeys(std::string_view account_id) const {
  if (!IsKeyPart(account_id)) {
    return Status::InvalidArgument("account id must be non-empty, without NUL");
  }
  rocksdb::ReadOptions read;
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  read.snapshot = snapshot;
  std::vector<ApiKeyRow> keys;
  Status s = ScanPrefix(account_keys(), read, JoinKey({account_id, ""}), "",
                        [&](std::string_view, std::string_view key_id, std::string_view)
                            -> Result<bool> {
                          std::string value;
                          const rocksdb::Status got =
                              db_->Get(read, api_keys(), ToSlice(key_id), &value);
                          if (!got.ok()) return StorageError(got, "API key index is dangling");
                          auto row = DecodeApiKey(value);
                          if (!row.ok()) return row.status();
                          keys.push_back(std::move(row).value());
                          return true;
                        });
  db_->ReleaseSnapshot(snapshot);
  if (!s.ok()) return s;
  return keys;
}

Result<std::optional<Reservation>> RocksDbConfigView::FindReservation(
    std::string_view scope, std::string_view value) const {
  if (!IsKeyPart(scope) || !IsKeyPart(value)) {
    return Status::InvalidArgument("scope and value must be non-empty, without NUL");
  }
  std::string stored;
  const rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), reservations(), JoinKey({scope, value}), &stored);
  if (s.IsNotFound()) return std::optional<Reservation>();
  if (!s.ok()) return StorageError(s, "reading the config view");
  auto claimed = DecodeReservation(stored);
  if (!claimed.ok()) return claimed.status();
  return std::optional<Reservation>(
      Reservation{claimed->account_id(), claimed->kind(), claimed->resource_id()});
}

Result<std::string> RocksDbConfigView::ContentDigest() const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (ctx == nullptr || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return Status::Internal("SHA-256 is unavailable");
  }
  auto update = [&](std::string_view bytes) {
    const std::string length = BigEndian64(bytes.size());
    EVP_DigestUpdate(ctx.get(), length.data(), length.size());
    EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size());
  };
  rocksdb::ReadOptions read;
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  read.snapshot = snapshot;
  Status status;
  for (size_t i = 0; i < kFamilies.size() && status.ok(); ++i) {
    if (i == kMetaIndex) continue;  // the checkpoint is progress, not content
    update(kFamilies[i]);
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, handles_[i + 1]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      update(ToView(it->key()));
      update(ToView(it->value()));
    }
    if (!it->status().ok()) status = StorageError(it->status(), "digesting the config view");
  }
  db_->ReleaseSnapshot(snapshot);
  if (!status.ok()) return status;

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1) {
    return Status::Internal("SHA-256 failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

}  // namespace

Result<std::unique_ptr<ConfigView>> ConfigView::Open(const ConfigViewOptions& options,
                                                     const store::EventLog& log) {
  auto view = std::make_unique<RocksDbConfigView>(options, log);
  if (Status s = view->Open(); !s.ok()) return s;
  return std::unique_ptr<ConfigView>(std::move(view));
}

}  // namespace dialtone::projections
