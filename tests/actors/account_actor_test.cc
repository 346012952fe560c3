// The account actor end to end through Runtime/AccountService. Most cases run on CAF's
// deterministic test_coordinator (RuntimeOptions::deterministic): nothing happens until
// RunUntilIdle(), so every interleaving below is exact, not timed. The last suite runs the
// threaded scheduler.
#define BOOST_TEST_MODULE account_actor
#include <boost/test/unit_test.hpp>

#include <google/protobuf/util/message_differencer.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "actors/runtime.h"
#include "events/event_types.h"
#include "tests/actors/controlled_log.h"
#include "tests/actors/test_node.h"

namespace dialtone::actors {
namespace {

using namespace ::dialtone::commands;  // the commands the actors carry out
using Kind = AccountCommand::Kind;
using testing::ControlledLog;
using testing::Node;
using testing::Outcome;
using testing::Pending;

AccountCommand Command(Kind kind, const std::string& id = "acme") {
  AccountCommand c;
  c.kind = kind;
  c.account_id = id;
  c.context.principal = "admin";
  c.context.correlation_id = "corr-" + id;
  c.context.causation_id = "cause-" + id;
  return c;
}

AccountCommand Create(const std::string& id = "acme", const std::string& name = "Acme") {
  AccountCommand c = Command(Kind::kCreate, id);
  c.settings.set_name(name);
  return c;
}

AccountCommand Rename(const std::string& name, const std::string& id = "acme") {
  AccountCommand c = Command(Kind::kUpdate, id);
  c.settings.set_name(name);
  return c;
}

AccountCommand WithKey(AccountCommand c, const std::string& key) {
  c.context.idempotency_key = key;
  return c;
}

bool SameView(const AccountView& a, const AccountView& b) {
  return a.account_id == b.account_id && a.parent_id == b.parent_id && a.status == b.status &&
         a.version == b.version && a.created_ms == b.created_ms && a.updated_ms == b.updated_ms &&
         google::protobuf::util::MessageDifferencer::Equals(a.settings, b.settings);
}

store::RecordedEvents Stream(store::EventLog& log, const std::string& id = "acme") {
  auto events = log.ReadStream("account-" + id, {});
  BOOST_REQUIRE(events.ok());
  return *events;
}

ErrorCode CodeOf(const Outcome& outcome) { return outcome.status().code(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(Lifecycle)

BOOST_AUTO_TEST_CASE(CreateGetUpdateSuspendCloseFlowAppendsOneEventPerChange) {
  ControlledLog log;
  Node node(log);

  Outcome created = node.Do(Create());
  BOOST_REQUIRE_MESSAGE(created.ok(), created.status().ToString());
  BOOST_TEST(created->account.status == "active");
  BOOST_TEST(created->account.version == 1u);
  BOOST_TEST(created->position == 1u);
  BOOST_TEST(created->account.settings.timezone() == "UTC");

  AccountView got = node.Get();
  BOOST_TEST(SameView(got, created->account));

  AccountCommand update = Command(Kind::kUpdate);
  update.settings.set_max_out(4);
  Outcome updated = node.Do(update);
  BOOST_REQUIRE(updated.ok());
  BOOST_TEST(updated->account.version == 2u);
  BOOST_TEST(updated->position == 2u);
  BOOST_TEST(updated->account.settings.max_out() == 4);
  BOOST_TEST(updated->account.settings.name() == "Acme");

  Outcome suspended = node.Do(Command(Kind::kSuspend));
  BOOST_REQUIRE(suspended.ok());
  BOOST_TEST(suspended->account.status == "suspended");
  Outcome closed = node.Do(Command(Kind::kClose));
  BOOST_REQUIRE(closed.ok());
  BOOST_TEST(closed->account.status == "closed");
  BOOST_TEST(closed->account.version == 4u);
  BOOST_TEST(closed->position == 4u);

  BOOST_TEST((CodeOf(node.Do(Rename("Late"))) == ErrorCode::kFailedPrecondition));
  BOOST_TEST(node.Get().status == "closed");

  store::RecordedEvents events = Stream(log);
  BOOST_REQUIRE(events.size() == 4u);
  const std::vector<std::string_view> types = {events::kAccountCreated, events::kAccountUpdated,
                                               events::kAccountSuspended, events::kAccountClosed};
  for (size_t i = 0; i < events.size(); ++i) {
    BOOST_TEST(events[i].type == std::string(types[i]));
    BOOST_TEST(events[i].principal == "admin");
    BOOST_TEST(events[i].correlation_id == "corr-acme");
    BOOST_TEST(events[i].causation_id == "cause-acme");
  }
  // The state carries the log's own timestamps.
  BOOST_TEST(closed->account.updated_ms == events.back().time_ms);
  BOOST_TEST(closed->account.created_ms == events.front().time_ms);
}

BOOST_AUTO_TEST_CASE(RejectedCommandsAppendNothing) {
  ControlledLog log;
  Node node(log);
  BOOST_TEST((CodeOf(node.Do(Create("acme", ""))) == ErrorCode::kInvalidArgument));
  BOOST_TEST((CodeOf(node.Do(Rename("X"))) == ErrorCode::kNotFound));
  BOOST_TEST((CodeOf(node.Do(Command(Kind::kGet, "no spaces"))) == ErrorCode::kInvalidArgument));
  BOOST_REQUIRE(node.Do(Create()).ok());
  BOOST_TEST((CodeOf(node.Do(Create())) == ErrorCode::kAlreadyExists));
  BOOST_TEST((CodeOf(node.Do(Command(Kind::kReactivate))) == ErrorCode::kFailedPrecondition));
  AccountCommand stale = Rename("Stale");
  stale.expected_version = 7;
  BOOST_TEST((CodeOf(node.Do(stale)) == ErrorCode::kWrongExpectedVersion));
  BOOST_TEST(log.HeadPosition() == 1u);
  BOOST_TEST(log.append_requests() == 1u);
}

BOOST_AUTO_TEST_CASE(AnUpdateThatChangesNothingAppendsNothingAndRepliesTheState) {
  ControlledLog log;
  Node node(log);
  BOOST_REQUIRE(node.Do(Create()).ok());
  Outcome same = node.Do(Rename("Acme"));
  BOOST_REQUIRE(same.ok());
  BOOST_TEST(same->position == 0u);
  BOOST_TEST(same->account.version == 1u);
  BOOST_TEST(log.append_requests() == 1u);
}

BOOST_AUTO_TEST_CASE(AMatchingExpectedVersionIsAccepted) {
  ControlledLog log;
  Node node(log);
  BOOST_REQUIRE(node.Do(Create()).ok());
  AccountCommand update = Rename("Matched");
  update.expected_version = 1;
  Outcome done = node.Do(update);
  BOOST_REQUIRE(done.ok());
  BOOST_TEST(done->account.version == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Recovery)

BOOST_AUTO_TEST_CASE(ASecondRuntimeRecoversFromTheSnapshotPlusTheTail) {
  ControlledLog log;
  AccountView live;
  {
    Node first(log, /*snapshot_every=*/3);
    BOOST_REQUIRE(first.Do(Create()).ok());
    for (int i = 1; i <= 4; ++i) {
      AccountCommand update = Command(Kind::kUpdate);
      update.settings.set_max_in(i);
      BOOST_REQUIRE(first.Do(update).ok());
    }
    live = first.Get();
    BOOST_TEST(live.version == 5u);
  }  // the first runtime is gone: its actor with it

  auto snapshot = log.LoadSnapshot("account-acme");
  BOOST_REQUIRE(snapshot.ok());
  BOOST_REQUIRE(snapshot->has_value());
  BOOST_TEST((*snapshot)->version == 3u);

  const size_t reads_before = log.stream_reads().size();
  Node second(log, 3);
  AccountView recovered = second.Get();
  BOOST_TEST(SameView(recovered, live));
  BOOST_TEST(recovered.settings.max_in() == 4);
  // Recovery read only the tail after the snapshot.
  BOOST_REQUIRE(log.stream_reads().size() > reads_before);
  BOOST_TEST(log.stream_reads()[reads_before].stream == "account-acme");
  BOOST_TEST(log.stream_reads()[reads_before].from_version == 4u);
}

BOOST_AUTO_TEST_CASE(RecoveryWithoutASnapshotReplaysTheWholeStream) {
  ControlledLog log;
  AccountView live;
  {
    Node first(log, /*snapshot_every=*/0);
    BOOST_REQUIRE(first.Do(Create()).ok());
    BOOST_REQUIRE(first.Do(Command(Kind::kSuspend)).ok());
    live = first.Get();
  }
  BOOST_TEST(!log.LoadSnapshot("account-acme")->has_value());
  Node second(log, 0);
  BOOST_TEST(SameView(second.Get(), live));
  BOOST_TEST(second.Get().status == "suspended");
}

BOOST_AUTO_TEST_CASE(AnUndecodableSnapshotIsIgnoredAndTheStreamReplayed) {
  ControlledLog log;
  AccountView live;
  {
    Node first(log, 0);
    BOOST_REQUIRE(first.Do(Create()).ok());
    BOOST_REQUIRE(first.Do(Rename("Renamed")).ok());
    live = first.Get();
  }
  BOOST_REQUIRE(log.SaveSnapshot("account-acme", store::Snapshot{2, "\xff\xff garbage"}).ok());
  Node second(log, 0);
  BOOST_TEST(SameView(second.Get(), live));
}

BOOST_AUTO_TEST_CASE(ASnapshotIsSavedEverySnapshotEveryEvents) {
  ControlledLog log;
  Node node(log, /*snapshot_every=*/2);
  BOOST_REQUIRE(node.Do(Create()).ok());
  BOOST_TEST(!log.LoadSnapshot("account-acme")->has_value());
  BOOST_REQUIRE(node.Do(Rename("Two")).ok());
  BOOST_TEST(log.LoadSnapshot("account-acme")->value().version == 2u);
  BOOST_REQUIRE(node.Do(Rename("Three")).ok());
  BOOST_TEST(log.LoadSnapshot("account-acme")->value().version == 2u);
  BOOST_REQUIRE(node.Do(Rename("Four")).ok());
  BOOST_TEST(log.LoadSnapshot("account-acme")->value().version == 4u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Concurrency)

BOOST_AUTO_TEST_CASE(AStaleWriterGetsWrongExpectedVersionAndOverwritesNothing) {
  ControlledLog log;
  Node a(log), b(log);  // two actor instances of account-acme on one log
  BOOST_REQUIRE(a.Do(Create()).ok());
  BOOST_TEST(b.Get().version == 1u);
  BOOST_REQUIRE(a.Do(Rename("From A")).ok());

  Outcome stale = b.Do(Rename("From B"));
  BOOST_TEST((CodeOf(stale) == ErrorCode::kWrongExpectedVersion));
  store::RecordedEvents events = Stream(log);
  BOOST_REQUIRE(events.size() == 2u);
  events::AccountUpdated last;
  BOOST_REQUIRE(last.ParseFromString(events.back().payload));
  BOOST_TEST(last.changes().name() == "From A");

  // The stale instance re-read the stream: it now sees A's write and can write after it.
  AccountView resynced = b.Get();
  BOOST_TEST(resynced.version == 2u);
  BOOST_TEST(resynced.settings.name() == "From A");
  Outcome after = b.Do(Rename("From B"));
  BOOST_REQUIRE(after.ok());
  BOOST_TEST(after->account.version == 3u);
  // Now A is the stale one.
  BOOST_TEST((CodeOf(a.Do(Rename("A again"))) == ErrorCode::kWrongExpectedVersion));
  BOOST_TEST(Stream(log).size() == 3u);
}

BOOST_AUTO_TEST_CASE(CommandsQueuedDuringAnInFlightAppendAreDecidedAgainstTheAppliedState) {
  ControlledLog log;
  Node node(log);
  log.HoldAppends(true);

  Pending create = node.Send(Create());
  node.Run();
  BOOST_TEST(log.HeldAppends() == 1u);
  BOOST_TEST(!create.answered());

  // Against the state before the creation these would fail (NotFound, version 0 != 1,
  // and a second creation would be appended); queued, they see the created account.
  AccountCommand update = Rename("Second");
  update.expected_version = 1;
  Pending renamed = node.Send(update);
  Pending duplicate = node.Send(Create());
  Pending suspended = node.Send(Command(Kind::kSuspend));
  node.Run();
  BOOST_TEST(log.HeldAppends() == 1u);  // still only the creation: nothing else decided
  BOOST_TEST(!renamed.answered());
  BOOST_TEST(log.HeadPosition() == 0u);

  log.ReleaseAppend();
  node.Run();
  BOOST_REQUIRE(create.outcome().ok());
  BOOST_TEST(create.outcome()->account.version == 1u);
  BOOST_TEST(!renamed.answered());  // its own append is now in flight
  BOOST_TEST(log.HeldAppends() == 1u);

  log.ReleaseAppend();
  node.Run();
  BOOST_REQUIRE(renamed.outcome().ok());
  BOOST_TEST(renamed.outcome()->account.version == 2u);
  BOOST_TEST(renamed.outcome()->account.settings.name() == "Second");
  BOOST_TEST((CodeOf(duplicate.outcome()) == ErrorCode::kAlreadyExists));
  BOOST_TEST(log.HeldAppends() == 1u);

  log.ReleaseAppend();
  node.Run();
  BOOST_REQUIRE(suspended.outcome().ok());
  BOOST_TEST(suspended.outcome()->account.version == 3u);
  BOOST_TEST(suspended.outcome()->account.status == "suspended");
  BOOST_TEST(log.append_requests() == 3u);
  BOOST_TEST(Stream(log).size() == 3u);
}

BOOST_AUTO_TEST_CASE(AnAcknowledgedAppendNotYetReadableIsFoldedFromTheEventsSent) {
  ControlledLog log;
  Node node(log);
  BOOST_REQUIRE(node.Do(Create()).ok());
  log.FreezeReads();
  Outcome renamed = node.Do(Rename("Acked"));
  BOOST_REQUIRE(renamed.ok());
  BOOST_TEST(renamed->account.version == 2u);
  BOOST_TEST(renamed->account.settings.name() == "Acked");
  BOOST_TEST(node.Get().version == 2u);
  log.UnfreezeReads();
  // Once readable, the event is not folded a second time: the next write is version 3.
  Outcome next = node.Do(Command(Kind::kSuspend));
  BOOST_REQUIRE(next.ok());
  BOOST_TEST(next->account.version == 3u);
  BOOST_TEST(next->account.settings.name() == "Acked");
  BOOST_TEST(Stream(log).size() == 3u);
}

BOOST_AUTO_TEST_CASE(EachAccountHasItsOwnActorAndStream) {
  ControlledLog log;
  Node node(log);
  BOOST_TEST(node.runtime().ActorsAlive() == 1u);  // the directory
  for (const char* id : {"a", "b", "c"}) BOOST_REQUIRE(node.Do(Create(id, id)).ok());
  BOOST_TEST(node.runtime().ActorsAlive() == 4u);
  BOOST_REQUIRE(node.Do(Command(Kind::kSuspend, "b")).ok());
  BOOST_TEST(node.Get("a").status == "active");
  BOOST_TEST(node.Get("b").status == "suspended");
  BOOST_TEST(Stream(log, "b").size() == 2u);
  BOOST_TEST(Stream(log, "c").size() == 1u);
}

BOOST_AUTO_TEST_CASE(LookupsOfUnknownAccountsLeaveNoActorBehind) {
  ControlledLog log;
  Node node(log);
  for (int i = 0; i < 20; ++i) {
    BOOST_TEST((CodeOf(node.Do(Command(Kind::kGet, "ghost" + std::to_string(i)))) ==
                ErrorCode::kNotFound));
  }
  BOOST_TEST(node.runtime().ActorsAlive() == 1u);
  // The same id can be created right after a lookup stopped its actor.
  BOOST_REQUIRE(node.Do(Create("ghost3", "Now real")).ok());
  BOOST_TEST(node.Get("ghost3").settings.name() == "Now real");
  BOOST_TEST(node.runtime().ActorsAlive() == 2u);
}

BOOST_AUTO_TEST_CASE(ALookupAndACreationSentTogetherBothSucceedInOrder) {
  ControlledLog log;
  Node node(log);
  Pending lookup = node.Send(Command(Kind::kGet, "fresh"));
  Pending create = node.Send(Create("fresh", "Fresh"));
  node.Run();
  BOOST_TEST((CodeOf(lookup.outcome()) == ErrorCode::kNotFound));
  BOOST_REQUIRE(create.outcome().ok());
  BOOST_TEST(node.Get("fresh").version == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Idempotency)

BOOST_AUTO_TEST_CASE(ARetriedCommandWithTheSameKeyAppendsOnceAndRepliesTheFirstPosition) {
  ControlledLog log;
  Node node(log);
  Outcome created = node.Do(WithKey(Create(), "create-1"));
  BOOST_REQUIRE(created.ok());
  Outcome retried = node.Do(WithKey(Create(), "create-1"));
  BOOST_REQUIRE_MESSAGE(retried.ok(), retried.status().ToString());  // not AlreadyExists
  BOOST_TEST(retried->position == created->position);
  BOOST_TEST(retried->account.version == 1u);

  Outcome renamed = node.Do(WithKey(Rename("Once"), "rename-1"));
  BOOST_REQUIRE(renamed.ok());
  BOOST_REQUIRE(node.Do(Rename("Other")).ok());
  Outcome again = node.Do(WithKey(Rename("Once"), "rename-1"));
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(again->position == renamed->position);
  BOOST_TEST(again->account.version == 3u);            // the current state
  BOOST_TEST(again->account.settings.name() == "Other");  // the retry changed nothing

  store::RecordedEvents events = Stream(log);
  BOOST_TEST(events.size() == 3u);
  BOOST_TEST(events[1].idempotency_key == "account-acme:rename-1");
}

BOOST_AUTO_TEST_CASE(ARetryQueuedBehindItsOriginalAppendsOnce) {
  ControlledLog log;
  Node node(log);
  BOOST_REQUIRE(node.Do(Create()).ok());
  log.HoldAppends(true);
  Pending first = node.Send(WithKey(Command(Kind::kSuspend), "suspend-1"));
  Pending retry = node.Send(WithKey(Command(Kind::kSuspend), "suspend-1"));
  node.Run();
  log.ReleaseAppend();
  node.Run();
  BOOST_REQUIRE(first.outcome().ok());
  BOOST_REQUIRE_MESSAGE(retry.outcome().ok(), retry.outcome().status().ToString());
  BOOST_TEST(retry.outcome()->position == first.outcome()->position);
  BOOST_TEST(log.HeldAppends() == 0u);
  BOOST_TEST(Stream(log).size() == 2u);
}

BOOST_AUTO_TEST_CASE(AKeyTheStoreDeduplicatesIsNotFoldedTwice) {
  ControlledLog log;
  Node a(log), b(log);
  BOOST_REQUIRE(a.Do(Create()).ok());
  BOOST_TEST(b.Get().version == 1u);
  Outcome original = a.Do(WithKey(Rename("Keyed"), "rename-k"));
  BOOST_REQUIRE(original.ok());

  // B has not seen the key: it decides (against version 1) and appends; the store answers
  // with the first append's result instead of a version error.
  const size_t appends_before = log.append_requests();
  Outcome retried = b.Do(WithKey(Rename("Keyed"), "rename-k"));
  BOOST_REQUIRE_MESSAGE(retried.ok(), retried.status().ToString());
  BOOST_TEST(log.append_requests() == appends_before + 1);
  BOOST_TEST(retried->position == original->position);
  BOOST_TEST(retried->account.version == 2u);
  BOOST_TEST(retried->account.settings.name() == "Keyed");
  BOOST_TEST(Stream(log).size() == 2u);

  // B's state is exactly the log's: its next write lands at version 3.
  Outcome next = b.Do(Rename("Next"));
  BOOST_REQUIRE(next.ok());
  BOOST_TEST(next->account.version == 3u);
  BOOST_TEST(SameView(b.Get(), Node(log).Get()));
}

BOOST_AUTO_TEST_CASE(KeysAreScopedToTheAccount) {
  ControlledLog log;
  Node node(log);
  BOOST_REQUIRE(node.Do(WithKey(Create("a", "A"), "same-key")).ok());
  Outcome other = node.Do(WithKey(Create("b", "B"), "same-key"));
  BOOST_REQUIRE(other.ok());
  BOOST_TEST(other->account.account_id == "b");
  BOOST_TEST(Stream(log, "b").size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Shutdown)

BOOST_AUTO_TEST_CASE(ShutdownAnswersAcceptedCommandsThenRefusesNewOnes) {
  ControlledLog log;
  Node node(log);
  Pending accepted = node.Send(Create());
  node.runtime().Shutdown();
  BOOST_REQUIRE(accepted.outcome().ok());
  BOOST_TEST(node.runtime().ActorsAlive() == 0u);

  Pending refused = node.Send(Create("later", "Later"));
  BOOST_TEST((CodeOf(refused.outcome()) == ErrorCode::kUnavailable));
  node.runtime().Shutdown();  // idempotent
  BOOST_TEST(log.HeadPosition() == 1u);
}

BOOST_AUTO_TEST_CASE(StartRejectsAnAbsurdSchedulerSize) {
  ControlledLog log;
  RuntimeOptions options;
  options.scheduler_threads = 1'000'000;
  auto started = Runtime::Start(log, options);
  BOOST_TEST((started.status().code() == ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ThreadedScheduler)

std::unique_ptr<Runtime> StartThreaded(store::EventLog& log) {
  RuntimeOptions options;
  options.scheduler_threads = 2;
  auto started = Runtime::Start(log, options);
  BOOST_REQUIRE(started.ok());
  return std::move(started).value();
}

BOOST_AUTO_TEST_CASE(ConcurrentCallersOfOneAccountAreSerializedByItsActor) {
  auto log = store::NewMemoryEventLog();
  auto runtime = StartThreaded(*log);
  BOOST_REQUIRE(runtime->accounts().ExecuteAndWait(Create()).ok());
  constexpr int kThreads = 4, kUpdatesEach = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kUpdatesEach; ++i) {
        AccountCommand update = Command(Kind::kUpdate);
        update.settings.set_brand_name("t" + std::to_string(t) + "-" + std::to_string(i));
        if (!runtime->accounts().ExecuteAndWait(update).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  BOOST_TEST(failures.load() == 0);
  auto got = runtime->accounts().ExecuteAndWait(Command(Kind::kGet));
  BOOST_REQUIRE(got.ok());
  BOOST_TEST(got->account.version == uint64_t{1 + kThreads * kUpdatesEach});
  BOOST_TEST(Stream(*log).size() == size_t{1 + kThreads * kUpdatesEach});
}

BOOST_AUTO_TEST_CASE(ShutdownWaitsForEveryAcceptedCommandAndStopsEveryActor) {
  auto log = store::NewMemoryEventLog();
  auto runtime = StartThreaded(*log);
  constexpr int kCommands = 200;
  std::mutex mu;
  int answered = 0, succeeded = 0;
  for (int i = 0; i < kCommands; ++i) {
    runtime->accounts().Execute(Create("acct" + std::to_string(i % 40) + "-" + std::to_string(i),
                                       "Name"),
                                [&](Outcome outcome) {
                                  std::lock_guard lock(mu);
                                  ++answered;
                                  if (outcome.ok()) ++succeeded;
                                });
  }
  runtime->Shutdown();
  {
    std::lock_guard lock(mu);
    BOOST_TEST(answered == kCommands);
    BOOST_TEST(succeeded == kCommands);  // all were accepted before Shutdown
  }
  BOOST_TEST(runtime->ActorsAlive() == 0u);
  BOOST_TEST(log->HeadPosition() == uint64_t{kCommands});
  auto refused = runtime->accounts().ExecuteAndWait(Command(Kind::kGet));
  BOOST_TEST((refused.status().code() == ErrorCode::kUnavailable));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace dialtone::actors
