// EventLog conformance suite, part 3: subscriptions. Catch-up then live with no gap and
// no duplicate at the switch, filters, on_caught_up, Stop(), and a slow subscriber that
// must not stall appends.
#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/store/log_fixture.h"

namespace dialtone::store::conformance {
namespace {

// Collects what a subscription delivers, on the subscription's thread; the test reads it
// with bounded waits. Also records protocol violations for the test to assert on.
class Recorder {
 public:
  EventHandler Handler() {
    return [this](const RecordedEvent& event) { Record(event); };
  }
  // Records the head and how far delivery had got when on_caught_up was called.
  std::function<void(uint64_t)> CaughtUpHandler() {
    return [this](uint64_t head) {
      std::lock_guard lock(mu_);
      caught_up_.push_back({head, events_.empty() ? 0 : events_.back().position});
      cv_.notify_all();
    };
  }

  void Record(const RecordedEvent& event) {
    std::lock_guard lock(mu_);
    if (closed_) ++calls_after_close_;
    events_.push_back(event);
    cv_.notify_all();
  }

  // From now on every handler call is a violation (the subscription was stopped).
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
  }

  bool WaitForCount(size_t count) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kGenerousTimeout, [&] { return events_.size() >= count; });
  }
  // Waits for an on_caught_up call reporting at least `head`.
  bool WaitForCaughtUp(uint64_t head) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kGenerousTimeout, [&] {
      return !caught_up_.empty() && caught_up_.back().head >= head;
    });
  }

  RecordedEvents events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  struct CaughtUp {
    uint64_t head;
    uint64_t last_delivered;  // position of the last event delivered before the call
  };
  std::vector<CaughtUp> caught_up() {
    std::lock_guard lock(mu_);
    return caught_up_;
  }
  size_t calls_after_close() {
    std::lock_guard lock(mu_);
    return calls_after_close_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  RecordedEvents events_;
  std::vector<CaughtUp> caught_up_;
  bool closed_ = false;
  size_t calls_after_close_ = 0;
};

SubscribeOptions After(uint64_t position, size_t batch_size = 512) {
  SubscribeOptions options;
  options.after_position = position;
  options.batch_size = batch_size;
  return options;
}

void AppendEvents(EventLog& log, std::string_view stream, size_t appends, size_t per_append = 1) {
  for (size_t i = 0; i < appends; ++i) {
    AppendOk(log, MakeRequest(std::string(stream), ExpectedVersion::Any(), per_append));
  }
}

CONFORMANCE_TEST(SubscriptionDeliversExistingThenLiveEventsExactlyOnceInOrder) {
  AppendEvents(log(), "account-1", 3, 2);
  Recorder recorder;
  auto subscription = log().Subscribe(After(0), recorder.Handler());
  BOOST_TEST_REQUIRE(recorder.WaitForCount(6));
  AppendEvents(log(), "queue-1", 4);
  BOOST_TEST_REQUIRE(recorder.WaitForCount(10));
  // One more event proves nothing else was in flight before it.
  AppendEvents(log(), "queue-1", 1);
  BOOST_TEST_REQUIRE(recorder.WaitForCount(11));
  subscription->Stop();

  const RecordedEvents delivered = recorder.events();
  const RecordedEvents log_events = ReadEntireLog(log());
  BOOST_TEST_REQUIRE(delivered.size() == log_events.size());
  for (size_t i = 0; i < delivered.size(); ++i) BOOST_TEST(delivered[i] == log_events[i]);
  BOOST_TEST(subscription->position() == 11u);
}

CONFORMANCE_TEST(SubscriptionAfterAPositionDeliversOnlyLaterEvents) {
  AppendEvents(log(), "s", 6);
  Recorder recorder;
  auto subscription = log().Subscribe(After(4), recorder.Handler());
  BOOST_TEST_REQUIRE(recorder.WaitForCount(2));
  AppendEvents(log(), "s", 1);
  BOOST_TEST_REQUIRE(recorder.WaitForCount(3));
  subscription->Stop();
  BOOST_TEST(PositionsOf(recorder.events()) == Range(5, 7));
}

CONFORMANCE_TEST(SubscriptionAfterTheHeadDeliversOnlyNewEvents) {
  AppendEvents(log(), "s", 3);
  Recorder recorder;
  SubscribeOptions options = After(3);
  options.on_caught_up = recorder.CaughtUpHandler();
  auto subscription = log().Subscribe(options, recorder.Handler());
  BOOST_TEST_REQUIRE(recorder.WaitForCaughtUp(3));
  AppendEvents(log(), "s", 2);
  BOOST_TEST_REQUIRE(recorder.WaitForCount(2));
  subscription->Stop();
  BOOST_TEST(PositionsOf(recorder.events()) == Range(4, 5));
}

CONFORMANCE_TEST(CatchUpSwitchesToLiveWithoutGapOrDuplicateWhileAppendsContinue) {
  constexpr size_t kBefore = 300;         // in the log when the subscription starts
  constexpr size_t kWhileBlocked = 100;   // appended while the handler is mid catch-up
  constexpr size_t kConcurrent = 200;     // appended by a writer racing the catch-up
  AppendEvents(log(), "account-1", kBefore / 10, 10);

  Recorder recorder;
  Gate reached_mid_catch_up;
  Gate release;
  SubscribeOptions options = After(0, /*batch_size=*/16);
  options.on_caught_up = recorder.CaughtUpHandler();
  auto subscription = log().Subscribe(options, [&](const RecordedEvent& event) {
    recorder.Record(event);
    if (event.position == 20) {
      reached_mid_catch_up.Open();
      release.WaitFor();
    }
  });
  BOOST_TEST_REQUIRE(reached_mid_catch_up.WaitFor());
  AppendEvents(log(), "queue-1", kWhileBlocked / 5, 5);
  release.Open();
  std::thread writer([&] {
    for (size_t i = 0; i < kConcurrent; ++i) {
      log().Append(MakeRequest("call-" + std::to_string(i % 7), ExpectedVersion::Any()));
    }
  });
  writer.join();
  const size_t total = kBefore + kWhileBlocked + kConcurrent;
  BOOST_TEST_REQUIRE(log().HeadPosition() == total);
  AppendEvents(log(), "sentinel", 1);
  BOOST_TEST_REQUIRE(recorder.WaitForCount(total + 1));
  subscription->Stop();

  BOOST_TEST(PositionsOf(recorder.events()) == Range(1, total + 1));
  for (const auto& call : recorder.caught_up()) {
    BOOST_TEST(call.last_delivered == call.head, "on_caught_up(" << call.head << ") came after "
                                                                 << call.last_delivered);
  }
}

CONFORMANCE_TEST(OnCaughtUpReportsTheHeadOnceEverythingUpToItWasDelivered) {
  AppendEvents(log(), "s", 50);
  Recorder recorder;
  SubscribeOptions options = After(0, /*batch_size=*/8);
  options.on_caught_up = recorder.CaughtUpHandler();
  auto subscription = log().Subscribe(options, recorder.Handler());
  BOOST_TEST_REQUIRE(recorder.WaitForCaughtUp(50));
  AppendEvents(log(), "s", 10);
  BOOST_TEST_REQUIRE(recorder.WaitForCaughtUp(60));
  subscription->Stop();
  const auto calls = recorder.caught_up();
  BOOST_TEST_REQUIRE(!calls.empty());
  BOOST_TEST(calls.front().head == 50u);
  for (const auto& call : calls) {
    BOOST_TEST(call.last_delivered == call.head, "on_caught_up(" << call.head << ") came after "
                                                                 << call.last_delivered);
  }
}

CONFORMANCE_TEST(OnCaughtUpIsCalledForAnEmptyLog) {
  Recorder recorder;
  SubscribeOptions options = After(0);
  options.on_caught_up = recorder.CaughtUpHandler();
  auto subscription = log().Subscribe(options, recorder.Handler());
  BOOST_TEST_REQUIRE(recorder.WaitForCaughtUp(0));
  subscription->Stop();
  BOOST_TEST(recorder.caught_up().front().head == 0u);
  BOOST_TEST(recorder.events().empty());
}

CONFORMANCE_TEST(SubscriptionFilteredByStreamPrefixDeliversOnlyThoseStreams) {
  AppendEvents(log(), "account-1", 2);
  AppendEvents(log(), "queue-1", 1);
  AppendEvents(log(), "account-2", 1);
  Recorder recorder;
  SubscribeOptions options = After(0, /*batch_size=*/2);
  options.stream_prefix = "account-";
  options.on_caught_up = recorder.CaughtUpHandler();
  auto subscription = log().Subscribe(options, recorder.Handler());
  BOOST_TEST_REQUIRE(recorder.WaitForCaughtUp(4));
  AppendEvents(log(), "queue-1", 2);
  AppendEvents(log(), "account-3", 1);
  AppendEvents(log(), "queue-1", 1);
  BOOST_TEST_REQUIRE(recorder.WaitForCaughtUp(8));
  // The cursor moves past events the filter skips.
  BOOST_TEST(subscription->position() == 8u);
  subscription->Stop();
  BOOST_TEST(PositionsOf(recorder.events()) == (Numbers{1, 2, 4, 7}));
}

CONFORMANCE_TEST(SubscriptionFilteredByEventTypeDeliversOnlyThatType) {
  for (const char* type : {"a.created", "a.updated", "a.updated", "b.created", "a.updated"}) {
    AppendRequest request;
    request.stream = "s";
    request.events = {MakeEventData(type, "")};
    AppendOk(log(), std::move(request));
  }
  Recorder recorder;
  SubscribeOptions options = After(0);
  options.event_type = "a.updated";
  options.on_caught_up = recorder.CaughtUpHandler();
  auto subscription = log().Subscribe(options, recorder.Handler());
  BOOST_TEST_REQUIRE(recorder.WaitForCaughtUp(5));
  subscription->Stop();
  BOOST_TEST(PositionsOf(recorder.events()) == (Numbers{2, 3, 5}));
}

CONFORMANCE_TEST(StoppedSubscriptionNeverCallsItsHandlerAgain) {
  AppendEvents(log(), "s", 5);
  Recorder stopped;
  auto subscription = log().Subscribe(After(0), stopped.Handler());
  BOOST_TEST_REQUIRE(stopped.WaitForCount(5));
  subscription->Stop();
  stopped.Close();
  AppendEvents(log(), "s", 5);
  // A second subscriber receiving the new events shows they were there to be delivered.
  Recorder witness;
  auto witness_subscription = log().Subscribe(After(5), witness.Handler());
  BOOST_TEST_REQUIRE(witness.WaitForCount(5));
  witness_subscription->Stop();
  subscription->Stop();  // idempotent
  BOOST_TEST(stopped.calls_after_close() == 0u);
  BOOST_TEST(stopped.events().size() == 5u);
}

CONFORMANCE_TEST(DestroyingASubscriptionStopsIt) {
  AppendEvents(log(), "s", 2);
  Recorder destroyed;
  auto subscription = log().Subscribe(After(0), destroyed.Handler());
  BOOST_TEST_REQUIRE(destroyed.WaitForCount(2));
  subscription.reset();
  destroyed.Close();
  AppendEvents(log(), "s", 3);
  Recorder witness;
  auto witness_subscription = log().Subscribe(After(2), witness.Handler());
  BOOST_TEST_REQUIRE(witness.WaitForCount(3));
  witness_subscription->Stop();
  BOOST_TEST(destroyed.calls_after_close() == 0u);
}

CONFORMANCE_TEST(HandlerCanStopAndDestroyItsOwnSubscription) {
  AppendEvents(log(), "s", 10);
  Recorder recorder;
  std::unique_ptr<Subscription> subscription;
  Gate assigned;
  Gate destroyed;
  std::mutex subscription_mu;
  subscription = log().Subscribe(After(0), [&](const RecordedEvent& event) {
    recorder.Record(event);
    if (event.position == 3) {
      assigned.WaitFor();
      std::lock_guard lock(subscription_mu);
      subscription->Stop();
      subscription.reset();
      destroyed.Open();
    }
  });
  assigned.Open();
  BOOST_TEST_REQUIRE(destroyed.WaitFor());
  recorder.Close();  // the handler returning from position 3 is the last call
  AppendEvents(log(), "s", 2);
  Recorder witness;
  auto witness_subscription = log().Subscribe(After(10), witness.Handler());
  BOOST_TEST_REQUIRE(witness.WaitForCount(2));
  witness_subscription->Stop();
  BOOST_TEST(PositionsOf(recorder.events()) == Range(1, 3));
  BOOST_TEST(recorder.calls_after_close() == 0u);
  std::lock_guard lock(subscription_mu);
  BOOST_TEST(subscription == nullptr);
}

CONFORMANCE_TEST(SlowSubscriberDoesNotStallAppends) {
  AppendEvents(log(), "s", 1);
  Gate handler_blocked;
  Gate release;
  Recorder recorder;
  auto subscription = log().Subscribe(After(0), [&](const RecordedEvent& event) {
    recorder.Record(event);
    if (event.position == 1) {
      handler_blocked.Open();
      release.WaitFor();
    }
  });
  BOOST_TEST_REQUIRE(handler_blocked.WaitFor());

  // These appends must complete while the handler stays blocked.
  constexpr size_t kAppends = 200;
  auto appends = std::async(std::launch::async, [&] {
    size_t ok = 0;
    for (size_t i = 0; i < kAppends; ++i) {
      ok += log().Append(MakeRequest("t", ExpectedVersion::Any())).ok() ? 1 : 0;
    }
    return ok;
  });
  const bool appends_finished =
      appends.wait_for(kGenerousTimeout) == std::future_status::ready;
  const size_t delivered_while_blocked = recorder.events().size();
  release.Open();  // before any requirement can end the test
  BOOST_TEST_REQUIRE(appends_finished, "appends stalled behind a blocked subscriber");
  BOOST_TEST(appends.get() == kAppends);
  BOOST_TEST(delivered_while_blocked == 1u);

  BOOST_TEST_REQUIRE(recorder.WaitForCount(kAppends + 1));
  subscription->Stop();
  BOOST_TEST(PositionsOf(recorder.events()) == Range(1, kAppends + 1));
}

CONFORMANCE_TEST(EverySubscriberReceivesEveryEvent) {
  AppendEvents(log(), "s", 20);
  Recorder first;
  Recorder second;
  auto a = log().Subscribe(After(0, 3), first.Handler());
  auto b = log().Subscribe(After(0, 7), second.Handler());
  AppendEvents(log(), "t", 20);
  BOOST_TEST_REQUIRE(first.WaitForCount(40));
  BOOST_TEST_REQUIRE(second.WaitForCount(40));
  a->Stop();
  b->Stop();
  BOOST_TEST(PositionsOf(first.events()) == Range(1, 40));
  BOOST_TEST(PositionsOf(second.events()) == Range(1, 40));
}

}  // namespace
}  // namespace dialtone::store::conformance
