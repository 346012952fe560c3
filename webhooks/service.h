// The webhook service: turns call events of the log into signed deliveries to every
// webhook of the call's account that subscribes to them, and records each HTTP attempt
// in the log. It is a process manager: it folds, from position 0, the webhook resources
// (resource.* of kind "webhook"), their sealed secrets (secret.*), the call events and
// its own attempt records (webhook.attempted), so a restart knows exactly which
// deliveries were finished and resumes the others (at-least-once; receivers deduplicate
// on x-sipio-delivery); and it writes its own streams (AttemptStream) with the expected
// version, like any writer.
//
//   call.started  -> event "call.started" {callId, from, to, src_ip, ts}
//   call.ended    -> event "call.ended"   {callId, direction, answered, billsec,
//                                          hangup_cause, queue_id, agent_id, ts}
//   (body {event, account_id, data, ts}; headers x-sipio-event, x-sipio-signature)
//
// A webhook receives the events that happen while it exists and is enabled: the webhook
// as of the call event's log position decides, not the webhook as it is now.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/event_log.h"
#include "webhooks/dispatcher.h"

namespace dialtone::webhooks {

// One attempt as recorded in the log (events::WebhookAttempted).
struct RecordedAttempt {
  AttemptRecord record;
  std::string url;
  uint64_t position = 0;         // of the webhook.attempted event
  uint64_t source_position = 0;  // of the event delivered (0 for a test)
};

struct WebhookServiceOptions {
  DispatcherOptions dispatcher;     // HTTP, retry policy, workers, clock
  std::string secret_key;           // the node key the webhooks' secrets are sealed with
  size_t recent_attempts = 100;     // attempts kept per webhook for RecentAttempts
  // Deliveries made while the dispatcher's queue is full wait here, in log order, and
  // move into it as deliveries finish. Beyond this many, a delivery is left unfinished
  // in the log (the next start resumes it).
  size_t overflow_capacity = 100'000;
  // At start, an unfinished delivery whose event is older than this (by the event's
  // timestamp on the dispatcher's clock) is not resumed: it is recorded as gave_up with
  // the error "expired". Zero resumes every unfinished delivery.
  std::chrono::milliseconds resume_window{std::chrono::hours(24)};
  // A call whose call.ended never arrives is forgotten this long after it started (its
  // call.ended, if it comes later, then makes no delivery).
  std::chrono::milliseconds live_call_ttl{std::chrono::hours(24)};
};

class WebhookService {
 public:
  // Starts following `log` from position 0 (returns once the backlog is folded and the
  // unfinished deliveries are handed to the dispatcher). `log` must outlive the service.
  // Errors: those of WebhookDispatcher::Create.
  static Result<std::unique_ptr<WebhookService>> Start(store::EventLog& log, WebhookServiceOptions options);
  virtual ~WebhookService() = default;

  // The last log position folded; WaitForPosition blocks until it reaches `position`.
  virtual uint64_t position() const = 0;
  virtual bool WaitForPosition(uint64_t position, std::chrono::milliseconds timeout) const = 0;

  // Sends one signed `webhook.test` event (data {webhook_id, message}) to `webhook_id`, or
  // to every enabled webhook of the account when it is empty, synchronously, once each
  // (no retry), and records the attempts. kNotFound: the account has no such webhook (or
  // no enabled webhook at all); kFailedPrecondition: its secret cannot be opened.
  virtual Result<std::vector<RecordedAttempt>> Test(const std::string& account_id,
                                                    const std::string& webhook_id) = 0;

  // The latest attempts to one webhook, newest first (at most options.recent_attempts).
  virtual std::vector<RecordedAttempt> RecentAttempts(const std::string& account_id,
                                                      const std::string& webhook_id) const = 0;

  // Deliveries accepted by the dispatcher and not finished.
  virtual size_t outstanding() const = 0;

  // Stops following and stops the dispatcher; unfinished deliveries stay unfinished in
  // the log and are resumed by the next start. Idempotent.
  virtual void Stop() = 0;
};

// The stream of one account's attempt records.
std::string AttemptStream(std::string_view account_id);

}  // namespace dialtone::webhooks
