#include "tests/store/log_fixture.h"

#include <stdlib.h>

#include <filesystem>
#include <map>
#include <system_error>

#include "store/rocksdb_log.h"

namespace dialtone::store::conformance {
namespace {

class MemoryLogFactory final : public LogFactory {
 public:
  Result<std::unique_ptr<EventLog>> Open(LogMode /*mode*/) override {
    BOOST_TEST_REQUIRE(!opened_, "the memory backend cannot reopen its storage");
    opened_ = true;
    return NewMemoryEventLog();
  }
  bool CanReopen() const override { return false; }

 private:
  bool opened_ = false;
};

// A fresh folder under the temp directory per test case, removed afterwards.
class RocksDbLogFactory final : public LogFactory {
 public:
  RocksDbLogFactory() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "dialtone-conformance-XXXXXX").string();
    BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr,
                       "cannot create a temp folder from " << pattern);
    folder_ = pattern;
  }
  ~RocksDbLogFactory() override {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }

  Result<std::unique_ptr<EventLog>> Open(LogMode mode) override {
    RocksDbLogOptions options;
    options.path = (folder_ / "log").string();
    options.durability = mode == LogMode::kDurable ? Durability::kSync : Durability::kAsync;
    return OpenRocksDbLog(options);
  }
  bool CanReopen() const override { return true; }

 private:
  std::filesystem::path folder_;
};

}  // namespace

LogFixture::LogFixture(std::unique_ptr<LogFactory> factory, LogMode mode)
    : factory_(std::move(factory)), mode_(mode) {
  OpenLog();
}

LogFixture::~LogFixture() {
  if (log_ != nullptr) log_->Close();
  log_.reset();  // before the factory removes the storage
}

void LogFixture::OpenLog() {
  auto opened = factory_->Open(mode_);
  BOOST_TEST_REQUIRE(opened.ok(), "opening the log failed: " << opened.status().ToString());
  log_ = std::move(opened).value();
}

void LogFixture::Reopen() {
  BOOST_TEST_REQUIRE(factory_->CanReopen());
  BOOST_TEST_REQUIRE(log_->Close().ok());
  log_.reset();
  OpenLog();
}

// ---- Requests ---------------------------------------------------------------------

EventData MakeEventData(std::string type, std::string payload) {
  EventData data;
  data.type = std::move(type);
  data.payload = std::move(payload);
  return data;
}

AppendRequest MakeRequest(std::string stream, ExpectedVersion expected, size_t count,
                          std::string idempotency_key) {
  AppendRequest request;
  request.expected = expected;
  request.idempotency_key = std::move(idempotency_key);
  for (size_t i = 1; i <= count; ++i) {
    request.events.push_back(MakeEventData("test.appended", stream + "/" + std::to_string(i)));
  }
  request.stream = std::move(stream);
  return request;
}

AppendResult AppendOk(EventLog& log, AppendRequest request) {
  const std::string stream = request.stream;
  AppendOutcome outcome = log.Append(std::move(request));
  BOOST_TEST_REQUIRE(outcome.ok(), "append to '" << stream
                                                  << "' failed: " << outcome.status().ToString());
  return *outcome;
}

AppendError AppendFails(EventLog& log, AppendRequest request, ErrorCode code) {
  const std::string stream = request.stream;
  AppendOutcome outcome = log.Append(std::move(request));
  BOOST_TEST_REQUIRE(!outcome.ok(), "append to '" << stream << "' succeeded, expected "
                                                   << ErrorCodeName(code));
  BOOST_TEST(outcome.status().code() == code, "status: " << outcome.status().ToString());
  return outcome.error();
}

// ---- Reads --------------------------------------------------------------------------

RecordedEvents ReadAllOk(const EventLog& log, const ReadAllOptions& options) {
  auto read = log.ReadAll(options);
  BOOST_TEST_REQUIRE(read.ok(), "ReadAll failed: " << read.status().ToString());
  return std::move(read).value();
}

RecordedEvents ReadStreamOk(const EventLog& log, std::string_view stream,
                            const ReadStreamOptions& options) {
  auto read = log.ReadStream(stream, options);
  BOOST_TEST_REQUIRE(read.ok(), "ReadStream('" << stream
                                               << "') failed: " << read.status().ToString());
  return std::move(read).value();
}

uint64_t StreamVersionOk(const EventLog& log, std::string_view stream) {
  auto version = log.StreamVersion(stream);
  BOOST_TEST_REQUIRE(version.ok(), "StreamVersion('" << stream
                                                     << "') failed: " << version.status().ToString());
  return *version;
}

RecordedEvents ReadEntireLog(const EventLog& log) {
  RecordedEvents all;
  ReadAllOptions page;
  page.max_count = 1000;
  while (true) {
    page.from_position = all.empty() ? 1 : all.back().position + 1;
    RecordedEvents batch = ReadAllOk(log, page);
    if (batch.empty()) return all;
    all.insert(all.end(), std::make_move_iterator(batch.begin()),
               std::make_move_iterator(batch.end()));
  }
}

RecordedEvents ReadEntireStream(const EventLog& log, std::string_view stream) {
  return ReadStreamOk(log, stream, ReadStreamOptions{});
}

std::string Describe(const AppendResult& r) {
  return "{positions " + std::to_string(r.first_position) + ".." +
         std::to_string(r.last_position) + ", versions " + std::to_string(r.first_version) +
         ".." + std::to_string(r.last_version) + (r.deduplicated ? ", deduplicated}" : "}");
}

Numbers PositionsOf(const RecordedEvents& events) {
  Numbers out;
  for (const auto& e : events) out.push_back(e.position);
  return out;
}

Numbers VersionsOf(const RecordedEvents& events) {
  Numbers out;
  for (const auto& e : events) out.push_back(e.version);
  return out;
}

Strings PayloadsOf(const RecordedEvents& events) {
  Strings out;
  for (const auto& e : events) out.push_back(e.payload);
  return out;
}

Numbers Range(uint64_t first, uint64_t last) {
  Numbers out;
  for (uint64_t v = first; v <= last && last != 0; ++v) out.push_back(v);
  return out;
}

// ---- Invariants -----------------------------------------------------------------------

RecordedEvents CheckLogInvariants(const EventLog& log) {
  const uint64_t head = log.HeadPosition();
  RecordedEvents all = ReadEntireLog(log);
  BOOST_TEST_REQUIRE(all.size() == head, "the log holds " << all.size()
                                                          << " events but its head is " << head);
  for (uint64_t i = 0; i < all.size(); ++i) {
    BOOST_TEST_REQUIRE(all[i].position == i + 1, "position gap: index " << i << " holds position "
                                                                         << all[i].position);
  }
  std::map<std::string, RecordedEvents> by_stream;
  for (const auto& e : all) {
    RecordedEvents& stream = by_stream[e.stream];
    BOOST_TEST_REQUIRE(e.version == stream.size() + 1,
                       "stream '" << e.stream << "' has version " << e.version << " at position "
                                  << e.position << ", expected " << stream.size() + 1);
    stream.push_back(e);
  }
  for (const auto& [stream, events] : by_stream) {
    BOOST_TEST(StreamVersionOk(log, stream) == events.size(), "stream " << stream);
    const RecordedEvents read = ReadEntireStream(log, stream);
    BOOST_TEST_REQUIRE(read.size() == events.size(), "stream " << stream);
    for (size_t i = 0; i < read.size(); ++i) {
      BOOST_TEST_REQUIRE(read[i] == events[i], "stream " << stream << " version " << i + 1);
    }
  }
  return all;
}

// ---- Synchronisation ------------------------------------------------------------------

void CountdownLatch::CountDown() {
  std::lock_guard lock(mu_);
  if (count_ == 0) {
    ++excess_;
    return;
  }
  if (--count_ == 0) cv_.notify_all();
}

bool CountdownLatch::WaitFor(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return count_ == 0; });
}

void Gate::Open() {
  std::lock_guard lock(mu_);
  open_ = true;
  cv_.notify_all();
}

size_t CountdownLatch::excess_count_downs() {
  std::lock_guard lock(mu_);
  return excess_;
}

bool Gate::WaitFor(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return open_; });
}

}  // namespace dialtone::store::conformance

std::unique_ptr<dialtone::store::conformance::LogFactory> MemoryBackend::MakeFactory() {
  return std::make_unique<dialtone::store::conformance::MemoryLogFactory>();
}

std::unique_ptr<dialtone::store::conformance::LogFactory> RocksDbBackend::MakeFactory() {
  return std::make_unique<dialtone::store::conformance::RocksDbLogFactory>();
}

namespace dialtone::events {
std::ostream& boost_test_print_type(std::ostream& out, const RecordedEvent& e) {
  return out << "{position " << e.position << ", stream '" << e.stream << "', version "
             << e.version << ", type '" << e.type << "', time_ms " << e.time_ms << ", event_id '"
             << e.event_id << "', causation '" << e.causation_id << "', correlation '"
             << e.correlation_id << "', idempotency_key '" << e.idempotency_key
             << "', principal '" << e.principal << "', payload " << e.payload.size()
             << " bytes}";
}
}  // namespace dialtone::events

namespace dialtone::store {
std::ostream& boost_test_print_type(std::ostream& out, const AppendResult& result) {
  return out << conformance::Describe(result);
}
std::ostream& boost_test_print_type(std::ostream& out, const Snapshot& s) {
  return out << "{version " << s.version << ", state " << s.state.size() << " bytes}";
}
}  // namespace dialtone::store
