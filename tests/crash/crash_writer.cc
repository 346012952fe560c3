// crash_writer: appends to a RocksDB event log (sync durability) until it is killed, and
// reports every acknowledged append on stdout (protocol: ack_line.h). Driven by
// crash_test.cc, which SIGKILLs it mid-load and then checks the log against the reports.
//
//   crash_writer <dir> load <round>     8 threads: shared streams with ExpectedVersion::Any
//                                       and exact versions, one exactly-versioned stream per
//                                       thread, and appends with idempotency keys (each
//                                       retried once at once: the retry must deduplicate)
//   crash_writer <dir> keyed <round>    1 thread, every append has an idempotency key;
//                                       prints a `try` line before each append, and
//                                       withholds the ack of every 7th one, as if it had
//                                       died between the write and the ack
//   crash_writer <dir> retry (<key> <stream> <payload_id> <count>)...
//                                       re-sends those keyed appends once each, prints the
//                                       results, closes the log and exits 0
//   crash_writer <dir> failing-disk     appends one event to stream "s", then lowers the
//                                       file size limit (RLIMIT_FSIZE) so that the next
//                                       write to the WAL fails, and checks that the failing
//                                       append and every later one get kIOError while head
//                                       and stream version stay put; exits 0 when they do
//
// Exit status: 0 after `retry` and `failing-disk`; 2 on a bad command line or when the log
// cannot be opened; 3 when the log breaks a promise the writer can check by itself.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "store/rocksdb_log.h"
#include "tests/crash/ack_line.h"

namespace {

using dialtone::ErrorCode;
using dialtone::store::AppendOutcome;
using dialtone::store::AppendRequest;
using dialtone::store::EventLog;
using dialtone::store::ExpectedVersion;

constexpr int kLoadThreads = 8;
constexpr int kSharedStreams = 5;

// One line, one write(2): lines are far below PIPE_BUF, so they are never interleaved.
void WriteLine(const std::string& line) {
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(STDOUT_FILENO, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) std::_Exit(0);  // the driver went away
    done += static_cast<size_t>(n);
  }
}

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "crash_writer: %s\n", what.c_str());
  std::_Exit(3);
}

AppendRequest MakeRequest(const std::string& stream, ExpectedVersion expected,
                          const std::string& payload_id, uint64_t count, const std::string& key) {
  AppendRequest request;
  request.stream = stream;
  request.expected = expected;
  request.idempotency_key = key;
  for (uint64_t i = 0; i < count; ++i) {
    dialtone::events::EventData data;
    data.type = dialtone::crash::kEventType;
    data.payload = dialtone::crash::EventPayload(payload_id, i);
    request.events.push_back(std::move(data));
  }
  return request;
}

dialtone::crash::AckLine ToAck(const std::string& stream, const std::string& payload_id,
                               const dialtone::store::AppendResult& r) {
  return {stream,          r.first_version, r.last_version, r.first_position,
          r.last_position, payload_id,      r.deduplicated};
}

void CheckShape(const AppendOutcome& outcome, uint64_t count, const std::string& payload_id) {
  if (outcome->last_position - outcome->first_position + 1 != count ||
      outcome->last_version - outcome->first_version + 1 != count) {
    Fail("append " + payload_id + " got a result of the wrong size");
  }
}

void LoadThread(EventLog& log, int round, int thread) {
  const std::string solo = "solo-r" + std::to_string(round) + "-t" + std::to_string(thread);
  uint64_t solo_version = 0;
  for (uint64_t seq = 0;; ++seq) {
    const std::string payload_id =
        "r" + std::to_string(round) + "t" + std::to_string(thread) + "s" + std::to_string(seq);
    const std::string shared = "shared-" + std::to_string((seq + thread) % kSharedStreams);
    const uint64_t count = 1 + seq % 3;
    switch (seq % 5) {
      case 0:
      case 1: {  // concurrent appends to shared streams, no version check
        auto outcome =
            log.Append(MakeRequest(shared, ExpectedVersion::Any(), payload_id, count, ""));
        if (!outcome.ok()) Fail("append " + payload_id + ": " + outcome.status().ToString());
        CheckShape(outcome, count, payload_id);
        WriteLine(FormatAck(ToAck(shared, payload_id, *outcome)));
        break;
      }
      case 2: {  // this thread's own stream: every exact expected version must hold
        auto outcome = log.Append(MakeRequest(
            solo,
            solo_version == 0 ? ExpectedVersion::NoStream() : ExpectedVersion::Exact(solo_version),
            payload_id, count, ""));
        if (!outcome.ok()) Fail("append " + payload_id + ": " + outcome.status().ToString());
        CheckShape(outcome, count, payload_id);
        if (outcome->first_version != solo_version + 1)
          Fail("solo stream " + solo + " skipped a version");
        solo_version = outcome->last_version;
        WriteLine(FormatAck(ToAck(solo, payload_id, *outcome)));
        break;
      }
      case 3: {  // shared stream at the version just read: racing writers may win instead
        auto version = log.StreamVersion(shared);
        if (!version.ok()) Fail("stream version of " + shared + ": " + version.status().ToString());
        auto outcome = log.Append(
            MakeRequest(shared, ExpectedVersion::Exact(*version), payload_id, count, ""));
        if (!outcome.ok()) {
          if (outcome.status().code() != ErrorCode::kWrongExpectedVersion) {
            Fail("append " + payload_id + ": " + outcome.status().ToString());
          }
          if (outcome.error().actual_version <= *version) Fail(shared + " went backwards");
          break;
        }
        CheckShape(outcome, count, payload_id);
        if (outcome->first_version != *version + 1)
          Fail("exact append to " + shared + " got the wrong version");
        WriteLine(FormatAck(ToAck(shared, payload_id, *outcome)));
        break;
      }
      case 4: {  // keyed append, retried at once: the retry returns the first result
        const std::string key = "key-" + payload_id;
        auto outcome =
            log.Append(MakeRequest(shared, ExpectedVersion::Any(), payload_id, count, key));
        if (!outcome.ok()) Fail("append " + payload_id + ": " + outcome.status().ToString());
        CheckShape(outcome, count, payload_id);
        if (outcome->deduplicated) Fail("first append with key " + key + " was deduplicated");
        WriteLine(FormatAck(ToAck(shared, payload_id, *outcome)));
        auto retry =
            log.Append(MakeRequest(shared, ExpectedVersion::NoStream(), payload_id, count, key));
        if (!retry.ok()) Fail("retry of " + key + ": " + retry.status().ToString());
        dialtone::store::AppendResult expected = *outcome;
        expected.deduplicated = true;
        if (!(*retry == expected)) Fail("retry of " + key + " did not return the first result");
        break;
      }
    }
  }
}

void KeyedThread(EventLog& log, int round) {
  for (uint64_t seq = 0;; ++seq) {
    dialtone::crash::TryLine attempt;
    attempt.key = "idem-r" + std::to_string(round) + "-" + std::to_string(seq);
    attempt.stream = "keyed-" + std::to_string(seq % 3);
    attempt.payload_id = "r" + std::to_string(round) + "k" + std::to_string(seq);
    attempt.count = 1 + seq % 2;
    WriteLine(FormatTry(attempt));
    auto outcome = log.Append(MakeRequest(attempt.stream, ExpectedVersion::Any(),
                                          attempt.payload_id, attempt.count, attempt.key));
    if (!outcome.ok()) Fail("append " + attempt.payload_id + ": " + outcome.status().ToString());
    CheckShape(outcome, attempt.count, attempt.payload_id);
    const bool ack_withheld = seq % 7 == 6;
    if (!ack_withheld) WriteLine(FormatAck(ToAck(attempt.stream, attempt.payload_id, *outcome)));
  }
}

// Makes the next large write to the WAL fail: no file in `dir` may grow more than 64 KiB
// past the largest one now (RocksDB's own info log keeps that headroom), and exceeding the
// limit fails the write with EFBIG instead of raising SIGXFSZ.
void LimitFileGrowth(const std::string& dir) {
  uintmax_t largest = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file()) largest = std::max(largest, entry.file_size());
  }
  ::signal(SIGXFSZ, SIG_IGN);
  const rlim_t bytes = static_cast<rlim_t>(largest + 64 * 1024);
  const rlimit limit{bytes, bytes};
  if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) Fail("setrlimit failed");
}

int FailingDisk(EventLog& log, const std::string& dir) {
  auto first = log.Append(MakeRequest("s", ExpectedVersion::NoStream(), "before", 1, ""));
  if (!first.ok()) Fail("first append: " + first.status().ToString());
  LimitFileGrowth(dir);

  AppendRequest too_big = MakeRequest("s", ExpectedVersion::Exact(1), "too-big", 4, "key-too-big");
  for (auto& event : too_big.events) event.payload.append(1024 * 1024, 'x');
  auto failed = log.Append(std::move(too_big));
  if (failed.ok() || failed.status().code() != ErrorCode::kIOError) {
    Fail("an append whose write fails must get kIOError, got " +
         (failed.ok() ? std::string("success") : failed.status().ToString()));
  }
  if (log.HeadPosition() != 1) Fail("a failed write moved the head");
  auto version = log.StreamVersion("s");
  if (!version.ok() || *version != 1) Fail("a failed write moved the stream version");
  auto read = log.ReadStream("s", {});
  if (!read.ok() || read->size() != 1) Fail("a failed write changed what the stream reads");

  auto later = log.Append(MakeRequest("s", ExpectedVersion::Exact(1), "after", 1, ""));
  if (later.ok() || later.status().code() != ErrorCode::kIOError) {
    Fail("an append after a failed write must get kIOError, got " +
         (later.ok() ? std::string("success") : later.status().ToString()));
  }
  auto deleted = log.DeleteStream("s", ExpectedVersion::Any());
  if (deleted.ok() || deleted.error().status.code() != ErrorCode::kIOError) {
    Fail("a delete after a failed write must get kIOError");
  }
  WriteLine("failed-write-refused\n");
  return 0;
}

int Usage() {
  std::fprintf(stderr,
               "usage: crash_writer <dir> load <round>\n"
               "       crash_writer <dir> keyed <round>\n"
               "       crash_writer <dir> retry (<key> <stream> <payload_id> <count>)...\n"
               "       crash_writer <dir> failing-disk\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return Usage();
  const std::string dir = argv[1];
  const std::string mode = argv[2];
  if (mode != "load" && mode != "keyed" && mode != "retry" && mode != "failing-disk") {
    return Usage();
  }
  if (mode == "retry" && (argc == 3 || (argc - 3) % 4 != 0)) return Usage();
  if ((mode == "load" || mode == "keyed") && argc != 4) return Usage();

  dialtone::store::RocksDbLogOptions options;
  options.path = dir;
  options.durability = dialtone::store::Durability::kSync;
  auto opened = dialtone::store::OpenRocksDbLog(options);
  if (!opened.ok()) {
    std::fprintf(stderr, "crash_writer: %s\n", opened.status().ToString().c_str());
    return 2;
  }
  EventLog& log = **opened;

  if (mode == "retry") {
    for (int i = 3; i + 3 < argc; i += 4) {
      const std::string key = argv[i];
      const std::string stream = argv[i + 1];
      const std::string payload_id = argv[i + 2];
      const uint64_t count = std::strtoull(argv[i + 3], nullptr, 10);
      auto outcome =
          log.Append(MakeRequest(stream, ExpectedVersion::Any(), payload_id, count, key));
      if (!outcome.ok()) Fail("retry of " + key + ": " + outcome.status().ToString());
      WriteLine(FormatAck(ToAck(stream, payload_id, *outcome)));
    }
    const dialtone::Status closed = log.Close();
    if (!closed.ok()) Fail("close: " + closed.ToString());
    return 0;
  }

  if (mode == "failing-disk") return FailingDisk(log, dir);
  const int round = std::atoi(argv[3]);
  if (mode == "keyed") {
    KeyedThread(log, round);
  } else {
    std::vector<std::thread> threads;
    for (int t = 0; t < kLoadThreads; ++t)
      threads.emplace_back([&log, round, t] { LoadThread(log, round, t); });
    for (auto& thread : threads) thread.join();
  }
  return 0;  // not reached: the driver kills the writer
}
