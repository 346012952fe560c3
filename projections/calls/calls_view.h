// The call-record view: every call of every account folded from the call.* events of
// streams "call-<call_id>" (events/proto/call.proto). Held in memory and rebuilt from the
// log on open (a full scan of the call streams); reads never touch actors.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/event_log.h"

namespace dialtone::projections::calls {

// Streams of call records are "call-<call_id>".
inline constexpr std::string_view kCallStreamPrefix = "call-";

struct CallRecord {
  std::string call_id;
  std::string account_id;
  std::string trunk_id;          // "" when none
  std::string direction;         // "INBOUND" | "OUTBOUND"
  std::string from;              // as sent (E.164 digits without '+', or an address)
  std::string to;
  std::string from_country;      // ISO 3166-1 alpha-2 of `from`, "" when not a number
  std::string to_country;
  int64_t create_ms = 0;         // call.started
  int64_t answer_ms = 0;         // call.answered; 0 = never answered
  int64_t end_ms = 0;            // call.ended; 0 = still running
  std::string result;            // COMPLETED | NO_ANSWER | CANCEL | BUSY | FAILED; "" while running
  std::string currency_code;
  std::string price_per_minute;  // decimal text, "" when unknown
  int64_t billing_duration_seconds = 0;
  std::string price;
  uint64_t position = 0;         // log position of the record's last change
};

// Every condition is optional (empty = no condition). Records match all conditions.
struct CallQuery {
  std::string account_id;             // required
  std::string from_prefix;            // `from` starts with it
  std::string to_prefix;
  std::string trunk_id;
  std::set<std::string> results;      // any of
  std::set<std::string> directions;   // any of
  std::string from_country;           // upper case ISO code
  std::string to_country;
  int64_t create_begin_ms = INT64_MIN;  // begin <= create_ms < end
  int64_t create_end_ms = INT64_MAX;
  std::optional<int64_t> ended_by_ms;     // only calls that ended, at or before it
  // Keyset paging: only records after this one in the page order (create_ms descending,
  // then call_id ascending); empty after_call_id = from the first.
  int64_t after_create_ms = 0;
  std::string after_call_id;
  size_t offset = 0;
  size_t limit = 100;
};

struct CallPage {
  std::vector<CallRecord> calls;  // newest first (create_ms descending, then call_id)
  size_t total = 0;               // matching records across all pages
};

struct CallsViewStats {
  uint64_t events_folded = 0;
  uint64_t events_malformed = 0;  // undecodable payloads, or answered/ended of an unknown call
};

class CallsView {
 public:
  // Folds every call stream of `log` and keeps following it; returns once caught up with
  // the head seen at open. `log` must outlive the view.
  static Result<std::unique_ptr<CallsView>> Open(const store::EventLog& log);
  virtual ~CallsView() = default;

  // kInvalidArgument when account_id is empty or limit is 0.
  virtual Result<CallPage> Find(const CallQuery& query) const = 0;
  virtual uint64_t position() const = 0;
  // Blocks until position() >= `position` or the timeout passes; true if reached.
  virtual bool WaitForPosition(uint64_t position, std::chrono::milliseconds timeout) const = 0;
  virtual CallsViewStats stats() const = 0;
  // Stops following. Idempotent; reads keep serving the folded content.
  virtual void Stop() = 0;
};

}  // namespace dialtone::projections::calls
