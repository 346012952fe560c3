// Configuration resources and API keys through the account actor (deterministic CAF
// test_coordinator, in-memory log): validation, references, platform reservations across
// accounts, If-Match, sealed secrets, idempotent retries and recovery.
#define BOOST_TEST_MODULE resource_actor
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "commands/api_keys.h"
#include "domain/account_fold.h"
#include "events/event_types.h"
#include "resource.pb.h"
#include "tests/actors/controlled_log.h"
#include "tests/actors/test_node.h"

namespace dialtone::actors {
namespace {

using namespace ::dialtone::commands;  // the commands the actors carry out
using Kind = AccountCommand::Kind;
using Op = ResourceCommand::Op;
using Json = nlohmann::json;
using testing::ControlledLog;
using testing::Node;
using testing::Outcome;
using testing::Pending;

const std::string kKey(32, 's');

AccountCommand CreateAccount(const std::string& id) {
  AccountCommand c;
  c.kind = Kind::kCreate;
  c.account_id = id;
  c.settings.set_name(id);
  c.context.principal = "admin";
  return c;
}

AccountCommand Resource(const std::string& account, Op op, const std::string& kind,
                        const std::string& id, Json body = Json::object()) {
  AccountCommand c;
  c.kind = Kind::kResource;
  c.account_id = account;
  c.resource.op = op;
  c.resource.kind = kind;
  c.resource.id = id;
  c.resource.body = std::move(body);
  c.context.principal = "key:test";
  return c;
}

AccountCommand WithKey(AccountCommand c, const std::string& key) {
  c.context.idempotency_key = key;
  return c;
}

ErrorCode CodeOf(const Outcome& outcome) { return outcome.status().code(); }

store::RecordedEvents Stream(store::EventLog& log, const std::string& stream) {
  auto events = log.ReadStream(stream, {});
  BOOST_REQUIRE(events.ok());
  return *events;
}

store::RecordedEvents All(store::EventLog& log) {
  store::ReadAllOptions options;
  options.max_count = 100000;
  auto events = log.ReadAll(options);
  BOOST_REQUIRE(events.ok());
  return *events;
}

// Runs `command`, which must succeed, and returns its resource.
ResourceResult Must(Node& node, AccountCommand command) {
  Outcome done = node.Do(std::move(command));
  BOOST_REQUIRE_MESSAGE(done.ok(), done.status().ToString());
  BOOST_REQUIRE(done->resource.has_value());
  return *done->resource;
}

// The resource as the actor holds it (an empty PATCH changes nothing and replies it).
ResourceResult Read(Node& node, const std::string& account, const std::string& kind,
                    const std::string& id) {
  return Must(node, Resource(account, Op::kPatch, kind, id));
}

struct Fixture {
  ControlledLog log;
  Node node{log, 100, kKey};
  Fixture() {
    BOOST_REQUIRE(node.Do(CreateAccount("acme")).ok());
    BOOST_REQUIRE(node.Do(CreateAccount("other")).ok());
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(Crud, Fixture)

BOOST_AUTO_TEST_CASE(ADomainAndAUserAreCreatedPatchedPutAndDeleted) {
  ResourceResult domain = Must(node, Resource("acme", Op::kCreate, "domain", "", {{"domain", "pbx.acme.com"}}));
  BOOST_TEST(domain.id.starts_with("dom_"));
  BOOST_TEST(domain.revision == 1u);
  BOOST_TEST(domain.document["domain"] == "pbx.acme.com");
  BOOST_TEST(domain.document["account_id"] == "acme");

  ResourceResult user = Must(node, Resource("acme", Op::kCreate, "user", "", {{"username", "alice"}}));
  ResourceResult patched = Must(node, Resource("acme", Op::kPatch, "user", user.id, {{"display_name", "Alice"}}));
  BOOST_TEST(patched.revision == 2u);
  BOOST_TEST(patched.document["display_name"] == "Alice");
  ResourceResult put = Must(node, Resource("acme", Op::kPut, "user", user.id, {{"username", "alice"}}));
  BOOST_TEST(put.revision == 3u);
  BOOST_TEST(put.document["display_name"].is_null());

  ResourceResult gone = Must(node, Resource("acme", Op::kDelete, "user", user.id));
  BOOST_TEST(gone.deleted);
  BOOST_TEST((CodeOf(node.Do(Resource("acme", Op::kPatch, "user", user.id))) == ErrorCode::kNotFound));

  store::RecordedEvents events = Stream(log, "account-acme");
  std::vector<std::string> types;
  for (const auto& e : events) types.push_back(e.type);
  BOOST_TEST(types == (std::vector<std::string>{"account.created", "resource.created", "resource.created",
                                                "resource.updated", "resource.updated", "resource.deleted"}));
  BOOST_TEST(events.back().principal == "key:test");
}

BOOST_AUTO_TEST_CASE(AReferenceToAMissingRingGroupIsRejectedAndAppendsNothing) {
  const uint64_t head = log.HeadPosition();
  Outcome refused = node.Do(Resource("acme", Op::kCreate, "extension", "",
                                     {{"digits", "200"}, {"dest_kind", "ring_group"}, {"dest_id", "rg_none"}}));
  BOOST_REQUIRE((CodeOf(refused) == ErrorCode::kInvalidArgument));
  BOOST_TEST(refused.error().field_errors.at(0).path == "dest_id");
  BOOST_TEST(log.HeadPosition() == head);
}

BOOST_AUTO_TEST_CASE(DeletingAUserAMemberRefersToIsRefusedNamingTheMember) {
  ResourceResult user = Must(node, Resource("acme", Op::kCreate, "user", "", {{"username", "alice"}}));
  ResourceResult rg = Must(node, Resource("acme", Op::kCreate, "ring_group", "", {{"name", "Sales"}}));
  ResourceResult member = Must(node, Resource("acme", Op::kCreate, "ring_group_member", "",
                                              {{"ring_group_id", rg.id}, {"user_id", user.id}}));
  const uint64_t head = log.HeadPosition();
  Outcome refused = node.Do(Resource("acme", Op::kDelete, "user", user.id));
  BOOST_REQUIRE((CodeOf(refused) == ErrorCode::kFailedPrecondition));
  BOOST_TEST(refused.status().message().find("ring_group_member/" + member.id) != std::string::npos);
  BOOST_TEST(log.HeadPosition() == head);
}

BOOST_AUTO_TEST_CASE(AStaleIfMatchIsWrongExpectedVersionAndAppendsNothing) {
  ResourceResult user = Must(node, Resource("acme", Op::kCreate, "user", "", {{"username", "alice"}}));
  Must(node, Resource("acme", Op::kPatch, "user", user.id, {{"ring_timeout_sec", 30}}));
  const uint64_t head = log.HeadPosition();
  AccountCommand stale = Resource("acme", Op::kPatch, "user", user.id, {{"ring_timeout_sec", 60}});
  stale.resource.if_match_revision = 1;
  BOOST_TEST((CodeOf(node.Do(stale)) == ErrorCode::kWrongExpectedVersion));
  BOOST_TEST(log.HeadPosition() == head);
  BOOST_TEST(Read(node, "acme", "user", user.id).document["ring_timeout_sec"] == 30);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(PlatformUniqueness, Fixture)

BOOST_AUTO_TEST_CASE(AValueClaimedByOneAccountIsAlreadyExistsForAnotherWhichAppendsNothing) {
  ResourceResult mine = Must(node, Resource("acme", Op::kCreate, "domain", "", {{"domain", "pbx.shared.com"}}));
  store::RecordedEvents claims = Stream(log, "unique-domain-pbx.shared.com");
  BOOST_REQUIRE(claims.size() == 1u);
  BOOST_TEST(claims[0].type == std::string(events::kReservationClaimed));

  const size_t other_events = Stream(log, "account-other").size();
  Outcome taken = node.Do(Resource("other", Op::kCreate, "domain", "", {{"domain", "pbx.shared.com"}}));
  BOOST_REQUIRE((CodeOf(taken) == ErrorCode::kAlreadyExists));
  BOOST_TEST(taken.status().message() == "domain 'pbx.shared.com' is already taken");
  BOOST_TEST(Stream(log, "account-other").size() == other_events);
  BOOST_TEST(Stream(log, "unique-domain-pbx.shared.com").size() == 1u);
}

BOOST_AUTO_TEST_CASE(DeleteReleasesTheValueAndAnotherAccountCanThenClaimIt) {
  ResourceResult mine = Must(node, Resource("acme", Op::kCreate, "domain", "", {{"domain", "pbx.shared.com"}}));
  Must(node, Resource("acme", Op::kDelete, "domain", mine.id));
  store::RecordedEvents reservation = Stream(log, "unique-domain-pbx.shared.com");
  BOOST_REQUIRE(reservation.size() == 2u);
  BOOST_TEST(reservation[1].type == std::string(events::kReservationReleased));

  ResourceResult theirs = Must(node, Resource("other", Op::kCreate, "domain", "", {{"domain", "pbx.shared.com"}}));
  BOOST_TEST(theirs.document["account_id"] == "other");
  BOOST_TEST(Stream(log, "unique-domain-pbx.shared.com").size() == 3u);
}

BOOST_AUTO_TEST_CASE(ChangingTheValueReleasesTheOldOne) {
  ResourceResult mine = Must(node, Resource("acme", Op::kCreate, "domain", "", {{"domain", "old.shared.com"}}));
  Must(node, Resource("acme", Op::kPatch, "domain", mine.id, {{"domain", "new.shared.com"}}));
  BOOST_TEST(Stream(log, "unique-domain-old.shared.com").size() == 2u);
  BOOST_TEST(Stream(log, "unique-domain-new.shared.com").size() == 1u);
  BOOST_TEST((CodeOf(node.Do(Resource("other", Op::kCreate, "domain", "", {{"domain", "new.shared.com"}}))) ==
              ErrorCode::kAlreadyExists));
  BOOST_TEST(node.Do(Resource("other", Op::kCreate, "domain", "", {{"domain", "old.shared.com"}})).ok());
}

BOOST_AUTO_TEST_CASE(AFailedAccountAppendTakesBackItsClaims) {
  // A second instance of account-acme that has not seen the latest event: its decision
  // passes, its claim is made, its account append fails on the version check.
  Node stale(log, 100, kKey);
  BOOST_REQUIRE((CodeOf(stale.Do(Resource("acme", Op::kPatch, "user", "usr_none"))) ==
                 ErrorCode::kNotFound));  // a lookup: it has read account-acme
  BOOST_REQUIRE(node.Do(Resource("acme", Op::kCreate, "user", "", {{"username", "ahead"}})).ok());

  Outcome lost = stale.Do(Resource("acme", Op::kCreate, "domain", "", {{"domain", "race.shared.com"}}));
  BOOST_REQUIRE((CodeOf(lost) == ErrorCode::kWrongExpectedVersion));
  store::RecordedEvents reservation = Stream(log, "unique-domain-race.shared.com");
  BOOST_REQUIRE(reservation.size() == 2u);
  BOOST_TEST(reservation[0].type == std::string(events::kReservationClaimed));
  BOOST_TEST(reservation[1].type == std::string(events::kReservationReleased));
  // The value is free for anyone.
  BOOST_TEST(node.Do(Resource("other", Op::kCreate, "domain", "", {{"domain", "race.shared.com"}})).ok());
}

BOOST_AUTO_TEST_CASE(CommandsQueuedBehindAClaimAreDecidedAfterTheWholeCommand) {
  log.HoldAppends(true);
  Pending create = node.Send(Resource("acme", Op::kCreate, "domain", "dom_q", {{"domain", "q.shared.com"}}));
  Pending patch = node.Send(Resource("acme", Op::kPatch, "domain", "dom_q", {{"is_primary", 1}}));
  node.Run();
  BOOST_TEST(log.HeldAppends() == 1u);  // the claim; nothing else started
  log.ReleaseAppend();
  node.Run();
  BOOST_TEST(!create.answered());
  BOOST_TEST(log.HeldAppends() == 1u);  // the account append
  BOOST_TEST(!patch.answered());
  log.ReleaseAppend();
  node.Run();
  BOOST_REQUIRE(create.outcome().ok());
  // Only now is the patch decided (against the created domain).
  BOOST_TEST(log.HeldAppends() == 1u);
  log.ReleaseAppend();
  node.Run();
  BOOST_REQUIRE_MESSAGE(patch.outcome().ok(), patch.outcome().status().ToString());
  BOOST_TEST(patch.outcome()->resource->revision == 2u);
  log.HoldAppends(false);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(Batches, Fixture)

AccountCommand Batch(const std::string& account, std::vector<AccountCommand> steps) {
  AccountCommand c;
  c.kind = Kind::kBatch;
  c.account_id = account;
  c.steps = std::move(steps);
  c.context.principal = "key:test";
  return c;
}

BOOST_AUTO_TEST_CASE(ABatchIsOneAppendWithTheClaimsOfEveryStep) {
  const size_t before = Stream(log, "account-acme").size();
  Outcome done = node.Do(Batch("acme", {Resource("acme", Op::kCreate, "domain", "dom_1", {{"domain", "one.batch.com"}}),
                                        Resource("acme", Op::kCreate, "domain", "", {{"domain", "two.batch.com"}})}));
  BOOST_REQUIRE_MESSAGE(done.ok(), done.status().ToString());
  BOOST_TEST_REQUIRE(done->resources.size() == 2u);
  BOOST_TEST(done->resources[0].id == "dom_1");
  store::RecordedEvents stream = Stream(log, "account-acme");
  BOOST_TEST_REQUIRE(stream.size() == before + 2);
  // One append: consecutive positions, the reply's position is the last.
  BOOST_TEST(stream[before + 1].position == stream[before].position + 1);
  BOOST_TEST(done->position == stream[before + 1].position);
  BOOST_TEST(Stream(log, "unique-domain-one.batch.com").size() == 1u);
  BOOST_TEST(Stream(log, "unique-domain-two.batch.com").size() == 1u);
}

BOOST_AUTO_TEST_CASE(ARefusedClaimInABatchWritesNothingAndTakesBackTheOthers) {
  Must(node, Resource("other", Op::kCreate, "domain", "", {{"domain", "taken.batch.com"}}));
  const size_t before = Stream(log, "account-acme").size();
  Outcome refused = node.Do(Batch("acme", {Resource("acme", Op::kCreate, "domain", "", {{"domain", "free.batch.com"}}),
                                           Resource("acme", Op::kCreate, "domain", "", {{"domain", "taken.batch.com"}})}));
  BOOST_TEST((CodeOf(refused) == ErrorCode::kAlreadyExists));
  BOOST_TEST(Stream(log, "account-acme").size() == before);
  // The claim made for the first step was released again.
  store::RecordedEvents free = Stream(log, "unique-domain-free.batch.com");
  BOOST_TEST_REQUIRE(free.size() == 2u);
  BOOST_TEST(free[1].type == std::string(events::kReservationReleased));
  // And the value can be claimed by a plain command afterwards.
  Must(node, Resource("acme", Op::kCreate, "domain", "", {{"domain", "free.batch.com"}}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(SecretsAndKeys, Fixture)

BOOST_AUTO_TEST_CASE(NoEventInTheLogHoldsASecretInPlaintext) {
  Must(node, Resource("acme", Op::kCreate, "voicemail", "", {{"name", "Box"}, {"pin_secret", "73915824"}}));
  ResourceResult user = Must(node, Resource("acme", Op::kCreate, "user", "", {{"username", "alice"}}));
  ResourceResult device = Must(node, Resource("acme", Op::kCreate, "device", "",
                                              {{"user_id", user.id}, {"auth_username", "alice"},
                                               {"realm", "pbx.acme.com"}, {"password", "Plaintext-Pass-42"}}));
  BOOST_TEST(!device.document.contains("ha1"));
  BOOST_TEST(!device.document.contains("password"));
  Outcome minted = node.Do([] {
    AccountCommand c;
    c.kind = Kind::kApiKey;
    c.account_id = "acme";
    c.api_key.op = ApiKeyCommand::Op::kMint;
    return c;
  }());
  BOOST_REQUIRE(minted.ok());
  const std::string key_secret = ParseApiKey(minted->minted_key)->secret;

  size_t sealed = 0;
  for (const store::RecordedEvent& e : All(log)) {
    BOOST_TEST(e.payload.find("73915824") == std::string::npos);
    BOOST_TEST(e.payload.find("Plaintext-Pass-42") == std::string::npos);
    BOOST_TEST(e.payload.find(key_secret) == std::string::npos);
    if (e.type == events::kSecretStored) ++sealed;
  }
  BOOST_TEST(sealed == 1u);
}

BOOST_AUTO_TEST_CASE(ApiKeysAreMintedOnceAndRevoked) {
  AccountCommand mint;
  mint.kind = Kind::kApiKey;
  mint.account_id = "acme";
  mint.api_key.op = ApiKeyCommand::Op::kMint;
  mint.api_key.scopes = {"cdr"};
  Outcome minted = node.Do(mint);
  BOOST_REQUIRE(minted.ok());
  BOOST_TEST(minted->minted_key.starts_with("dtk_" + minted->key_id + "_"));

  AccountCommand revoke = mint;
  revoke.api_key.op = ApiKeyCommand::Op::kRevoke;
  revoke.api_key.key_id = minted->key_id;
  Outcome revoked = node.Do(revoke);
  BOOST_REQUIRE(revoked.ok());
  BOOST_TEST(revoked->key_id == minted->key_id);
  BOOST_TEST(revoked->minted_key.empty());
  BOOST_TEST((CodeOf(node.Do(revoke)) == ErrorCode::kFailedPrecondition));
  revoke.api_key.key_id = "ffffffffffffffff";
  BOOST_TEST((CodeOf(node.Do(revoke)) == ErrorCode::kNotFound));
  std::vector<std::string> types;
  for (const auto& e : Stream(log, "account-acme")) types.push_back(e.type);
  BOOST_TEST(types == (std::vector<std::string>{"account.created", "apikey.created", "apikey.revoked"}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(Idempotency, Fixture)

BOOST_AUTO_TEST_CASE(ARetriedCreateReturnsTheSameResultAndAppendsNothing) {
  AccountCommand create = WithKey(Resource("acme", Op::kCreate, "domain", "", {{"domain", "idem.acme.com"}}), "k1");
  Outcome first = node.Do(create);
  BOOST_REQUIRE(first.ok());
  const uint64_t head = log.HeadPosition();
  Must(node, Resource("acme", Op::kPatch, "domain", first->resource->id, {{"is_primary", 1}}));
  const uint64_t head_after_patch = log.HeadPosition();
  BOOST_TEST(head_after_patch == head + 1);

  Outcome retry = node.Do(create);
  BOOST_REQUIRE_MESSAGE(retry.ok(), retry.status().ToString());
  BOOST_TEST(retry->resource->id == first->resource->id);
  BOOST_TEST(retry->resource->revision == 1u);
  BOOST_TEST(retry->resource->document == first->resource->document);
  BOOST_TEST(retry->position == first->position);
  BOOST_TEST(log.HeadPosition() == head_after_patch);
  BOOST_TEST(Stream(log, "unique-domain-idem.acme.com").size() == 1u);
}

BOOST_AUTO_TEST_CASE(ARetryOnAnotherInstanceIsDeduplicatedByTheStoreWithTheSameResult) {
  Node second(log, 100, kKey);
  // A lookup: the second instance has now read account-acme.
  BOOST_REQUIRE((CodeOf(second.Do(Resource("acme", Op::kPatch, "domain", "dom_none"))) ==
                 ErrorCode::kNotFound));
  AccountCommand create = WithKey(Resource("acme", Op::kCreate, "domain", "", {{"domain", "dedup.acme.com"}}), "k2");
  Outcome first = node.Do(create);
  BOOST_REQUIRE(first.ok());
  const uint64_t head = log.HeadPosition();

  Outcome retry = second.Do(create);  // decides again (same id), the store deduplicates
  BOOST_REQUIRE_MESSAGE(retry.ok(), retry.status().ToString());
  BOOST_TEST(retry->resource->id == first->resource->id);
  BOOST_TEST(retry->resource->revision == 1u);
  BOOST_TEST(retry->position == first->position);
  BOOST_TEST(log.HeadPosition() == head);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Recovery)

BOOST_AUTO_TEST_CASE(ASnapshotPlusTheTailRestoresResourcesKeysAndSecrets) {
  ControlledLog log;
  std::string user_id, member_id, box_id;
  {
    Node first(log, /*snapshot_every=*/3, kKey);
    BOOST_REQUIRE(first.Do(CreateAccount("acme")).ok());
    user_id = Must(first, Resource("acme", Op::kCreate, "user", "", {{"username", "alice"}})).id;
    ResourceResult rg = Must(first, Resource("acme", Op::kCreate, "ring_group", "", {{"name", "Sales"}}));
    member_id = Must(first, Resource("acme", Op::kCreate, "ring_group_member", "",
                                     {{"ring_group_id", rg.id}, {"user_id", user_id}})).id;
    box_id = Must(first, Resource("acme", Op::kCreate, "voicemail", "", {{"name", "Box"}, {"pin_secret", "2468"}})).id;
    Must(first, Resource("acme", Op::kPatch, "user", user_id, {{"display_name", "Alice"}}));
  }
  auto snapshot = log.LoadSnapshot("account-acme");
  BOOST_REQUIRE(snapshot.ok() && snapshot->has_value());
  BOOST_TEST((*snapshot)->version >= 3u);
  BOOST_TEST((*snapshot)->version < Stream(log, "account-acme").size());  // a tail remains

  Node second(log, 3, kKey);
  ResourceResult user = Read(second, "acme", "user", user_id);
  BOOST_TEST(user.revision == 2u);
  BOOST_TEST(user.document["display_name"] == "Alice");
  Outcome refused = second.Do(Resource("acme", Op::kDelete, "user", user_id));
  BOOST_TEST((CodeOf(refused) == ErrorCode::kFailedPrecondition));
  BOOST_TEST(refused.status().message().find(member_id) != std::string::npos);
  BOOST_TEST((CodeOf(second.Do(Resource("acme", Op::kCreate, "user", "", {{"username", "alice"}}))) ==
              ErrorCode::kAlreadyExists));

  // The sealed secret survived too: rebuild the state from the log and open it.
  domain::AccountState state;
  BOOST_REQUIRE(domain::ReplayAccount(state, Stream(log, "account-acme")).ok());
  const std::string ref = state.FindResource("voicemail", box_id)->document["pin_secret_ref"];
  BOOST_TEST(*domain::OpenAccountSecret(state, ref, kKey) == "2468");
  Result<domain::AccountState> decoded = domain::DecodeAccountSnapshot((*snapshot)->state, (*snapshot)->version);
  BOOST_REQUIRE(decoded.ok());
  BOOST_TEST(!decoded->resources.empty());
}

BOOST_AUTO_TEST_CASE(SnapshotsGrowApartAsTheStateGrows) {
  ControlledLog log;
  Node node(log, /*snapshot_every=*/4, kKey);
  BOOST_REQUIRE(node.Do(CreateAccount("acme")).ok());
  // Versions at which a snapshot was found after each write.
  std::vector<uint64_t> snapshots;
  for (int i = 0; i < 120; ++i) {
    Must(node, Resource("acme", Op::kCreate, "time_schedule", "", {{"name", "s" + std::to_string(i)}}));
    auto snapshot = log.LoadSnapshot("account-acme");
    BOOST_REQUIRE(snapshot.ok());
    if (snapshot->has_value() && (snapshots.empty() || snapshots.back() != (*snapshot)->version)) {
      snapshots.push_back((*snapshot)->version);
    }
  }
  BOOST_TEST_REQUIRE(snapshots.size() >= 3u);
  // Each gap is at least snapshot_every and at least the number of resources the previous
  // snapshot held (its cost), so snapshots stay a constant cost per event.
  for (size_t i = 1; i < snapshots.size(); ++i) {
    const uint64_t gap = snapshots[i] - snapshots[i - 1];
    const uint64_t held = snapshots[i - 1] - 1;  // one account event, then one resource per version
    BOOST_TEST(gap >= 4u);
    BOOST_TEST(gap >= 4 * held, "gap " << gap << " after a snapshot of " << held << " resources");
  }
  BOOST_TEST(snapshots.size() < 120u / 4);  // fewer than a snapshot every 4 events
}

BOOST_AUTO_TEST_CASE(StartRejectsASecretKeyOfTheWrongSize) {
  ControlledLog log;
  RuntimeOptions options;
  options.deterministic = true;
  options.secret_key = "too short";
  BOOST_TEST((Runtime::Start(log, options).status().code() == ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace dialtone::actors
