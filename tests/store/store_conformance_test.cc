// EventLog conformance suite, part 1: appends. Expected-version checks, idempotent
// retries, request validation, Close(), and what a recorded event carries.
// The other parts: read_conformance_test.cc, subscription_conformance_test.cc,
// concurrency_conformance_test.cc. The contract under test: store/event_log.h.
#define BOOST_TEST_MODULE store_conformance
#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/store/log_fixture.h"

namespace dialtone::store::conformance {
namespace {

// Requires that an append that failed left the log exactly as `before` (head and events)
// and `stream` at `version`.
void CheckNothingWritten(const EventLog& log, const RecordedEvents& before,
                         std::string_view stream, uint64_t version) {
  BOOST_TEST(log.HeadPosition() == before.size());
  const RecordedEvents after = ReadEntireLog(log);
  BOOST_TEST_REQUIRE(after.size() == before.size());
  for (size_t i = 0; i < after.size(); ++i) BOOST_TEST(after[i] == before[i]);
  BOOST_TEST(StreamVersionOk(log, stream) == version);
}

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---- Expected version -------------------------------------------------------------

CONFORMANCE_TEST(FirstAppendToANewStreamStartsAtVersionOneAndPositionOne) {
  const AppendResult result = AppendOk(log(), MakeRequest("account-1", ExpectedVersion::NoStream()));
  BOOST_TEST(result == (AppendResult{.first_position = 1, .last_position = 1, .first_version = 1,
                                     .last_version = 1, .deduplicated = false}));
  BOOST_TEST(log().HeadPosition() == 1u);
  BOOST_TEST(StreamVersionOk(log(), "account-1") == 1u);
}

CONFORMANCE_TEST(AppendOfSeveralEventsTakesContiguousVersionsAndPositions) {
  AppendOk(log(), MakeRequest("other", ExpectedVersion::Any(), 2));
  const AppendResult result = AppendOk(log(), MakeRequest("account-1", ExpectedVersion::Any(), 3));
  BOOST_TEST(result == (AppendResult{.first_position = 3, .last_position = 5, .first_version = 1,
                                     .last_version = 3, .deduplicated = false}));
  const RecordedEvents stream = ReadEntireStream(log(), "account-1");
  BOOST_TEST(PositionsOf(stream) == Range(3, 5));
  BOOST_TEST(VersionsOf(stream) == Range(1, 3));
  BOOST_TEST(PayloadsOf(stream) ==
             (Strings{"account-1/1", "account-1/2", "account-1/3"}));
}

CONFORMANCE_TEST(AFreshAppendReportsTheTimeItsEventsCarry) {
  const int64_t before = WallClockMs();
  const AppendResult result = AppendOk(log(), MakeRequest("account-1", ExpectedVersion::Any(), 2));
  BOOST_TEST(result.time_ms >= before);
  BOOST_TEST(result.time_ms <= WallClockMs());
  for (const auto& e : ReadEntireStream(log(), "account-1")) BOOST_TEST(e.time_ms == result.time_ms);
}

CONFORMANCE_TEST(AppendWithAnyExpectedVersionSucceedsWhateverTheStreamVersion) {
  AppendOk(log(), MakeRequest("s", ExpectedVersion::Any()));
  AppendOk(log(), MakeRequest("s", ExpectedVersion::Any(), 2));
  const AppendResult third = AppendOk(log(), MakeRequest("s", ExpectedVersion::Any()));
  BOOST_TEST(third.first_version == 4u);
  BOOST_TEST(third.last_version == 4u);
}

CONFORMANCE_TEST(AppendWithExactVersionMatchingTheStreamSucceeds) {
  const AppendResult first = AppendOk(log(), MakeRequest("s", ExpectedVersion::Exact(0), 2));
  BOOST_TEST(first.last_version == 2u);
  const AppendResult second = AppendOk(log(), MakeRequest("s", ExpectedVersion::Exact(2)));
  BOOST_TEST(second.first_version == 3u);
  BOOST_TEST(second.last_version == 3u);
}

CONFORMANCE_TEST(AppendWithStaleExactVersionFailsWithTheActualVersionAndWritesNothing) {
  AppendOk(log(), MakeRequest("s", ExpectedVersion::Any(), 3));
  const RecordedEvents before = ReadEntireLog(log());
  const AppendError error = AppendFails(log(), MakeRequest("s", ExpectedVersion::Exact(1)),
                                        ErrorCode::kWrongExpectedVersion);
  BOOST_TEST(error.actual_version == 3u);
  CheckNothingWritten(log(), before, "s", 3);
}

CONFORMANCE_TEST(AppendWithExactVersionAheadOfTheStreamFailsWithTheActualVersion) {
  AppendOk(log(), MakeRequest("s", ExpectedVersion::Any()));
  const RecordedEvents before = ReadEntireLog(log());
  const AppendError error = AppendFails(log(), MakeRequest("s", ExpectedVersion::Exact(5), 2),
                                        ErrorCode::kWrongExpectedVersion);
  BOOST_TEST(error.actual_version == 1u);
  CheckNothingWritten(log(), before, "s", 1);
}

CONFORMANCE_TEST(AppendWithExactVersionToAnUnknownStreamFailsWithActualVersionZero) {
  const AppendError error = AppendFails(log(), MakeRequest("new", ExpectedVersion::Exact(1)),
                                        ErrorCode::kWrongExpectedVersion);
  BOOST_TEST(error.actual_version == 0u);
  CheckNothingWritten(log(), {}, "new", 0);
}

CONFORMANCE_TEST(AppendWithNoStreamToAnExistingStreamFailsWithTheActualVersion) {
  AppendOk(log(), MakeRequest("s", ExpectedVersion::NoStream(), 2));
  const RecordedEvents before = ReadEntireLog(log());
  const AppendError error = AppendFails(log(), MakeRequest("s", ExpectedVersion::NoStream()),
                                        ErrorCode::kWrongExpectedVersion);
  BOOST_TEST(error.actual_version == 2u);
  CheckNothingWritten(log(), before, "s", 2);
}

CONFORMANCE_TEST(VersionCheckOfOneStreamIgnoresOtherStreams) {
  AppendOk(log(), MakeRequest("a", ExpectedVersion::Any(), 4));
  const AppendResult b = AppendOk(log(), MakeRequest("b", ExpectedVersion::NoStream()));
  BOOST_TEST(b.first_version == 1u);
  BOOST_TEST(b.first_position == 5u);
  AppendOk(log(), MakeRequest("b", ExpectedVersion::Exact(1)));
  AppendOk(log(), MakeRequest("a", ExpectedVersion::Exact(4)));
}

// ---- Idempotency ------------------------------------------------------------------

CONFORMANCE_TEST(RetriedAppendWithTheSameKeyReturnsTheFirstResultAndWritesNothing) {
  const AppendResult first =
      AppendOk(log(), MakeRequest("s", ExpectedVersion::NoStream(), 2, "create-s"));
  const RecordedEvents before = ReadEntireLog(log());
  const AppendResult retry =
      AppendOk(log(), MakeRequest("s", ExpectedVersion::NoStream(), 2, "create-s"));
  AppendResult expected = first;
  expected.deduplicated = true;
  BOOST_TEST(!first.deduplicated);
  BOOST_TEST(retry == expected);
  CheckNothingWritten(log(), before, "s", 2);
}

CONFORMANCE_TEST(RetryWithTheSameKeyButOtherEventsAndStreamStillReturnsTheFirstResult) {
  AppendOk(log(), MakeRequest("noise", ExpectedVersion::Any()));
  const AppendResult first = AppendOk(log(), MakeRequest("s", ExpectedVersion::Any(), 1, "key-1"));
  const RecordedEvents before = ReadEntireLog(log());
  const AppendResult retry =
      AppendOk(log(), MakeRequest("elsewhere", ExpectedVersion::Any(), 3, "key-1"));
  BOOST_TEST(retry.deduplicated);
  BOOST_TEST(retry.first_position == first.first_position);
  BOOST_TEST(retry.last_position == first.last_position);
  BOOST_TEST(retry.first_version == first.first_version);
  BOOST_TEST(retry.last_version == first.last_version);
  CheckNothingWritten(log(), before, "elsewhere", 0);
  BOOST_TEST(StreamVersionOk(log(), "s") == 1u);
}

CONFORMANCE_TEST(RetryWhoseExpectedVersionIsNowStaleIsStillDeduplicated) {
  // A client whose acknowledgement was lost retries the very same request: the stream
  // has moved past the request's expected version, yet the retry must be recognised.
  const AppendResult first =
      AppendOk(log(), MakeRequest("s", ExpectedVersion::Exact(0), 1, "once"));
  const AppendResult retry = AppendOk(log(), MakeRequest("s", ExpectedVersion::Exact(0), 1, "once"));
  BOOST_TEST(retry.deduplicated);
  BOOST_TEST(retry.first_position == first.first_position);
  BOOST_TEST(StreamVersionOk(log(), "s") == 1u);
  BOOST_TEST(log().HeadPosition() == 1u);
}

CONFORMANCE_TEST(AppendsWithDistinctKeysAreBothWritten) {
  const AppendResult a = AppendOk(log(), MakeRequest("s", ExpectedVersion::Any(), 1, "key-a"));
  const AppendResult b = AppendOk(log(), MakeRequest("s", ExpectedVersion::Any(), 1, "key-b"));
  BOOST_TEST(!b.deduplicated);
  BOOST_TEST(b.first_position == a.last_position + 1);
  BOOST_TEST(StreamVersionOk(log(), "s") == 2u);
}

CONFORMANCE_TEST(FailedAppendDoesNotRecordItsIdempotencyKey) {
  AppendOk(log(), MakeRequest("s", ExpectedVersion::Any()));
  AppendFails(log(), MakeRequest("s", ExpectedVersion::NoStream(), 1, "attempt"),
              ErrorCode::kWrongExpectedVersion);
  AppendFails(log(), MakeRequest("", ExpectedVersion::Any(), 1, "attempt"),
              ErrorCode::kInvalidArgument);
  const AppendResult corrected =
      AppendOk(log(), MakeRequest("s", ExpectedVersion::Exact(1), 1, "attempt"));
  BOOST_TEST(!corrected.deduplicated);
  BOOST_TEST(corrected.first_version == 2u);
  BOOST_TEST(log().HeadPosition() == 2u);
}

CONFORMANCE_TEST(IdempotencyKeyIsRecordedOnEveryEventOfItsAppend) {
  AppendOk(log(), MakeRequest("s", ExpectedVersion::Any(), 3, "batch-7"));
  AppendOk(log(), MakeRequest("s", ExpectedVersion::Any(), 1));
  const RecordedEvents events = ReadEntireStream(log(), "s");
  BOOST_TEST_REQUIRE(events.size() == 4u);
  for (size_t i = 0; i < 3; ++i) BOOST_TEST(events[i].idempotency_key == "batch-7");
  BOOST_TEST(events[3].idempotency_key.empty());
}

REOPEN_TEST(IdempotencyKeysSurviveReopen) {
  const AppendResult first = AppendOk(log(), MakeRequest("s", ExpectedVersion::Any(), 2, "durable"));
  AppendOk(log(), MakeRequest("t", ExpectedVersion::Any()));
  Reopen();
  const AppendResult retry = AppendOk(log(), MakeRequest("s", ExpectedVersion::Any(), 2, "durable"));
  AppendResult expected = first;
  expected.deduplicated = true;
  BOOST_TEST(retry == expected);
  BOOST_TEST(log().HeadPosition() == 3u);
  BOOST_TEST(StreamVersionOk(log(), "s") == 2u);
}

// ---- Validation ---------------------------------------------------------------------

// Requires that `request` is rejected as invalid and leaves an empty log empty.
void CheckRejectedAsInvalid(EventLog& log, AppendRequest request) {
  const std::string stream = request.stream;
  AppendFails(log, std::move(request), ErrorCode::kInvalidArgument);
  BOOST_TEST(log.HeadPosition() == 0u);
  BOOST_TEST(ReadEntireLog(log).empty());
  if (!stream.empty()) BOOST_TEST(StreamVersionOk(log, stream) == 0u);
}

CONFORMANCE_TEST(AppendWithAnEmptyStreamIdIsInvalidAndWritesNothing) {
  CheckRejectedAsInvalid(log(), MakeRequest("", ExpectedVersion::Any()));
}

CONFORMANCE_TEST(AppendWithANulByteInTheStreamIdIsInvalidAndWritesNothing) {
  CheckRejectedAsInvalid(log(), MakeRequest(std::string("acc\0unt", 7), ExpectedVersion::Any()));
  BOOST_TEST(StreamVersionOk(log(), "acc") == 0u);
}

CONFORMANCE_TEST(AppendWithAStreamIdThatIsNotUtf8IsInvalidAndWritesNothing) {
  CheckRejectedAsInvalid(log(), MakeRequest(std::string("acc\xff\xfe"), ExpectedVersion::Any()));
  CheckRejectedAsInvalid(log(), MakeRequest(std::string("acc\xc0\xaf"), ExpectedVersion::Any()));  // overlong '/'
  CheckRejectedAsInvalid(log(), MakeRequest(std::string("acc\xed\xa0\x80"), ExpectedVersion::Any()));  // surrogate
  AppendOk(log(), MakeRequest("caf\xc3\xa9" "-\xf0\x9f\x93\x9e", ExpectedVersion::Any()));  // "café-📞"
}

CONFORMANCE_TEST(AppendWithAnEventTypeThatIsNotUtf8IsInvalidAndWritesNothing) {
  AppendRequest request = MakeRequest("account-utf8", ExpectedVersion::Any());
  request.events[0].type = "account.\x80" "created";
  CheckRejectedAsInvalid(log(), std::move(request));
  BOOST_TEST(StreamVersionOk(log(), "account-utf8") == 0u);
}

CONFORMANCE_TEST(AppendWithAStreamIdLongerThanTheLimitIsInvalidAndWritesNothing) {
  CheckRejectedAsInvalid(log(),
                         MakeRequest(std::string(kMaxStreamIdBytes + 1, 's'), ExpectedVersion::Any()));
}

CONFORMANCE_TEST(AppendWithAStreamIdExactlyAtTheLimitIsAccepted) {
  const std::string stream(kMaxStreamIdBytes, 's');
  AppendOk(log(), MakeRequest(stream, ExpectedVersion::Any()));
  BOOST_TEST(ReadEntireStream(log(), stream).size() == 1u);
}

CONFORMANCE_TEST(AppendWithoutEventsIsInvalidAndWritesNothing) {
  CheckRejectedAsInvalid(log(), MakeRequest("s", ExpectedVersion::Any(), 0));
}

CONFORMANCE_TEST(AppendWithMoreEventsThanTheLimitIsInvalidAndWritesNothing) {
  CheckRejectedAsInvalid(log(), MakeRequest("s", ExpectedVersion::Any(), kMaxEventsPerAppend + 1));
}

CONFORMANCE_TEST(AppendWithAnEventOfEmptyTypeIsInvalidAndWritesNone) {
  AppendRequest request = MakeRequest("s", ExpectedVersion::Any(), 3);
  request.events[1].type.clear();
  CheckRejectedAsInvalid(log(), std::move(request));
}

CONFORMANCE_TEST(InvalidAppendIsRejectedEvenWhenItsKeyWasUsedBefore) {
  // Validation comes first: a malformed request never reads as a successful retry.
  AppendOk(log(), MakeRequest("s", ExpectedVersion::Any(), 1, "used"));
  AppendFails(log(), MakeRequest("s", ExpectedVersion::Any(), 0, "used"),
              ErrorCode::kInvalidArgument);
  BOOST_TEST(log().HeadPosition() == 1u);
}

// ---- Close ------------------------------------------------------------------------------

CONFORMANCE_TEST(AppendAfterCloseFailsAsUnavailable) {
  AppendOk(log(), MakeRequest("s", ExpectedVersion::Any()));
  BOOST_TEST_REQUIRE(log().Close().ok());
  AppendFails(log(), MakeRequest("s", ExpectedVersion::Any()), ErrorCode::kUnavailable);

  std::atomic<int> calls{0};
  std::optional<AppendOutcome> async_outcome;
  CountdownLatch done(1);
  log().AppendAsync(MakeRequest("s", ExpectedVersion::Any()), [&](AppendOutcome outcome) {
    async_outcome.emplace(std::move(outcome));
    calls.fetch_add(1);
    done.CountDown();
  });
  BOOST_TEST_REQUIRE(done.WaitFor());
  BOOST_TEST(calls.load() == 1);
  BOOST_TEST_REQUIRE(!async_outcome->ok());
  BOOST_TEST(async_outcome->status().code() == ErrorCode::kUnavailable);
}

CONFORMANCE_TEST(CloseIsIdempotent) {
  BOOST_TEST(log().Close().ok());
  BOOST_TEST(log().Close().ok());
}

CONFORMANCE_TEST(EveryAppendAsyncCallbackRunsExactlyOnceWhenCloseRacesWithAppends) {
  constexpr int kThreads = 4;
  constexpr int kAppendsPerThread = 200;
  constexpr int kTotal = kThreads * kAppendsPerThread;
  std::vector<std::atomic<int>> calls(kTotal);
  std::vector<std::optional<AppendOutcome>> outcomes(kTotal);  // slot i written by callback i
  CountdownLatch all_called(kTotal);
  CountdownLatch some_submitted(kThreads);
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kAppendsPerThread; ++i) {
        const int slot = t * kAppendsPerThread + i;
        log().AppendAsync(MakeRequest("s-" + std::to_string(t), ExpectedVersion::Any()),
                          [&, slot](AppendOutcome outcome) {
                            outcomes[slot].emplace(std::move(outcome));
                            calls[slot].fetch_add(1);
                            all_called.CountDown();
                          });
        if (i == kAppendsPerThread / 4) some_submitted.CountDown();
      }
    });
  }
  BOOST_TEST_REQUIRE(some_submitted.WaitFor());
  BOOST_TEST(log().Close().ok());
  for (auto& w : writers) w.join();
  BOOST_TEST_REQUIRE(all_called.WaitFor(), "not every AppendAsync callback was called");
  BOOST_TEST(all_called.excess_count_downs() == 0u);

  std::map<std::string, uint64_t> acknowledged_per_stream;
  for (int slot = 0; slot < kTotal; ++slot) {
    BOOST_TEST(calls[slot].load() == 1, "callback " << slot);
    const AppendOutcome& outcome = *outcomes[slot];
    if (outcome.ok()) {
      ++acknowledged_per_stream["s-" + std::to_string(slot / kAppendsPerThread)];
    } else {
      BOOST_TEST(outcome.status().code() == ErrorCode::kUnavailable,
                 "append " << slot << ": " << outcome.status().ToString());
    }
  }
  // Whatever was acknowledged before the close is in the log, after a reopen too.
  if (CanReopen()) Reopen();
  for (const auto& [stream, acknowledged] : acknowledged_per_stream) {
    BOOST_TEST(StreamVersionOk(log(), stream) == acknowledged, "stream " << stream);
  }
}

// ---- What an event carries --------------------------------------------------------------

CONFORMANCE_TEST(RecordedEventCarriesEverythingTheProducerGaveAndTheLogAssigned) {
  EventData data = MakeEventData("account.created", std::string("\0\x01binary\xff", 9));
  data.event_id = "5b0c9a52-2f4e-4c36-9f63-3f1c2a1d0e77";
  data.causation_id = "cause-1";
  data.correlation_id = "corr-1";
  data.principal = "admin@example.com";
  AppendRequest request;
  request.stream = "account-42";
  request.expected = ExpectedVersion::NoStream();
  request.idempotency_key = "create-42";
  request.events = {data};
  const int64_t before_ms = WallClockMs();
  AppendOk(log(), std::move(request));
  const int64_t after_ms = WallClockMs();

  const RecordedEvents stream = ReadEntireStream(log(), "account-42");
  BOOST_TEST_REQUIRE(stream.size() == 1u);
  const RecordedEvent& e = stream[0];
  BOOST_TEST(e.position == 1u);
  BOOST_TEST(e.stream == "account-42");
  BOOST_TEST(e.version == 1u);
  BOOST_TEST(e.type == "account.created");
  BOOST_TEST(e.payload == data.payload);
  BOOST_TEST(e.event_id == data.event_id);
  BOOST_TEST(e.causation_id == "cause-1");
  BOOST_TEST(e.correlation_id == "corr-1");
  BOOST_TEST(e.principal == "admin@example.com");
  BOOST_TEST(e.idempotency_key == "create-42");
  BOOST_TEST(e.time_ms >= before_ms);
  BOOST_TEST(e.time_ms <= after_ms);

  const RecordedEvents all = ReadEntireLog(log());
  BOOST_TEST_REQUIRE(all.size() == 1u);
  BOOST_TEST(all[0] == e);
}

CONFORMANCE_TEST(EventWithoutAnIdGetsAUniqueUuid) {
  AppendOk(log(), MakeRequest("s", ExpectedVersion::Any(), 3));
  AppendOk(log(), MakeRequest("t", ExpectedVersion::Any(), 2));
  std::set<std::string> ids;
  for (const RecordedEvent& e : ReadEntireLog(log())) {
    BOOST_TEST(e.event_id.size() == 36u, "event_id '" << e.event_id << "'");
    ids.insert(e.event_id);
  }
  BOOST_TEST(ids.size() == 5u);
}

CONFORMANCE_TEST(MetricsCountWrittenAppendsAndEventsButNotRejectedOrDeduplicatedOnes) {
  AppendOk(log(), MakeRequest("s", ExpectedVersion::Any(), 3, "k"));
  AppendOk(log(), MakeRequest("s", ExpectedVersion::Any(), 3, "k"));
  AppendOk(log(), MakeRequest("t", ExpectedVersion::Any(), 2));
  AppendFails(log(), MakeRequest("t", ExpectedVersion::NoStream()), ErrorCode::kWrongExpectedVersion);
  AppendFails(log(), MakeRequest("", ExpectedVersion::Any()), ErrorCode::kInvalidArgument);
  BOOST_TEST(log().metrics().appends.value() == 2u);
  BOOST_TEST(log().metrics().events_appended.value() == 5u);
  BOOST_TEST(log().metrics().commit_batches.value() >= 1u);
  BOOST_TEST(log().metrics().commit_batches.value() <= 2u);
  BOOST_TEST(log().metrics().append_latency.count() >= 2u);
}

REOPEN_TEST(EverythingWrittenSurvivesReopenAndAppendsContinueAfterIt) {
  EventData data = MakeEventData("account.created", "payload");
  data.causation_id = "c";
  data.correlation_id = "r";
  data.principal = "p";
  AppendRequest request;
  request.stream = "account-1";
  request.expected = ExpectedVersion::NoStream();
  request.idempotency_key = "k";
  request.events = {data, data};
  AppendOk(log(), std::move(request));
  AppendOk(log(), MakeRequest("queue-1", ExpectedVersion::Any(), 3));
  const RecordedEvents before = ReadEntireLog(log());

  Reopen();
  BOOST_TEST(log().HeadPosition() == 5u);
  const RecordedEvents after = CheckLogInvariants(log());
  BOOST_TEST_REQUIRE(after.size() == before.size());
  for (size_t i = 0; i < after.size(); ++i) BOOST_TEST(after[i] == before[i]);

  const AppendResult next = AppendOk(log(), MakeRequest("account-1", ExpectedVersion::Exact(2)));
  BOOST_TEST(next.first_position == 6u);
  BOOST_TEST(next.first_version == 3u);
  AppendFails(log(), MakeRequest("queue-1", ExpectedVersion::NoStream()),
              ErrorCode::kWrongExpectedVersion);
  CheckLogInvariants(log());
}

}  // namespace
}  // namespace dialtone::store::conformance
