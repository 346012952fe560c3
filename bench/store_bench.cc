// store_bench: throughput of the RocksDB event log, each figure beside raw RocksDB measured
// in the same run on the same disk, at the same batch size and durability. See README.md
// for what each figure means and the targets it is judged against.
//
// Output: one human-readable line per figure, then, as the LAST line, one JSON object with
// every figure and ratio. Exit status 0 on success; 1 when a case fails (the message names
// it); 2 on a bad flag.
#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/version.h>
#include <rocksdb/write_batch.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <latch>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "account.pb.h"
#include "domain/account_fold.h"
#include "domain/account_rules.h"
#include "common/status.h"
#include "events/event.h"
#include "events/event_types.h"
#include "events/ids.h"
#include "store/event_log.h"
#include "store/rocksdb_log.h"

namespace dialtone::bench {
namespace {

using Clock = std::chrono::steady_clock;
using events::EventData;
using events::RecordedEvent;
using events::RecordedEvents;
using store::AppendRequest;
using store::Durability;
using store::EventLog;
using store::ExpectedVersion;

// ---------------------------------------------------------------------------------------
// Configuration

struct BenchConfig {
  double seconds_per_case = 2.0;
  bool quick = false;
  std::string scratch_parent;       // the scratch folder is created inside it
  int concurrent_writers = 64;
  size_t history_accounts = 2'000;  // read-all and replay data: accounts × events each
  size_t events_per_account = 100;  // at least: account.created, then account.updated
};

constexpr std::string_view kUsage =
    "usage: store_bench [--seconds S] [--quick] [--dir DIR] [--writers N]\n"
    "  --seconds S   measuring time per case, 0 < S <= 600 (default 2)\n"
    "  --quick       tiny counts and times, for a CI smoke run (figures meaningless)\n"
    "  --dir DIR     existing folder in which the scratch folder is created\n"
    "                (default $TMPDIR or /tmp); the scratch folder is removed at the end\n"
    "  --writers N   concurrent writers of the group-commit case, 1..1024 (default 64)\n";

// Parses argv into `config`; an error message when a flag or value is bad.
std::optional<std::string> ParseFlags(int argc, char** argv, BenchConfig& config, bool& help) {
  std::optional<double> seconds;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    if (flag == "--help" || flag == "-h") {
      help = true;
    } else if (flag == "--quick") {
      config.quick = true;
    } else if (flag == "--seconds") {
      auto text = value();
      if (!text) return "--seconds needs a value";
      char* end = nullptr;
      const double parsed = std::strtod(text->c_str(), &end);
      if (end == text->c_str() || *end != '\0' || !(parsed > 0) || parsed > 600) {
        return "bad value for --seconds: '" + *text + "' (want a number in (0, 600])";
      }
      seconds = parsed;
    } else if (flag == "--dir") {
      auto text = value();
      if (!text || text->empty()) return "--dir needs a folder";
      std::error_code ec;
      if (!std::filesystem::is_directory(*text, ec)) {
        return "--dir '" + *text + "' is not an existing folder";
      }
      config.scratch_parent = *text;
    } else if (flag == "--writers") {
      auto text = value();
      if (!text) return "--writers needs a value";
      char* end = nullptr;
      const long parsed = std::strtol(text->c_str(), &end, 10);
      if (end == text->c_str() || *end != '\0' || parsed < 1 || parsed > 1024) {
        return "bad value for --writers: '" + *text + "' (want an integer in [1, 1024])";
      }
      config.concurrent_writers = static_cast<int>(parsed);
    } else {
      return "unknown flag '" + std::string(flag) + "'";
    }
  }
  if (config.quick) {
    config.seconds_per_case = 0.05;
    config.history_accounts = 10;
  }
  if (seconds) config.seconds_per_case = *seconds;
  if (config.scratch_parent.empty()) {
    const char* tmpdir = std::getenv("TMPDIR");
    config.scratch_parent = (tmpdir != nullptr && *tmpdir != '\0') ? tmpdir : "/tmp";
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// Scratch folders

// A fresh folder (mkdtemp) removed with everything in it when this object goes away.
class ScratchFolder {
 public:
  static Result<std::unique_ptr<ScratchFolder>> Create(const std::string& parent) {
    std::string pattern = (std::filesystem::path(parent) / "store_bench.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return Status::IOError("cannot create a scratch folder in '" + parent + "'");
    }
    return std::unique_ptr<ScratchFolder>(new ScratchFolder(pattern));
  }
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;

  // A path for one case's database; removed by Discard or with the scratch folder.
  std::string CasePath(std::string_view name) const { return (path_ / name).string(); }
  static void Discard(const std::string& case_path) {
    std::error_code ignored;
    std::filesystem::remove_all(case_path, ignored);
  }

 private:
  explicit ScratchFolder(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

// ---------------------------------------------------------------------------------------
// Measurement

struct Throughput {
  uint64_t operations = 0;  // appends, writes, or passes' items
  uint64_t events = 0;      // records moved (operations × batch for appends)
  double seconds = 0;
  double OperationsPerSecond() const { return seconds > 0 ? operations / seconds : 0; }
  double EventsPerSecond() const { return seconds > 0 ? events / seconds : 0; }
};

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

Clock::duration ToDuration(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

// Runs `operation` back to back on this thread until `seconds` have passed (at least once).
// `operation` returns the number of events it moved, or an error that ends the run.
Result<Throughput> RunForDuration(double seconds,
                                  const std::function<Result<uint64_t>()>& operation) {
  Throughput t;
  const auto start = Clock::now();
  const auto deadline = start + ToDuration(seconds);
  do {
    Result<uint64_t> moved = operation();
    if (!moved.ok()) return moved.status();
    ++t.operations;
    t.events += *moved;
  } while (Clock::now() < deadline);
  t.seconds = SecondsSince(start);
  return t;
}

// Runs `operation(writer)` back to back on `writers` threads that start together and stop
// after `seconds`; each operation moves one event. The elapsed time includes the drain of
// the operations in flight at the stop, and they are counted.
Result<Throughput> RunConcurrently(int writers, double seconds,
                                   const std::function<Status(int writer)>& operation) {
  std::latch start_line(1);
  std::atomic<bool> stop{false};
  std::vector<uint64_t> completed(static_cast<size_t>(writers), 0);
  std::mutex error_mu;
  Status first_error;
  std::vector<std::thread> threads;
  threads.reserve(completed.size());
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      start_line.wait();
      uint64_t done = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        Status s = operation(w);
        if (!s.ok()) {
          std::lock_guard lock(error_mu);
          if (first_error.ok()) first_error = std::move(s);
          stop.store(true);
          break;
        }
        ++done;
      }
      completed[static_cast<size_t>(w)] = done;
    });
  }
  const auto start = Clock::now();
  start_line.count_down();
  std::this_thread::sleep_for(ToDuration(seconds));  // the measuring window itself
  stop.store(true);
  for (auto& t : threads) t.join();
  Throughput t;
  t.seconds = SecondsSince(start);
  if (!first_error.ok()) return first_error;
  for (uint64_t n : completed) t.operations += n;
  t.events = t.operations;
  return t;
}

// ---------------------------------------------------------------------------------------
// Workload: account events as the account actor decides them (payloads of 100-200 bytes)

events::AccountSettings SampleSettings(uint64_t n) {
  events::AccountSettings s;
  s.set_name("Account " + std::to_string(100000 + n % 900000) + " Ltd");
  s.set_timezone("Europe/Amsterdam");
  s.set_brand_name("Dialtone Reseller " + std::to_string(n % 97));
  s.set_brand_domain("pbx" + std::to_string(n % 97) + ".example.net");
  s.set_max_in(static_cast<int32_t>(10 + n % 50));
  s.set_max_out(static_cast<int32_t>(10 + n % 40));
  s.set_default_cid_number("+3120" + std::to_string(1000000 + n % 9000000));
  return s;
}

// One account's stream as its actor writes it: the events DecideAccount produced for a
// create, then for updates, in stream order.
struct AccountHistory {
  std::string stream;
  std::vector<EventData> events;
};

struct History {
  std::vector<AccountHistory> accounts;
  uint64_t total_events = 0;
};

RecordedEvent Recorded(const std::string& stream, uint64_t version, const EventData& data) {
  RecordedEvent e;
  e.stream = stream;
  e.version = version;
  e.type = data.type;
  e.event_id = data.event_id;
  e.causation_id = data.causation_id;
  e.correlation_id = data.correlation_id;
  e.principal = data.principal;
  e.payload = data.payload;
  return e;
}

// Runs the account's own decide/apply rules: one create and then updates per account,
// until each stream holds at least `events_per_account` events.
Result<History> BuildHistory(const BenchConfig& config) {
  History history;
  history.accounts.resize(config.history_accounts);
  const auto now = std::chrono::system_clock::now();
  uint64_t n = 0;
  for (auto& account : history.accounts) {
    domain::AccountState state;
    commands::AccountCommand command;
    command.kind = commands::AccountCommand::Kind::kCreate;
    command.account_id = events::NewUuid();
    command.context.principal = "admin";
    account.stream = domain::AccountStream(command.account_id);
    while (account.events.size() < config.events_per_account) {
      command.settings = SampleSettings(n++);
      command.context.correlation_id = events::NewUuid();
      auto decided = domain::DecideAccount(state, command, now);
      if (!decided.ok()) {
        return Status(decided.status().code(),
                      "deciding a bench account command: " + decided.status().message());
      }
      if (decided->empty()) return Status::Internal("a bench account command decided no event");
      for (auto& data : *decided) {
        domain::ApplyAccountEvent(state, Recorded(account.stream, state.version + 1, data));
        account.events.push_back(std::move(data));
      }
      command.kind = commands::AccountCommand::Kind::kUpdate;
    }
    history.total_events += account.events.size();
  }
  return history;
}

// The envelopes the history becomes in the log, per account, positions in order.
std::vector<std::vector<std::string>> EncodeHistory(const History& history) {
  std::vector<std::vector<std::string>> envelopes(history.accounts.size());
  uint64_t position = 0;
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  for (size_t a = 0; a < history.accounts.size(); ++a) {
    const AccountHistory& account = history.accounts[a];
    for (size_t i = 0; i < account.events.size(); ++i) {
      RecordedEvent e = Recorded(account.stream, i + 1, account.events[i]);
      e.position = ++position;
      e.time_ms = now_ms;
      e.event_id = events::NewUuid();
      envelopes[a].push_back(events::EncodeEnvelope(e));
    }
  }
  return envelopes;
}

// ---------------------------------------------------------------------------------------
// Raw RocksDB baseline: one default-configured DB, 8-byte big-endian keys, the payload as
// the value.

std::string BigEndianKey(uint64_t n) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[static_cast<size_t>(i)] = static_cast<char>(n & 0xff);
    n >>= 8;
  }
  return key;
}

class RawDb {
 public:
  static Result<std::unique_ptr<RawDb>> Open(const std::string& path) {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(options, path, &db);
    if (!s.ok()) return Status::IOError("raw RocksDB open '" + path + "': " + s.ToString());
    return std::unique_ptr<RawDb>(new RawDb(db));
  }
  ~RawDb() {
    db_->Close().PermitUncheckedError();
  }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  Status Write(const rocksdb::WriteOptions& options, rocksdb::WriteBatch& batch) {
    rocksdb::Status s = db_->Write(options, &batch);
    if (!s.ok()) return Status::IOError("raw RocksDB write: " + s.ToString());
    return Status::Ok();
  }
  rocksdb::DB& db() { return *db_; }

 private:
  explicit RawDb(rocksdb::DB* db) : db_(db) {}
  std::unique_ptr<rocksdb::DB> db_;
};

// One thread, one WriteBatch of `batch` records per write.
Result<Throughput> RawAppendOneWriter(const std::string& path, size_t batch, bool sync,
                                      const std::string& payload, double seconds) {
  auto db = RawDb::Open(path);
  if (!db.ok()) return db.status();
  rocksdb::WriteOptions write_options;
  write_options.sync = sync;
  uint64_t next_key = 0;
  return RunForDuration(seconds, [&]() -> Result<uint64_t> {
    rocksdb::WriteBatch wb;
    for (size_t i = 0; i < batch; ++i) wb.Put(BigEndianKey(++next_key), payload);
    Status s = (*db)->Write(write_options, wb);
    if (!s.ok()) return s;
    return static_cast<uint64_t>(batch);
  });
}

// `writers` threads, each writing single records; RocksDB's write group batches them.
Result<Throughput> RawAppendConcurrent(const std::string& path, int writers, bool sync,
                                       const std::string& payload, double seconds) {
  auto db = RawDb::Open(path);
  if (!db.ok()) return db.status();
  rocksdb::WriteOptions write_options;
  write_options.sync = sync;
  std::atomic<uint64_t> next_key{0};
  return RunConcurrently(writers, seconds, [&](int) -> Status {
    rocksdb::WriteBatch wb;
    wb.Put(BigEndianKey(next_key.fetch_add(1, std::memory_order_relaxed) + 1), payload);
    return (*db)->Write(write_options, wb);
  });
}

// Writes the history's payloads as records (unsynced, one batch per account), reopens the DB so
// the scan reads what a restarted process reads, then scans them with an iterator.
Result<Throughput> RawScan(const std::string& path, const History& history, double seconds) {
  uint64_t expected = 0;
  {
    auto db = RawDb::Open(path);
    if (!db.ok()) return db.status();
    rocksdb::WriteOptions write_options;
    for (const auto& h : history.accounts) {
      rocksdb::WriteBatch wb;
      for (const auto& e : h.events) wb.Put(BigEndianKey(++expected), e.payload);
      Status s = (*db)->Write(write_options, wb);
      if (!s.ok()) return s;
    }
  }
  auto db = RawDb::Open(path);
  if (!db.ok()) return db.status();
  return RunForDuration(seconds, [&]() -> Result<uint64_t> {
    std::unique_ptr<rocksdb::Iterator> it((*db)->db().NewIterator(rocksdb::ReadOptions()));
    uint64_t records = 0;
    uint64_t bytes = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++records;
      bytes += it->key().size() + it->value().size();
    }
    if (!it->status().ok()) return Status::IOError("raw RocksDB scan: " + it->status().ToString());
    if (records != expected || bytes == 0) {
      return Status::Internal("raw scan saw " + std::to_string(records) + " records, wrote " +
                              std::to_string(expected));
    }
    return records;
  });
}

// ---------------------------------------------------------------------------------------
// The event log, through its public interface

Result<std::unique_ptr<EventLog>> OpenLog(const std::string& path, Durability durability) {
  store::RocksDbLogOptions options;
  options.path = path;
  options.durability = durability;
  auto log = store::OpenRocksDbLog(options);
  if (!log.ok()) {
    return Status(log.status().code(), "open event log '" + path + "': " + log.status().message());
  }
  return std::move(log).value();
}

Status AppendFailure(const store::AppendOutcome& outcome) {
  return Status(outcome.status().code(), "append: " + outcome.status().message());
}

// Checks that the log holds exactly what was acknowledged, then closes it.
Status VerifyAndClose(EventLog& log, uint64_t acknowledged_events) {
  if (log.HeadPosition() != acknowledged_events) {
    return Status::Internal("event log head is " + std::to_string(log.HeadPosition()) + " after " +
                            std::to_string(acknowledged_events) + " acknowledged events");
  }
  return log.Close();
}

// One thread appending `batch` events per request to one stream.
Result<Throughput> LogAppendOneWriter(const std::string& path, Durability durability, size_t batch,
                                      const EventData& event, double seconds) {
  auto log = OpenLog(path, durability);
  if (!log.ok()) return log.status();
  const std::string stream = "account-" + events::NewUuid();
  const std::vector<EventData> events(batch, event);
  auto run = RunForDuration(seconds, [&]() -> Result<uint64_t> {
    auto outcome = (*log)->Append(AppendRequest{stream, ExpectedVersion::Any(), events, {}});
    if (!outcome.ok()) return AppendFailure(outcome);
    return static_cast<uint64_t>(batch);
  });
  if (!run.ok()) return run;
  Status closed = VerifyAndClose(**log, run->events);
  if (!closed.ok()) return closed;
  return run;
}

struct ConcurrentLogRun {
  Throughput throughput;
  uint64_t commit_batches = 0;  // storage writes the log reported (0 if it reports none)
};

// `writers` threads, each appending single events to its own stream.
Result<ConcurrentLogRun> LogAppendConcurrent(const std::string& path, Durability durability,
                                             int writers, const EventData& event, double seconds) {
  auto log = OpenLog(path, durability);
  if (!log.ok()) return log.status();
  std::vector<std::string> streams;
  for (int w = 0; w < writers; ++w) streams.push_back("account-" + events::NewUuid());
  const uint64_t batches_before = (*log)->metrics().commit_batches.value();
  auto run = RunConcurrently(writers, seconds, [&](int writer) -> Status {
    auto outcome = (*log)->Append(
        AppendRequest{streams[static_cast<size_t>(writer)], ExpectedVersion::Any(), {event}, {}});
    if (!outcome.ok()) return AppendFailure(outcome);
    return Status::Ok();
  });
  if (!run.ok()) return run.status();
  ConcurrentLogRun result{*run, (*log)->metrics().commit_batches.value() - batches_before};
  Status closed = VerifyAndClose(**log, run->events);
  if (!closed.ok()) return closed;
  return result;
}

// Appends every history (one append per account, as created), reopens the log, and
// reads everything with ReadAll in pages of 1000 from position 1.
Result<Throughput> LogReadAll(const std::string& path, const History& history, double seconds) {
  const uint64_t total_events = history.total_events;
  {
    auto log = OpenLog(path, Durability::kAsync);
    if (!log.ok()) return log.status();
    for (const auto& h : history.accounts) {
      auto outcome =
          (*log)->Append(AppendRequest{h.stream, ExpectedVersion::NoStream(), h.events, {}});
      if (!outcome.ok()) return AppendFailure(outcome);
    }
    Status closed = VerifyAndClose(**log, total_events);
    if (!closed.ok()) return closed;
  }
  auto log = OpenLog(path, Durability::kSync);
  if (!log.ok()) return log.status();
  auto run = RunForDuration(seconds, [&]() -> Result<uint64_t> {
    store::ReadAllOptions options;
    options.from_position = 1;
    options.max_count = 1000;
    uint64_t read = 0;
    for (;;) {
      auto page = (*log)->ReadAll(options);
      if (!page.ok()) return Status(page.status().code(), "read all: " + page.status().message());
      if (page->empty()) break;
      if (page->front().position != options.from_position) {
        return Status::Internal("read all from " + std::to_string(options.from_position) +
                                " started at " + std::to_string(page->front().position));
      }
      read += page->size();
      options.from_position = page->back().position + 1;
    }
    if (read != total_events) {
      return Status::Internal("read all saw " + std::to_string(read) + " events, wrote " +
                              std::to_string(total_events));
    }
    return read;
  });
  if (!run.ok()) return run;
  Status closed = (*log)->Close();
  if (!closed.ok()) return closed;
  return run;
}

// ---------------------------------------------------------------------------------------
// Replay into actor state: the account actor's pure fold

// Folds one account's events into a fresh state with the actor's recovery fold, and
// checks that the state reached the last event.
Status ReplayOneAccount(const RecordedEvents& stream) {
  domain::AccountState state;
  Status s = domain::ReplayAccount(state, stream);
  if (!s.ok()) return s;
  if (state.version != stream.size() || !state.exists()) {
    return Status::Internal("replay of " + std::to_string(stream.size()) +
                            " events ended at version " + std::to_string(state.version));
  }
  return Status::Ok();
}

// Envelope bytes -> decode -> fold, account by account (as each actor reads its stream).
Result<Throughput> ReplayEnvelopes(const std::vector<std::vector<std::string>>& envelopes,
                                   double seconds) {
  return RunForDuration(seconds, [&]() -> Result<uint64_t> {
    uint64_t replayed = 0;
    RecordedEvents stream;
    for (const auto& account : envelopes) {
      stream.clear();
      for (const auto& bytes : account) {
        auto decoded = events::DecodeEnvelope(bytes);
        if (!decoded.ok()) return decoded.status();
        stream.push_back(std::move(decoded).value());
      }
      Status s = ReplayOneAccount(stream);
      if (!s.ok()) return s;
      replayed += stream.size();
    }
    return replayed;
  });
}

// The baseline: decoding the same envelopes, nothing folded.
Result<Throughput> DecodeEnvelopesOnly(const std::vector<std::vector<std::string>>& envelopes,
                                       double seconds) {
  return RunForDuration(seconds, [&]() -> Result<uint64_t> {
    uint64_t decoded_count = 0;
    uint64_t version_sink = 0;
    for (const auto& account : envelopes) {
      for (const auto& bytes : account) {
        auto decoded = events::DecodeEnvelope(bytes);
        if (!decoded.ok()) return decoded.status();
        version_sink += decoded->version;
        ++decoded_count;
      }
    }
    if (version_sink < decoded_count) return Status::Internal("decoded envelopes lack versions");
    return decoded_count;
  });
}

// The fold alone, over events already decoded (what an actor does with ReadStream's result).
Result<Throughput> FoldDecodedOnly(const std::vector<std::vector<std::string>>& envelopes,
                                   double seconds) {
  std::vector<RecordedEvents> streams(envelopes.size());
  for (size_t a = 0; a < envelopes.size(); ++a) {
    for (const auto& bytes : envelopes[a]) {
      auto decoded = events::DecodeEnvelope(bytes);
      if (!decoded.ok()) return decoded.status();
      streams[a].push_back(std::move(decoded).value());
    }
  }
  return RunForDuration(seconds, [&]() -> Result<uint64_t> {
    uint64_t replayed = 0;
    for (const auto& stream : streams) {
      Status s = ReplayOneAccount(stream);
      if (!s.ok()) return s;
      replayed += stream.size();
    }
    return replayed;
  });
}

// Recovery from the RocksDB log: ReadStream of each account's stream, then the fold.
Result<Throughput> RecoverFromLog(const std::string& path, const History& history, double seconds) {
  auto log = OpenLog(path, Durability::kSync);
  if (!log.ok()) return log.status();
  auto run = RunForDuration(seconds, [&]() -> Result<uint64_t> {
    uint64_t events_read = 0;
    for (const auto& h : history.accounts) {
      auto stream = (*log)->ReadStream(h.stream, store::ReadStreamOptions{});
      if (!stream.ok()) {
        return Status(stream.status().code(), "read stream: " + stream.status().message());
      }
      if (stream->size() != h.events.size()) {
        return Status::Internal("stream " + h.stream + " read " + std::to_string(stream->size()) +
                                " events, wrote " + std::to_string(h.events.size()));
      }
      Status s = ReplayOneAccount(*stream);
      if (!s.ok()) return s;
      events_read += stream->size();
    }
    return events_read;
  });
  if (!run.ok()) return run;
  Status closed = (*log)->Close();
  if (!closed.ok()) return closed;
  return run;
}

// ---------------------------------------------------------------------------------------
// Reporting

class Report {
 public:
  // A figure: printed as it is measured and kept for the JSON line.
  void Rate(const std::string& key, double per_second) {
    json_[key] = static_cast<uint64_t>(std::llround(per_second));
  }
  void Ratio(const std::string& key, double ours, double raw) {
    json_[key] = raw > 0 ? std::round(ours / raw * 1000) / 1000 : 0.0;
  }
  template <typename T>
  void Value(const std::string& key, T value) { json_[key] = value; }

  void Line(const std::string& text) { std::cout << text << '\n' << std::flush; }
  void PrintJsonLine() { std::cout << json_.dump() << '\n' << std::flush; }

 private:
  nlohmann::ordered_json json_;
};

std::string Thousands(double value) {
  std::string digits = std::to_string(static_cast<uint64_t>(std::llround(value)));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string Fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string RatioText(double ours, double raw) {
  return raw > 0 ? Fixed(ours / raw, 2) : "n/a";
}

// The targets (benchmarks, not tests).
constexpr double kAppendRatioTarget = 0.8;
constexpr double kConcurrentDurableTarget = 50'000;
constexpr double kReplayTarget = 1'000'000;

int Fail(std::string_view what, const Status& status) {
  std::cerr << "store_bench: " << what << " failed: " << status.ToString() << '\n';
  return 1;
}

int Run(const BenchConfig& config) {
  auto scratch_or = ScratchFolder::Create(config.scratch_parent);
  if (!scratch_or.ok()) return Fail("setup", scratch_or.status());
  const ScratchFolder& scratch = **scratch_or;
  const double seconds = config.seconds_per_case;
  Report report;

  // Reads and replay use this history; every append case appends its last account.updated.
  auto history_or = BuildHistory(config);
  if (!history_or.ok()) return Fail("building the account history", history_or.status());
  const History& history = *history_or;
  const EventData& event = history.accounts.front().events.back();
  const std::string& payload = event.payload;

  std::string build_note;
#if !defined(__OPTIMIZE__) || !defined(NDEBUG)
  build_note = "  WARNING: not an optimized release build, figures are not representative";
#endif
  report.Line("store_bench: RocksDB " + std::to_string(ROCKSDB_MAJOR) + "." +
              std::to_string(ROCKSDB_MINOR) + "." + std::to_string(ROCKSDB_PATCH) + ", payload " +
              std::to_string(payload.size()) + " B (" + event.type + "), " + Fixed(seconds, 2) +
              " s per case" + (config.quick ? ", QUICK smoke run (figures meaningless)" : "") +
              build_note);
  report.Value("payload_bytes", payload.size());
  report.Value("seconds_per_case", seconds);
  report.Value("quick", config.quick);

  // -- Appends: one writer, ours vs raw at the same batch size and durability.
  struct OneWriterCase {
    std::string name;      // JSON key infix
    Durability durability;
    size_t batch;
  };
  const std::vector<OneWriterCase> one_writer_cases = {
      {"sync_b1", Durability::kSync, 1},
      {"sync_b10", Durability::kSync, 10},
      {"sync_b100", Durability::kSync, 100},
      {"async_b1", Durability::kAsync, 1},
  };
  double worst_append_ratio = 1e9;
  for (const auto& c : one_writer_cases) {
    const bool sync = c.durability == Durability::kSync;
    const std::string raw_path = scratch.CasePath("raw_" + c.name);
    auto raw = RawAppendOneWriter(raw_path, c.batch, sync, payload, seconds);
    ScratchFolder::Discard(raw_path);
    if (!raw.ok()) return Fail("raw RocksDB " + c.name, raw.status());
    const std::string log_path = scratch.CasePath("log_" + c.name);
    auto ours = LogAppendOneWriter(log_path, c.durability, c.batch, event, seconds);
    ScratchFolder::Discard(log_path);
    if (!ours.ok()) return Fail("event log " + c.name, ours.status());

    const double ours_rate = ours->OperationsPerSecond();
    const double raw_rate = raw->OperationsPerSecond();
    worst_append_ratio = std::min(worst_append_ratio, raw_rate > 0 ? ours_rate / raw_rate : 0);
    report.Line("append " + std::string(sync ? "sync " : "async") + " batch " +
                std::to_string(c.batch) + ", 1 writer: " + Thousands(ours_rate) + " appends/s (" +
                Thousands(ours->EventsPerSecond()) + " events/s)  raw RocksDB " +
                Thousands(raw_rate) + " batches/s  ratio " + RatioText(ours_rate, raw_rate) +
                "  (target >= " + Fixed(kAppendRatioTarget, 1) + ")");
    report.Rate("append_" + c.name + "_per_s", ours_rate);
    if (c.batch > 1) report.Rate("append_" + c.name + "_events_per_s", ours->EventsPerSecond());
    report.Rate("raw_" + c.name + "_per_s", raw_rate);
    report.Ratio("ratio_" + c.name, ours_rate, raw_rate);
  }

  // -- Appends: many writers of single events, durable (group commit).
  {
    const int writers = config.concurrent_writers;
    const std::string name = "sync_w" + std::to_string(writers);
    const std::string raw_path = scratch.CasePath("raw_" + name);
    auto raw = RawAppendConcurrent(raw_path, writers, /*sync=*/true, payload, seconds);
    ScratchFolder::Discard(raw_path);
    if (!raw.ok()) return Fail("raw RocksDB " + name, raw.status());
    const std::string log_path = scratch.CasePath("log_" + name);
    auto ours = LogAppendConcurrent(log_path, Durability::kSync, writers, event, seconds);
    ScratchFolder::Discard(log_path);
    if (!ours.ok()) return Fail("event log " + name, ours.status());

    const double ours_rate = ours->throughput.OperationsPerSecond();
    const double raw_rate = raw->OperationsPerSecond();
    const double per_commit =
        ours->commit_batches > 0
            ? static_cast<double>(ours->throughput.events) / static_cast<double>(ours->commit_batches)
            : 0;
    worst_append_ratio = std::min(worst_append_ratio, raw_rate > 0 ? ours_rate / raw_rate : 0);
    report.Line("append sync  batch 1, " + std::to_string(writers) + " writers: " +
                Thousands(ours_rate) + " appends/s (" + Fixed(per_commit, 1) +
                " appends per synced commit)  raw RocksDB " + Thousands(raw_rate) +
                " writes/s  ratio " + RatioText(ours_rate, raw_rate) + "  (target >= " +
                Thousands(kConcurrentDurableTarget) + " appends/s and ratio >= " +
                Fixed(kAppendRatioTarget, 1) + ")");
    report.Rate("append_" + name + "_per_s", ours_rate);
    report.Rate("raw_" + name + "_per_s", raw_rate);
    report.Ratio("ratio_" + name, ours_rate, raw_rate);
    report.Value("appends_per_commit_" + name, std::round(per_commit * 10) / 10);
    report.Value("meets_concurrent_target", ours_rate >= kConcurrentDurableTarget);
  }
  report.Value("meets_append_ratio_target", worst_append_ratio >= kAppendRatioTarget);

  // -- Reads and replay share one history of account events.
  const uint64_t total_events = history.total_events;
  report.Value("history_events", total_events);
  const std::string history_log_path = scratch.CasePath("log_history");
  {
    const std::string raw_path = scratch.CasePath("raw_scan");
    auto raw = RawScan(raw_path, history, seconds);
    ScratchFolder::Discard(raw_path);
    if (!raw.ok()) return Fail("raw RocksDB scan", raw.status());
    auto ours = LogReadAll(history_log_path, history, seconds);
    if (!ours.ok()) return Fail("event log read all", ours.status());
    const double ours_rate = ours->EventsPerSecond();
    const double raw_rate = raw->EventsPerSecond();
    report.Line("read all, pages of 1000, " + Thousands(static_cast<double>(total_events)) +
                " events: " + Thousands(ours_rate) + " events/s  raw RocksDB iterator " +
                Thousands(raw_rate) + " records/s  ratio " + RatioText(ours_rate, raw_rate));
    report.Rate("read_all_per_s", ours_rate);
    report.Rate("raw_scan_per_s", raw_rate);
    report.Ratio("ratio_read_all", ours_rate, raw_rate);
  }
  {
    const std::vector<std::vector<std::string>> envelopes = EncodeHistory(history);
    auto replay = ReplayEnvelopes(envelopes, seconds);
    if (!replay.ok()) return Fail("replay", replay.status());
    auto decode = DecodeEnvelopesOnly(envelopes, seconds);
    if (!decode.ok()) return Fail("decode only", decode.status());
    auto fold = FoldDecodedOnly(envelopes, seconds);
    if (!fold.ok()) return Fail("fold only", fold.status());
    auto recover = RecoverFromLog(history_log_path, history, seconds);
    ScratchFolder::Discard(history_log_path);
    if (!recover.ok()) return Fail("recover from log", recover.status());

    const double replay_rate = replay->EventsPerSecond();
    const double decode_rate = decode->EventsPerSecond();
    report.Line("replay into account state (decode envelope + fold), " +
                Thousands(static_cast<double>(total_events)) + " events in " +
                std::to_string(config.history_accounts) + " accounts: " + Thousands(replay_rate) +
                " events/s  decode only " + Thousands(decode_rate) + " events/s  ratio " +
                RatioText(replay_rate, decode_rate) + "  (target >= " + Thousands(kReplayTarget) +
                " events/s)");
    report.Line("fold only (events already decoded): " + Thousands(fold->EventsPerSecond()) +
                " events/s");
    report.Line("recover from the RocksDB log (ReadStream per account + fold): " +
                Thousands(recover->EventsPerSecond()) + " events/s");
    report.Rate("replay_per_s", replay_rate);
    report.Rate("decode_only_per_s", decode_rate);
    report.Ratio("ratio_replay", replay_rate, decode_rate);
    report.Rate("fold_only_per_s", fold->EventsPerSecond());
    report.Rate("recover_from_log_per_s", recover->EventsPerSecond());
    report.Value("meets_replay_target", replay_rate >= kReplayTarget);
  }

  report.PrintJsonLine();
  return 0;
}

}  // namespace
}  // namespace dialtone::bench

int main(int argc, char** argv) {
  dialtone::bench::BenchConfig config;
  bool help = false;
  if (auto error = dialtone::bench::ParseFlags(argc, argv, config, help)) {
    std::cerr << "store_bench: " << *error << "\n" << dialtone::bench::kUsage;
    return 2;
  }
  if (help) {
    std::cout << dialtone::bench::kUsage;
    return 0;
  }
  return dialtone::bench::Run(config);
}
