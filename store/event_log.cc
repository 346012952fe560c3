#include "store/event_log.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
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
  for (const auto& e : request.events) {
    if (e.type.empty()) return Status::InvalidArgument("event type is empty");
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
class PollingSubscription final : public Subscription {
 public:
  PollingSubscription(const EventLog& log, SubscribeOptions options, EventHandler handler)
      : log_(log), options_(std::move(options)), handler_(std::move(handler)),
        position_(options_.after_position) {
    thread_ = std::thread([this] { Run(); });
  }
  ~PollingSubscription() override { Stop(); }

  void Stop() override {
    stopping_.store(true);
    if (thread_.joinable()) {
      if (thread_.get_id() == std::this_thread::get_id()) {
        thread_.detach();  // Stop() from inside the handler: the loop exits on return.
      } else {
        thread_.join();
      }
    }
  }
  uint64_t position() const override { return position_.load(); }

 private:
  void Run() {
    uint64_t reported_head = 0;
    while (!stopping_.load()) {
      const uint64_t head = log_.HeadPosition();
      if (position_.load() >= head) {
        if (options_.on_caught_up && head != reported_head) {
          reported_head = head;
          options_.on_caught_up(head);
        }
        log_.WaitForHeadAfter(position_.load(), std::chrono::milliseconds(100));
        continue;
      }
      ReadAllOptions read;
      read.from_position = position_.load() + 1;
      read.max_count = options_.batch_size;
      auto batch = log_.ReadAll(read);  // unfiltered: the cursor advances past filtered events
      if (!batch.ok() || batch->empty()) {
        log_.WaitForHeadAfter(position_.load(), std::chrono::milliseconds(100));
        continue;
      }
      for (const auto& event : *batch) {
        if (stopping_.load()) return;
        if (MatchesFilter(event, options_)) handler_(event);
        position_.store(event.position);
      }
    }
  }

  const EventLog& log_;
  const SubscribeOptions options_;
  const EventHandler handler_;
  std::atomic<uint64_t> position_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace

std::unique_ptr<Subscription> EventLog::Subscribe(SubscribeOptions options,
                                                  EventHandler handler) const {
  return std::make_unique<PollingSubscription>(*this, std::move(options), std::move(handler));
}

}  // namespace dialtone::store
