// The time source of the webhook dispatcher: reports attempt times and decides when a
// retry is due. Production uses SystemClock; tests use ManualClock so that backoff is
// observable without real waiting.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

namespace dialtone::webhooks {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch on this clock.
  virtual int64_t NowMs() = 0;
  // Called with `lock` held (it guards the caller's state and is the mutex `cv` is used
  // with). Releases `lock` and blocks until NowMs() >= deadline_ms or `cv` is notified
  // (or spuriously), then reacquires `lock`. Callers re-check their state afterwards.
  virtual void WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                         int64_t deadline_ms) = 0;
};

// Wall-clock time; waits run on the steady clock for the remaining duration.
class SystemClock final : public Clock {
 public:
  int64_t NowMs() override;
  void WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                 int64_t deadline_ms) override;
};

// Time that moves only when told to. With `advance_to_deadlines`, every WaitUntil jumps
// the clock forward to its deadline and returns at once (virtual time: a retry runs
// immediately, stamped with exactly the time it was scheduled for). Otherwise waiters
// block until Advance() reaches their deadline. Waiters' condition variables must
// outlive the clock's use by them (true for a dispatcher that is stopped first).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1'700'000'000'000, bool advance_to_deadlines = false);

  int64_t NowMs() override;
  void WaitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                 int64_t deadline_ms) override;

  // Moves time forward by `ms` (>= 0) and wakes every waiter.
  void Advance(int64_t ms);
  // Blocks (real time, at most `timeout`) until some thread is waiting in WaitUntil and
  // returns the earliest deadline among the waiters, or nullopt on timeout.
  std::optional<int64_t> AwaitWaiter(std::chrono::milliseconds timeout);

 private:
  struct Waiter {
    std::mutex* mutex;
    std::condition_variable* cv;
    int64_t deadline_ms;
  };
  std::mutex mu_;
  std::condition_variable waiters_changed_;
  int64_t now_ms_;
  bool advance_to_deadlines_;
  std::vector<Waiter*> waiters_;
};

}  // namespace dialtone::webhooks
