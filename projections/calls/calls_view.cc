#include "projections/calls/calls_view.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <unordered_map>

#include "call.pb.h"
#include "events/event_types.h"
#include "refdata/e164.h"

namespace dialtone::projections::calls {

namespace {

std::string DirectionName(events::CallDirection d) {
  switch (d) {
    case events::CALL_DIRECTION_INBOUND: return "INBOUND";
    case events::CALL_DIRECTION_OUTBOUND: return "OUTBOUND";
    default: return "";
  }
}

std::string ResultName(events::CallResult r) {
  switch (r) {
    case events::CALL_RESULT_COMPLETED: return "COMPLETED";
    case events::CALL_RESULT_NO_ANSWER: return "NO_ANSWER";
    case events::CALL_RESULT_CANCEL: return "CANCEL";
    case events::CALL_RESULT_BUSY: return "BUSY";
    case events::CALL_RESULT_FAILED: return "FAILED";
    default: return "";
  }
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

class MemoryCallsView final : public CallsView {
 public:
  explicit MemoryCallsView(const store::EventLog& log) : log_(log) {}
  ~MemoryCallsView() override { Stop(); }

  void Start() {
    store::SubscribeOptions options;
    options.after_position = 0;
    options.stream_prefix = std::string(kCallStreamPrefix);
    options.on_caught_up = [this](uint64_t head) { Advance(head); };
    subscription_ = log_.Subscribe(std::move(options), [this](const store::RecordedEvent& e) { Fold(e); });
  }

  Result<CallPage> Find(const CallQuery& q) const override {
    if (q.account_id.empty()) return Status::InvalidArgument("a call query needs an account id");
    if (q.limit == 0) return Status::InvalidArgument("a call query needs a limit of at least 1");
    std::vector<const CallRecord*> matches;
    std::lock_guard lock(mu_);
    auto account = by_account_.find(q.account_id);
    if (account != by_account_.end()) {
      for (const std::string& call_id : account->second) {
        const CallRecord& c = records_.at(call_id);
        if (!StartsWith(c.from, q.from_prefix) || !StartsWith(c.to, q.to_prefix)) continue;
        if (!q.trunk_id.empty() && c.trunk_id != q.trunk_id) continue;
        if (!q.results.empty() && !q.results.contains(c.result)) continue;
        if (!q.directions.empty() && !q.directions.contains(c.direction)) continue;
        if (!q.from_country.empty() && c.from_country != q.from_country) continue;
        if (!q.to_country.empty() && c.to_country != q.to_country) continue;
        if (c.create_ms < q.create_begin_ms || c.create_ms >= q.create_end_ms) continue;
        if (q.ended_by_ms && (c.end_ms == 0 || c.end_ms > *q.ended_by_ms)) continue;
        if (!q.after_call_id.empty() &&
            (c.create_ms > q.after_create_ms || (c.create_ms == q.after_create_ms && c.call_id <= q.after_call_id))) {
          continue;
        }
        matches.push_back(&c);
      }
    }
    std::sort(matches.begin(), matches.end(), [](const CallRecord* a, const CallRecord* b) {
      if (a->create_ms != b->create_ms) return a->create_ms > b->create_ms;
      return a->call_id < b->call_id;
    });
    CallPage page;
    page.total = matches.size();
    for (size_t i = q.offset; i < matches.size() && page.calls.size() < q.limit; ++i) {
      page.calls.push_back(*matches[i]);
    }
    return page;
  }

  uint64_t position() const override {
    std::lock_guard lock(mu_);
    return position_;
  }

  bool WaitForPosition(uint64_t position, std::chrono::milliseconds timeout) const override {
    std::unique_lock lock(mu_);
    return advanced_.wait_for(lock, timeout, [&] { return position_ >= position; });
  }

  CallsViewStats stats() const override {
    std::lock_guard lock(mu_);
    return stats_;
  }

  void Stop() override {
    if (subscription_) subscription_->Stop();
  }

  // Blocks until the first catch-up is done.
  void WaitCaughtUp() {
    std::unique_lock lock(mu_);
    advanced_.wait(lock, [&] { return caught_up_; });
  }

 private:
  void Advance(uint64_t head) {
    {
      std::lock_guard lock(mu_);
      position_ = std::max(position_, head);
      caught_up_ = true;
    }
    advanced_.notify_all();
  }

  void Fold(const store::RecordedEvent& e) {
    std::lock_guard lock(mu_);
    FoldLocked(e);
    position_ = std::max(position_, e.position);
    // Waiters are woken at the end of each batch (Advance): folding stays cheap.
  }

  void FoldLocked(const store::RecordedEvent& e) {
    if (e.type == events::kCallStarted) {
      events::CallStarted m;
      if (!events::ParsePayload(e, &m).ok() || m.call_id().empty() || m.account_id().empty()) {
        ++stats_.events_malformed;
        return;
      }
      CallRecord& c = records_[m.call_id()];
      if (c.call_id.empty()) by_account_[m.account_id()].push_back(m.call_id());
      c.call_id = m.call_id();
      c.account_id = m.account_id();
      c.trunk_id = m.trunk_id();
      c.direction = DirectionName(m.direction());
      c.from = m.from();
      c.to = m.to();
      c.from_country = refdata::CountryOfNumber(m.from());
      c.to_country = refdata::CountryOfNumber(m.to());
      c.create_ms = m.ts_ms();
      c.position = e.position;
    } else if (e.type == events::kCallAnswered) {
      events::CallAnswered m;
      CallRecord* c = ParsedCall(e, &m);
      if (c == nullptr) return;
      c->answer_ms = m.ts_ms();
      c->position = e.position;
    } else if (e.type == events::kCallEnded) {
      events::CallEnded m;
      CallRecord* c = ParsedCall(e, &m);
      if (c == nullptr) return;
      c->end_ms = m.ts_ms();
      c->result = ResultName(m.result());
      c->currency_code = m.currency_code();
      c->price_per_minute = m.price_per_minute();
      c->billing_duration_seconds = m.billing_duration_seconds();
      c->price = m.price();
      c->position = e.position;
    } else {
      return;  // another event on a call stream: not part of the record
    }
    ++stats_.events_folded;
  }

  template <typename Message>
  CallRecord* ParsedCall(const store::RecordedEvent& e, Message* m) {
    if (!events::ParsePayload(e, m).ok()) {
      ++stats_.events_malformed;
      return nullptr;
    }
    auto it = records_.find(m->call_id());
    if (it == records_.end()) {
      ++stats_.events_malformed;
      return nullptr;
    }
    return &it->second;
  }

  const store::EventLog& log_;
  std::unique_ptr<store::Subscription> subscription_;
  mutable std::mutex mu_;
  mutable std::condition_variable advanced_;
  std::unordered_map<std::string, CallRecord> records_;
  std::unordered_map<std::string, std::vector<std::string>> by_account_;
  uint64_t position_ = 0;
  bool caught_up_ = false;
  CallsViewStats stats_;
};

}  // namespace

Result<std::unique_ptr<CallsView>> CallsView::Open(const store::EventLog& log) {
  auto view = std::make_unique<MemoryCallsView>(log);
  view->Start();
  view->WaitCaughtUp();
  return std::unique_ptr<CallsView>(std::move(view));
}

}  // namespace dialtone::projections::calls
