// An EventLog for actor tests: the in-memory log, plus control over when appends complete
// and a record of how the log was read. Single-threaded use (the deterministic runtime).
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/event_log.h"

namespace dialtone::actors::testing {

class ControlledLog final : public store::EventLog {
 public:
  struct StreamRead {
    std::string stream;
    uint64_t from_version = 0;
  };

  ControlledLog() : inner_(store::NewMemoryEventLog()) {}

  // While held, AppendAsync only queues the request; nothing is written or acknowledged
  // until ReleaseAppend().
  void HoldAppends(bool hold) { hold_ = hold; }
  size_t HeldAppends() const { return held_.size(); }
  // Performs the oldest held append (its callback runs inline, as the memory log's does).
  void ReleaseAppend() {
    Held next = std::move(held_.front());
    held_.pop_front();
    inner_->AppendAsync(std::move(next.request), std::move(next.done));
  }

  // While frozen, ReadStream shows no event appended after the freeze (as a backend whose
  // reads lag its acknowledgements would).
  void FreezeReads() { frozen_head_ = inner_->HeadPosition(); }
  void UnfreezeReads() { frozen_head_.reset(); }

  size_t append_requests() const { return append_requests_; }
  const std::vector<StreamRead>& stream_reads() const { return stream_reads_; }
  size_t snapshot_loads() const { return snapshot_loads_; }
  store::EventLog& inner() { return *inner_; }

  void AppendAsync(store::AppendRequest request, store::AppendCallback done) override {
    ++append_requests_;
    if (hold_) {
      held_.push_back(Held{std::move(request), std::move(done)});
      return;
    }
    inner_->AppendAsync(std::move(request), std::move(done));
  }
  Result<store::RecordedEvents> ReadStream(std::string_view stream,
                                           const store::ReadStreamOptions& options) const override {
    stream_reads_.push_back(StreamRead{std::string(stream), options.from_version});
    Result<store::RecordedEvents> events = inner_->ReadStream(stream, options);
    if (events.ok() && frozen_head_) {
      std::erase_if(*events, [&](const store::RecordedEvent& e) { return e.position > *frozen_head_; });
    }
    return events;
  }
  Result<store::RecordedEvents> ReadAll(const store::ReadAllOptions& options) const override {
    return inner_->ReadAll(options);
  }
  uint64_t HeadPosition() const override { return inner_->HeadPosition(); }
  Result<uint64_t> StreamVersion(std::string_view stream) const override {
    return inner_->StreamVersion(stream);
  }
  Result<uint64_t, store::AppendError> DeleteStream(std::string_view stream,
                                                    store::ExpectedVersion expected) override {
    return inner_->DeleteStream(stream, expected);
  }
  Status SaveSnapshot(std::string_view stream, const store::Snapshot& snapshot) override {
    return inner_->SaveSnapshot(stream, snapshot);
  }
  Result<std::optional<store::Snapshot>> LoadSnapshot(std::string_view stream) const override {
    ++snapshot_loads_;
    return inner_->LoadSnapshot(stream);
  }
  uint64_t WaitForHeadAfter(uint64_t position, std::chrono::milliseconds timeout) const override {
    return inner_->WaitForHeadAfter(position, timeout);
  }
  Status Close() override { return inner_->Close(); }

 private:
  struct Held {
    store::AppendRequest request;
    store::AppendCallback done;
  };

  std::unique_ptr<store::EventLog> inner_;
  bool hold_ = false;
  std::optional<uint64_t> frozen_head_;
  std::deque<Held> held_;
  size_t append_requests_ = 0;
  mutable std::vector<StreamRead> stream_reads_;
  mutable size_t snapshot_loads_ = 0;
};

}  // namespace dialtone::actors::testing
