// Opening the RocksDB event log on folders that are locked, unreachable or damaged: a
// typed error with one line naming the folder, never a crash and never a silent repair.
#define BOOST_TEST_MODULE store_recovery_test
#include <boost/test/unit_test.hpp>

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store/rocksdb_log.h"
#include "tests/crash/writer_process.h"

namespace {

using dialtone::ErrorCode;
using dialtone::Status;
using dialtone::store::AppendRequest;
using dialtone::store::EventLog;
using dialtone::store::ExpectedVersion;
using dialtone::store::OpenRocksDbLog;
using dialtone::store::RocksDbLogOptions;

struct TempFolder {
  TempFolder() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "dialtone-recovery-XXXXXX").string();
    BOOST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::string path;
};

RocksDbLogOptions At(const std::string& path) {
  RocksDbLogOptions options;
  options.path = path;
  return options;
}

// The open error's status, which must be one line naming `path`.
Status OpenError(const RocksDbLogOptions& options) {
  auto opened = OpenRocksDbLog(options);
  BOOST_REQUIRE_MESSAGE(!opened.ok(), "opening '" << options.path << "' unexpectedly succeeded");
  const Status status = opened.status();
  BOOST_TEST_MESSAGE(status.ToString());
  BOOST_CHECK_EQUAL(status.message().find('\n'), std::string::npos);
  BOOST_CHECK_MESSAGE(status.message().find(options.path) != std::string::npos,
                      "message does not name the folder: " << status.message());
  return status;
}

AppendRequest Events(const std::string& stream, int count) {
  AppendRequest request;
  request.stream = stream;
  request.expected = ExpectedVersion::Any();
  for (int i = 0; i < count; ++i) {
    dialtone::events::EventData data;
    data.type = "test.event";
    data.payload = "payload-" + std::to_string(i);
    request.events.push_back(std::move(data));
  }
  return request;
}

// Creates a log at `path` holding `count` events of stream "s".
void CreateLog(const std::string& path, int count) {
  auto log = OpenRocksDbLog(At(path));
  BOOST_REQUIRE(log.ok());
  BOOST_REQUIRE((*log)->Append(Events("s", count)).ok());
  BOOST_REQUIRE((*log)->Close().ok());
}

std::string BigEndian(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
  return out;
}

// Opens the folder as a plain RocksDB with the log's column families (FORMAT.md) and lets
// `edit` damage it: handles are default, log, streams, meta, snapshots.
void EditRaw(
    const std::string& path,
    const std::function<void(rocksdb::DB&, std::vector<rocksdb::ColumnFamilyHandle*>&)>& edit) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : {"default", "log", "streams", "meta", "snapshots"}) {
    families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(rocksdb::DBOptions(), path, families, &handles, &raw);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  edit(*db, handles);
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
  BOOST_REQUIRE(db->Close().ok());
}

}  // namespace

BOOST_AUTO_TEST_CASE(FolderLockedByAnotherProcessIsBusy) {
  TempFolder folder;
  const std::string path = folder.path + "/log";
  dialtone::crash::WriterProcess writer({path, "load", "0"});
  BOOST_REQUIRE(writer.ReadLine().has_value());  // the writer holds the folder open now
  BOOST_CHECK(OpenError(At(path)).code() == ErrorCode::kBusy);
}

BOOST_AUTO_TEST_CASE(SecondOpenOfAnOpenFolderInTheSameProcessIsBusy) {
  TempFolder folder;
  auto first = OpenRocksDbLog(At(folder.path));
  BOOST_REQUIRE(first.ok());
  BOOST_CHECK(OpenError(At(folder.path)).code() == ErrorCode::kBusy);
  BOOST_REQUIRE((*first)->Close().ok());
  BOOST_CHECK(OpenRocksDbLog(At(folder.path)).ok());  // closing released the folder
}

BOOST_AUTO_TEST_CASE(MissingParentFolderIsAnIOError) {
  TempFolder folder;
  BOOST_CHECK(OpenError(At(folder.path + "/no-such-parent/log")).code() == ErrorCode::kIOError);
  BOOST_CHECK(!std::filesystem::exists(folder.path + "/no-such-parent"));
}

BOOST_AUTO_TEST_CASE(PathUnderARegularFileIsAnIOError) {
  TempFolder folder;
  std::ofstream(folder.path + "/file") << "not a folder";
  BOOST_CHECK(OpenError(At(folder.path + "/file/log")).code() == ErrorCode::kIOError);
}

BOOST_AUTO_TEST_CASE(MissingLogWithoutCreateIfMissingIsNotFoundAndCreatesNothing) {
  TempFolder folder;
  RocksDbLogOptions options = At(folder.path + "/log");
  options.create_if_missing = false;
  BOOST_CHECK(OpenError(options).code() == ErrorCode::kNotFound);
  BOOST_CHECK(!std::filesystem::exists(options.path + "/CURRENT"));
}

BOOST_AUTO_TEST_CASE(InvalidOptionsAreRejectedBeforeTouchingTheDisk) {
  BOOST_CHECK(OpenRocksDbLog(At("")).status().code() == ErrorCode::kInvalidArgument);
  TempFolder folder;
  RocksDbLogOptions options = At(folder.path + "/log");
  options.max_group_events = 0;
  BOOST_CHECK(OpenRocksDbLog(options).status().code() == ErrorCode::kInvalidArgument);
  BOOST_CHECK(!std::filesystem::exists(options.path));
}

BOOST_AUTO_TEST_CASE(GarbledCurrentFileIsCorruption) {
  TempFolder folder;
  CreateLog(folder.path, 3);
  std::ofstream(folder.path + "/CURRENT", std::ios::trunc) << "garbage";
  BOOST_CHECK(OpenError(At(folder.path)).code() == ErrorCode::kCorruption);
}

BOOST_AUTO_TEST_CASE(StoredHeadAheadOfTheLastLoggedPositionIsCorruption) {
  TempFolder folder;
  CreateLog(folder.path, 3);
  EditRaw(folder.path, [](rocksdb::DB& db, auto& cf) {
    BOOST_REQUIRE(db.Delete(rocksdb::WriteOptions(), cf[1], BigEndian(3)).ok());
  });
  const Status status = OpenError(At(folder.path));
  BOOST_CHECK(status.code() == ErrorCode::kCorruption);
  BOOST_CHECK(status.message().find("head is 3") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(MissingStoredHeadWithEventsInTheLogIsCorruption) {
  TempFolder folder;
  CreateLog(folder.path, 2);
  EditRaw(folder.path, [](rocksdb::DB& db, auto& cf) {
    BOOST_REQUIRE(db.Delete(rocksdb::WriteOptions(), cf[3], "H").ok());
  });
  BOOST_CHECK(OpenError(At(folder.path)).code() == ErrorCode::kCorruption);
}

BOOST_AUTO_TEST_CASE(GarbledLastEnvelopeIsCorruption) {
  TempFolder folder;
  CreateLog(folder.path, 2);
  EditRaw(folder.path, [](rocksdb::DB& db, auto& cf) {
    BOOST_REQUIRE(db.Put(rocksdb::WriteOptions(), cf[1], BigEndian(2), "\xff\xff\xff").ok());
  });
  BOOST_CHECK(OpenError(At(folder.path)).code() == ErrorCode::kCorruption);
}

BOOST_AUTO_TEST_CASE(GarbledEnvelopeInsideTheLogReadsAsCorruption) {
  TempFolder folder;
  CreateLog(folder.path, 3);
  EditRaw(folder.path, [](rocksdb::DB& db, auto& cf) {
    BOOST_REQUIRE(db.Put(rocksdb::WriteOptions(), cf[1], BigEndian(2), "\xff\xff\xff").ok());
  });
  auto log = OpenRocksDbLog(At(folder.path));
  BOOST_REQUIRE(log.ok());  // only the last envelope is checked on open
  auto all = (*log)->ReadAll({});
  BOOST_CHECK(all.status().code() == ErrorCode::kCorruption);
  auto stream = (*log)->ReadStream("s", {});
  BOOST_CHECK(stream.status().code() == ErrorCode::kCorruption);
  dialtone::store::ReadAllOptions just_the_first;
  just_the_first.max_count = 1;
  auto first = (*log)->ReadAll(just_the_first);
  BOOST_REQUIRE(first.ok());  // reads that stop before the damage still work
  BOOST_CHECK_EQUAL(first->size(), 1u);
}

BOOST_AUTO_TEST_CASE(GapInsideTheLogReadsAsCorruption) {
  TempFolder folder;
  CreateLog(folder.path, 3);
  EditRaw(folder.path, [](rocksdb::DB& db, auto& cf) {
    BOOST_REQUIRE(db.Delete(rocksdb::WriteOptions(), cf[1], BigEndian(2)).ok());
  });
  auto log = OpenRocksDbLog(At(folder.path));
  BOOST_REQUIRE(log.ok());
  BOOST_CHECK((*log)->ReadAll({}).status().code() == ErrorCode::kCorruption);
  BOOST_CHECK((*log)->ReadStream("s", {}).status().code() == ErrorCode::kCorruption);
}

BOOST_AUTO_TEST_CASE(FolderOfAnotherRocksDbIsNotALog) {
  TempFolder folder;
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    BOOST_REQUIRE(rocksdb::DB::Open(options, folder.path, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    BOOST_REQUIRE(db->Put(rocksdb::WriteOptions(), "someone", "else's data").ok());
    BOOST_REQUIRE(db->Close().ok());
  }
  BOOST_CHECK(OpenError(At(folder.path)).code() == ErrorCode::kCorruption);
  std::vector<std::string> families;
  BOOST_REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), folder.path, &families).ok());
  BOOST_CHECK_EQUAL(families.size(), 1u);  // the refused database was not changed
}

BOOST_AUTO_TEST_CASE(FailedWriteFailsItsAppendAndEveryLaterWriteUntilReopened) {
  TempFolder folder;
  const std::string path = folder.path + "/log";
  // crash_writer checks the in-process half (see its failing-disk mode).
  dialtone::crash::WriterProcess writer({path, "failing-disk"});
  std::vector<std::string> lines;
  const int status = writer.Finish(&lines);
  BOOST_REQUIRE_MESSAGE(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                        "crash_writer failing-disk failed, status " << status);
  BOOST_REQUIRE_EQUAL(lines.size(), 1u);
  BOOST_CHECK_EQUAL(lines[0], "failed-write-refused");

  // Reopened, the log holds exactly what was acknowledged and accepts appends again.
  auto log = OpenRocksDbLog(At(path));
  BOOST_REQUIRE_MESSAGE(log.ok(), log.status().ToString());
  BOOST_CHECK_EQUAL((*log)->HeadPosition(), 1u);
  BOOST_CHECK_EQUAL(*(*log)->StreamVersion("s"), 1u);
  AppendRequest next = Events("s", 1);
  next.expected = ExpectedVersion::Exact(1);
  next.idempotency_key = "key-too-big";  // the failed append's key was not recorded
  auto appended = (*log)->Append(std::move(next));
  BOOST_REQUIRE(appended.ok());
  BOOST_CHECK(!appended->deduplicated);
  BOOST_CHECK_EQUAL(appended->first_position, 2u);
}

BOOST_AUTO_TEST_CASE(ReopenAfterACleanCloseKeepsHeadAndStreamVersions) {
  TempFolder folder;
  CreateLog(folder.path, 4);
  auto log = OpenRocksDbLog(At(folder.path));
  BOOST_REQUIRE(log.ok());
  BOOST_CHECK_EQUAL((*log)->HeadPosition(), 4u);
  BOOST_CHECK_EQUAL(*(*log)->StreamVersion("s"), 4u);
  AppendRequest next = Events("s", 1);
  next.expected = ExpectedVersion::Exact(4);
  auto appended = (*log)->Append(std::move(next));
  BOOST_REQUIRE(appended.ok());
  BOOST_CHECK_EQUAL(appended->first_position, 5u);
  BOOST_CHECK_EQUAL(appended->first_version, 5u);
}
