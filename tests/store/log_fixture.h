// Harness of the EventLog conformance suite: the backends under test, a per-test-case
// fixture owning one log over fresh storage, and helpers that build requests, wait on
// conditions with a bound, and check the log's global invariants.
//
// Every conformance test is a Boost.Test case template instantiated once per backend, so
// a test reads `AppendWithStaleExactVersionFails<RocksDbBackend>` in the report. Select
// one backend with `--run_test='*<MemoryBackend>'`.
#pragma once

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <initializer_list>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "common/status.h"
#include "events/event.h"
#include "store/event_log.h"

namespace dialtone::store::conformance {

// How durable each acknowledged append must be. Tests about ordering and concurrency use
// kOrderingOnly so that a backend may skip the fsync (RocksDB: Durability::kAsync); every
// other test runs the backend in its default, durable mode.
enum class LogMode : uint8_t { kDurable, kOrderingOnly };

// Opens logs over one backend's storage. Each test case gets its own factory: storage is
// empty on the first Open() and removed when the factory is destroyed.
class LogFactory {
 public:
  virtual ~LogFactory() = default;
  virtual Result<std::unique_ptr<EventLog>> Open(LogMode mode) = 0;
  // True when an Open() after the previous log was closed and destroyed sees everything
  // that log acknowledged (a persistent backend). The memory backend cannot reopen.
  virtual bool CanReopen() const = 0;
};

// One log under test. Constructing it opens the log (the test fails with the open error
// when the backend is unavailable); destroying it closes the log and removes its storage.
class LogFixture {
 public:
  LogFixture(std::unique_ptr<LogFactory> factory, LogMode mode);
  ~LogFixture();
  LogFixture(const LogFixture&) = delete;
  LogFixture& operator=(const LogFixture&) = delete;

  EventLog& log() { return *log_; }
  bool CanReopen() const { return factory_->CanReopen(); }
  // Closes and destroys the log, then opens the same storage again.
  void Reopen();

 private:
  void OpenLog();

  std::unique_ptr<LogFactory> factory_;
  LogMode mode_;
  std::unique_ptr<EventLog> log_;
};

}  // namespace dialtone::store::conformance

// Backend tags: the type parameter of every conformance test. They live in the global
// namespace so that test names stay short (`Name<MemoryBackend>`).
struct MemoryBackend {
  static std::unique_ptr<dialtone::store::conformance::LogFactory> MakeFactory();
};
struct RocksDbBackend {
  static std::unique_ptr<dialtone::store::conformance::LogFactory> MakeFactory();
};
using AllBackends = boost::mpl::list<MemoryBackend, RocksDbBackend>;
using ReopenableBackends = boost::mpl::list<RocksDbBackend>;

// Defines test case `Name` for every backend in `Backends`; the body that follows is a
// member function of a LogFixture, so it uses log() and Reopen() directly.
#define DIALTONE_LOG_TEST(Name, Backends, mode)                                 \
  struct Name##Case : ::dialtone::store::conformance::LogFixture {              \
    using LogFixture::LogFixture;                                               \
    void Run();                                                                 \
  };                                                                            \
  BOOST_AUTO_TEST_CASE_TEMPLATE(Name, Backend, Backends) {                      \
    Name##Case test_case(Backend::MakeFactory(), mode);                         \
    test_case.Run();                                                            \
  }                                                                             \
  void Name##Case::Run()

// A guarantee every backend keeps, tested in the backend's default (durable) mode.
#define CONFORMANCE_TEST(Name) \
  DIALTONE_LOG_TEST(Name, AllBackends, ::dialtone::store::conformance::LogMode::kDurable)
// A guarantee about ordering or concurrency: the backend may skip fsyncs.
#define ORDERING_TEST(Name) \
  DIALTONE_LOG_TEST(Name, AllBackends, ::dialtone::store::conformance::LogMode::kOrderingOnly)
// A guarantee across a close and reopen of the same storage (persistent backends only).
#define REOPEN_TEST(Name) \
  DIALTONE_LOG_TEST(Name, ReopenableBackends, ::dialtone::store::conformance::LogMode::kDurable)

namespace dialtone::store::conformance {

// Bound on every wait for something another thread does. Reaching it means the
// behaviour under test is broken (or hung), never that the machine is slow.
inline constexpr std::chrono::seconds kGenerousTimeout{30};

// ---- Requests ---------------------------------------------------------------------

// An event of type `type` whose payload is `payload`.
EventData MakeEventData(std::string type, std::string payload);
// `count` events of type "test.appended", payloads "<stream>/<i>" (i from 1).
AppendRequest MakeRequest(std::string stream, ExpectedVersion expected, size_t count = 1,
                          std::string idempotency_key = "");

// Appends and requires success; the failure message names the status.
AppendResult AppendOk(EventLog& log, AppendRequest request);
// Appends and requires failure with `code`; returns the error.
AppendError AppendFails(EventLog& log, AppendRequest request, ErrorCode code);

// ---- Reads --------------------------------------------------------------------------

// The whole global log, read forward in pages.
RecordedEvents ReadEntireLog(const EventLog& log);
// The whole readable stream, forward.
RecordedEvents ReadEntireStream(const EventLog& log, std::string_view stream);
RecordedEvents ReadAllOk(const EventLog& log, const ReadAllOptions& options);
RecordedEvents ReadStreamOk(const EventLog& log, std::string_view stream,
                            const ReadStreamOptions& options);
uint64_t StreamVersionOk(const EventLog& log, std::string_view stream);

// "{positions 3..5, versions 1..3}" for failure messages.
std::string Describe(const AppendResult& result);

// A sequence compared as a whole and printed in failure messages (a plain std::vector is
// not printable by Boost.Test).
template <typename T>
struct Sequence {
  std::vector<T> values;
  Sequence() = default;
  Sequence(std::initializer_list<T> list) : values(list) {}
  explicit Sequence(std::vector<T> list) : values(std::move(list)) {}
  void push_back(T value) { values.push_back(std::move(value)); }
  bool operator==(const Sequence&) const = default;
};
using Numbers = Sequence<uint64_t>;
using Strings = Sequence<std::string>;

// Prints at most the first 32 elements.
template <typename T>
std::ostream& boost_test_print_type(std::ostream& out, const Sequence<T>& sequence) {
  out << "[";
  for (size_t i = 0; i < sequence.values.size() && i < 32; ++i) {
    out << (i == 0 ? "" : " ") << sequence.values[i];
  }
  if (sequence.values.size() > 32) out << " ... (" << sequence.values.size() << " in all)";
  return out << "]";
}

Numbers PositionsOf(const RecordedEvents& events);
Numbers VersionsOf(const RecordedEvents& events);
Strings PayloadsOf(const RecordedEvents& events);
// {first, first + 1, ..., last}; empty when last < first.
Numbers Range(uint64_t first, uint64_t last);

// ---- Invariants -----------------------------------------------------------------------

// Checks the global invariants of a log in which no stream was deleted: positions are
// exactly 1..HeadPosition(); each stream's versions are 1..n in global order and
// StreamVersion() is n; ReadStream() returns the same events as the global log.
// Returns the whole log for further checks.
RecordedEvents CheckLogInvariants(const EventLog& log);

// ---- Synchronisation ------------------------------------------------------------------

// Boost.Test assertions are not thread-safe: threads other than the test's own record
// what they saw, and the test asserts on it after joining or waiting.

// Counts down to zero; waiting is bounded. Count-downs past zero are counted, not lost.
class CountdownLatch {
 public:
  explicit CountdownLatch(size_t count) : count_(count) {}
  void CountDown();
  // True when the count reached zero before the timeout.
  bool WaitFor(std::chrono::milliseconds timeout = kGenerousTimeout);
  size_t excess_count_downs();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  size_t count_;
  size_t excess_ = 0;
};

// Closed until Open(); then every waiter passes.
class Gate {
 public:
  void Open();
  // True when the gate opened before the timeout.
  bool WaitFor(std::chrono::milliseconds timeout = kGenerousTimeout);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

}  // namespace dialtone::store::conformance

// Printers for Boost.Test failure messages (found by argument-dependent lookup).
namespace dialtone {
inline std::ostream& boost_test_print_type(std::ostream& out, ErrorCode code) {
  return out << ErrorCodeName(code);
}
}  // namespace dialtone
namespace dialtone::events {
std::ostream& boost_test_print_type(std::ostream& out, const RecordedEvent& event);
}  // namespace dialtone::events
namespace dialtone::store {
std::ostream& boost_test_print_type(std::ostream& out, const AppendResult& result);
std::ostream& boost_test_print_type(std::ostream& out, const Snapshot& snapshot);
}  // namespace dialtone::store
