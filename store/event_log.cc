#include "store/event_log.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace dialtone::store {

AppendOutcome EventLog::Append(AppendRequest request) {
  struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<AppendOutcome> outcome;
  } waiter;
  AppendAsync(std::move(request), [&waiter](AppendOutcome outcome) {
    std::lock_guard lock(waiter.mu);
    waiter.outcome.emplace(std::move(outcome));
    waiter.cv.notify_one();
  });
  std::unique_lock lock(waiter.mu);
  waiter.cv.wait(lock, [&] { return waiter.outcome.has_value(); });
  return std::move(*waiter.outcome);
}

namespace {

// Well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF): the envelope's
// string fields are proto3 `string`s, which protobuf refuses to decode otherwise.
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t extra;
    uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xE0) == 0xC0) { extra = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { extra = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { extra = 3; cp = c & 0x07; }
    else return false;
    if (i + extra >= s.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace

Status EventLog::ValidateAppend(const AppendRequest& request) {
  if (request.stream.empty()) return Status::InvalidArgument("stream id is empty");
  if (request.stream.size() > kMaxStreamIdBytes) {
    return Status::InvalidArgument("stream id longer than " + std::to_string(kMaxStreamIdBytes) +
                                   " bytes");
  }
  if (request.stream.find('\0') != std::string::npos) {
    return Status::InvalidArgument("stream id contains a NUL byte");
  }
  if (request.events.empty()) return Status::InvalidArgument("append carries no events");
  if (request.events.size() > kMaxEventsPerAppend) {
    return Status::InvalidArgument("append carries more than " +
                                   std::to_string(kMaxEventsPerAppend) + " events");
  }
  if (!IsValidUtf8(request.stream)) return Status::InvalidArgument("stream id is not valid UTF-8");
  if (!IsValidUtf8(request.idempotency_key)) {
    return Status::InvalidArgument("idempotency key is not valid UTF-8");
  }
  for (const auto& e : request.events) {
    if (e.type.empty()) return Status::InvalidArgument("event type is empty");
    for (const std::string* field : {&e.type, &e.event_id, &e.causation_id, &e.correlation_id, &e.principal}) {
      if (!IsValidUtf8(*field)) {
        return Status::InvalidArgument("event type, ids and principal must be valid UTF-8");
      }
    }
  }
  return Status::Ok();
}

namespace {

bool MatchesFilter(const RecordedEvent& e, const SubscribeOptions& o) {
  if (!o.stream_prefix.empty() && e.stream.compare(0, o.stream_prefix.size(), o.stream_prefix) != 0) {
    return false;
  }
  return o.event_type.empty() || e.type == o.event_type;
}

// Pulls from the log with its own cursor: the catch-up and the live phase are the same
// loop, so there is no switch-over at which an event could be lost or repeated.
//
// The loop's state is shared with the thread, so that the subscription may be stopped or
// even destroyed from inside its own handler: the thread then finishes on its own and
// touches neither the log nor the handler again.
class PollingSubscription final : public Subscription {
 public:
  PollingSubscription(const EventLog& log, SubscribeOptions options, EventHandler handler)
      : state_(std::make_shared<State>(log, std::move(options), std::move(handler))) {
    thread_ = std::thread([state = state_] { Run(*state); });
  }
  ~PollingSubscription() override {
    Stop();
    // Destroyed by its own handler: the loop exits when the handler returns.
    if (OnOwnThread() && thread_.joinable()) thread_.detach();
  }

  void Stop() override {
    {
      std::lock_guard lock(state_->mu);
      state_->stopping.store(true);
    }
    state_->stop_cv.notify_all();
    // From inside the handler: the loop makes no further call once the handler returns.
    if (OnOwnThread()) return;
    std::lock_guard lock(join_mu_);
    if (thread_.joinable()) thread_.join();
  }
  uint64_t position() const override { return state_->position.load(); }

 private:
  static constexpr std::chrono::milliseconds kPollInterval{100};

  struct State {
    State(const EventLog& l, SubscribeOptions o, EventHandler h)
        : log(l), options(std::move(o)), handler(std::move(h)), position(options.after_position) {}
    const EventLog& log;
    const SubscribeOptions options;
    const EventHandler handler;
    std::atomic<uint64_t> position;
    std::atomic<bool> stopping{false};
    std::mutex mu;  // guards the stop_cv wait
    std::condition_variable stop_cv;
  };

  // Waits for the head to pass the cursor, at most one poll interval. A closed log
  // answers WaitForHeadAfter at once; the rest of the interval is then spent waiting for
  // Stop(), so that a subscription on a closed log does not spin.
  static void WaitForNews(State& state) {
    const auto deadline = std::chrono::steady_clock::now() + kPollInterval;
    if (state.log.WaitForHeadAfter(state.position.load(), kPollInterval) > state.position.load()) {
      return;
    }
    std::unique_lock lock(state.mu);
    state.stop_cv.wait_until(lock, deadline, [&] { return state.stopping.load(); });
  }

  // True on the subscription's thread (inside the handler or on_caught_up).
  bool OnOwnThread() const { return running_state == state_.get(); }

  static void Run(State& state) {
    running_state = &state;
    std::optional<uint64_t> reported_head;
    while (!state.stopping.load()) {
      const uint64_t head = state.log.HeadPosition();
      if (state.position.load() >= head) {
        if (state.options.on_caught_up && reported_head != head) {
          reported_head = head;
          state.options.on_caught_up(head);
          if (state.stopping.load()) return;
        }
        WaitForNews(state);
        continue;
      }
      ReadAllOptions read;
      read.from_position = state.position.load() + 1;
      read.max_count = std::max<size_t>(state.options.batch_size, 1);
      // Unfiltered, so that the cursor advances past events the filter skips.
      auto batch = state.log.ReadAll(read);
      if (!batch.ok() || batch->empty()) {
        WaitForNews(state);
        continue;
      }
      for (const auto& event : *batch) {
        if (state.stopping.load()) return;
        if (MatchesFilter(event, state.options)) state.handler(event);
        state.position.store(event.position);
      }
    }
  }

  static thread_local const State* running_state;

  std::shared_ptr<State> state_;
  std::mutex join_mu_;  // serialises joins when Stop() races with itself
  std::thread thread_;
};

thread_local const PollingSubscription::State* PollingSubscription::running_state = nullptr;

}  // namespace

std::unique_ptr<Subscription> EventLog::Subscribe(SubscribeOptions options,
                                                  EventHandler handler) const {
  return std::make_unique<PollingSubscription>(*this, std::move(options), std::move(handler));
}

}  // namespace dialtone::store
