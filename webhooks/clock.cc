#include "webhooks/clock.h"

#include <algorithm>
#include <cassert>

namespace dialtone::webhooks {

int64_t SystemClock::NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SystemClock::WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                            int64_t deadline_ms) {
  const int64_t remaining = deadline_ms - NowMs();
  if (remaining <= 0) return;
  cv.wait_for(lock, std::chrono::milliseconds(remaining));
}

ManualClock::ManualClock(int64_t start_ms, bool advance_to_deadlines)
    : now_ms_(start_ms), advance_to_deadlines_(advance_to_deadlines) {}

int64_t ManualClock::NowMs() {
  std::lock_guard guard(mu_);
  return now_ms_;
}

void ManualClock::WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                            int64_t deadline_ms) {
  assert(lock.owns_lock());
  Waiter waiter{lock.mutex(), &cv, deadline_ms};
  {
    std::lock_guard guard(mu_);
    if (advance_to_deadlines_) now_ms_ = std::max(now_ms_, deadline_ms);
    if (now_ms_ >= deadline_ms) return;
    waiters_.push_back(&waiter);
    waiters_changed_.notify_all();
  }
  // Advance() notifies `cv` while holding `lock`'s mutex, and we hold it from the
  // registration above until wait() releases it: no wake-up can fall in between.
  cv.wait(lock);
  std::lock_guard guard(mu_);
  waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &waiter));
  waiters_changed_.notify_all();
}

void ManualClock::Advance(int64_t ms) {
  assert(ms >= 0);
  std::vector<Waiter> to_wake;
  {
    std::lock_guard guard(mu_);
    now_ms_ += ms;
    for (const Waiter* waiter : waiters_) to_wake.push_back(*waiter);
  }
  for (const Waiter& waiter : to_wake) {
    std::lock_guard guard(*waiter.mutex);
    waiter.cv->notify_all();
  }
}

std::optional<int64_t> ManualClock::AwaitWaiter(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!waiters_changed_.wait_for(lock, timeout, [&] { return !waiters_.empty(); })) return std::nullopt;
  int64_t earliest = waiters_.front()->deadline_ms;
  for (const Waiter* waiter : waiters_) earliest = std::min(earliest, waiter->deadline_ms);
  return earliest;
}

}  // namespace dialtone::webhooks
