// A one-shot stop request that threads can wait on, and the bridge that turns SIGINT or
// SIGTERM into that request.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

namespace dialtone::app {

class StopSignal {
 public:
  // Idempotent; wakes every waiter.
  void Request();
  bool requested() const;
  void Wait() const;
  // True when the stop was requested within `timeout`.
  bool WaitFor(std::chrono::milliseconds timeout) const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool requested_ = false;
};

// Blocks SIGINT and SIGTERM in the calling thread, and so in every thread started after
// this call, and starts a thread that calls `stop->Request()` when either arrives.
// Call it first in main, before any other thread exists (RocksDB, CAF, Asio threads
// then inherit the blocked mask, so the signal is never delivered to them).
void RequestStopOnTerminationSignals(std::shared_ptr<StopSignal> stop);

}  // namespace dialtone::app
