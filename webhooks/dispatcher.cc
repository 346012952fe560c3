#include "webhooks/dispatcher.h"

#include <algorithm>
#include <cassert>
#include <random>

#include "webhooks/event_body.h"
#include "webhooks/signature.h"

namespace dialtone::webhooks {
namespace {

constexpr size_t kResponseExcerptBytes = 512;

// Values sent as header fields: visible ASCII only (no spaces, no CR/LF).
bool IsHeaderToken(std::string_view value) {
  if (value.empty()) return false;
  for (char c : value) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

Status ValidateDelivery(const Delivery& delivery) {
  const auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("webhook delivery '" + delivery.delivery_id + "': " + std::string(why));
  };
  if (!IsHeaderToken(delivery.delivery_id)) return bad("delivery_id must be non-empty visible ASCII");
  if (delivery.webhook_id.empty()) return bad("webhook_id is empty");
  if (delivery.account_id.empty()) return bad("account_id is empty");
  if (delivery.secret.empty()) return bad("secret is empty");
  if (!IsHeaderToken(delivery.event)) return bad("event must be non-empty visible ASCII");
  return Status::Ok();
}

HeaderList DeliveryHeaders(const Delivery& delivery) {
  return {
      {"Content-Type", "application/json"},
      {"User-Agent", std::string(kUserAgent)},
      {std::string(kEventHeader), delivery.event},
      {std::string(kSignatureHeader), SignBody(delivery.secret, delivery.body)},
      {std::string(kDeliveryHeader), delivery.delivery_id},
  };
}

// One POST, recorded; the outcome is kSucceeded for a 2xx and kGaveUp otherwise (the
// caller turns that into kWillRetry when attempts remain).
AttemptRecord AttemptOnce(const HttpPoster& poster, Clock& clock, const Delivery& delivery,
                          const WebhookUrl& url, int attempt) {
  AttemptRecord record;
  record.delivery_id = delivery.delivery_id;
  record.webhook_id = delivery.webhook_id;
  record.account_id = delivery.account_id;
  record.event = delivery.event;
  record.attempt = attempt;
  record.started_ms = clock.NowMs();
  Result<PostResponse> response = poster.Post(url, DeliveryHeaders(delivery), delivery.body);
  record.duration_ms = clock.NowMs() - record.started_ms;
  if (!response.ok()) {
    record.error = response.status().message();
    record.outcome = AttemptOutcome::kGaveUp;
    return record;
  }
  record.http_status = response->status;
  record.response_excerpt = response->body.substr(0, kResponseExcerptBytes);
  if (response->status >= 200 && response->status <= 299) {
    record.outcome = AttemptOutcome::kSucceeded;
  } else {
    record.error = "the receiver answered HTTP " + std::to_string(response->status);
    record.outcome = AttemptOutcome::kGaveUp;
  }
  return record;
}

}  // namespace

std::string_view AttemptOutcomeName(AttemptOutcome outcome) {
  switch (outcome) {
    case AttemptOutcome::kSucceeded: return "succeeded";
    case AttemptOutcome::kWillRetry: return "will_retry";
    case AttemptOutcome::kGaveUp: return "gave_up";
  }
  return "unknown";
}

Result<std::unique_ptr<WebhookDispatcher>> WebhookDispatcher::Create(DispatcherOptions options,
                                                                     AttemptSink& sink) {
  if (options.queue_capacity == 0) return Status::InvalidArgument("webhook dispatcher: queue_capacity must be >= 1");
  if (options.worker_count == 0) return Status::InvalidArgument("webhook dispatcher: worker_count must be >= 1");
  if (Status status = ValidateRetryPolicy(options.retry); !status.ok()) return status;
  Result<std::unique_ptr<HttpPoster>> poster = HttpPoster::Create(options.http);
  if (!poster.ok()) return poster.status();
  return std::unique_ptr<WebhookDispatcher>(
      new WebhookDispatcher(std::move(options), sink, std::move(poster).value()));
}

WebhookDispatcher::WebhookDispatcher(DispatcherOptions options, AttemptSink& sink,
                                     std::unique_ptr<HttpPoster> poster)
    : options_(std::move(options)), sink_(sink), poster_(std::move(poster)) {
  if (options_.clock == nullptr) owned_clock_ = std::make_unique<SystemClock>();
  clock_ = options_.clock != nullptr ? options_.clock : owned_clock_.get();
  unit_random_ = options_.unit_random;
  if (!unit_random_) {
    unit_random_ = [engine = std::mt19937_64(std::random_device{}()),
                    distribution = std::uniform_real_distribution<double>(0.0, 1.0)]() mutable {
      return distribution(engine);
    };
  }
  workers_.reserve(options_.worker_count);
  for (size_t i = 0; i < options_.worker_count; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

WebhookDispatcher::~WebhookDispatcher() { Stop(); }

Status WebhookDispatcher::Enqueue(Delivery delivery, int attempts_made, int64_t due_ms) {
  if (Status status = ValidateDelivery(delivery); !status.ok()) return status;
  Result<WebhookUrl> url = ParseWebhookUrl(delivery.url);
  if (!url.ok()) return url.status();
  if (attempts_made < 0 || attempts_made >= options_.retry.max_attempts) {
    return Status::InvalidArgument("webhook delivery '" + delivery.delivery_id + "': attempts_made " +
                                   std::to_string(attempts_made) + " is outside [0, " +
                                   std::to_string(options_.retry.max_attempts) + ")");
  }
  const int64_t now = clock_->NowMs();
  {
    std::lock_guard guard(mu_);
    if (stopping_) return Status::Unavailable("the webhook dispatcher is stopped");
    if (outstanding_ >= options_.queue_capacity) {
      return Status::Busy("the webhook queue is full (" + std::to_string(outstanding_) +
                          " deliveries outstanding)");
    }
    pending_.emplace(std::pair(std::max(now, due_ms), next_sequence_++),
                     Entry{std::move(delivery), std::move(url).value(), attempts_made});
    ++outstanding_;
  }
  work_changed_.notify_one();
  return Status::Ok();
}

size_t WebhookDispatcher::outstanding() const {
  std::lock_guard guard(mu_);
  return outstanding_;
}

double WebhookDispatcher::NextUnitRandom() {
  std::lock_guard guard(random_mu_);
  return unit_random_();
}

AttemptRecord WebhookDispatcher::RunAttempt(const Entry& entry) {
  const int attempt = entry.attempts_made + 1;
  AttemptRecord record = AttemptOnce(*poster_, *clock_, entry.delivery, entry.url, attempt);
  if (record.outcome == AttemptOutcome::kGaveUp && attempt < options_.retry.max_attempts) {
    record.outcome = AttemptOutcome::kWillRetry;
    const auto delay = BackoffDelay(options_.retry, attempt, NextUnitRandom());
    record.next_attempt_ms = record.started_ms + record.duration_ms + delay.count();
  }
  return record;
}

void WebhookDispatcher::WorkerLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (pending_.empty()) {
      work_changed_.wait(lock);
      continue;
    }
    const auto first = pending_.begin();
    const int64_t due_ms = first->first.first;
    if (due_ms > clock_->NowMs()) {
      clock_->WaitUntil(lock, work_changed_, due_ms);
      continue;
    }
    Entry entry = std::move(first->second);
    pending_.erase(first);
    lock.unlock();

    const AttemptRecord record = RunAttempt(entry);
    if (record.outcome == AttemptOutcome::kWillRetry) {
      // Reported before it is rescheduled, so a delivery's records arrive in order.
      sink_.OnAttempt(record);
      lock.lock();
      entry.attempts_made = record.attempt;
      pending_.emplace(std::pair(record.next_attempt_ms, next_sequence_++), std::move(entry));
      // Another worker may be waiting for a later deadline than this one.
      work_changed_.notify_all();
    } else {
      // Released before it is reported: once a sink sees the final record, the
      // capacity is free again.
      lock.lock();
      assert(outstanding_ > 0);
      --outstanding_;
      lock.unlock();
      sink_.OnAttempt(record);
      lock.lock();
    }
  }
}

std::vector<PendingDelivery> WebhookDispatcher::Stop() {
  std::lock_guard stop_guard(stop_mu_);
  {
    std::lock_guard guard(mu_);
    if (stopping_) return {};
    stopping_ = true;
  }
  work_changed_.notify_all();
  for (std::thread& worker : workers_) {
    assert(worker.get_id() != std::this_thread::get_id() && "Stop() called from an AttemptSink");
    worker.join();
  }
  workers_.clear();
  std::lock_guard guard(mu_);
  std::vector<PendingDelivery> unfinished;
  unfinished.reserve(pending_.size());
  for (auto& [key, entry] : pending_) {
    unfinished.push_back(PendingDelivery{std::move(entry.delivery), entry.attempts_made, key.first});
  }
  pending_.clear();
  outstanding_ = 0;
  return unfinished;
}

Result<AttemptRecord> TestDelivery(const TestDeliveryRequest& request, const HttpOptions& http,
                                   Clock* clock) {
  const nlohmann::json data = {
      {"webhook_id", request.webhook_id},
      {"message", "This is a test delivery from dialtone."},
  };
  Result<std::string> body = BuildEventBody(kTestEvent, request.account_id, data, request.ts);
  if (!body.ok()) return body.status();
  Delivery delivery{request.delivery_id, request.webhook_id, request.account_id, request.url,
                    request.secret,      std::string(kTestEvent), std::move(body).value()};
  if (Status status = ValidateDelivery(delivery); !status.ok()) return status;
  Result<WebhookUrl> url = ParseWebhookUrl(delivery.url);
  if (!url.ok()) return url.status();
  Result<std::unique_ptr<HttpPoster>> poster = HttpPoster::Create(http);
  if (!poster.ok()) return poster.status();
  SystemClock system_clock;
  return AttemptOnce(**poster, clock != nullptr ? *clock : system_clock, delivery, *url, /*attempt=*/1);
}

}  // namespace dialtone::webhooks
