#include "webhooks/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace dialtone::webhooks {

Status ValidateRetryPolicy(const RetryPolicy& policy) {
  if (policy.max_attempts < 1) return Status::InvalidArgument("retry policy: max_attempts must be >= 1");
  if (policy.base_delay.count() < 0) return Status::InvalidArgument("retry policy: base_delay must be >= 0");
  if (!(policy.factor >= 1.0) || !std::isfinite(policy.factor)) {
    return Status::InvalidArgument("retry policy: factor must be a finite number >= 1");
  }
  if (policy.max_delay < policy.base_delay) {
    return Status::InvalidArgument("retry policy: max_delay must be >= base_delay");
  }
  if (!(policy.jitter >= 0.0 && policy.jitter <= 1.0)) {
    return Status::InvalidArgument("retry policy: jitter must be in [0, 1]");
  }
  return Status::Ok();
}

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt, double unit_random) {
  const double exponent = std::max(0, attempt - 1);
  const double cap = static_cast<double>(policy.max_delay.count());
  const double uncapped = static_cast<double>(policy.base_delay.count()) * std::pow(policy.factor, exponent);
  const double capped = std::min(cap, uncapped);  // also tames inf for huge attempts
  const double unit = std::clamp(unit_random, 0.0, 1.0);
  const double jittered = capped * (1.0 - policy.jitter * unit);
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(jittered)));
}

}  // namespace dialtone::webhooks
