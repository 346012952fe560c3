// Lock-free counters and histograms, rendered as Prometheus text exposition.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace dialtone {

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Latency histogram with fixed bucket upper bounds in seconds (50 µs … 5 s).
class LatencyHistogram {
 public:
  static constexpr std::array<double, 14> kBounds = {0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                                                     0.0025,  0.005,  0.01,    0.025,  0.05,
                                                     0.1,     0.25,   1.0,     5.0};
  void ObserveNanos(uint64_t nanos);
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  // Appends `# TYPE` and the _bucket/_sum/_count lines for `name` to `out`.
  void RenderPrometheus(std::string_view name, std::string_view help, std::string* out) const;

 private:
  std::array<std::atomic<uint64_t>, kBounds.size()> buckets_{};  // non-cumulative
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_nanos_{0};
};

// Appends one counter or gauge in Prometheus text format.
void RenderPrometheusCounter(std::string_view name, std::string_view help, uint64_t value,
                             std::string* out);
void RenderPrometheusGauge(std::string_view name, std::string_view help, double value,
                           std::string* out);

}  // namespace dialtone
