// The event log: dialtone's single source of truth. Every backend (in-memory for tests,
// RocksDB embedded, Kafka in a cluster) implements this interface and passes the
// conformance suite in tests/store/.
//
// Guarantees (each is a conformance test):
//  - Append to one stream is all-or-nothing and checks the expected version exactly; a
//    mismatch fails with kWrongExpectedVersion carrying the stream's actual version.
//  - An append with an idempotency key that was already used returns the first append's
//    result (deduplicated = true) and writes nothing, across restarts.
//  - Global positions start at 1, have no gaps, and become visible strictly in order: a
//    reader that has seen position p never later sees a new position q < p appear.
//  - Stream versions start at 1 and are contiguous; an unknown stream reads as empty at
//    version 0. Deleting a stream never resets its version.
//  - An acknowledged append is durable per the backend's durability setting.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/metrics.h"
#include "common/status.h"
#include "events/event.h"

namespace dialtone::store {

using events::EventData;
using events::RecordedEvent;
using events::RecordedEvents;

// "From the end" for backward reads (of a stream or of the whole log).
inline constexpr uint64_t kEnd = std::numeric_limits<uint64_t>::max();

struct ExpectedVersion {
  enum class Kind : uint8_t {
    kAny,       // no check
    kNoStream,  // the stream must have no events (version 0)
    kExact,     // the stream's version must equal `version` (0 = no events)
  };
  Kind kind = Kind::kAny;
  uint64_t version = 0;

  static ExpectedVersion Any() { return {Kind::kAny, 0}; }
  static ExpectedVersion NoStream() { return {Kind::kNoStream, 0}; }
  static ExpectedVersion Exact(uint64_t v) { return {Kind::kExact, v}; }
  // True when a stream currently at `actual` satisfies this expectation.
  bool Matches(uint64_t actual) const {
    switch (kind) {
      case Kind::kAny: return true;
      case Kind::kNoStream: return actual == 0;
      case Kind::kExact: return actual == version;
    }
    return false;
  }
};

struct AppendRequest {
  std::string stream;              // non-empty, no NUL byte, at most kMaxStreamIdBytes
  ExpectedVersion expected;
  std::vector<EventData> events;   // at least one; all are appended or none
  std::string idempotency_key;     // optional; global namespace, callers scope it
};

inline constexpr size_t kMaxStreamIdBytes = 512;
inline constexpr size_t kMaxEventsPerAppend = 10'000;

struct AppendResult {
  uint64_t first_position = 0;
  uint64_t last_position = 0;
  uint64_t first_version = 0;
  uint64_t last_version = 0;   // the stream's version right after this append
  int64_t time_ms = 0;         // the time stamped on the events of a fresh append; 0 when
                               // deduplicated (that time is in the events themselves)
  bool deduplicated = false;   // this is an earlier append's result, returned by key
  // The same append: positions, versions and whether it was deduplicated (not the time).
  bool operator==(const AppendResult& o) const {
    return first_position == o.first_position && last_position == o.last_position &&
           first_version == o.first_version && last_version == o.last_version && deduplicated == o.deduplicated;
  }
};

// The error of a failed append. `actual_version` is meaningful for kWrongExpectedVersion.
struct AppendError {
  Status status;
  uint64_t actual_version = 0;
  bool ok() const { return status.ok(); }
};

using AppendOutcome = Result<AppendResult, AppendError>;
// Completion callback of AppendAsync. It runs on the backend's committing thread (or
// inline): it must be short, must not block, and must not call Append synchronously.
using AppendCallback = std::function<void(AppendOutcome)>;

enum class Direction : uint8_t { kForward, kBackward };

struct ReadStreamOptions {
  uint64_t from_version = 1;   // inclusive; kEnd with kBackward = from the newest
  size_t max_count = std::numeric_limits<size_t>::max();
  Direction direction = Direction::kForward;
};

struct ReadAllOptions {
  uint64_t from_position = 1;  // inclusive; kEnd with kBackward = from the head
  size_t max_count = 1000;
  Direction direction = Direction::kForward;
  std::string stream_prefix;   // only streams starting with this (empty = all)
  std::string event_type;      // only this event type (empty = all)
};

struct Snapshot {
  uint64_t version = 0;        // the stream version the state reflects
  std::string state;           // opaque bytes owned by the stream's actor
  bool operator==(const Snapshot&) const = default;
};

struct SubscribeOptions {
  uint64_t after_position = 0;   // deliver events with position > this
  std::string stream_prefix;     // filter, as in ReadAllOptions
  std::string event_type;
  size_t batch_size = 512;       // events read per catch-up step
  // Called on the subscription thread whenever it has delivered everything up to the
  // head it observed (after the catch-up, then after each live batch). Optional.
  std::function<void(uint64_t head)> on_caught_up;
};

// Runs on the subscription's own thread, in position order, each event exactly once.
using EventHandler = std::function<void(const RecordedEvent&)>;

// A live subscription. Destroying it stops it; the handler is never called after Stop()
// returns. A slow handler never stalls appends: the subscription pulls from the log.
class Subscription {
 public:
  virtual ~Subscription() = default;
  virtual void Stop() = 0;
  // Position of the last event handed to the handler (or scanned past by the filter).
  virtual uint64_t position() const = 0;
};

// Counters every backend maintains; rendered by `/metrics`.
struct LogMetrics {
  Counter appends;          // successful, non-deduplicated append requests
  Counter events_appended;  // events written
  Counter commit_batches;   // storage writes (one per group commit)
  LatencyHistogram append_latency;  // request submitted -> acknowledged
};

class EventLog {
 public:
  virtual ~EventLog() = default;

  // Appends and waits for the acknowledgement. The default waits for AppendAsync's
  // callback; a backend may override it to commit on the calling thread, with the same
  // guarantees.
  virtual AppendOutcome Append(AppendRequest request);
  // Appends; `done` is called exactly once with the outcome (see AppendCallback).
  virtual void AppendAsync(AppendRequest request, AppendCallback done) = 0;

  virtual Result<RecordedEvents> ReadStream(std::string_view stream,
                                            const ReadStreamOptions& options) const = 0;
  virtual Result<RecordedEvents> ReadAll(const ReadAllOptions& options) const = 0;

  // Highest visible position (0 when the log is empty).
  virtual uint64_t HeadPosition() const = 0;
  // Current version of `stream` (0 when unknown or empty).
  virtual Result<uint64_t> StreamVersion(std::string_view stream) const = 0;

  // Soft-deletes a stream: it reads as empty, its version is kept, and later appends
  // continue from that version. Its events stay in the global log.
  virtual Result<uint64_t, AppendError> DeleteStream(std::string_view stream,
                                                     ExpectedVersion expected) = 0;

  // Keeps the latest snapshot per stream; a snapshot older than the stored one is ignored.
  virtual Status SaveSnapshot(std::string_view stream, const Snapshot& snapshot) = 0;
  virtual Result<std::optional<Snapshot>> LoadSnapshot(std::string_view stream) const = 0;

  // Blocks until HeadPosition() > position, the timeout passes, or the log closes.
  // Returns the head position observed.
  virtual uint64_t WaitForHeadAfter(uint64_t position,
                                    std::chrono::milliseconds timeout) const = 0;

  // Catch-up from options.after_position, then live, without gap or duplicate at the
  // switch. Implemented once for every backend on ReadAll + WaitForHeadAfter.
  std::unique_ptr<Subscription> Subscribe(SubscribeOptions options, EventHandler handler) const;

  // Stops accepting appends, completes those in flight, flushes. Idempotent.
  virtual Status Close() = 0;

  const LogMetrics& metrics() const { return metrics_; }

 protected:
  // Checks shape limits every backend enforces before touching storage.
  static Status ValidateAppend(const AppendRequest& request);
  mutable LogMetrics metrics_;
};

// A complete log held in memory: for tests and for benchmarks' baselines.
std::unique_ptr<EventLog> NewMemoryEventLog();

}  // namespace dialtone::store
