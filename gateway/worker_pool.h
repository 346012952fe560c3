// A small fixed pool of threads for the work of a dialect's handlers that may block (a
// command answered with ExecuteAndWait, a wait for the view to show a write, a failure
// whose answer reads the view), so neither the HTTP I/O threads nor the actor threads wait.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace dialtone::gateway {

class WorkerPool {
 public:
  explicit WorkerPool(size_t threads);
  ~WorkerPool();  // Stop()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; false (and the task is destroyed unrun) once Stop() has begun.
  bool Post(std::function<void()> task);
  // Runs every task already queued, then joins the threads. Idempotent.
  void Stop();

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace dialtone::gateway
