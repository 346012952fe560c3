#include "webhooks/service.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <tuple>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "account.pb.h"
#include "domain/secret_box.h"
#include "call.pb.h"
#include "events/event_types.h"
#include "events/ids.h"
#include "resource.pb.h"
#include "webhook.pb.h"
#include "webhooks/event_body.h"

namespace dialtone::webhooks {

namespace {

using Json = nlohmann::json;
using store::RecordedEvent;

constexpr std::string_view kAttemptStreamPrefix = "webhook-deliveries-";
constexpr std::string_view kWebhookKind = "webhook";

// A webhook as of the position folded last.
struct Hook {
  std::string url;
  std::set<std::string> events;
  std::string secret_ref;
  bool enabled = false;
};

// A call between its started and ended events.
struct LiveCall {
  std::string account_id;
  std::string direction;  // "inbound" | "outbound" | ""
  int64_t start_ms = 0;
  int64_t answer_ms = 0;
};

// A delivery not yet in the dispatcher: made while the backlog was folded (resumed after
// it), or waiting for room in the dispatcher's queue.
struct Intent {
  Delivery delivery;
  uint64_t position = 0;  // of the event delivered
  int64_t event_ms = 0;   // the event's timestamp
  int attempts_made = 0;
  int64_t due_ms = 0;     // the next attempt's time, from its last will_retry record
};

// Calls folded between sweeps of the live calls that never ended.
constexpr uint64_t kCallSweepInterval = 1024;

// Where an outstanding delivery goes and what it delivers (for its attempt records).
struct DeliveryOrigin {
  std::string url;
  uint64_t source_position = 0;
};

AttemptOutcome ParseOutcome(std::string_view name) {
  if (name == "succeeded") return AttemptOutcome::kSucceeded;
  if (name == "will_retry") return AttemptOutcome::kWillRetry;
  return AttemptOutcome::kGaveUp;
}

std::string DirectionName(events::CallDirection d) {
  switch (d) {
    case events::CALL_DIRECTION_INBOUND: return "inbound";
    case events::CALL_DIRECTION_OUTBOUND: return "outbound";
    default: return "";
  }
}

Json NullIfEmpty(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

class Service final : public WebhookService, private AttemptSink {
 public:
  Service(store::EventLog& log, WebhookServiceOptions options) : log_(log), options_(std::move(options)) {}
  ~Service() override { Stop(); }

  Status Start() {
    auto dispatcher = WebhookDispatcher::Create(options_.dispatcher, *this);
    if (!dispatcher.ok()) return dispatcher.status();
    dispatcher_ = std::move(dispatcher).value();
    store::SubscribeOptions subscribe;
    subscribe.after_position = 0;
    subscribe.on_caught_up = [this](uint64_t head) { OnCaughtUp(head); };
    subscription_ = log_.Subscribe(std::move(subscribe), [this](const RecordedEvent& e) { Fold(e); });
    std::unique_lock lock(mu_);
    advanced_.wait(lock, [&] { return caught_up_; });
    return Status::Ok();
  }

  uint64_t position() const override {
    std::lock_guard lock(mu_);
    return position_;
  }

  bool WaitForPosition(uint64_t position, std::chrono::milliseconds timeout) const override {
    std::unique_lock lock(mu_);
    return advanced_.wait_for(lock, timeout, [&] { return position_ >= position; });
  }

  Result<std::vector<RecordedAttempt>> Test(const std::string& account_id, const std::string& webhook_id) override {
    struct Target {
      std::string webhook_id;
      std::string url;
      std::string secret;
    };
    std::vector<Target> targets;
    {
      std::lock_guard lock(mu_);
      auto account = hooks_.find(account_id);
      if (account != hooks_.end()) {
        for (const auto& [id, hook] : account->second) {
          if (!webhook_id.empty() ? id != webhook_id : !hook.enabled) continue;
          auto secret = OpenHookSecret(account_id, hook);
          if (!secret.ok()) return secret.status();
          targets.push_back({id, hook.url, std::move(secret).value()});
        }
      }
    }
    if (targets.empty()) {
      return Status::NotFound(webhook_id.empty() ? "the account has no enabled webhook"
                                                 : "webhook '" + webhook_id + "' not found");
    }
    std::vector<RecordedAttempt> out;
    for (const Target& target : targets) {
      TestDeliveryRequest request;
      request.delivery_id = "dlv-test-" + events::NewUuid();
      request.webhook_id = target.webhook_id;
      request.account_id = account_id;
      request.url = target.url;
      request.secret = target.secret;
      request.ts = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
      auto record = TestDelivery(request, options_.dispatcher.http, options_.dispatcher.clock);
      if (!record.ok()) return record.status();
      auto position = Record(*record, target.url, 0);
      if (!position.ok()) return position.status();
      out.push_back(RecordedAttempt{*record, target.url, *position, 0});
    }
    return out;
  }

  std::vector<RecordedAttempt> RecentAttempts(const std::string& account_id,
                                              const std::string& webhook_id) const override {
    std::lock_guard lock(mu_);
    auto it = recent_.find({account_id, webhook_id});
    if (it == recent_.end()) return {};
    return std::vector<RecordedAttempt>(it->second.rbegin(), it->second.rend());
  }

  size_t outstanding() const override { return dispatcher_ ? dispatcher_->outstanding() : 0; }

  void Stop() override {
    std::lock_guard stop(stop_mu_);
    if (stopped_) return;
    stopped_ = true;
    // Deliveries not finished stay so in the log (their last record is will_retry, or
    // there is none): the next start resumes them.
    if (dispatcher_) dispatcher_->Stop();
    if (subscription_) subscription_->Stop();
  }

 private:
  // --- folding (subscription thread) ---------------------------------------------------

  void Fold(const RecordedEvent& e) {
    std::vector<Intent> ready;
    {
      std::lock_guard lock(mu_);
      const std::string_view type = e.type;
      if (type == events::kResourceCreated || type == events::kResourceUpdated) {
        FoldHook(e);
      } else if (type == events::kResourceDeleted) {
        events::ResourceDeleted m;
        if (m.ParseFromString(e.payload) && m.kind() == kWebhookKind) {
          auto account = hooks_.find(m.account_id());
          if (account != hooks_.end()) account->second.erase(m.id());
        }
      } else if (type == events::kSecretStored) {
        events::SecretStored m;
        if (m.ParseFromString(e.payload)) sealed_[{m.account_id(), m.ref()}] = domain::SealedSecret{m.nonce(), m.ciphertext()};
      } else if (type == events::kSecretDeleted) {
        events::SecretDeleted m;
        if (m.ParseFromString(e.payload)) sealed_.erase({m.account_id(), m.ref()});
      } else if (type == events::kCallStarted || type == events::kCallAnswered || type == events::kCallEnded) {
        FoldCall(e, ready);
      } else if (type == events::kWebhookAttempted) {
        FoldAttempt(e);
      }
      position_ = e.position;
    }
    advanced_.notify_all();
    for (Intent& intent : ready) Dispatch(std::move(intent));
  }

  void FoldHook(const RecordedEvent& e) {
    std::string account, kind, id, document;
    auto take = [&](auto& m) {
      if (!m.ParseFromString(e.payload)) return false;
      account = m.account_id();
      kind = m.kind();
      id = m.id();
      document = m.document();
      return true;
    };
    events::ResourceCreated created;
    events::ResourceUpdated updated;
    const bool parsed = e.type == events::kResourceCreated ? take(created) : take(updated);
    if (!parsed || kind != kWebhookKind) return;
    const Json doc = Json::parse(document, nullptr, false);
    if (!doc.is_object()) return;
    Hook hook;
    hook.url = doc.value("url", "");
    hook.secret_ref = doc.value("secret_ref", "");
    hook.enabled = doc.value("enabled", 0) != 0;
    if (auto events = doc.find("events"); events != doc.end() && events->is_array()) {
      for (const auto& name : *events) {
        if (name.is_string()) hook.events.insert(name.get<std::string>());
      }
    }
    hooks_[account][id] = std::move(hook);
  }

  void FoldCall(const RecordedEvent& e, std::vector<Intent>& ready) {
    if (e.type == events::kCallStarted) {
      events::CallStarted m;
      if (!m.ParseFromString(e.payload)) return;
      calls_[m.call_id()] = LiveCall{m.account_id(), DirectionName(m.direction()), m.ts_ms(), 0};
      if (++calls_started_ % kCallSweepInterval == 0) ForgetCallsStartedBefore(m.ts_ms() - options_.live_call_ttl.count());
      const Json data = {{"callId", m.call_id()}, {"from", m.from()}, {"to", m.to()},
                         {"src_ip", NullIfEmpty(m.src_ip())}, {"ts", m.ts_ms() / 1000}};
      MakeDeliveries(m.account_id(), std::string(events::kCallStarted), data, m.ts_ms(), e.position, ready);
    } else if (e.type == events::kCallAnswered) {
      events::CallAnswered m;
      if (!m.ParseFromString(e.payload)) return;
      if (auto it = calls_.find(m.call_id()); it != calls_.end()) it->second.answer_ms = m.ts_ms();
    } else {
      events::CallEnded m;
      if (!m.ParseFromString(e.payload)) return;
      auto it = calls_.find(m.call_id());
      if (it == calls_.end()) return;  // ended of a call never started: nothing to tell
      const LiveCall call = it->second;
      calls_.erase(it);
      const bool answered = call.answer_ms != 0;
      const int64_t billsec = answered ? std::max<int64_t>(0, (m.ts_ms() - call.answer_ms) / 1000) : 0;
      const Json data = {{"callId", m.call_id()},
                         {"direction", NullIfEmpty(call.direction)},
                         {"answered", answered ? 1 : 0},
                         {"billsec", billsec},
                         {"hangup_cause", NullIfEmpty(m.hangup_cause())},
                         {"queue_id", NullIfEmpty(m.queue_id())},
                         {"agent_id", NullIfEmpty(m.agent_id())},
                         {"ts", m.ts_ms() / 1000}};
      MakeDeliveries(call.account_id, std::string(events::kCallEnded), data, m.ts_ms(), e.position, ready);
    }
  }

  void ForgetCallsStartedBefore(int64_t cutoff_ms) {
    std::erase_if(calls_, [&](const auto& entry) { return entry.second.start_ms < cutoff_ms; });
  }

  // One delivery per enabled webhook of the account that subscribes to `event`: handed
  // to the dispatcher once the backlog is folded (`ready`), kept as intents before.
  void MakeDeliveries(const std::string& account_id, const std::string& event, const Json& data, int64_t ts_ms,
                      uint64_t position, std::vector<Intent>& ready) {
    auto account = hooks_.find(account_id);
    if (account == hooks_.end()) return;
    for (const auto& [id, hook] : account->second) {
      if (!hook.enabled || !hook.events.contains(event)) continue;
      auto secret = OpenHookSecret(account_id, hook);
      auto body = BuildEventBody(event, account_id, data, ts_ms / 1000);
      if (!secret.ok() || !body.ok()) continue;  // a webhook that cannot be signed for is skipped
      Intent intent;
      intent.delivery.delivery_id = "dlv-" + std::to_string(position) + "-" + id;
      intent.delivery.webhook_id = id;
      intent.delivery.account_id = account_id;
      intent.delivery.url = hook.url;
      intent.delivery.secret = std::move(secret).value();
      intent.delivery.event = event;
      intent.delivery.body = std::move(body).value();
      intent.position = position;
      intent.event_ms = ts_ms;
      origins_[intent.delivery.delivery_id] = DeliveryOrigin{hook.url, position};
      if (caught_up_) {
        ready.push_back(std::move(intent));
      } else {
        intents_[intent.delivery.delivery_id] = std::move(intent);
      }
    }
  }

  void FoldAttempt(const RecordedEvent& e) {
    events::WebhookAttempted m;
    if (!m.ParseFromString(e.payload)) return;
    RecordedAttempt attempt;
    attempt.record.delivery_id = m.delivery_id();
    attempt.record.webhook_id = m.webhook_id();
    attempt.record.account_id = m.account_id();
    attempt.record.event = m.event();
    attempt.record.attempt = m.attempt();
    attempt.record.started_ms = m.started_ms();
    attempt.record.duration_ms = m.duration_ms();
    attempt.record.http_status = m.http_status();
    attempt.record.error = m.error();
    attempt.record.response_excerpt = m.response_excerpt();
    attempt.record.outcome = ParseOutcome(m.outcome());
    attempt.record.next_attempt_ms = m.next_attempt_ms();
    attempt.url = m.url();
    attempt.position = e.position;
    attempt.source_position = m.source_position();
    if (auto intent = intents_.find(m.delivery_id()); intent != intents_.end()) {
      if (attempt.record.outcome == AttemptOutcome::kWillRetry) {
        intent->second.attempts_made = m.attempt();
        intent->second.due_ms = m.next_attempt_ms();
      } else {
        intents_.erase(intent);
      }
    }
    if (attempt.record.outcome != AttemptOutcome::kWillRetry) origins_.erase(m.delivery_id());
    auto& recent = recent_[{m.account_id(), m.webhook_id()}];
    recent.push_back(std::move(attempt));
    while (recent.size() > options_.recent_attempts) recent.pop_front();
  }

  // Hands the unfinished deliveries of the backlog to the dispatcher, in log order;
  // those whose event is older than the resume window are recorded as expired instead.
  void OnCaughtUp(uint64_t head) {
    std::vector<Intent> resume;
    {
      std::lock_guard lock(mu_);
      position_ = std::max(position_, head);
      if (!caught_up_) {
        caught_up_ = true;
        for (auto& [id, intent] : intents_) resume.push_back(std::move(intent));
        intents_.clear();
      }
    }
    advanced_.notify_all();
    std::sort(resume.begin(), resume.end(), [](const Intent& a, const Intent& b) {
      return std::tie(a.position, a.delivery.webhook_id) < std::tie(b.position, b.delivery.webhook_id);
    });
    const int64_t now_ms = NowMs();
    for (Intent& intent : resume) {
      if (options_.resume_window.count() > 0 && intent.event_ms < now_ms - options_.resume_window.count()) {
        RecordExpired(intent, now_ms);
      } else {
        Dispatch(std::move(intent));
      }
    }
  }

  // Enqueues `intent`, or keeps it in the overflow (behind any already there) while the
  // dispatcher's queue is full.
  void Dispatch(Intent intent) {
    if (intent.attempts_made >= options_.dispatcher.retry.max_attempts) {
      Forget(intent.delivery.delivery_id);
      return;
    }
    {
      std::lock_guard lock(mu_);
      if (!overflow_.empty()) {
        Overflow(std::move(intent));
        return;
      }
    }
    const std::string id = intent.delivery.delivery_id;
    Status enqueued = dispatcher_->Enqueue(intent.delivery, intent.attempts_made, intent.due_ms);
    if (enqueued.code() == ErrorCode::kBusy) {
      std::lock_guard lock(mu_);
      Overflow(std::move(intent));
    } else if (!enqueued.ok()) {
      // kUnavailable (stopping): unfinished in the log, resumed by the next start;
      // kInvalidArgument (e.g. a URL the dispatcher refuses): never attempted.
      Forget(id);
    }
  }

  void Overflow(Intent intent) {  // mu_ held
    if (overflow_.size() >= options_.overflow_capacity) {
      origins_.erase(intent.delivery.delivery_id);  // unfinished in the log; the next start resumes it
      return;
    }
    overflow_.push_back(std::move(intent));
  }

  // Moves overflowed deliveries into the dispatcher while it has room.
  void DrainOverflow() {
    for (;;) {
      Intent intent;
      {
        std::lock_guard lock(mu_);
        if (overflow_.empty()) return;
        intent = std::move(overflow_.front());
        overflow_.pop_front();
      }
      Status enqueued = dispatcher_->Enqueue(intent.delivery, intent.attempts_made, intent.due_ms);
      if (enqueued.code() == ErrorCode::kBusy) {
        std::lock_guard lock(mu_);
        overflow_.push_front(std::move(intent));
        return;
      }
      if (!enqueued.ok()) Forget(intent.delivery.delivery_id);
    }
  }

  void Forget(const std::string& delivery_id) {
    std::lock_guard lock(mu_);
    origins_.erase(delivery_id);
  }

  void RecordExpired(const Intent& intent, int64_t now_ms) {
    AttemptRecord record;
    record.delivery_id = intent.delivery.delivery_id;
    record.webhook_id = intent.delivery.webhook_id;
    record.account_id = intent.delivery.account_id;
    record.event = intent.delivery.event;
    record.attempt = intent.attempts_made + 1;
    record.started_ms = now_ms;
    record.error = "expired: the event is older than the resume window; not attempted";
    record.outcome = AttemptOutcome::kGaveUp;
    (void)Record(record, intent.delivery.url, intent.position);
    Forget(intent.delivery.delivery_id);
  }

  int64_t NowMs() const {
    if (options_.dispatcher.clock != nullptr) return options_.dispatcher.clock->NowMs();
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch()).count();
  }

  // --- recording (dispatcher workers) ----------------------------------------------------

  void OnAttempt(const AttemptRecord& record) override {
    DeliveryOrigin origin;
    {
      std::lock_guard lock(mu_);
      if (auto it = origins_.find(record.delivery_id); it != origins_.end()) origin = it->second;
    }
    (void)Record(record, origin.url, origin.source_position);
    if (record.outcome != AttemptOutcome::kWillRetry) DrainOverflow();
  }

  Result<uint64_t> Record(const AttemptRecord& record, const std::string& url, uint64_t source_position) {
    events::WebhookAttempted m;
    m.set_delivery_id(record.delivery_id);
    m.set_webhook_id(record.webhook_id);
    m.set_account_id(record.account_id);
    m.set_event(record.event);
    m.set_attempt(record.attempt);
    m.set_started_ms(record.started_ms);
    m.set_duration_ms(record.duration_ms);
    m.set_http_status(record.http_status);
    m.set_error(record.error);
    m.set_response_excerpt(record.response_excerpt);
    m.set_outcome(std::string(AttemptOutcomeName(record.outcome)));
    m.set_next_attempt_ms(record.next_attempt_ms);
    m.set_source_position(source_position);
    m.set_url(url);
    const std::string stream = AttemptStream(record.account_id);
    StreamWriter& writer = WriterOf(stream);
    // One append at a time per stream, each with the version the last one left: the
    // service writes its streams like any writer. Another writer of the stream (a second
    // instance) makes the append fail; the record is then appended after what it wrote.
    std::lock_guard lock(writer.mu);
    for (int tries = 0;; ++tries) {
      if (!writer.known) {
        Result<uint64_t> version = log_.StreamVersion(stream);
        if (!version.ok()) return version.status();
        writer.version = *version;
        writer.known = true;
      }
      store::AppendRequest request;
      request.stream = stream;
      request.expected = store::ExpectedVersion::Exact(writer.version);
      request.events.push_back(events::MakeEvent(events::kWebhookAttempted, m));
      auto appended = log_.Append(std::move(request));
      if (appended.ok()) {
        writer.version = appended->last_version;
        return appended->last_position;
      }
      writer.known = false;  // whatever failed, read the stream's version again next time
      if (appended.error().status.code() != ErrorCode::kWrongExpectedVersion || tries >= kWriteRetries) {
        return appended.error().status;
      }
    }
  }

  // The writer state of one attempt stream, made on first use.
  struct StreamWriter {
    std::mutex mu;
    bool known = false;     // `version` was read from the log or left by this writer
    uint64_t version = 0;
  };
  static constexpr int kWriteRetries = 3;  // appends re-planned after another writer wrote

  StreamWriter& WriterOf(const std::string& stream) {
    std::lock_guard lock(writers_mu_);
    std::unique_ptr<StreamWriter>& writer = writers_[stream];
    if (!writer) writer = std::make_unique<StreamWriter>();
    return *writer;
  }

  Result<std::string> OpenHookSecret(const std::string& account_id, const Hook& hook) const {
    auto sealed = sealed_.find({account_id, hook.secret_ref});
    if (sealed == sealed_.end()) return Status::FailedPrecondition("the webhook's secret is not stored");
    auto opened = domain::OpenSecret(options_.secret_key, sealed->second, domain::SecretAad(account_id, hook.secret_ref));
    if (!opened.ok()) return Status::FailedPrecondition("the webhook's secret cannot be opened: " + opened.status().message());
    return opened;
  }

  store::EventLog& log_;
  const WebhookServiceOptions options_;
  std::unique_ptr<WebhookDispatcher> dispatcher_;
  std::unique_ptr<store::Subscription> subscription_;
  std::mutex stop_mu_;
  bool stopped_ = false;

  mutable std::mutex mu_;
  mutable std::condition_variable advanced_;
  uint64_t position_ = 0;
  bool caught_up_ = false;
  std::map<std::string, std::map<std::string, Hook>> hooks_;                     // account -> id -> hook
  std::map<std::pair<std::string, std::string>, domain::SealedSecret> sealed_;  // (account, ref)
  std::unordered_map<std::string, LiveCall> calls_;                             // call id -> call
  uint64_t calls_started_ = 0;
  std::unordered_map<std::string, Intent> intents_;  // before the first catch-up: not yet finished
  std::deque<Intent> overflow_;                      // waiting for room in the dispatcher
  std::map<std::string, DeliveryOrigin> origins_;    // delivery id -> origin, until finished
  std::map<std::pair<std::string, std::string>, std::deque<RecordedAttempt>> recent_;  // (account, webhook)

  std::mutex writers_mu_;
  std::unordered_map<std::string, std::unique_ptr<StreamWriter>> writers_;  // attempt stream -> writer
};

}  // namespace

std::string AttemptStream(std::string_view account_id) {
  return std::string(kAttemptStreamPrefix) + std::string(account_id);
}

Result<std::unique_ptr<WebhookService>> WebhookService::Start(store::EventLog& log, WebhookServiceOptions options) {
  if (options.recent_attempts == 0) return Status::InvalidArgument("webhook service: recent_attempts must be >= 1");
  auto service = std::make_unique<Service>(log, std::move(options));
  if (Status s = service->Start(); !s.ok()) return s;
  return std::unique_ptr<WebhookService>(std::move(service));
}

}  // namespace dialtone::webhooks
