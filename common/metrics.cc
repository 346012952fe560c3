#include "common/metrics.h"

#include <cstdio>

namespace dialtone {

void LatencyHistogram::ObserveNanos(uint64_t nanos) {
  const double seconds = static_cast<double>(nanos) / 1e9;
  for (size_t i = 0; i < kBounds.size(); ++i) {
    if (seconds <= kBounds[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  sum_nanos_.fetch_add(nanos, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

namespace {
void Header(std::string_view name, std::string_view help, std::string_view type, std::string* out) {
  out->append("# HELP ").append(name).append(" ").append(help).append("\n");
  out->append("# TYPE ").append(name).append(" ").append(type).append("\n");
}
std::string FormatDouble(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}
}  // namespace

void LatencyHistogram::RenderPrometheus(std::string_view name, std::string_view help,
                                        std::string* out) const {
  Header(name, help, "histogram", out);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    out->append(name).append("_bucket{le=\"").append(FormatDouble(kBounds[i])).append("\"} ");
    out->append(std::to_string(cumulative)).append("\n");
  }
  const uint64_t total = count_.load(std::memory_order_relaxed);
  out->append(name).append("_bucket{le=\"+Inf\"} ").append(std::to_string(total)).append("\n");
  out->append(name).append("_sum ");
  out->append(FormatDouble(static_cast<double>(sum_nanos_.load(std::memory_order_relaxed)) / 1e9));
  out->append("\n");
  out->append(name).append("_count ").append(std::to_string(total)).append("\n");
}

void RenderPrometheusCounter(std::string_view name, std::string_view help, uint64_t value,
                             std::string* out) {
  Header(name, help, "counter", out);
  out->append(name).append(" ").append(std::to_string(value)).append("\n");
}

void RenderPrometheusGauge(std::string_view name, std::string_view help, double value,
                           std::string* out) {
  Header(name, help, "gauge", out);
  out->append(name).append(" ").append(FormatDouble(value)).append("\n");
}

}  // namespace dialtone
