// Exponential backoff with jitter for failed webhook attempts.
#pragma once

#include <chrono>
#include <cstdint>

#include "common/status.h"

namespace dialtone::webhooks {

struct RetryPolicy {
  int max_attempts = 6;                           // attempts in total, >= 1
  std::chrono::milliseconds base_delay{1000};     // delay after the first failure, >= 0
  double factor = 2.0;                            // growth per further failure, >= 1
  std::chrono::milliseconds max_delay{300'000};   // cap before jitter, >= base_delay
  double jitter = 0.2;                            // fraction in [0, 1]; see BackoffDelay
};

// kInvalidArgument naming the first out-of-range field.
Status ValidateRetryPolicy(const RetryPolicy& policy);

// The wait after failed attempt number `attempt` (1-based):
//   d = min(max_delay, base_delay * factor^(attempt-1)),
//   delay = d * (1 - jitter * unit_random)   with unit_random in [0, 1),
// so the delay lies in (d*(1-jitter), d]. With the defaults: ~1 s, 2 s, 4 s, 8 s, 16 s.
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt, double unit_random);

}  // namespace dialtone::webhooks
