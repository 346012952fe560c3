// The configuration query view: every account, resource and API key folded from the
// log into RocksDB (<data>/views), rebuildable from position 0 to the same content.
// Reads never touch actors. A write is answered once the view has folded its position
// (read-your-writes): NotifyAt calls back without a thread waiting; WaitForPosition blocks
// (for the dialects whose handlers run on a worker).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "store/event_log.h"

namespace dialtone::projections {

// One row of the view. Accounts are rows of kind "account" (id = account id,
// account_id = the account itself) built from account.* events; every other kind comes
// from resource.* events.
struct ResourceRow {
  std::string account_id;
  std::string kind;
  std::string id;
  nlohmann::json document;   // the public document (model::PublicView of the event's:
                             // no secret values, no digest hashes)
  uint64_t revision = 0;     // ETag source
  uint64_t position = 0;     // log position of the row's last change
};

// A row with its document as stored: compact JSON text (object keys sorted), not parsed.
// The fast path of reads that answer the document as it is.
struct RowText {
  std::string account_id;
  std::string kind;
  std::string id;
  std::string document;      // JSON text of the public document (no secret, no hash)
  uint64_t revision = 0;
  uint64_t position = 0;
};

struct ListQuery {
  std::string account_id;    // required for every kind but "account" (without it, kind
                             // "account" lists every account)
  std::string kind;
  // Equality filters on top-level document fields (value compared as its JSON text
  // for numbers/booleans, raw for strings).
  std::vector<std::pair<std::string, std::string>> filters;
  std::string after_id;      // cursor: ids sort bytewise; rows with id > after_id
  size_t limit = 100;
};

// The largest `limit` List and ListChildAccounts accept.
inline constexpr size_t kMaxListLimit = 1000;

struct ListPage {
  std::vector<ResourceRow> rows;
  std::string next_cursor;   // empty when there are no more rows
};

struct TextPage {
  std::vector<RowText> rows;
  std::string next_cursor;   // empty when there are no more rows
};

struct ApiKeyRow {
  std::string key_id;
  std::string account_id;
  std::string secret_sha256;
  std::vector<std::string> scopes;
  std::string label;
  std::string created_by;
  int64_t created_ms = 0;
  bool revoked = false;
};

// Which resource holds a platform-unique value (e.g. scope "domain", "e164").
struct Reservation {
  std::string account_id;
  std::string kind;
  std::string resource_id;
};

// What this instance of the view has folded since it was opened (not persisted).
struct ConfigViewStats {
  uint64_t events_folded = 0;     // events of a type the view folds, applied
  uint64_t events_skipped = 0;    // events of other types (the checkpoint still advances)
  uint64_t events_malformed = 0;  // folded types whose payload or document is unusable
  uint64_t batches_written = 0;   // RocksDB writes (one WriteBatch each)
};

struct ConfigViewOptions {
  std::string path;          // RocksDB folder of the view, e.g. <data>/views
};

class ConfigView {
 public:
  // Opens the view and starts following `log` from the view's checkpoint. `log` must
  // outlive the view. Errors as in store::OpenRocksDbLog (kBusy, kIOError, kCorruption).
  static Result<std::unique_ptr<ConfigView>> Open(const ConfigViewOptions& options,
                                                  const store::EventLog& log);
  virtual ~ConfigView() = default;

  virtual Result<std::optional<ResourceRow>> Get(std::string_view account_id,
                                                 std::string_view kind,
                                                 std::string_view id) const = 0;
  virtual Result<ListPage> List(const ListQuery& query) const = 0;
  // Get and List without parsing the documents (filters still apply; only rows that a
  // filter must look into are parsed). Same errors.
  virtual Result<std::optional<RowText>> GetText(std::string_view account_id, std::string_view kind,
                                                 std::string_view id) const = 0;
  virtual Result<TextPage> ListText(const ListQuery& query) const = 0;
  // Child accounts of `parent_id` ("" = platform-direct accounts).
  virtual Result<ListPage> ListChildAccounts(std::string_view parent_id, std::string_view after_id,
                                             size_t limit) const = 0;
  virtual Result<std::optional<ApiKeyRow>> FindApiKey(std::string_view key_id) const = 0;
  virtual Result<std::vector<ApiKeyRow>> ListApiKeys(std::string_view account_id) const = 0;
  virtual Result<std::optional<Reservation>> FindReservation(std::string_view scope,
                                                             std::string_view value) const = 0;

  // Highest log position folded into the view.
  virtual uint64_t position() const = 0;
  // Changes (after the write is readable, before position() moves past it) whenever the
  // view folds an account or API-key event, and on Rebuild: a cache of authenticated
  // credentials stays valid while this value does not change.
  virtual uint64_t credentials_generation() const = 0;
  // Blocks until position() >= `position` or the timeout passes; true if reached.
  virtual bool WaitForPosition(uint64_t position, std::chrono::milliseconds timeout) const = 0;
  // Calls `reached(true)` once position() >= `position` (at once when it already is),
  // or `reached(false)` when the view fails or stops first. Runs on the caller's thread
  // or the view's fold thread, never under a lock of the view: it must be quick and may
  // read the view. The way a write answers without a thread waiting for the view.
  virtual void NotifyAt(uint64_t position, std::function<void(bool reached)> reached) const = 0;
  // Stops following, clears every row and the checkpoint, folds the log again from
  // position 0, and resumes following. Blocks until caught up with the head seen at start.
  virtual Status Rebuild() = 0;
  // A stable digest of the whole content (rows, keys, reservations; not the checkpoint):
  // equal after a restart and after a rebuild.
  virtual Result<std::string> ContentDigest() const = 0;
  virtual void Stop() = 0;

  // Counters of this instance (see ConfigViewStats).
  virtual ConfigViewStats stats() const { return {}; }
  // Ok while the view folds; the first storage error once a write failed (the view then
  // stops advancing until Rebuild, WaitForPosition returns false at once for positions it
  // has not reached, and reads serve the last written content).
  virtual Status health() const { return Status::Ok(); }
};

}  // namespace dialtone::projections
