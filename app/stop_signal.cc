#include "app/stop_signal.h"

#include <csignal>
#include <pthread.h>
#include <thread>

namespace dialtone::app {

void StopSignal::Request() {
  {
    std::lock_guard lock(mu_);
    requested_ = true;
  }
  cv_.notify_all();
}

bool StopSignal::requested() const {
  std::lock_guard lock(mu_);
  return requested_;
}

void StopSignal::Wait() const {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return requested_; });
}

bool StopSignal::WaitFor(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return requested_; });
}

void RequestStopOnTerminationSignals(std::shared_ptr<StopSignal> stop) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // Detached: it lives as long as the process; the StopSignal it owns outlives main.
  std::thread([set, stop = std::move(stop)] {
    while (true) {
      int signal_number = 0;
      if (sigwait(&set, &signal_number) == 0) stop->Request();
    }
  }).detach();
}

}  // namespace dialtone::app
