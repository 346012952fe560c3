// In-memory EventLog: the reference behaviour for the conformance suite. Appends
// complete inline, so actor tests stay deterministic.
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "events/ids.h"
#include "store/event_log.h"

namespace dialtone::store {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool Matches(const RecordedEvent& e, const ReadAllOptions& o) {
  if (!o.stream_prefix.empty() && e.stream.compare(0, o.stream_prefix.size(), o.stream_prefix) != 0) {
    return false;
  }
  return o.event_type.empty() || e.type == o.event_type;
}

class MemoryEventLog final : public EventLog {
 public:
  ~MemoryEventLog() override { Close(); }

  void AppendAsync(AppendRequest request, AppendCallback done) override {
    const auto start = std::chrono::steady_clock::now();
    AppendOutcome outcome = AppendLocked(std::move(request));
    if (outcome.ok() && !outcome->deduplicated) {
      metrics_.append_latency.ObserveNanos(static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
              .count()));
    }
    done(std::move(outcome));
  }

  Result<RecordedEvents> ReadStream(std::string_view stream,
                                    const ReadStreamOptions& o) const override {
    std::shared_lock lock(mu_);
    RecordedEvents out;
    auto it = streams_.find(std::string(stream));
    if (it == streams_.end() || o.max_count == 0) return out;
    const StreamState& s = it->second;
    const uint64_t version = s.positions.size();
    if (o.direction == Direction::kForward) {
      for (uint64_t v = std::max<uint64_t>({o.from_version, s.deleted_through + 1, 1});
           v <= version && out.size() < o.max_count; ++v) {
        out.push_back(log_[s.positions[v - 1] - 1]);
      }
    } else {
      for (uint64_t v = std::min(o.from_version, version);
           v > s.deleted_through && v >= 1 && out.size() < o.max_count; --v) {
        out.push_back(log_[s.positions[v - 1] - 1]);
      }
    }
    return out;
  }

  Result<RecordedEvents> ReadAll(const ReadAllOptions& o) const override {
    std::shared_lock lock(mu_);
    RecordedEvents out;
    const uint64_t head = log_.size();
    if (o.max_count == 0 || head == 0) return out;
    if (o.direction == Direction::kForward) {
      for (uint64_t p = std::max<uint64_t>(o.from_position, 1); p <= head && out.size() < o.max_count; ++p) {
        if (Matches(log_[p - 1], o)) out.push_back(log_[p - 1]);
      }
    } else {
      for (uint64_t p = std::min(o.from_position, head); p >= 1 && out.size() < o.max_count; --p) {
        if (Matches(log_[p - 1], o)) out.push_back(log_[p - 1]);
      }
    }
    return out;
  }

  uint64_t HeadPosition() const override {
    std::shared_lock lock(mu_);
    return log_.size();
  }

  Result<uint64_t> StreamVersion(std::string_view stream) const override {
    std::shared_lock lock(mu_);
    auto it = streams_.find(std::string(stream));
    return it == streams_.end() ? 0 : static_cast<uint64_t>(it->second.positions.size());
  }

  Result<uint64_t, AppendError> DeleteStream(std::string_view stream,
                                             ExpectedVersion expected) override {
    std::unique_lock lock(mu_);
    if (closed_) return AppendError{Status::Unavailable("event log is closed"), 0};
    auto it = streams_.find(std::string(stream));
    const uint64_t version = it == streams_.end() ? 0 : it->second.positions.size();
    if (!expected.Matches(version)) {
      return AppendError{Status(ErrorCode::kWrongExpectedVersion,
                                "stream '" + std::string(stream) + "' is at version " +
                                    std::to_string(version)),
                         version};
    }
    if (it != streams_.end()) it->second.deleted_through = version;
    return version;
  }

  Status SaveSnapshot(std::string_view stream, const Snapshot& snapshot) override {
    std::unique_lock lock(mu_);
    auto& slot = snapshots_[std::string(stream)];
    if (snapshot.version >= slot.version) slot = snapshot;
    return Status::Ok();
  }

  Result<std::optional<Snapshot>> LoadSnapshot(std::string_view stream) const override {
    std::shared_lock lock(mu_);
    auto it = snapshots_.find(std::string(stream));
    if (it == snapshots_.end()) return std::optional<Snapshot>();
    return std::optional<Snapshot>(it->second);
  }

  uint64_t WaitForHeadAfter(uint64_t position, std::chrono::milliseconds timeout) const override {
    std::unique_lock lock(mu_);
    head_cv_.wait_for(lock, timeout, [&] { return log_.size() > position || closed_; });
    return log_.size();
  }

  Status Close() override {
    std::unique_lock lock(mu_);
    closed_ = true;
    head_cv_.notify_all();
    return Status::Ok();
  }

 private:
  struct StreamState {
    std::vector<uint64_t> positions;  // positions[v - 1] = position of version v
    uint64_t deleted_through = 0;
  };

  AppendOutcome AppendLocked(AppendRequest request) {
    if (Status s = ValidateAppend(request); !s.ok()) return AppendError{s, 0};
    std::unique_lock lock(mu_);
    if (closed_) return AppendError{Status::Unavailable("event log is closed"), 0};
    if (!request.idempotency_key.empty()) {
      auto it = idempotency_.find(request.idempotency_key);
      if (it != idempotency_.end()) {
        AppendResult first = it->second;
        first.deduplicated = true;
        first.time_ms = 0;
        return first;
      }
    }
    StreamState& s = streams_[request.stream];
    const uint64_t version = s.positions.size();
    if (!request.expected.Matches(version)) {
      return AppendError{Status(ErrorCode::kWrongExpectedVersion,
                                "stream '" + request.stream + "' is at version " +
                                    std::to_string(version)),
                         version};
    }
    AppendResult result;
    result.first_position = log_.size() + 1;
    result.first_version = version + 1;
    const int64_t now = NowMs();
    result.time_ms = now;
    for (auto& data : request.events) {
      RecordedEvent e;
      e.position = log_.size() + 1;
      e.stream = request.stream;
      e.version = s.positions.size() + 1;
      e.type = std::move(data.type);
      e.time_ms = now;
      e.event_id = data.event_id.empty() ? events::NewUuid() : std::move(data.event_id);
      e.causation_id = std::move(data.causation_id);
      e.correlation_id = std::move(data.correlation_id);
      e.idempotency_key = request.idempotency_key;
      e.principal = std::move(data.principal);
      e.payload = std::move(data.payload);
      s.positions.push_back(e.position);
      log_.push_back(std::move(e));
    }
    result.last_position = log_.size();
    result.last_version = s.positions.size();
    if (!request.idempotency_key.empty()) idempotency_[request.idempotency_key] = result;
    metrics_.appends.Add();
    metrics_.events_appended.Add(request.events.size());
    metrics_.commit_batches.Add();
    head_cv_.notify_all();
    return result;
  }

  mutable std::shared_mutex mu_;
  mutable std::condition_variable_any head_cv_;
  std::vector<RecordedEvent> log_;  // log_[p - 1] = event at position p
  std::unordered_map<std::string, StreamState> streams_;
  std::unordered_map<std::string, AppendResult> idempotency_;
  std::map<std::string, Snapshot> snapshots_;
  bool closed_ = false;
};

}  // namespace

std::unique_ptr<EventLog> NewMemoryEventLog() { return std::make_unique<MemoryEventLog>(); }

}  // namespace dialtone::store
