// EventLog conformance suite, part 2: reading streams and the global log, stream
// deletion, snapshots.
#include <string>
#include <vector>

#include "tests/store/log_fixture.h"

namespace dialtone::store::conformance {
namespace {

// The sample log every read test runs against (one event per append):
//   position  stream     version  type
//   1         account-1  1        account.created
//   2         queue-1    1        queue.created
//   3         account-1  2        account.updated
//   4         account-1  3        account.updated
//   5         account-2  1        account.created
//   6         queue-1    2        queue.updated
//   7         account-1  4        account.suspended
//   8         account-1  5        account.updated
void AppendSampleLog(EventLog& log) {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"account-1", "account.created"}, {"queue-1", "queue.created"},
      {"account-1", "account.updated"}, {"account-1", "account.updated"},
      {"account-2", "account.created"}, {"queue-1", "queue.updated"},
      {"account-1", "account.suspended"}, {"account-1", "account.updated"},
  };
  for (size_t i = 0; i < rows.size(); ++i) {
    AppendRequest request;
    request.stream = rows[i].first;
    request.events = {MakeEventData(rows[i].second, "p" + std::to_string(i + 1))};
    AppendOk(log, std::move(request));
  }
  BOOST_TEST_REQUIRE(log.HeadPosition() == 8u);
}

using Positions = Numbers;

ReadAllOptions All(uint64_t from, size_t count = 1000, Direction direction = Direction::kForward) {
  ReadAllOptions o;
  o.from_position = from;
  o.max_count = count;
  o.direction = direction;
  return o;
}

ReadAllOptions Filtered(std::string prefix, std::string type, uint64_t from = 1,
                        size_t count = 1000, Direction direction = Direction::kForward) {
  ReadAllOptions o = All(from, count, direction);
  o.stream_prefix = std::move(prefix);
  o.event_type = std::move(type);
  return o;
}

ReadStreamOptions Stream(uint64_t from, size_t count = SIZE_MAX,
                         Direction direction = Direction::kForward) {
  return ReadStreamOptions{.from_version = from, .max_count = count, .direction = direction};
}

Positions ReadAllPositions(const EventLog& log, const ReadAllOptions& o) {
  return PositionsOf(ReadAllOk(log, o));
}
Numbers ReadStreamVersions(const EventLog& log, std::string_view stream,
                                         const ReadStreamOptions& o) {
  return VersionsOf(ReadStreamOk(log, stream, o));
}

constexpr Direction kBack = Direction::kBackward;

// ---- Empty and unknown ----------------------------------------------------------------

CONFORMANCE_TEST(EmptyLogHasHeadZeroAndReadsAsEmpty) {
  BOOST_TEST(log().HeadPosition() == 0u);
  BOOST_TEST(ReadAllOk(log(), All(1)).empty());
  BOOST_TEST(ReadAllOk(log(), All(0)).empty());
  BOOST_TEST(ReadAllOk(log(), All(kEnd, 10, kBack)).empty());
  BOOST_TEST(ReadAllOk(log(), Filtered("account-", "account.created")).empty());
}

CONFORMANCE_TEST(UnknownStreamReadsAsEmptyAtVersionZero) {
  AppendSampleLog(log());
  for (const std::string stream : {"account-9", "nothing", "account-", "account"}) {
    BOOST_TEST(StreamVersionOk(log(), stream) == 0u, stream);
    BOOST_TEST(ReadStreamOk(log(), stream, Stream(1)).empty(), stream);
    BOOST_TEST(ReadStreamOk(log(), stream, Stream(kEnd, SIZE_MAX, kBack)).empty(), stream);
  }
}

CONFORMANCE_TEST(StreamWhoseIdIsAPrefixOfAnotherReadsOnlyItsOwnEvents) {
  AppendOk(log(), MakeRequest("account-10", ExpectedVersion::Any(), 3));
  AppendOk(log(), MakeRequest("account-1", ExpectedVersion::Any(), 2));
  AppendOk(log(), MakeRequest("account-1x", ExpectedVersion::Any(), 4));
  AppendOk(log(), MakeRequest("account-", ExpectedVersion::Any(), 1));
  BOOST_TEST(StreamVersionOk(log(), "account-1") == 2u);
  BOOST_TEST(PayloadsOf(ReadEntireStream(log(), "account-1")) ==
             (Strings{"account-1/1", "account-1/2"}));
  BOOST_TEST(PayloadsOf(ReadStreamOk(log(), "account-1", Stream(kEnd, SIZE_MAX, kBack))) ==
             (Strings{"account-1/2", "account-1/1"}));
  BOOST_TEST(ReadStreamVersions(log(), "account-", Stream(kEnd, SIZE_MAX, kBack)) ==
             (Numbers{1}));
  BOOST_TEST(ReadStreamVersions(log(), "account-10", Stream(2)) == (Numbers{2, 3}));
  CheckLogInvariants(log());
}

// ---- Stream versions and reads -------------------------------------------------------

CONFORMANCE_TEST(StreamVersionsAreContiguousWhileStreamsInterleave) {
  AppendSampleLog(log());
  BOOST_TEST(StreamVersionOk(log(), "account-1") == 5u);
  BOOST_TEST(StreamVersionOk(log(), "queue-1") == 2u);
  BOOST_TEST(StreamVersionOk(log(), "account-2") == 1u);
  const RecordedEvents account = ReadEntireStream(log(), "account-1");
  BOOST_TEST(VersionsOf(account) == Range(1, 5));
  BOOST_TEST(PositionsOf(account) == (Positions{1, 3, 4, 7, 8}));
  CheckLogInvariants(log());
}

CONFORMANCE_TEST(ReadStreamFromAVersionStartsAtThatVersion) {
  AppendSampleLog(log());
  BOOST_TEST(ReadStreamVersions(log(), "account-1", Stream(3)) == (Numbers{3, 4, 5}));
  BOOST_TEST(ReadStreamVersions(log(), "account-1", Stream(5)) == (Numbers{5}));
}

CONFORMANCE_TEST(ReadStreamFromVersionZeroReadsFromTheStart) {
  AppendSampleLog(log());
  BOOST_TEST(ReadStreamVersions(log(), "account-1", Stream(0)) == Range(1, 5));
}

CONFORMANCE_TEST(ReadStreamFromBeyondItsVersionIsEmpty) {
  AppendSampleLog(log());
  BOOST_TEST(ReadStreamOk(log(), "account-1", Stream(6)).empty());
  BOOST_TEST(ReadStreamOk(log(), "account-1", Stream(1000)).empty());
  BOOST_TEST(ReadStreamOk(log(), "account-1", Stream(kEnd)).empty());
}

CONFORMANCE_TEST(ReadStreamReturnsAtMostCountEvents) {
  AppendSampleLog(log());
  BOOST_TEST(ReadStreamOk(log(), "account-1", Stream(1, 0)).empty());
  BOOST_TEST(ReadStreamVersions(log(), "account-1", Stream(1, 1)) == (Numbers{1}));
  BOOST_TEST(ReadStreamVersions(log(), "account-1", Stream(2, 2)) == (Numbers{2, 3}));
  BOOST_TEST(ReadStreamVersions(log(), "account-1", Stream(4, 10)) == (Numbers{4, 5}));
}

CONFORMANCE_TEST(ReadStreamBackwardFromTheEndReturnsNewestFirst) {
  AppendSampleLog(log());
  BOOST_TEST(ReadStreamVersions(log(), "account-1", Stream(kEnd, SIZE_MAX, kBack)) ==
             (Numbers{5, 4, 3, 2, 1}));
  BOOST_TEST(ReadStreamVersions(log(), "account-1", Stream(kEnd, 2, kBack)) ==
             (Numbers{5, 4}));
  BOOST_TEST(ReadStreamVersions(log(), "account-1", Stream(kEnd, 1, kBack)) ==
             (Numbers{5}));
  BOOST_TEST(ReadStreamOk(log(), "account-1", Stream(kEnd, 0, kBack)).empty());
}

CONFORMANCE_TEST(ReadStreamBackwardFromAVersionIncludesThatVersion) {
  AppendSampleLog(log());
  BOOST_TEST(ReadStreamVersions(log(), "account-1", Stream(3, SIZE_MAX, kBack)) ==
             (Numbers{3, 2, 1}));
  BOOST_TEST(ReadStreamVersions(log(), "account-1", Stream(3, 1, kBack)) ==
             (Numbers{3}));
  BOOST_TEST(ReadStreamVersions(log(), "account-1", Stream(1, SIZE_MAX, kBack)) ==
             (Numbers{1}));
}

CONFORMANCE_TEST(ReadStreamAndReadAllReturnTheSameEvents) {
  AppendSampleLog(log());
  const RecordedEvents all = ReadEntireLog(log());
  const RecordedEvents stream = ReadEntireStream(log(), "queue-1");
  BOOST_TEST_REQUIRE(stream.size() == 2u);
  BOOST_TEST(stream[0] == all[1]);
  BOOST_TEST(stream[1] == all[5]);
}

// ---- Reading the global log -----------------------------------------------------------

CONFORMANCE_TEST(ReadAllFromAPositionStartsAtThatPosition) {
  AppendSampleLog(log());
  BOOST_TEST(ReadAllPositions(log(), All(1)) == Range(1, 8));
  BOOST_TEST(ReadAllPositions(log(), All(5)) == Range(5, 8));
  BOOST_TEST(ReadAllPositions(log(), All(8)) == (Positions{8}));
}

CONFORMANCE_TEST(ReadAllFromPositionZeroReadsFromTheStart) {
  AppendSampleLog(log());
  BOOST_TEST(ReadAllPositions(log(), All(0)) == Range(1, 8));
}

CONFORMANCE_TEST(ReadAllFromBeyondTheHeadIsEmpty) {
  AppendSampleLog(log());
  BOOST_TEST(ReadAllOk(log(), All(9)).empty());
  BOOST_TEST(ReadAllOk(log(), All(1'000'000)).empty());
  BOOST_TEST(ReadAllOk(log(), All(kEnd)).empty());
}

CONFORMANCE_TEST(ReadAllReturnsAtMostCountEvents) {
  AppendSampleLog(log());
  BOOST_TEST(ReadAllOk(log(), All(1, 0)).empty());
  BOOST_TEST(ReadAllPositions(log(), All(1, 1)) == (Positions{1}));
  BOOST_TEST(ReadAllPositions(log(), All(3, 3)) == (Positions{3, 4, 5}));
  BOOST_TEST(ReadAllPositions(log(), All(7, 5)) == (Positions{7, 8}));
}

CONFORMANCE_TEST(ReadAllReturnsAtMostAThousandEventsByDefault) {
  AppendOk(log(), MakeRequest("big", ExpectedVersion::Any(), 1001));
  BOOST_TEST(ReadAllPositions(log(), ReadAllOptions{}) == Range(1, 1000));
}

CONFORMANCE_TEST(ReadAllBackwardFromTheEndReturnsNewestFirst) {
  AppendSampleLog(log());
  BOOST_TEST(ReadAllPositions(log(), All(kEnd, 1000, kBack)) ==
             (Positions{8, 7, 6, 5, 4, 3, 2, 1}));
  BOOST_TEST(ReadAllPositions(log(), All(kEnd, 3, kBack)) == (Positions{8, 7, 6}));
  BOOST_TEST(ReadAllPositions(log(), All(kEnd, 1, kBack)) == (Positions{8}));
  BOOST_TEST(ReadAllOk(log(), All(kEnd, 0, kBack)).empty());
}

CONFORMANCE_TEST(ReadAllBackwardFromAPositionIncludesThatPosition) {
  AppendSampleLog(log());
  BOOST_TEST(ReadAllPositions(log(), All(4, 1000, kBack)) == (Positions{4, 3, 2, 1}));
  BOOST_TEST(ReadAllPositions(log(), All(4, 2, kBack)) == (Positions{4, 3}));
  BOOST_TEST(ReadAllPositions(log(), All(1, 1000, kBack)) == (Positions{1}));
}

CONFORMANCE_TEST(ReadAllInPagesReassemblesTheWholeLog) {
  AppendSampleLog(log());
  Positions forward;
  for (uint64_t from = 1;;) {
    const RecordedEvents page = ReadAllOk(log(), All(from, 3));
    if (page.empty()) break;
    BOOST_TEST_REQUIRE(page.size() <= 3u);
    for (const auto& e : page) forward.push_back(e.position);
    from = page.back().position + 1;
  }
  BOOST_TEST(forward == Range(1, 8));
  Positions backward;
  for (uint64_t from = kEnd;;) {
    const RecordedEvents page = ReadAllOk(log(), All(from, 3, kBack));
    if (page.empty()) break;
    for (const auto& e : page) backward.push_back(e.position);
    if (page.back().position == 1) break;
    from = page.back().position - 1;
  }
  BOOST_TEST(backward == (Positions{8, 7, 6, 5, 4, 3, 2, 1}));
}

CONFORMANCE_TEST(ReadAllFilteredByStreamPrefixReturnsOnlyThoseStreams) {
  AppendSampleLog(log());
  BOOST_TEST(ReadAllPositions(log(), Filtered("account-", "")) == (Positions{1, 3, 4, 5, 7, 8}));
  BOOST_TEST(ReadAllPositions(log(), Filtered("queue-", "")) == (Positions{2, 6}));
  BOOST_TEST(ReadAllPositions(log(), Filtered("account-2", "")) == (Positions{5}));
  BOOST_TEST(ReadAllOk(log(), Filtered("calls-", "")).empty());
}

CONFORMANCE_TEST(ReadAllFilteredCountsOnlyMatchingEvents) {
  AppendSampleLog(log());
  BOOST_TEST(ReadAllPositions(log(), Filtered("account-", "", 1, 2)) == (Positions{1, 3}));
  BOOST_TEST(ReadAllPositions(log(), Filtered("account-", "", 5, 2)) == (Positions{5, 7}));
  BOOST_TEST(ReadAllPositions(log(), Filtered("queue-", "", 3, 1)) == (Positions{6}));
  BOOST_TEST(ReadAllOk(log(), Filtered("queue-", "", 7)).empty());
}

CONFORMANCE_TEST(ReadAllFilteredByEventTypeReturnsOnlyThatType) {
  AppendSampleLog(log());
  BOOST_TEST(ReadAllPositions(log(), Filtered("", "account.updated")) == (Positions{3, 4, 8}));
  BOOST_TEST(ReadAllPositions(log(), Filtered("", "account.updated", 1, 2)) == (Positions{3, 4}));
  BOOST_TEST(ReadAllPositions(log(), Filtered("", "queue.created")) == (Positions{2}));
  BOOST_TEST(ReadAllOk(log(), Filtered("", "account")).empty());
  BOOST_TEST(ReadAllOk(log(), Filtered("", "no.such.type")).empty());
}

CONFORMANCE_TEST(ReadAllFilteredByPrefixAndTypeReturnsEventsMatchingBoth) {
  AppendSampleLog(log());
  BOOST_TEST(ReadAllPositions(log(), Filtered("account-2", "account.created")) == (Positions{5}));
  BOOST_TEST(ReadAllOk(log(), Filtered("queue-", "account.created")).empty());
}

CONFORMANCE_TEST(ReadAllBackwardFilteredReturnsNewestMatchesFirst) {
  AppendSampleLog(log());
  BOOST_TEST(ReadAllPositions(log(), Filtered("queue-", "", kEnd, 1000, kBack)) == (Positions{6, 2}));
  BOOST_TEST(ReadAllPositions(log(), Filtered("", "account.updated", kEnd, 1, kBack)) ==
             (Positions{8}));
  BOOST_TEST(ReadAllPositions(log(), Filtered("account-", "", 6, 2, kBack)) == (Positions{5, 4}));
}

// ---- Deletion -----------------------------------------------------------------------------

CONFORMANCE_TEST(DeletedStreamReadsAsEmptyButKeepsItsVersion) {
  AppendSampleLog(log());
  auto deleted = log().DeleteStream("account-1", ExpectedVersion::Exact(5));
  BOOST_TEST_REQUIRE(deleted.ok(), deleted.status().ToString());
  BOOST_TEST(*deleted == 5u);
  BOOST_TEST(StreamVersionOk(log(), "account-1") == 5u);
  BOOST_TEST(ReadStreamOk(log(), "account-1", Stream(1)).empty());
  BOOST_TEST(ReadStreamOk(log(), "account-1", Stream(0)).empty());
  BOOST_TEST(ReadStreamOk(log(), "account-1", Stream(kEnd, SIZE_MAX, kBack)).empty());
  BOOST_TEST(ReadStreamVersions(log(), "queue-1", Stream(1)) == (Numbers{1, 2}));
}

CONFORMANCE_TEST(DeletedStreamsEventsStayInTheGlobalLog) {
  AppendSampleLog(log());
  const RecordedEvents before = ReadEntireLog(log());
  BOOST_TEST_REQUIRE(log().DeleteStream("account-1", ExpectedVersion::Any()).ok());
  BOOST_TEST(log().HeadPosition() == 8u);
  const RecordedEvents after = ReadEntireLog(log());
  BOOST_TEST_REQUIRE(after.size() == before.size());
  for (size_t i = 0; i < after.size(); ++i) BOOST_TEST(after[i] == before[i]);
  BOOST_TEST(ReadAllPositions(log(), Filtered("account-1", "")) == (Positions{1, 3, 4, 7, 8}));
}

CONFORMANCE_TEST(AppendAfterDeleteContinuesAtTheNextVersionAndReadsOnlyNewEvents) {
  AppendSampleLog(log());
  BOOST_TEST_REQUIRE(log().DeleteStream("account-1", ExpectedVersion::Any()).ok());
  const AppendResult next = AppendOk(log(), MakeRequest("account-1", ExpectedVersion::Exact(5), 2));
  BOOST_TEST(next.first_version == 6u);
  BOOST_TEST(next.last_version == 7u);
  BOOST_TEST(next.first_position == 9u);
  BOOST_TEST(StreamVersionOk(log(), "account-1") == 7u);
  BOOST_TEST(ReadStreamVersions(log(), "account-1", Stream(1)) == (Numbers{6, 7}));
  BOOST_TEST(ReadStreamVersions(log(), "account-1", Stream(0)) == (Numbers{6, 7}));
  BOOST_TEST(ReadStreamVersions(log(), "account-1", Stream(7)) == (Numbers{7}));
  BOOST_TEST(ReadStreamVersions(log(), "account-1", Stream(kEnd, SIZE_MAX, kBack)) ==
             (Numbers{7, 6}));
  BOOST_TEST(ReadStreamOk(log(), "account-1", Stream(5, SIZE_MAX, kBack)).empty());
}

CONFORMANCE_TEST(NoStreamAfterDeleteFailsWithTheKeptVersion) {
  AppendSampleLog(log());
  BOOST_TEST_REQUIRE(log().DeleteStream("queue-1", ExpectedVersion::Exact(2)).ok());
  const AppendError no_stream = AppendFails(log(), MakeRequest("queue-1", ExpectedVersion::NoStream()),
                                            ErrorCode::kWrongExpectedVersion);
  BOOST_TEST(no_stream.actual_version == 2u);
  const AppendError exact_zero = AppendFails(log(), MakeRequest("queue-1", ExpectedVersion::Exact(0)),
                                             ErrorCode::kWrongExpectedVersion);
  BOOST_TEST(exact_zero.actual_version == 2u);
  BOOST_TEST(log().HeadPosition() == 8u);
}

CONFORMANCE_TEST(DeleteWithAWrongExpectedVersionFailsAndDeletesNothing) {
  AppendSampleLog(log());
  auto stale = log().DeleteStream("account-1", ExpectedVersion::Exact(4));
  BOOST_TEST_REQUIRE(!stale.ok());
  BOOST_TEST(stale.status().code() == ErrorCode::kWrongExpectedVersion);
  BOOST_TEST(stale.error().actual_version == 5u);
  auto no_stream = log().DeleteStream("account-1", ExpectedVersion::NoStream());
  BOOST_TEST_REQUIRE(!no_stream.ok());
  BOOST_TEST(no_stream.error().actual_version == 5u);
  BOOST_TEST(ReadStreamVersions(log(), "account-1", Stream(1)) == Range(1, 5));
}

CONFORMANCE_TEST(DeletingAStreamTwiceKeepsItEmptyAtTheSameVersion) {
  AppendSampleLog(log());
  BOOST_TEST_REQUIRE(log().DeleteStream("queue-1", ExpectedVersion::Any()).ok());
  auto again = log().DeleteStream("queue-1", ExpectedVersion::Exact(2));
  BOOST_TEST_REQUIRE(again.ok(), again.status().ToString());
  BOOST_TEST(*again == 2u);
  BOOST_TEST(StreamVersionOk(log(), "queue-1") == 2u);
  BOOST_TEST(ReadEntireStream(log(), "queue-1").empty());
}

REOPEN_TEST(DeletionSurvivesReopen) {
  AppendSampleLog(log());
  BOOST_TEST_REQUIRE(log().DeleteStream("account-1", ExpectedVersion::Exact(5)).ok());
  AppendOk(log(), MakeRequest("account-1", ExpectedVersion::Exact(5)));
  Reopen();
  BOOST_TEST(StreamVersionOk(log(), "account-1") == 6u);
  BOOST_TEST(ReadStreamVersions(log(), "account-1", Stream(1)) == (Numbers{6}));
  AppendFails(log(), MakeRequest("account-1", ExpectedVersion::NoStream()),
              ErrorCode::kWrongExpectedVersion);
  BOOST_TEST(AppendOk(log(), MakeRequest("account-1", ExpectedVersion::Exact(6))).first_version ==
             7u);
  BOOST_TEST(ReadStreamVersions(log(), "account-1", Stream(1)) == (Numbers{6, 7}));
}

// ---- Snapshots ----------------------------------------------------------------------------

std::optional<Snapshot> LoadSnapshotOk(const EventLog& log, std::string_view stream) {
  auto loaded = log.LoadSnapshot(stream);
  BOOST_TEST_REQUIRE(loaded.ok(), "LoadSnapshot failed: " << loaded.status().ToString());
  return *loaded;
}

void SaveSnapshotOk(EventLog& log, std::string_view stream, Snapshot snapshot) {
  const Status saved = log.SaveSnapshot(stream, snapshot);
  BOOST_TEST_REQUIRE(saved.ok(), "SaveSnapshot failed: " << saved.ToString());
}

CONFORMANCE_TEST(StreamWithoutASnapshotLoadsNone) {
  BOOST_TEST(!LoadSnapshotOk(log(), "account-1").has_value());
  AppendSampleLog(log());
  BOOST_TEST(!LoadSnapshotOk(log(), "account-1").has_value());
}

CONFORMANCE_TEST(SavedSnapshotLoadsBackUnchanged) {
  const Snapshot snapshot{.version = 3, .state = std::string("\0state\xff", 7)};
  SaveSnapshotOk(log(), "account-1", snapshot);
  const auto loaded = LoadSnapshotOk(log(), "account-1");
  BOOST_TEST_REQUIRE(loaded.has_value());
  BOOST_TEST(*loaded == snapshot);
}

CONFORMANCE_TEST(NewerSnapshotReplacesTheOlderOne) {
  SaveSnapshotOk(log(), "account-1", {.version = 3, .state = "at 3"});
  SaveSnapshotOk(log(), "account-1", {.version = 5, .state = "at 5"});
  BOOST_TEST(*LoadSnapshotOk(log(), "account-1") == (Snapshot{.version = 5, .state = "at 5"}));
}

CONFORMANCE_TEST(OlderSnapshotDoesNotOverwriteANewerOne) {
  SaveSnapshotOk(log(), "account-1", {.version = 5, .state = "at 5"});
  SaveSnapshotOk(log(), "account-1", {.version = 3, .state = "at 3"});
  BOOST_TEST(*LoadSnapshotOk(log(), "account-1") == (Snapshot{.version = 5, .state = "at 5"}));
}

CONFORMANCE_TEST(SnapshotsAreKeptPerStream) {
  SaveSnapshotOk(log(), "account-1", {.version = 2, .state = "one"});
  SaveSnapshotOk(log(), "account-10", {.version = 7, .state = "ten"});
  BOOST_TEST(*LoadSnapshotOk(log(), "account-1") == (Snapshot{.version = 2, .state = "one"}));
  BOOST_TEST(*LoadSnapshotOk(log(), "account-10") == (Snapshot{.version = 7, .state = "ten"}));
  BOOST_TEST(!LoadSnapshotOk(log(), "account-").has_value());
  BOOST_TEST(!LoadSnapshotOk(log(), "account-2").has_value());
}

REOPEN_TEST(SnapshotsSurviveReopen) {
  SaveSnapshotOk(log(), "account-1", {.version = 4, .state = "four"});
  SaveSnapshotOk(log(), "queue-1", {.version = 1, .state = "one"});
  Reopen();
  BOOST_TEST(*LoadSnapshotOk(log(), "account-1") == (Snapshot{.version = 4, .state = "four"}));
  BOOST_TEST(*LoadSnapshotOk(log(), "queue-1") == (Snapshot{.version = 1, .state = "one"}));
  SaveSnapshotOk(log(), "account-1", {.version = 2, .state = "two"});
  BOOST_TEST(*LoadSnapshotOk(log(), "account-1") == (Snapshot{.version = 4, .state = "four"}));
}

}  // namespace
}  // namespace dialtone::store::conformance
