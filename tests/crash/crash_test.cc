// Crash test of the RocksDB event log: runs crash_writer under concurrent load, SIGKILLs it
// after a random number of acknowledgements, reopens the folder and checks that the log
// kept every promise the writer printed. Rounds continue on the same folder.
#define BOOST_TEST_MODULE store_crash_test
#include <boost/test/results_collector.hpp>
#include <boost/test/unit_test.hpp>

#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "store/rocksdb_log.h"
#include "tests/crash/ack_line.h"
#include "tests/crash/writer_process.h"

namespace {

using dialtone::crash::AckLine;
using dialtone::crash::TryLine;
using dialtone::crash::WriterProcess;
using dialtone::store::ReadAllOptions;
using dialtone::store::RecordedEvent;

bool CurrentTestFailed() {
  using boost::unit_test::framework::current_test_case;
  return boost::unit_test::results_collector.results(current_test_case().p_id).p_assertions_failed >
         0;
}

// A folder under the system temp dir, removed when the test passes and kept (its path
// printed) when it fails.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "dialtone-crash-XXXXXX").string();
    char* made = ::mkdtemp(pattern.data());
    BOOST_REQUIRE_MESSAGE(made != nullptr, "mkdtemp failed: " << std::strerror(errno));
    path_ = made;
  }
  ~TempDir() {
    if (std::uncaught_exceptions() > 0 || CurrentTestFailed()) {
      BOOST_TEST_MESSAGE("kept the failed test's log in " << path_);
      return;
    }
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string log_path() const { return path_ + "/log"; }

 private:
  std::string path_;
};

std::string DescribeAck(const AckLine& a) { return dialtone::crash::FormatAck(a); }

// Where the events of one append landed, as found in the log.
struct FoundAppend {
  std::string stream;
  uint64_t first_position = 0;
  uint64_t first_version = 0;
  uint64_t count = 0;
};

// Everything read back from the log after a crash.
struct LogContents {
  uint64_t head = 0;
  std::vector<RecordedEvent> events;                // events[p - 1] is at position p
  std::map<std::string, FoundAppend> appends;       // by payload id
  std::map<std::string, uint64_t> stream_versions;  // highest version per stream
};

// Splits "<payload_id>/<index>".
std::pair<std::string, uint64_t> SplitPayload(const std::string& payload) {
  const size_t slash = payload.rfind('/');
  BOOST_REQUIRE_MESSAGE(slash != std::string::npos, "payload without an index: " << payload);
  return {payload.substr(0, slash), std::stoull(payload.substr(slash + 1))};
}

// Reopens the log and checks its invariants against itself: positions 1..head with no
// gap, versions 1..n contiguous per stream in log order, every append's events adjacent
// and each payload present once, stream reads agreeing with the global log.
LogContents ReadBack(const std::string& log_path) {
  dialtone::store::RocksDbLogOptions options;
  options.path = log_path;
  options.create_if_missing = false;
  auto opened = dialtone::store::OpenRocksDbLog(options);
  BOOST_REQUIRE_MESSAGE(opened.ok(), "reopening after the crash: " << opened.status().ToString());
  auto& log = **opened;

  LogContents contents;
  contents.head = log.HeadPosition();
  for (;;) {
    ReadAllOptions read;
    read.from_position = contents.events.size() + 1;
    read.max_count = 1000;
    auto batch = log.ReadAll(read);
    BOOST_REQUIRE_MESSAGE(batch.ok(), "ReadAll: " << batch.status().ToString());
    if (batch->empty()) break;
    for (auto& event : *batch) contents.events.push_back(std::move(event));
  }
  BOOST_REQUIRE_EQUAL(contents.events.size(), contents.head);

  for (size_t i = 0; i < contents.events.size(); ++i) {
    const RecordedEvent& e = contents.events[i];
    BOOST_REQUIRE_MESSAGE(e.position == i + 1,
                          "position " << i + 1 << " holds position " << e.position);
    uint64_t& version = contents.stream_versions[e.stream];
    BOOST_REQUIRE_MESSAGE(e.version == version + 1, "stream " << e.stream << " jumps from version "
                                                              << version << " to " << e.version
                                                              << " at position " << e.position);
    version = e.version;
    const auto [payload_id, index] = SplitPayload(e.payload);
    auto [found, inserted] =
        contents.appends.try_emplace(payload_id, FoundAppend{e.stream, e.position, e.version, 0});
    FoundAppend& append = found->second;
    BOOST_REQUIRE_MESSAGE(inserted || (contents.events[i - 1].payload ==
                                       dialtone::crash::EventPayload(payload_id, index - 1)),
                          "payload " << e.payload << " at position " << e.position
                                     << " is a duplicate or not adjacent to its append");
    BOOST_REQUIRE_EQUAL(index, append.count);
    BOOST_REQUIRE_EQUAL(e.stream, append.stream);
    ++append.count;
  }

  for (const auto& [stream, version] : contents.stream_versions) {
    auto stored = log.StreamVersion(stream);
    BOOST_REQUIRE(stored.ok());
    BOOST_REQUIRE_EQUAL(*stored, version);
    auto events = log.ReadStream(stream, {});
    BOOST_REQUIRE(events.ok());
    BOOST_REQUIRE_EQUAL(events->size(), version);
    for (const auto& e : *events) BOOST_REQUIRE(e == contents.events[e.position - 1]);
  }
  BOOST_REQUIRE(log.Close().ok());
  return contents;
}

// Every acknowledged append is in the log, once, exactly where the ack said.
void CheckAcknowledged(const LogContents& contents, const std::vector<AckLine>& acks) {
  for (const AckLine& ack : acks) {
    auto found = contents.appends.find(ack.payload_id);
    BOOST_REQUIRE_MESSAGE(found != contents.appends.end(),
                          "acknowledged append lost: " << DescribeAck(ack));
    const FoundAppend& append = found->second;
    BOOST_REQUIRE_MESSAGE(
        append.stream == ack.stream && append.first_position == ack.first_position &&
            append.first_version == ack.first_version &&
            append.count == ack.last_position - ack.first_position + 1 &&
            append.count == ack.last_version - ack.first_version + 1,
        "acknowledged append moved: " << DescribeAck(ack) << "found at position "
                                      << append.first_position << " version "
                                      << append.first_version << " count " << append.count);
  }
}

std::vector<AckLine> ParseAcks(const std::vector<std::string>& lines) {
  std::vector<AckLine> acks;
  for (const auto& line : lines) {
    if (line.rfind("try ", 0) == 0) continue;
    auto ack = dialtone::crash::ParseAck(line);
    BOOST_REQUIRE_MESSAGE(ack.has_value(), "unparsable line from crash_writer: " << line);
    acks.push_back(*ack);
  }
  return acks;
}

// Kill points are random; DIALTONE_CRASH_SEED replays a run's choices.
std::mt19937 SeededRng() {
  const char* fixed = std::getenv("DIALTONE_CRASH_SEED");
  const unsigned seed = fixed != nullptr ? static_cast<unsigned>(std::strtoul(fixed, nullptr, 10))
                                         : std::random_device{}();
  BOOST_TEST_MESSAGE("random seed " << seed << " (set DIALTONE_CRASH_SEED to reuse it)");
  return std::mt19937(seed);
}

}  // namespace

BOOST_AUTO_TEST_CASE(EveryAcknowledgedAppendSurvivesRepeatedKill9) {
  TempDir dir;
  auto rng = SeededRng();
  std::vector<AckLine> acks;
  constexpr int kRounds = 8;
  for (int round = 0; round < kRounds; ++round) {
    const int kill_after = std::uniform_int_distribution<int>(1, 3000)(rng);
    {
      WriterProcess writer({dir.log_path(), "load", std::to_string(round)});
      std::vector<std::string> lines;
      while (static_cast<int>(lines.size()) < kill_after) {
        auto line = writer.ReadLine();
        BOOST_REQUIRE_MESSAGE(line.has_value(), "crash_writer exited early in round " << round);
        lines.push_back(*line);
      }
      for (auto& line : writer.KillAndDrain()) lines.push_back(std::move(line));
      for (const auto& ack : ParseAcks(lines)) acks.push_back(ack);
    }
    const LogContents contents = ReadBack(dir.log_path());
    CheckAcknowledged(contents, acks);
    BOOST_TEST_MESSAGE("round " << round << ": killed after " << kill_after << " acks; log head "
                                << contents.head << ", " << acks.size()
                                << " acknowledged appends so far");
  }
}

BOOST_AUTO_TEST_CASE(IdempotentRetryAfterKill9ReturnsTheFirstResult) {
  TempDir dir;
  auto rng = SeededRng();
  std::vector<AckLine> acks;
  constexpr int kRounds = 6;
  for (int round = 0; round < kRounds; ++round) {
    // At least 10 acks: the writer withholds every 7th ack, so each round retries at
    // least one append that is written but unacknowledged.
    const int kill_after = std::uniform_int_distribution<int>(10, 400)(rng);
    std::vector<TryLine> tries;
    std::map<std::string, AckLine> acked_by_payload;
    {
      WriterProcess writer({dir.log_path(), "keyed", std::to_string(round)});
      std::vector<std::string> lines;
      // Kill right after a `try` line: the writer is inside that append, which the kill
      // may cut before or after it reached the disk.
      int acked = 0;
      while (acked < kill_after || lines.empty() || lines.back().rfind("try ", 0) != 0) {
        auto line = writer.ReadLine();
        BOOST_REQUIRE_MESSAGE(line.has_value(), "crash_writer exited early in round " << round);
        if (line->rfind("ack ", 0) == 0) ++acked;
        lines.push_back(*line);
      }
      for (auto& line : writer.KillAndDrain()) lines.push_back(std::move(line));
      for (const auto& line : lines) {
        if (auto attempt = dialtone::crash::ParseTry(line)) tries.push_back(*attempt);
      }
      for (const auto& ack : ParseAcks(lines)) {
        BOOST_REQUIRE(!ack.deduplicated);
        acked_by_payload[ack.payload_id] = ack;
        acks.push_back(ack);
      }
    }
    const LogContents before = ReadBack(dir.log_path());
    CheckAcknowledged(before, acks);

    // Retry every attempt without an ack (withheld, or cut short by the kill), plus a few
    // acknowledged ones.
    std::vector<TryLine> retries;
    for (const auto& attempt : tries) {
      if (!acked_by_payload.count(attempt.payload_id)) retries.push_back(attempt);
    }
    std::vector<TryLine> acked_tries;
    for (const auto& attempt : tries) {
      if (acked_by_payload.count(attempt.payload_id)) acked_tries.push_back(attempt);
    }
    std::shuffle(acked_tries.begin(), acked_tries.end(), rng);
    for (size_t i = 0; i < acked_tries.size() && i < 5; ++i) retries.push_back(acked_tries[i]);
    BOOST_REQUIRE(!retries.empty());

    std::vector<std::string> args = {dir.log_path(), "retry"};
    for (const auto& attempt : retries) {
      args.insert(args.end(),
                  {attempt.key, attempt.stream, attempt.payload_id, std::to_string(attempt.count)});
    }
    std::vector<std::string> lines;
    WriterProcess retry(args);
    const int status = retry.Finish(&lines);
    BOOST_REQUIRE_MESSAGE(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                          "retry run failed, status " << status);
    const std::vector<AckLine> results = ParseAcks(lines);
    BOOST_REQUIRE_EQUAL(results.size(), retries.size());

    int written_before_kill = 0;
    for (size_t i = 0; i < retries.size(); ++i) {
      const TryLine& attempt = retries[i];
      const AckLine& result = results[i];
      BOOST_REQUIRE_EQUAL(result.payload_id, attempt.payload_id);
      auto acked = acked_by_payload.find(attempt.payload_id);
      auto found = before.appends.find(attempt.payload_id);
      if (acked != acked_by_payload.end()) {
        BOOST_CHECK_MESSAGE(
            result.deduplicated && result.first_position == acked->second.first_position &&
                result.last_position == acked->second.last_position &&
                result.first_version == acked->second.first_version &&
                result.last_version == acked->second.last_version,
            "retry of acknowledged " << attempt.key << " returned " << DescribeAck(result));
      } else if (found != before.appends.end()) {
        ++written_before_kill;
        BOOST_CHECK_MESSAGE(result.deduplicated &&
                                result.first_position == found->second.first_position &&
                                result.first_version == found->second.first_version,
                            "retry of written-but-unacknowledged " << attempt.key << " returned "
                                                                   << DescribeAck(result));
      } else {
        BOOST_CHECK_MESSAGE(
            !result.deduplicated && result.first_position > before.head,
            "retry of never-written " << attempt.key << " returned " << DescribeAck(result));
      }
      AckLine first = result;
      first.deduplicated = false;
      if (acked == acked_by_payload.end()) {
        acked_by_payload[attempt.payload_id] = first;
        acks.push_back(first);
      }
    }
    BOOST_CHECK_GE(written_before_kill, 1);
    const LogContents after = ReadBack(dir.log_path());  // each payload exactly once
    CheckAcknowledged(after, acks);
    BOOST_TEST_MESSAGE("round " << round << ": killed after " << kill_after << " acks; retried "
                                << retries.size() << " keys (" << written_before_kill
                                << " written but unacknowledged); log head " << after.head);
  }
}
