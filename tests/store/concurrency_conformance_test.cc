// EventLog conformance suite, part 4: global positions and concurrency. Positions are
// gap-free and become visible in order while many writers append; concurrent writers to
// one stream and to many streams leave every stream contiguous and the log gap-free.
//
// Writer threads never use Boost.Test assertions (they are not thread-safe): each thread
// records what it saw, and the test checks the records after joining.
#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/store/log_fixture.h"

namespace dialtone::store::conformance {
namespace {

// Runs `body(thread_index)` on `count` threads and joins them all.
void RunThreads(int count, const std::function<void(int)>& body) {
  std::vector<std::thread> threads;
  for (int t = 0; t < count; ++t) threads.emplace_back(body, t);
  for (auto& thread : threads) thread.join();
}

// One acknowledged append, as its writer saw it.
struct Acknowledged {
  AppendRequest request;  // what was asked (stream, payloads)
  AppendResult result;
};

// Checks that the acknowledged appends are exactly the log's content: each append's
// events sit at its positions, in its stream at its versions, with its payloads, and
// together the appends cover positions 1..head without overlap.
void CheckAcknowledgedAppendsMatchTheLog(const RecordedEvents& log_events,
                                         const std::vector<Acknowledged>& appends) {
  std::vector<int> owners(log_events.size() + 1, 0);
  for (const Acknowledged& a : appends) {
    const AppendResult& r = a.result;
    const size_t n = a.request.events.size();
    BOOST_TEST_REQUIRE(!r.deduplicated);
    BOOST_TEST_REQUIRE(r.last_position - r.first_position + 1 == n, "append result " << Describe(r));
    BOOST_TEST_REQUIRE(r.last_version - r.first_version + 1 == n, "append result " << Describe(r));
    BOOST_TEST_REQUIRE(r.last_position <= log_events.size(), "append result " << Describe(r));
    for (size_t i = 0; i < n; ++i) {
      const RecordedEvent& e = log_events[r.first_position + i - 1];
      ++owners[e.position];
      BOOST_TEST_REQUIRE(e.stream == a.request.stream, "position " << e.position);
      BOOST_TEST_REQUIRE(e.version == r.first_version + i, "position " << e.position);
      BOOST_TEST_REQUIRE(e.payload == a.request.events[i].payload, "position " << e.position);
    }
  }
  for (size_t p = 1; p < owners.size(); ++p) {
    BOOST_TEST_REQUIRE(owners[p] == 1, "position " << p << " belongs to " << owners[p]
                                                   << " acknowledged appends");
  }
}

// A request whose payloads are unique across the test: "<writer>:<sequence>:<i>".
AppendRequest UniqueRequest(std::string stream, ExpectedVersion expected, size_t count,
                            int writer, int sequence) {
  AppendRequest request = MakeRequest(std::move(stream), expected, count);
  for (size_t i = 0; i < count; ++i) {
    request.events[i].payload = std::to_string(writer) + ":" + std::to_string(sequence) + ":" +
                                std::to_string(i);
  }
  return request;
}

CONFORMANCE_TEST(PositionsStartAtOneAndHaveNoGapsAcrossStreams) {
  const AppendResult a = AppendOk(log(), MakeRequest("a", ExpectedVersion::Any(), 2));
  const AppendResult b = AppendOk(log(), MakeRequest("b", ExpectedVersion::Any(), 1));
  const AppendResult c = AppendOk(log(), MakeRequest("a", ExpectedVersion::Any(), 3));
  BOOST_TEST(a.first_position == 1u);
  BOOST_TEST(b.first_position == a.last_position + 1);
  BOOST_TEST(c.first_position == b.last_position + 1);
  BOOST_TEST(log().HeadPosition() == 6u);
  BOOST_TEST(PositionsOf(CheckLogInvariants(log())) == Range(1, 6));
}

ORDERING_TEST(ReaderNeverSeesAPositionAppearBehindOneItAlreadyRead) {
  constexpr int kWriters = 4;
  constexpr int kAppendsPerWriter = 300;
  std::atomic<bool> writers_done{false};
  std::vector<std::vector<Acknowledged>> acknowledged(kWriters);
  std::vector<std::string> writer_errors(kWriters);

  std::thread writers([&] {
    RunThreads(kWriters, [&](int w) {
      std::mt19937 random(static_cast<unsigned>(w));
      for (int i = 0; i < kAppendsPerWriter; ++i) {
        AppendRequest request = UniqueRequest("w" + std::to_string(w) + "-" + std::to_string(i % 3),
                                              ExpectedVersion::Any(), 1 + random() % 3, w, i);
        AppendRequest copy = request;
        AppendOutcome outcome = log().Append(std::move(request));
        if (!outcome.ok()) {
          writer_errors[w] = outcome.status().ToString();
          return;
        }
        acknowledged[w].push_back({std::move(copy), *outcome});
      }
    });
    writers_done.store(true);
  });

  // The reader (this thread) reads forward from the position after the last one it saw.
  // A returned position other than that one is a gap: a position that became visible
  // behind one already visible. Every position up to the head it observed before a read
  // must be returned by that read.
  std::vector<std::string> violations;
  uint64_t next = 1;
  uint64_t previous_head = 0;
  size_t reads = 0;
  while (violations.empty()) {
    const bool finished = writers_done.load();
    const uint64_t head = log().HeadPosition();
    if (head < previous_head) {
      violations.push_back("head went back from " + std::to_string(previous_head) + " to " +
                           std::to_string(head));
    }
    previous_head = head;
    ReadAllOptions options;
    options.from_position = next;
    options.max_count = 256;
    auto batch = log().ReadAll(options);
    ++reads;
    if (!batch.ok()) {
      violations.push_back("ReadAll failed: " + batch.status().ToString());
      break;
    }
    for (const RecordedEvent& e : *batch) {
      if (e.position != next) {
        violations.push_back("read position " + std::to_string(e.position) + " where " +
                             std::to_string(next) + " was due");
        break;
      }
      ++next;
    }
    if (batch->size() < options.max_count && next <= head) {
      violations.push_back("head was " + std::to_string(head) + " but the read ended before " +
                           std::to_string(next));
    }
    // The newest event is never older than the head observed before looking for it.
    ReadAllOptions newest;
    newest.from_position = kEnd;
    newest.direction = Direction::kBackward;
    newest.max_count = 1;
    const uint64_t head_before_newest = log().HeadPosition();
    auto last = log().ReadAll(newest);
    if (last.ok() && head_before_newest > 0 &&
        (last->empty() || last->front().position < head_before_newest)) {
      violations.push_back("head was " + std::to_string(head_before_newest) +
                           " but the newest readable event is older");
    }
    if (finished && next > head) break;
  }
  writers.join();

  for (const auto& violation : violations) BOOST_TEST(false, violation);
  for (const auto& error : writer_errors) BOOST_TEST(error.empty(), error);
  BOOST_TEST_MESSAGE("reader made " << reads << " reads");
  BOOST_TEST(next == log().HeadPosition() + 1);
  std::vector<Acknowledged> all_appends;
  for (auto& per_writer : acknowledged) {
    BOOST_TEST(per_writer.size() == static_cast<size_t>(kAppendsPerWriter));
    all_appends.insert(all_appends.end(), per_writer.begin(), per_writer.end());
  }
  CheckAcknowledgedAppendsMatchTheLog(CheckLogInvariants(log()), all_appends);
}

ORDERING_TEST(ConcurrentAppendsToOneStreamWithAnyVersionAllSucceedWithUniqueVersions) {
  constexpr int kWriters = 8;
  constexpr int kAppendsPerWriter = 250;
  std::vector<std::vector<Acknowledged>> acknowledged(kWriters);
  std::vector<std::string> writer_errors(kWriters);
  RunThreads(kWriters, [&](int w) {
    for (int i = 0; i < kAppendsPerWriter; ++i) {
      AppendRequest request = UniqueRequest("shared", ExpectedVersion::Any(), 1, w, i);
      AppendRequest copy = request;
      AppendOutcome outcome = log().Append(std::move(request));
      if (!outcome.ok()) {
        writer_errors[w] = outcome.status().ToString();
        return;
      }
      acknowledged[w].push_back({std::move(copy), *outcome});
    }
  });
  for (const auto& error : writer_errors) BOOST_TEST_REQUIRE(error.empty(), error);

  std::vector<uint64_t> versions;
  std::vector<Acknowledged> all_appends;
  for (const auto& per_writer : acknowledged) {
    for (const Acknowledged& a : per_writer) {
      versions.push_back(a.result.first_version);
      all_appends.push_back(a);
    }
  }
  std::sort(versions.begin(), versions.end());
  constexpr uint64_t kTotal = kWriters * kAppendsPerWriter;
  BOOST_TEST(Numbers(versions) == Range(1, kTotal));
  BOOST_TEST(StreamVersionOk(log(), "shared") == kTotal);
  const RecordedEvents log_events = CheckLogInvariants(log());
  CheckAcknowledgedAppendsMatchTheLog(log_events, all_appends);
  // Each writer's appends were sequential, so they appear in the stream in its order.
  std::vector<int> last_sequence(kWriters, -1);
  for (const RecordedEvent& e : log_events) {
    const int writer = std::stoi(e.payload);
    const int sequence = std::stoi(e.payload.substr(e.payload.find(':') + 1));
    BOOST_TEST_REQUIRE(sequence == last_sequence[writer] + 1, "writer " << writer);
    last_sequence[writer] = sequence;
  }
}

ORDERING_TEST(OptimisticWritersWithExactVersionsRetryUntilEveryAppendSucceedsOnce) {
  constexpr int kWriters = 6;
  constexpr int kAppendsPerWriter = 40;
  constexpr int kMaxAttemptsPerWriter = 100'000;  // a livelock bound, far above need
  struct Conflict {
    uint64_t expected;
    uint64_t actual;
  };
  std::vector<std::vector<Acknowledged>> acknowledged(kWriters);
  std::vector<std::vector<Conflict>> conflicts(kWriters);
  std::vector<std::string> writer_errors(kWriters);
  RunThreads(kWriters, [&](int w) {
    auto version = log().StreamVersion("contended");
    if (!version.ok()) {
      writer_errors[w] = version.status().ToString();
      return;
    }
    uint64_t expected = *version;
    int attempts = 0;
    for (int i = 0; i < kAppendsPerWriter;) {
      if (++attempts > kMaxAttemptsPerWriter) {
        writer_errors[w] = "gave up after " + std::to_string(kMaxAttemptsPerWriter) + " attempts";
        return;
      }
      AppendRequest request = UniqueRequest("contended", ExpectedVersion::Exact(expected), 1, w, i);
      AppendRequest copy = request;
      AppendOutcome outcome = log().Append(std::move(request));
      if (outcome.ok()) {
        acknowledged[w].push_back({std::move(copy), *outcome});
        expected = outcome->last_version;
        ++i;
      } else if (outcome.status().code() == ErrorCode::kWrongExpectedVersion) {
        conflicts[w].push_back({expected, outcome.error().actual_version});
        expected = outcome.error().actual_version;
      } else {
        writer_errors[w] = outcome.status().ToString();
        return;
      }
    }
  });
  for (const auto& error : writer_errors) BOOST_TEST_REQUIRE(error.empty(), error);

  std::vector<Acknowledged> all_appends;
  size_t conflict_count = 0;
  for (int w = 0; w < kWriters; ++w) {
    BOOST_TEST(acknowledged[w].size() == static_cast<size_t>(kAppendsPerWriter));
    for (const Acknowledged& a : acknowledged[w]) {
      BOOST_TEST(a.result.first_version == a.request.expected.version + 1, "result " << Describe(a.result));
      all_appends.push_back(a);
    }
    for (const Conflict& c : conflicts[w]) {
      // Streams only grow: a failed check reports a version past the stale expectation.
      BOOST_TEST(c.actual > c.expected, "expected " << c.expected << ", actual " << c.actual);
      ++conflict_count;
    }
  }
  BOOST_TEST_MESSAGE(conflict_count << " version conflicts were retried");
  constexpr uint64_t kTotal = kWriters * kAppendsPerWriter;
  BOOST_TEST(StreamVersionOk(log(), "contended") == kTotal);
  BOOST_TEST(VersionsOf(ReadEntireStream(log(), "contended")) == Range(1, kTotal));
  CheckAcknowledgedAppendsMatchTheLog(CheckLogInvariants(log()), all_appends);
}

ORDERING_TEST(ConcurrentAppendsToManyStreamsKeepEveryStreamContiguousAndTheLogGapFree) {
  constexpr int kWriters = 8;
  constexpr int kAppendsPerWriter = 150;
  constexpr int kStreams = 12;
  std::vector<std::vector<Acknowledged>> acknowledged(kWriters);
  std::vector<std::string> writer_errors(kWriters);
  RunThreads(kWriters, [&](int w) {
    std::mt19937 random(static_cast<unsigned>(100 + w));
    for (int i = 0; i < kAppendsPerWriter; ++i) {
      AppendRequest request = UniqueRequest("stream-" + std::to_string(random() % kStreams),
                                            ExpectedVersion::Any(), 1 + random() % 3, w, i);
      AppendRequest copy = request;
      AppendOutcome outcome = log().Append(std::move(request));
      if (!outcome.ok()) {
        writer_errors[w] = outcome.status().ToString();
        return;
      }
      acknowledged[w].push_back({std::move(copy), *outcome});
    }
  });
  for (const auto& error : writer_errors) BOOST_TEST_REQUIRE(error.empty(), error);
  std::vector<Acknowledged> all_appends;
  for (const auto& per_writer : acknowledged) {
    all_appends.insert(all_appends.end(), per_writer.begin(), per_writer.end());
  }
  BOOST_TEST(all_appends.size() == static_cast<size_t>(kWriters * kAppendsPerWriter));
  CheckAcknowledgedAppendsMatchTheLog(CheckLogInvariants(log()), all_appends);
}

ORDERING_TEST(ConcurrentExactAppendsToSeparateStreamsNeverConflict) {
  constexpr int kWriters = 8;
  constexpr int kAppendsPerWriter = 100;
  std::vector<std::vector<Acknowledged>> acknowledged(kWriters);
  std::vector<std::string> writer_errors(kWriters);
  RunThreads(kWriters, [&](int w) {
    const std::string stream = "own-" + std::to_string(w);
    for (int i = 0; i < kAppendsPerWriter; ++i) {
      AppendRequest request = UniqueRequest(stream, ExpectedVersion::Exact(i), 1, w, i);
      AppendRequest copy = request;
      AppendOutcome outcome = log().Append(std::move(request));
      if (!outcome.ok()) {
        writer_errors[w] = "append " + std::to_string(i) + ": " + outcome.status().ToString();
        return;
      }
      acknowledged[w].push_back({std::move(copy), *outcome});
    }
  });
  for (const auto& error : writer_errors) BOOST_TEST_REQUIRE(error.empty(), error);
  std::vector<Acknowledged> all_appends;
  for (const auto& per_writer : acknowledged) {
    all_appends.insert(all_appends.end(), per_writer.begin(), per_writer.end());
  }
  CheckAcknowledgedAppendsMatchTheLog(CheckLogInvariants(log()), all_appends);
}

// Runs in the durable mode: many appends in flight at once is what group commit batches.
CONFORMANCE_TEST(ManyAppendsInFlightAreEachAcknowledgedOnceAndAllWritten) {
  constexpr int kSubmitters = 4;
  constexpr int kAppendsPerSubmitter = 250;
  constexpr int kTotal = kSubmitters * kAppendsPerSubmitter;
  std::vector<AppendRequest> requests;
  for (int s = 0; s < kSubmitters; ++s) {
    for (int i = 0; i < kAppendsPerSubmitter; ++i) {
      requests.push_back(UniqueRequest("async-" + std::to_string(i % 5), ExpectedVersion::Any(),
                                       1 + i % 2, s, i));
    }
  }
  std::vector<std::atomic<int>> calls(kTotal);
  std::vector<std::optional<AppendOutcome>> outcomes(kTotal);
  CountdownLatch all_acknowledged(kTotal);
  RunThreads(kSubmitters, [&](int s) {
    for (int i = 0; i < kAppendsPerSubmitter; ++i) {
      const int slot = s * kAppendsPerSubmitter + i;
      log().AppendAsync(requests[slot], [&, slot](AppendOutcome outcome) {
        outcomes[slot].emplace(std::move(outcome));
        calls[slot].fetch_add(1);
        all_acknowledged.CountDown();
      });
    }
  });
  BOOST_TEST_REQUIRE(all_acknowledged.WaitFor(), "not every AppendAsync callback was called");
  BOOST_TEST(all_acknowledged.excess_count_downs() == 0u);
  std::vector<Acknowledged> all_appends;
  for (int slot = 0; slot < kTotal; ++slot) {
    BOOST_TEST_REQUIRE(calls[slot].load() == 1, "callback " << slot);
    BOOST_TEST_REQUIRE(outcomes[slot]->ok(), "append " << slot << ": "
                                                       << outcomes[slot]->status().ToString());
    all_appends.push_back({requests[slot], **outcomes[slot]});
  }
  CheckAcknowledgedAppendsMatchTheLog(CheckLogInvariants(log()), all_appends);
  BOOST_TEST(log().metrics().appends.value() == static_cast<uint64_t>(kTotal));
  BOOST_TEST(log().metrics().commit_batches.value() <= static_cast<uint64_t>(kTotal));
}

}  // namespace
}  // namespace dialtone::store::conformance
