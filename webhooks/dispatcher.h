// Webhook delivery: signed HTTP POSTs from worker threads, retried with exponential
// backoff, every attempt reported to an AttemptSink. No CAF, no storage: the caller
// persists what the sink reports and re-enqueues what Stop() hands back.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "webhooks/clock.h"
#include "webhooks/http_post.h"
#include "webhooks/retry_policy.h"

namespace dialtone::webhooks {

// One event to one webhook. `body` is sent byte for byte and signed with `secret`.
struct Delivery {
  std::string delivery_id;  // unique per delivery; sent as x-sipio-delivery
  std::string webhook_id;
  std::string account_id;
  std::string url;          // http:// or https://
  std::string secret;       // HMAC key, non-empty
  std::string event;        // e.g. "call.started"; sent as x-sipio-event
  std::string body;         // usually BuildEventBody(...)
};

enum class AttemptOutcome : uint8_t {
  kSucceeded,  // the receiver answered 2xx; the delivery is done
  kWillRetry,  // failed; another attempt is scheduled at next_attempt_ms
  kGaveUp,     // failed and no attempts remain; the delivery is done
};
std::string_view AttemptOutcomeName(AttemptOutcome outcome);  // "succeeded", "will_retry", "gave_up"

// One HTTP attempt (later recorded as a `webhook.attempted` event).
struct AttemptRecord {
  std::string delivery_id;
  std::string webhook_id;
  std::string account_id;
  std::string event;
  int attempt = 0;              // 1-based
  int64_t started_ms = 0;       // on the dispatcher's Clock
  int64_t duration_ms = 0;      // on the dispatcher's Clock
  int http_status = 0;          // 0 when no response was received
  std::string error;            // empty on success; otherwise why the attempt failed
  std::string response_excerpt; // the first bytes (<= 512) of the response body
  AttemptOutcome outcome = AttemptOutcome::kGaveUp;
  int64_t next_attempt_ms = 0;  // when outcome is kWillRetry; otherwise 0
};

// Receives every attempt, in order per delivery, from the dispatcher's worker threads
// (concurrently for different deliveries). Must be thread-safe, should be quick, and must
// not call WebhookDispatcher::Stop.
class AttemptSink {
 public:
  virtual ~AttemptSink() = default;
  virtual void OnAttempt(const AttemptRecord& record) = 0;
};

struct DispatcherOptions {
  HttpOptions http;
  RetryPolicy retry;
  size_t queue_capacity = 10'000;  // deliveries accepted and not yet finished (>= 1)
  size_t worker_count = 2;         // threads doing HTTP attempts (>= 1)
  Clock* clock = nullptr;          // nullptr: a SystemClock; otherwise must outlive the dispatcher
  // Source of jitter in [0, 1); nullptr: a seeded std::mt19937_64. Called from workers.
  std::function<double()> unit_random;
};

// A delivery that had not finished when the dispatcher stopped.
struct PendingDelivery {
  Delivery delivery;
  int attempts_made = 0;  // attempts already reported for it
  int64_t due_ms = 0;     // when its next attempt was due
};

class WebhookDispatcher {
 public:
  // Starts the workers. Errors (kInvalidArgument): zero capacity or workers, an invalid
  // retry policy, unusable TLS settings.
  static Result<std::unique_ptr<WebhookDispatcher>> Create(DispatcherOptions options, AttemptSink& sink);
  ~WebhookDispatcher();  // Stop(), discarding what it returns
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  // Accepts a delivery for its first attempt (or, when resuming one that Stop() handed
  // back or the log shows unfinished, its attempt `attempts_made + 1`). Errors, each
  // leaving the dispatcher unchanged: kInvalidArgument (empty ids, secret or event,
  // header-unsafe characters, a URL ParseWebhookUrl rejects, attempts_made outside
  // [0, max_attempts)); kBusy when queue_capacity deliveries are outstanding;
  // kUnavailable after Stop(). The attempt is not made before `due_ms` (on the clock; 0
  // or a past time: as soon as a worker is free).
  Status Enqueue(Delivery delivery, int attempts_made = 0, int64_t due_ms = 0);

  // Stops accepting, lets every in-flight attempt finish (each bounded by the HTTP
  // timeout) and report, joins the workers, and returns the deliveries that had not
  // finished: queued ones never attempted and those waiting for a retry (including one
  // whose in-flight attempt just reported kWillRetry). Nothing is reported for them: the
  // last record of such a delivery is kWillRetry (or none), so a caller can resume it.
  // Idempotent; later calls return nothing. Must not be called from an AttemptSink.
  std::vector<PendingDelivery> Stop();

  // Deliveries accepted and not yet finished (queued, waiting for retry, in flight).
  size_t outstanding() const;

 private:
  struct Entry {
    Delivery delivery;
    WebhookUrl url;
    int attempts_made = 0;
  };
  WebhookDispatcher(DispatcherOptions options, AttemptSink& sink, std::unique_ptr<HttpPoster> poster);
  void WorkerLoop();
  AttemptRecord RunAttempt(const Entry& entry);
  double NextUnitRandom();

  DispatcherOptions options_;
  AttemptSink& sink_;
  std::unique_ptr<HttpPoster> poster_;
  std::unique_ptr<Clock> owned_clock_;
  Clock* clock_;

  std::mutex stop_mu_;  // serialises Stop() calls
  mutable std::mutex mu_;
  std::condition_variable work_changed_;
  // Keyed by (due_ms, sequence): the earliest due first, FIFO among equals.
  std::map<std::pair<int64_t, uint64_t>, Entry> pending_;
  uint64_t next_sequence_ = 0;
  size_t outstanding_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;

  std::mutex random_mu_;
  std::function<double()> unit_random_;
};

// Input of POST /v1/webhooks/test.
struct TestDeliveryRequest {
  std::string delivery_id;
  std::string webhook_id;
  std::string account_id;
  std::string url;
  std::string secret;
  int64_t ts = 0;  // epoch seconds, stamped into the body
};

// One synchronous, signed attempt of a `webhook.test` event (data: {"webhook_id",
// "message"}), never retried: the record's outcome is kSucceeded or kGaveUp. Errors only
// for bad input (as Enqueue) or unusable TLS settings; network failures are in the record.
Result<AttemptRecord> TestDelivery(const TestDeliveryRequest& request, const HttpOptions& http,
                                   Clock* clock = nullptr);

inline constexpr std::string_view kTestEvent = "webhook.test";

}  // namespace dialtone::webhooks
