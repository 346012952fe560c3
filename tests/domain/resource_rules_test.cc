// The account's configuration rules as pure functions: resources (create, patch, put,
// delete, publish) validated by model/, references, uniqueness, secrets, API keys,
// reservations and the snapshot. No actors, no log.
#define BOOST_TEST_MODULE resource_rules
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "commands/api_keys.h"
#include "domain/account_fold.h"
#include "domain/account_rules.h"
#include "domain/secret_box.h"
#include "model/digest.h"
#include "events/event_types.h"
#include "account.pb.h"
#include "resource.pb.h"

namespace dialtone::domain {
namespace {

using namespace ::dialtone::commands;  // the commands the rules decide

using Kind = AccountCommand::Kind;
using Op = ResourceCommand::Op;
using Json = nlohmann::json;
using events::RecordedEvent;
using events::RecordedEvents;

const auto kNow = std::chrono::system_clock::time_point{} + std::chrono::seconds(1'700'000'000);
const std::string kKey(32, 'k');

AccountCommand Base(Kind kind, const std::string& account = "acme") {
  AccountCommand c;
  c.kind = kind;
  c.account_id = account;
  c.context.principal = "admin";
  c.context.correlation_id = "corr-1";
  return c;
}

AccountCommand Resource(Op op, const std::string& kind, const std::string& id, Json body = {},
                        const std::string& account = "acme") {
  AccountCommand c = Base(Kind::kResource, account);
  c.resource.op = op;
  c.resource.kind = kind;
  c.resource.id = id;
  c.resource.body = std::move(body);
  return c;
}

AccountCommand Mint(std::vector<std::string> scopes = {}, const std::string& label = "ci") {
  AccountCommand c = Base(Kind::kApiKey);
  c.api_key.op = ApiKeyCommand::Op::kMint;
  c.api_key.scopes = std::move(scopes);
  c.api_key.label = label;
  return c;
}

AccountCommand Revoke(const std::string& key_id) {
  AccountCommand c = Base(Kind::kApiKey);
  c.api_key.op = ApiKeyCommand::Op::kRevoke;
  c.api_key.key_id = key_id;
  return c;
}

// Records decided events the way a log would and folds them (checked).
void Apply(AccountState& state, const std::vector<events::EventData>& decided) {
  RecordedEvents recorded;
  for (size_t i = 0; i < decided.size(); ++i) {
    RecordedEvent e;
    e.position = e.version = state.version + i + 1;
    e.stream = AccountStream(state.exists() ? state.account_id : "acme");
    e.type = decided[i].type;
    e.payload = decided[i].payload;
    e.time_ms = 1000;
    recorded.push_back(e);
  }
  Status s = ReplayAccount(state, recorded);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
}

Decided Decide(const AccountState& state, const AccountCommand& command,
                               std::string_view key = kKey) {
  return DecideAccountCommand(state, command, kNow, DecideOptions{key});
}

// Decides and applies; the decision must succeed.
AccountDecision Do(AccountState& state, const AccountCommand& command) {
  Decided decided = Decide(state, command);
  BOOST_REQUIRE_MESSAGE(decided.ok(), decided.status().ToString());
  Apply(state, decided->events);
  return std::move(decided).value();
}

// Creates `kind` and returns its id.
std::string Create(AccountState& state, const std::string& kind, Json body) {
  AccountDecision d = Do(state, Resource(Op::kCreate, kind, "", std::move(body), state.account_id));
  BOOST_REQUIRE(d.receipt.resource.has_value());
  return d.receipt.resource->id;
}

AccountState Account(const std::string& id = "acme") {
  AccountState state;
  AccountCommand create = Base(Kind::kCreate, id);
  create.settings.set_name("Acme");
  Apply(state, *DecideAccount(state, create, kNow));
  return state;
}

ErrorCode CodeOf(const AccountState& state, const AccountCommand& command) {
  return Decide(state, command).status().code();
}

RecordedEvent Recorded(const events::EventData& data, uint64_t version) {
  RecordedEvent e;
  e.version = e.position = version;
  e.type = data.type;
  e.payload = data.payload;
  return e;
}

std::vector<std::string> TypesOf(const std::vector<events::EventData>& events) {
  std::vector<std::string> types;
  for (const auto& e : events) types.push_back(e.type);
  return types;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(Creation)

BOOST_AUTO_TEST_CASE(CreateMintsAPrefixedIdAndStoresTheStampedNormalisedDocument) {
  AccountState state = Account();
  AccountDecision d = Do(state, Resource(Op::kCreate, "domain", "", {{"domain", "PBX.Example.com"}}));
  BOOST_REQUIRE(d.receipt.resource.has_value());
  const std::string id = d.receipt.resource->id;
  BOOST_TEST(id.starts_with("dom_"));
  BOOST_TEST(id.size() == 4u + 32u);
  BOOST_TEST(TypesOf(d.events) == std::vector<std::string>{std::string(events::kResourceCreated)});
  const StoredResource* stored = state.FindResource("domain", id);
  BOOST_REQUIRE(stored != nullptr);
  BOOST_TEST(stored->revision == 1u);
  BOOST_TEST(stored->document["domain"] == "pbx.example.com");
  BOOST_TEST(stored->document["is_primary"] == 0);
  BOOST_TEST(stored->document["id"] == id);
  BOOST_TEST(stored->document["account_id"] == "acme");
  BOOST_TEST(stored->document["created_at"] == 1'700'000'000);
  BOOST_TEST(d.events[0].principal == "admin");
  BOOST_TEST(d.events[0].correlation_id == "corr-1");
}

BOOST_AUTO_TEST_CASE(AGivenIdIsKeptAndAnExistingOneIsAlreadyExists) {
  AccountState state = Account();
  AccountDecision d = Do(state, Resource(Op::kCreate, "domain", "dom_main", {{"domain", "a.example.com"}}));
  BOOST_TEST(d.receipt.resource->id == "dom_main");
  BOOST_TEST((CodeOf(state, Resource(Op::kCreate, "domain", "dom_main", {{"domain", "b.example.com"}})) ==
              ErrorCode::kAlreadyExists));
  BOOST_TEST((CodeOf(state, Resource(Op::kCreate, "domain", "bad id!", {{"domain", "b.example.com"}})) ==
              ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(AnIdempotencyKeyDerivesTheSameIdEveryTime) {
  AccountState state = Account();
  AccountCommand c = Resource(Op::kCreate, "domain", "", {{"domain", "a.example.com"}});
  c.context.idempotency_key = "req-1";
  const std::string first = Decide(state, c)->receipt.resource->id;
  BOOST_TEST(Decide(state, c)->receipt.resource->id == first);
  c.context.idempotency_key = "req-2";
  BOOST_TEST(Decide(state, c)->receipt.resource->id != first);
  c.context.idempotency_key = "";
  BOOST_TEST(Decide(state, c)->receipt.resource->id != Decide(state, c)->receipt.resource->id);
}

BOOST_AUTO_TEST_CASE(ValidationErrorsAreInvalidArgumentNamingEveryFieldPath) {
  AccountState state = Account();
  Decided bad = Decide(state, Resource(Op::kCreate, "user", "",
                                                       {{"username", "alice"},
                                                        {"ring_timeout_sec", 2},
                                                        {"colour", "red"}}));
  BOOST_REQUIRE((bad.status().code() == ErrorCode::kInvalidArgument));
  std::vector<model::FieldError> errors = bad.error().field_errors;
  BOOST_REQUIRE(errors.size() == 2u);
  std::vector<std::string> paths = {errors[0].path, errors[1].path};
  std::sort(paths.begin(), paths.end());
  BOOST_TEST(paths == (std::vector<std::string>{"colour", "ring_timeout_sec"}));
  BOOST_TEST(bad.status().message().find("ring_timeout_sec: ") != std::string::npos);
  BOOST_TEST(state.resources.empty());
}

BOOST_AUTO_TEST_CASE(FieldErrorsAreKeptFreeOfTheMessageSeparators) {
  std::vector<model::FieldError> errors = {{"a: b; c", "x; y: z"}, {"", "body: not an object"},
                                           {"graph.nodes[2].type", "unknown"}};
  CommandError error = CommandError::InvalidFields(errors);
  BOOST_TEST((error.code() == ErrorCode::kInvalidArgument));
  BOOST_TEST(error.message() == "a b, c: x, y: z; body - not an object; graph.nodes[2].type: unknown");
  const std::vector<model::FieldError>& back = error.field_errors;
  BOOST_REQUIRE(back.size() == 3u);
  BOOST_TEST(back[0].path == "a b, c");
  BOOST_TEST(back[0].message == "x, y: z");
  BOOST_TEST(back[1].path == "");
  BOOST_TEST(back[1].message == "body - not an object");
  BOOST_TEST(back[2].path == "graph.nodes[2].type");
  BOOST_TEST(back[2].message == "unknown");
  BOOST_TEST(CommandError(Status::NotFound("x: y")).field_errors.empty());
  // An invalid argument made without a field list is an error of the command itself.
  const CommandError plain(Status::InvalidArgument("a new account needs a name"));
  BOOST_REQUIRE(plain.field_errors.size() == 1u);
  BOOST_TEST(plain.field_errors[0].path == "");
  BOOST_TEST(plain.field_errors[0].message == "a new account needs a name");
}

BOOST_AUTO_TEST_CASE(UnknownKindsAndTheAccountKindAreRefused) {
  AccountState state = Account();
  BOOST_TEST((CodeOf(state, Resource(Op::kCreate, "spaceship", "", Json::object())) ==
              ErrorCode::kInvalidArgument));
  BOOST_TEST((CodeOf(state, Resource(Op::kCreate, "account", "", {{"name", "x"}})) ==
              ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(AReferenceToAMissingResourceIsInvalidArgumentNamingTheField) {
  AccountState state = Account();
  Decided bad = Decide(state, Resource(Op::kCreate, "extension", "",
                                                       {{"digits", "100"},
                                                        {"dest_kind", "ring_group"},
                                                        {"dest_id", "rg_missing"}}));
  BOOST_REQUIRE((bad.status().code() == ErrorCode::kInvalidArgument));
  std::vector<model::FieldError> errors = bad.error().field_errors;
  BOOST_REQUIRE(errors.size() == 1u);
  BOOST_TEST(errors[0].path == "dest_id");
  BOOST_TEST(errors[0].message.find("ring_group 'rg_missing'") != std::string::npos);

  const std::string rg = Create(state, "ring_group", {{"name", "Sales"}});
  AccountDecision ok = Do(state, Resource(Op::kCreate, "extension", "",
                                          {{"digits", "100"}, {"dest_kind", "ring_group"}, {"dest_id", rg}}));
  BOOST_TEST(state.referrers.at(ResourceKey{"ring_group", rg}).size() == 1u);
}

BOOST_AUTO_TEST_CASE(ANestedResourceNeedsItsParentInThisAccount) {
  AccountState state = Account();
  const std::string user = Create(state, "user", {{"username", "alice"}});
  Decided orphan = Decide(state, Resource(Op::kCreate, "ring_group_member", "",
                                                          {{"ring_group_id", "rg_nope"}, {"user_id", user}}));
  BOOST_REQUIRE((orphan.status().code() == ErrorCode::kInvalidArgument));
  BOOST_TEST(orphan.error().field_errors.at(0).path == "ring_group_id");
  // Another account's ring group is just as missing.
  AccountState other = Account("other");
  const std::string foreign = Create(other, "ring_group", {{"name", "Theirs"}});
  BOOST_TEST((CodeOf(state, Resource(Op::kCreate, "ring_group_member", "",
                                     {{"ring_group_id", foreign}, {"user_id", user}})) ==
              ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(AValueUniqueInTheAccountIsAlreadyExistsNamingTheValueAndHolder) {
  AccountState state = Account();
  const std::string alice = Create(state, "user", {{"username", "alice"}});
  Decided dup = Decide(state, Resource(Op::kCreate, "user", "", {{"username", "alice"}}));
  BOOST_REQUIRE((dup.status().code() == ErrorCode::kAlreadyExists));
  BOOST_TEST(dup.status().message().find("'alice'") != std::string::npos);
  BOOST_TEST(dup.status().message().find("user/" + alice) != std::string::npos);
  // Another account may use the same username.
  AccountState other = Account("other");
  BOOST_TEST(Decide(other, Resource(Op::kCreate, "user", "", {{"username", "alice"}}, "other")).ok());
}

BOOST_AUTO_TEST_CASE(PlatformUniqueValuesAreClaimedBeforeTheAppend) {
  AccountState state = Account();
  AccountDecision d = Do(state, Resource(Op::kCreate, "domain", "dom_1", {{"domain", "pbx.example.com"}}));
  BOOST_REQUIRE(d.claims.size() == 1u);
  BOOST_TEST((d.claims[0] == Reservation{"domain", "pbx.example.com", "acme", "domain", "dom_1"}));
  BOOST_TEST(ReservationStream(d.claims[0]) == "unique-domain-pbx.example.com");
  BOOST_TEST(d.releases.empty());
  // A second resource of the same account is refused without touching the reservation.
  Decided dup = Decide(state, Resource(Op::kCreate, "domain", "", {{"domain", "pbx.example.com"}}));
  BOOST_TEST((dup.status().code() == ErrorCode::kAlreadyExists));
  BOOST_TEST(dup.status().message() == "domain 'pbx.example.com' is already taken");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Updates)

BOOST_AUTO_TEST_CASE(PatchChangesOnlyTheGivenFieldsAndBumpsTheRevision) {
  AccountState state = Account();
  const std::string id = Create(state, "user", {{"username", "alice"}, {"display_name", "Alice"}});
  AccountDecision d = Do(state, Resource(Op::kPatch, "user", id, {{"ring_timeout_sec", 40}}));
  BOOST_TEST(TypesOf(d.events) == std::vector<std::string>{std::string(events::kResourceUpdated)});
  const StoredResource& stored = *state.FindResource("user", id);
  BOOST_TEST(stored.revision == 2u);
  BOOST_TEST(stored.document["ring_timeout_sec"] == 40);
  BOOST_TEST(stored.document["display_name"] == "Alice");
  BOOST_TEST(d.receipt.resource->revision == 2u);
}

BOOST_AUTO_TEST_CASE(PutResetsOmittedFieldsToTheirDefaults) {
  AccountState state = Account();
  const std::string id = Create(state, "user", {{"username", "alice"}, {"display_name", "Alice"},
                                                {"ring_timeout_sec", 40}});
  Do(state, Resource(Op::kPut, "user", id, {{"username", "alice2"}}));
  const StoredResource& stored = *state.FindResource("user", id);
  BOOST_TEST(stored.revision == 2u);
  BOOST_TEST(stored.document["username"] == "alice2");
  BOOST_TEST(stored.document["ring_timeout_sec"] == 25);
  BOOST_TEST(stored.document["display_name"].is_null());
  // The unique index follows the change: the old username is free again.
  BOOST_TEST(Decide(state, Resource(Op::kCreate, "user", "", {{"username", "alice"}})).ok());
}

BOOST_AUTO_TEST_CASE(AnUpdateThatChangesNothingDecidesNoEvents) {
  AccountState state = Account();
  const std::string id = Create(state, "user", {{"username", "alice"}});
  Decided same = Decide(state, Resource(Op::kPatch, "user", id, {{"username", "alice"}}));
  BOOST_REQUIRE(same.ok());
  BOOST_TEST(same->events.empty());
  BOOST_TEST(same->receipt.resource->revision == 1u);
}

BOOST_AUTO_TEST_CASE(AStaleIfMatchRevisionIsWrongExpectedVersion) {
  AccountState state = Account();
  const std::string id = Create(state, "user", {{"username", "alice"}});
  AccountCommand stale = Resource(Op::kPatch, "user", id, {{"ring_timeout_sec", 30}});
  stale.resource.if_match_revision = 2;
  BOOST_TEST((CodeOf(state, stale) == ErrorCode::kWrongExpectedVersion));
  BOOST_TEST((Decide(state, stale).error().actual_version == std::optional<uint64_t>(1)));
  stale.resource.if_match_revision = 1;
  BOOST_TEST(Decide(state, stale).ok());
  AccountCommand del = Resource(Op::kDelete, "user", id);
  del.resource.if_match_revision = 7;
  BOOST_TEST((CodeOf(state, del) == ErrorCode::kWrongExpectedVersion));
}

BOOST_AUTO_TEST_CASE(UpdatesOfAMissingResourceAreNotFound) {
  AccountState state = Account();
  BOOST_TEST((CodeOf(state, Resource(Op::kPatch, "user", "usr_x", {{"username", "a"}})) == ErrorCode::kNotFound));
  BOOST_TEST((CodeOf(state, Resource(Op::kPut, "user", "usr_x", {{"username", "a"}})) == ErrorCode::kNotFound));
  BOOST_TEST((CodeOf(state, Resource(Op::kDelete, "user", "usr_x")) == ErrorCode::kNotFound));
}

BOOST_AUTO_TEST_CASE(ChangingAPlatformValueClaimsTheNewAndReleasesTheOld) {
  AccountState state = Account();
  Do(state, Resource(Op::kCreate, "domain", "dom_1", {{"domain", "old.example.com"}}));
  AccountDecision d = Do(state, Resource(Op::kPatch, "domain", "dom_1", {{"domain", "new.example.com"}}));
  BOOST_REQUIRE(d.claims.size() == 1u);
  BOOST_TEST(d.claims[0].value == "new.example.com");
  BOOST_REQUIRE(d.releases.size() == 1u);
  BOOST_TEST(d.releases[0].value == "old.example.com");
  // Changing another field claims nothing.
  AccountDecision other = Do(state, Resource(Op::kPatch, "domain", "dom_1", {{"is_primary", 1}}));
  BOOST_TEST(other.claims.empty());
  BOOST_TEST(other.releases.empty());
}

BOOST_AUTO_TEST_CASE(PublishingAFlowValidatesTheGraphAndBumpsItsVersion) {
  AccountState state = Account();
  const Json graph = {{"nodes", {{{"id", "s"}, {"type", "start"}}, {{"id", "h"}, {"type", "hangup"}}}},
                      {"edges", {{{"from", "s"}, {"to", "h"}}}}};
  const std::string flow = Create(state, "flow", {{"name", "Main"}, {"graph", graph}});
  AccountDecision d = Do(state, Resource(Op::kPublish, "flow", flow));
  const StoredResource& stored = *state.FindResource("flow", flow);
  BOOST_TEST(stored.document["is_published"] == 1);
  BOOST_TEST(stored.document["version"] == 1);
  BOOST_TEST(stored.revision == 2u);

  const std::string broken = Create(state, "flow", {{"name", "Broken"}});
  Decided refused = Decide(state, Resource(Op::kPublish, "flow", broken));
  BOOST_TEST((refused.status().code() == ErrorCode::kInvalidArgument));
  BOOST_TEST(!refused.error().field_errors.empty());
  const std::string user = Create(state, "user", {{"username", "bob"}});
  BOOST_TEST((CodeOf(state, Resource(Op::kPublish, "user", user)) == ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(EarlierShapes)

BOOST_AUTO_TEST_CASE(AResourceStoredInAnEarlierShapeFoldsIntoTheCurrentOne) {
  AccountState state = Account();
  events::ResourceCreated created;
  created.set_account_id("acme");
  created.set_kind("call_blocking_rule");
  created.set_id("cbr_old");
  created.set_document(Json{{"id", "cbr_old"}, {"number_prefix", "1900"}, {"direction", "both"}, {"enabled", 1}}.dump());
  created.set_revision(1);
  Apply(state, {events::MakeEvent(events::kResourceCreated, created)});
  const Json& doc = state.FindResource("call_blocking_rule", "cbr_old")->document;
  BOOST_TEST(doc["caller_match"] == "1900");
  BOOST_TEST(doc["callee_match"] == "1900");
  BOOST_TEST(!doc.contains("number_prefix"));
  // A change decided on it writes the current shape.
  AccountDecision d = Do(state, Resource(Op::kPatch, "call_blocking_rule", "cbr_old", {{"caller_match", nullptr}}));
  BOOST_TEST(d.receipt.resource->document["callee_match"] == "1900");
  BOOST_TEST(d.receipt.resource->document["caller_match"].is_null());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Deletion)

// A trunk with an endpoint, an ACL binding and a number on it.
struct TrunkFixture {
  AccountState state = Account();
  std::string trunk, endpoint, acl, binding, did;
  TrunkFixture() {
    trunk = Create(state, "sip_trunk", {{"name", "pbx trunk"}, {"host_name", "trkcascade"}});
    endpoint = Create(state, "sip_endpoint", {{"trunk_id", trunk}, {"name", "pbx"}, {"address", "192.0.2.10"}, {"priority", 1}});
    acl = Create(state, "ip_acl", {{"name", "office"}});
    binding = Create(state, "trunk_acl_binding", {{"trunk_id", trunk}, {"acl_id", acl}});
    did = Create(state, "did", {{"e164", "14155550100"}, {"trunk_id", trunk}});
  }
  static std::vector<CascadeRule> TrunkRules() {
    return {{"sip_endpoint", "trunk_id", CascadeRule::Action::kDelete},
            {"trunk_acl_binding", "trunk_id", CascadeRule::Action::kDelete},
            {"did", "trunk_id", CascadeRule::Action::kDetach}};
  }
};

BOOST_AUTO_TEST_CASE(ACascadePlansEachRulesReferrersInRuleOrder) {
  TrunkFixture f;
  const std::vector<ResourceCommand> plan = PlanCascade(f.state, {"sip_trunk", f.trunk}, TrunkFixture::TrunkRules());
  BOOST_REQUIRE(plan.size() == 3u);
  BOOST_TEST((plan[0].op == Op::kDelete && plan[0].kind == "sip_endpoint" && plan[0].id == f.endpoint));
  BOOST_TEST((plan[1].op == Op::kDelete && plan[1].kind == "trunk_acl_binding" && plan[1].id == f.binding));
  BOOST_TEST((plan[2].op == Op::kPatch && plan[2].kind == "did" && plan[2].id == f.did));
  BOOST_TEST(plan[2].body == (Json{{"trunk_id", nullptr}}));
  // The ACL is referred to by the binding only: a rule for another field plans nothing.
  BOOST_TEST(PlanCascade(f.state, {"ip_acl", f.acl}, {{"trunk_acl_binding", "trunk_id"}}).empty());
}

BOOST_AUTO_TEST_CASE(ACascadingDeleteTakesItsReferrersInTheSameDecision) {
  TrunkFixture f;
  AccountCommand del = Resource(Op::kDelete, "sip_trunk", f.trunk);
  del.resource.cascade = TrunkFixture::TrunkRules();
  AccountDecision d = Do(f.state, del);
  BOOST_TEST(TypesOf(d.events) == (std::vector<std::string>{std::string(events::kResourceDeleted),
                                                            std::string(events::kResourceDeleted),
                                                            std::string(events::kResourceUpdated),
                                                            std::string(events::kResourceDeleted)}));
  BOOST_TEST(f.state.FindResource("sip_trunk", f.trunk) == nullptr);
  BOOST_TEST(f.state.FindResource("sip_endpoint", f.endpoint) == nullptr);
  BOOST_TEST(f.state.FindResource("trunk_acl_binding", f.binding) == nullptr);
  BOOST_TEST(f.state.FindResource("ip_acl", f.acl) != nullptr);
  BOOST_TEST(f.state.FindResource("did", f.did)->document["trunk_id"].is_null());
  BOOST_TEST(d.receipt.resource->id == f.trunk);
  BOOST_TEST(d.receipt.resource->deleted);
}

BOOST_AUTO_TEST_CASE(AReferrerNoRuleCoversRefusesTheCascadeAndNothingIsDecided) {
  TrunkFixture f;
  const std::string route = Create(f.state, "outbound_route", {{"match_prefix", "1"}, {"trunk_id", f.trunk}});
  const uint64_t before = f.state.version;
  AccountCommand del = Resource(Op::kDelete, "sip_trunk", f.trunk);
  del.resource.cascade = TrunkFixture::TrunkRules();
  Decided refused = Decide(f.state, del);
  BOOST_REQUIRE((refused.status().code() == ErrorCode::kFailedPrecondition));
  BOOST_TEST((refused.error().referrers == std::vector<ResourceKey>{{"outbound_route", route}}));
  BOOST_TEST(f.state.version == before);
  BOOST_TEST(f.state.FindResource("sip_endpoint", f.endpoint) != nullptr);
  // Only a delete cascades.
  AccountCommand patch = Resource(Op::kPatch, "sip_trunk", f.trunk, {{"name", "x"}});
  patch.resource.cascade = TrunkFixture::TrunkRules();
  BOOST_TEST((CodeOf(f.state, patch) == ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(DeleteRemovesTheResourceAndReleasesItsPlatformValues) {
  AccountState state = Account();
  Do(state, Resource(Op::kCreate, "domain", "dom_1", {{"domain", "pbx.example.com"}}));
  AccountDecision d = Do(state, Resource(Op::kDelete, "domain", "dom_1"));
  BOOST_TEST(TypesOf(d.events) == std::vector<std::string>{std::string(events::kResourceDeleted)});
  BOOST_TEST(d.receipt.resource->deleted);
  BOOST_REQUIRE(d.releases.size() == 1u);
  BOOST_TEST(d.releases[0].value == "pbx.example.com");
  BOOST_TEST(state.FindResource("domain", "dom_1") == nullptr);
  BOOST_TEST(state.unique_holders.empty());
}

BOOST_AUTO_TEST_CASE(DeleteOfAReferencedResourceIsFailedPreconditionNamingTheReferrers) {
  AccountState state = Account();
  const std::string user = Create(state, "user", {{"username", "alice"}});
  const std::string rg = Create(state, "ring_group", {{"name", "Sales"}});
  const std::string member = Create(state, "ring_group_member", {{"ring_group_id", rg}, {"user_id", user}});
  Decided refused = Decide(state, Resource(Op::kDelete, "user", user));
  BOOST_REQUIRE((refused.status().code() == ErrorCode::kFailedPrecondition));
  BOOST_TEST(refused.status().message() == "user/" + user + " is referred to by ring_group_member/" + member);
  BOOST_TEST((refused.error().referrers == std::vector<ResourceKey>{{"ring_group_member", member}}));
  // A parent with children names them too.
  Decided parent = Decide(state, Resource(Op::kDelete, "ring_group", rg));
  BOOST_REQUIRE((parent.status().code() == ErrorCode::kFailedPrecondition));
  BOOST_TEST(parent.status().message().find("ring_group_member/" + member) != std::string::npos);
  // Once the member is gone both can be deleted.
  Do(state, Resource(Op::kDelete, "ring_group_member", member));
  Do(state, Resource(Op::kDelete, "user", user));
  Do(state, Resource(Op::kDelete, "ring_group", rg));
  BOOST_TEST(state.resources.empty());
  BOOST_TEST(state.referrers.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(AccountStatusRules)

BOOST_AUTO_TEST_CASE(ASuspendedAccountCanBeConfiguredAClosedOneCannot) {
  AccountState state = Account();
  Apply(state, *DecideAccount(state, Base(Kind::kSuspend), kNow));
  BOOST_TEST(Decide(state, Resource(Op::kCreate, "user", "", {{"username", "a"}})).ok());
  BOOST_TEST(Decide(state, Mint()).ok());
  Apply(state, *DecideAccount(state, Base(Kind::kClose), kNow));
  BOOST_TEST((CodeOf(state, Resource(Op::kCreate, "user", "", {{"username", "a"}})) ==
              ErrorCode::kFailedPrecondition));
  BOOST_TEST((CodeOf(state, Mint()) == ErrorCode::kFailedPrecondition));
}

BOOST_AUTO_TEST_CASE(ResourcesOfAMissingAccountAreNotFound) {
  AccountState state;
  BOOST_TEST((CodeOf(state, Resource(Op::kCreate, "user", "", {{"username", "a"}})) == ErrorCode::kNotFound));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Secrets)

BOOST_AUTO_TEST_CASE(ASecretValueIsSealedAndTheDocumentHoldsOnlyItsRef) {
  AccountState state = Account();
  AccountDecision d = Do(state, Resource(Op::kCreate, "voicemail", "", {{"name", "Box"}, {"pin_secret", "73915824"}}));
  BOOST_TEST(TypesOf(d.events) == (std::vector<std::string>{std::string(events::kSecretStored),
                                                            std::string(events::kResourceCreated)}));
  for (const auto& e : d.events) BOOST_TEST(e.payload.find("73915824") == std::string::npos);
  const StoredResource& stored = *state.FindResource("voicemail", d.receipt.resource->id);
  BOOST_TEST(!stored.document.contains("pin"));
  const std::string ref = stored.document["pin_secret_ref"].get<std::string>();
  BOOST_TEST(!ref.empty());
  BOOST_TEST(*OpenAccountSecret(state, ref, kKey) == "73915824");
  BOOST_TEST((OpenAccountSecret(state, ref, std::string(32, 'x')).status().code() == ErrorCode::kCorruption));
  BOOST_TEST((OpenAccountSecret(state, "sec_unknown", kKey).status().code() == ErrorCode::kNotFound));
}

BOOST_AUTO_TEST_CASE(ReplacingAndDeletingSecretsDeletesTheOldSealedValue) {
  AccountState state = Account();
  const std::string id = Create(state, "voicemail", {{"name", "Box"}, {"pin_secret", "1234"}});
  const std::string old_ref = state.FindResource("voicemail", id)->document["pin_secret_ref"];
  AccountDecision changed = Do(state, Resource(Op::kPatch, "voicemail", id, {{"pin_secret", "5678"}}));
  const std::string new_ref = state.FindResource("voicemail", id)->document["pin_secret_ref"];
  BOOST_TEST(new_ref != old_ref);
  BOOST_TEST(!state.secrets.contains(old_ref));
  BOOST_TEST(*OpenAccountSecret(state, new_ref, kKey) == "5678");
  Do(state, Resource(Op::kDelete, "voicemail", id));
  BOOST_TEST(state.secrets.empty());
}

BOOST_AUTO_TEST_CASE(WritingASecretWithoutANodeKeyIsFailedPrecondition) {
  AccountState state = Account();
  Decided d = Decide(state, Resource(Op::kCreate, "voicemail", "",
                                                     {{"name", "Box"}, {"pin_secret", "1234"}}), "");
  BOOST_TEST((d.status().code() == ErrorCode::kFailedPrecondition));
  BOOST_TEST(Decide(state, Resource(Op::kCreate, "voicemail", "", {{"name", "Box"}}), "").ok());
}

BOOST_AUTO_TEST_CASE(ADevicePasswordIsKeptOnlyAsDigestHashesHiddenFromTheReply) {
  AccountState state = Account();
  const std::string user = Create(state, "user", {{"username", "alice"}});
  AccountDecision d = Do(state, Resource(Op::kCreate, "device", "",
                                         {{"user_id", user}, {"auth_username", "alice"},
                                          {"realm", "pbx.example.com"}, {"password", "correct horse"}}));
  for (const auto& e : d.events) BOOST_TEST(e.payload.find("correct horse") == std::string::npos);
  const StoredResource& stored = *state.FindResource("device", d.receipt.resource->id);
  BOOST_TEST(stored.document["ha1"] == model::DigestHa1("alice", "pbx.example.com", "correct horse"));
  AccountCommandResult reply = MakeCommandResult(state, 9, d.receipt);
  BOOST_TEST(!reply.resource->document.contains("ha1"));
  BOOST_TEST(!reply.resource->document.contains("ha1b"));
  BOOST_TEST(!reply.resource->document.contains("password"));
  BOOST_TEST(reply.resource->document["auth_username"] == "alice");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ApiKeys)

BOOST_AUTO_TEST_CASE(MintingShowsTheKeyOnceAndStoresOnlyItsHash) {
  AccountState state = Account();
  AccountDecision d = Do(state, Mint({"cdr", "queues", "cdr"}, "reporting"));
  std::optional<ApiKeyToken> token = ParseApiKey(d.receipt.minted_key);
  BOOST_REQUIRE(token.has_value());
  BOOST_TEST(token->key_id == d.receipt.key_id);
  BOOST_TEST(d.events.at(0).payload.find(token->secret) == std::string::npos);
  const ApiKeyRecord& key = state.api_keys.at(token->key_id);
  BOOST_TEST(key.scopes == (std::vector<std::string>{"cdr", "queues"}));
  BOOST_TEST(key.label == "reporting");
  BOOST_TEST(key.created_by == "admin");
  BOOST_TEST(!key.revoked);
  BOOST_TEST(ApiKeySecretMatches(key.secret_sha256, token->secret));
  BOOST_TEST(!ApiKeySecretMatches(key.secret_sha256, std::string(64, '0')));
}

BOOST_AUTO_TEST_CASE(NoScopesMeansAllAndUnknownScopesAreRefused) {
  AccountState state = Account();
  AccountDecision d = Do(state, Mint());
  BOOST_TEST(state.api_keys.at(d.receipt.key_id).scopes == std::vector<std::string>{"*"});
  Decided bad = Decide(state, Mint({"cdr", "root"}));
  BOOST_REQUIRE((bad.status().code() == ErrorCode::kInvalidArgument));
  BOOST_TEST(bad.error().field_errors.at(0).path == "scopes[1]");
}

BOOST_AUTO_TEST_CASE(RevokeMarksTheKeyUnknownIsNotFoundTwiceIsFailedPrecondition) {
  AccountState state = Account();
  const std::string key_id = Do(state, Mint()).receipt.key_id;
  BOOST_TEST((CodeOf(state, Revoke("0000000000000000")) == ErrorCode::kNotFound));
  Do(state, Revoke(key_id));
  BOOST_TEST(state.api_keys.at(key_id).revoked);
  BOOST_TEST((CodeOf(state, Revoke(key_id)) == ErrorCode::kFailedPrecondition));
}

BOOST_AUTO_TEST_CASE(OnlyWellFormedTokensParse) {
  const std::string id(16, 'a'), secret(64, 'b');
  BOOST_TEST(ParseApiKey("dtk_" + id + "_" + secret).has_value());
  BOOST_TEST(!ParseApiKey("dtk_" + id + "-" + secret).has_value());
  BOOST_TEST(!ParseApiKey("xtk_" + id + "_" + secret).has_value());
  BOOST_TEST(!ParseApiKey("dtk_" + id + "_" + secret.substr(1)).has_value());
  BOOST_TEST(!ParseApiKey("dtk_" + std::string(16, 'G') + "_" + secret).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Reservations)

BOOST_AUTO_TEST_CASE(AClaimIsRefusedOnlyWhileAnotherResourceHoldsTheValue) {
  const Reservation mine{"domain", "pbx.example.com", "acme", "domain", "dom_1"};
  const Reservation theirs{"domain", "pbx.example.com", "other", "domain", "dom_9"};
  const CommandContext context;
  auto first = DecideClaim(std::nullopt, mine, context);
  BOOST_REQUIRE(first.ok());
  BOOST_REQUIRE(first->size() == 1u);
  BOOST_TEST(first->at(0).type == std::string(events::kReservationClaimed));
  const RecordedEvent claimed = Recorded(first->at(0), 1);

  BOOST_TEST(DecideClaim(claimed, mine, context)->empty());  // already mine
  auto taken = DecideClaim(claimed, theirs, context);
  BOOST_TEST((taken.status().code() == ErrorCode::kAlreadyExists));
  BOOST_TEST(taken.status().message() == "domain 'pbx.example.com' is already taken");

  BOOST_TEST(DecideRelease(claimed, theirs, context).empty());  // not theirs to release
  std::vector<events::EventData> released = DecideRelease(claimed, mine, context);
  BOOST_REQUIRE(released.size() == 1u);
  const RecordedEvent free = Recorded(released[0], 2);
  BOOST_TEST(DecideClaim(free, theirs, context)->size() == 1u);
  BOOST_TEST(DecideRelease(free, mine, context).empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(FoldAndSnapshot)

BOOST_AUTO_TEST_CASE(ASnapshotRoundTripsResourcesKeysSecretsAndRebuildsTheIndexes) {
  AccountState state = Account();
  const std::string user = Create(state, "user", {{"username", "alice"}});
  const std::string rg = Create(state, "ring_group", {{"name", "Sales"}});
  Create(state, "ring_group_member", {{"ring_group_id", rg}, {"user_id", user}});
  Create(state, "voicemail", {{"name", "Box"}, {"pin_secret", "1234"}});
  const std::string key_id = Do(state, Mint({"cdr"})).receipt.key_id;
  Do(state, Revoke(key_id));
  Do(state, Mint());

  Result<AccountState> decoded = DecodeAccountSnapshot(EncodeAccountSnapshot(state), state.version);
  BOOST_REQUIRE(decoded.ok());
  BOOST_TEST(SameAccountState(*decoded, state));
  BOOST_TEST((decoded->unique_holders == state.unique_holders));
  BOOST_TEST((decoded->referrers == state.referrers));
  BOOST_TEST((CodeOf(*decoded, Resource(Op::kDelete, "user", user)) == ErrorCode::kFailedPrecondition));
  BOOST_TEST((CodeOf(*decoded, Resource(Op::kCreate, "user", "", {{"username", "alice"}})) ==
              ErrorCode::kAlreadyExists));
}

BOOST_AUTO_TEST_CASE(ASnapshotWithoutAnAccountRevisionIsRefusedSoTheStreamIsReplayed) {
  AccountState state = Account();
  events::AccountSnapshot snapshot;
  BOOST_REQUIRE(snapshot.ParseFromString(EncodeAccountSnapshot(state)));
  BOOST_TEST(snapshot.account_revision() != 0u);
  snapshot.clear_account_revision();
  BOOST_TEST((DecodeAccountSnapshot(snapshot.SerializeAsString(), state.version).status().code() ==
              ErrorCode::kCorruption));
}

BOOST_AUTO_TEST_CASE(SameAccountStateSeesResourceDifferences) {
  AccountState a = Account();
  AccountState b = a;
  Create(a, "user", {{"username", "alice"}});
  BOOST_TEST(!SameAccountState(a, b));
}

BOOST_AUTO_TEST_CASE(ReplayRejectsAnUpdateOfAResourceThatDoesNotExist) {
  AccountState state = Account();
  events::ResourceUpdated updated;
  updated.set_account_id("acme");
  updated.set_kind("user");
  updated.set_id("usr_ghost");
  updated.set_document("{}");
  updated.set_revision(2);
  RecordedEvent e;
  e.version = e.position = state.version + 1;
  e.type = std::string(events::kResourceUpdated);
  e.payload = updated.SerializeAsString();
  BOOST_TEST((ReplayAccount(state, {e}).code() == ErrorCode::kCorruption));
}

BOOST_AUTO_TEST_CASE(ReplayRejectsARevisionThatDoesNotFollow) {
  AccountState state = Account();
  const std::string id = Create(state, "user", {{"username", "alice"}});
  events::ResourceUpdated updated;
  updated.set_account_id("acme");
  updated.set_kind("user");
  updated.set_id(id);
  updated.set_document(state.FindResource("user", id)->document.dump());
  updated.set_revision(5);
  RecordedEvent e;
  e.version = e.position = state.version + 1;
  e.type = std::string(events::kResourceUpdated);
  e.payload = updated.SerializeAsString();
  BOOST_TEST((ReplayAccount(state, {e}).code() == ErrorCode::kCorruption));
  BOOST_TEST(state.FindResource("user", id)->revision == 1u);
}

BOOST_AUTO_TEST_CASE(AReceiptRebuiltFromTheEventsEqualsTheDecidedOne) {
  AccountState state = Account();
  AccountDecision d = Do(state, Resource(Op::kCreate, "user", "", {{"username", "alice"}}));
  CommandReceipt rebuilt;
  NoteReceipt(rebuilt, Recorded(d.events[0], 2));
  BOOST_REQUIRE(rebuilt.resource.has_value());
  BOOST_TEST(rebuilt.resource->id == d.receipt.resource->id);
  BOOST_TEST(rebuilt.resource->revision == 1u);
  BOOST_TEST(rebuilt.resource->document == d.receipt.resource->document);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Batches)

AccountCommand Batch(std::vector<AccountCommand> steps) {
  AccountCommand batch = Base(Kind::kBatch);
  batch.steps = std::move(steps);
  return batch;
}

BOOST_AUTO_TEST_CASE(StepsSeeTheResourcesEarlierStepsCreateAndAreOneDecision) {
  AccountState state = Account();
  const uint64_t before = state.version;
  AccountCommand acl = Resource(Op::kCreate, "ip_acl", "ipacl_1", {{"name", "office"}});
  AccountCommand range = Resource(Op::kCreate, "ip_acl_range", "", {{"acl_id", "ipacl_1"}, {"ip_address", "192.0.2.0"}, {"range", 24}});
  AccountDecision d = Do(state, Batch({acl, range}));
  BOOST_TEST(d.events.size() == 2u);
  BOOST_TEST(state.version == before + 2);
  BOOST_TEST(state.FindResource("ip_acl", "ipacl_1") != nullptr);
  BOOST_TEST_REQUIRE(d.receipt.resources.size() == 2u);
  BOOST_TEST(d.receipt.resources[0].id == "ipacl_1");
  BOOST_TEST(d.receipt.resources[1].kind == "ip_acl_range");
  BOOST_TEST(d.receipt.resource->id == d.receipt.resources[1].id);
  BOOST_TEST(d.events[0].principal == "admin");
  BOOST_TEST(d.events[1].correlation_id == "corr-1");
}

BOOST_AUTO_TEST_CASE(AFailingStepFailsTheWholeBatchWithItsPrefixedFieldErrors) {
  AccountState state = Account();
  AccountCommand acl = Resource(Op::kCreate, "ip_acl", "ipacl_1", {{"name", "office"}});
  AccountCommand good = Resource(Op::kCreate, "ip_acl_range", "", {{"acl_id", "ipacl_1"}, {"ip_address", "192.0.2.1"}});
  AccountCommand bad = Resource(Op::kCreate, "ip_acl_range", "", {{"acl_id", "ipacl_1"}, {"ip_address", "not an ip"}});
  bad.resource.error_prefix = "ipRanges[1].";
  Decided decided = Decide(state, Batch({acl, good, bad}));
  BOOST_TEST_REQUIRE((decided.status().code() == ErrorCode::kInvalidArgument));
  const auto errors = decided.error().field_errors;
  BOOST_TEST_REQUIRE(errors.size() == 1u);
  BOOST_TEST(errors[0].path == "ipRanges[1].ip_address");
  // A reference to a resource no step creates fails the same way, and nothing is decided.
  AccountCommand orphan = Resource(Op::kCreate, "ip_acl_range", "", {{"acl_id", "ipacl_9"}, {"ip_address", "192.0.2.1"}});
  BOOST_TEST((CodeOf(state, Batch({acl, orphan})) == ErrorCode::kInvalidArgument));
  BOOST_TEST(state.FindResource("ip_acl", "ipacl_1") == nullptr);
}

BOOST_AUTO_TEST_CASE(ABatchDeletesChildrenBeforeTheirParent) {
  AccountState state = Account();
  Do(state, Batch({Resource(Op::kCreate, "ip_acl", "ipacl_1", {{"name", "office"}}),
                   Resource(Op::kCreate, "ip_acl_range", "ipr_1", {{"acl_id", "ipacl_1"}, {"ip_address", "192.0.2.1"}})}));
  // Alone, the parent cannot go while its range refers to it.
  BOOST_TEST((CodeOf(state, Resource(Op::kDelete, "ip_acl", "ipacl_1")) == ErrorCode::kFailedPrecondition));
  Do(state, Batch({Resource(Op::kDelete, "ip_acl_range", "ipr_1"), Resource(Op::kDelete, "ip_acl", "ipacl_1")}));
  BOOST_TEST(state.FindResource("ip_acl", "ipacl_1") == nullptr);
  BOOST_TEST(state.FindResource("ip_acl_range", "ipr_1") == nullptr);
}

BOOST_AUTO_TEST_CASE(SettingsAndAStatusChangeGoTogetherUnderTheAccountRevision) {
  AccountState state = Account();
  const uint64_t revision = state.account_revision;
  Do(state, Resource(Op::kCreate, "domain", "", {{"domain", "pbx.acme.example"}}));
  BOOST_TEST(state.account_revision == revision);  // resources do not move the account's revision
  AccountCommand update = Base(Kind::kUpdate);
  update.settings.set_max_in(4);
  AccountCommand suspend = Base(Kind::kSuspend);
  AccountCommand batch = Batch({update, suspend});
  batch.if_match_account_revision = revision + 1;
  BOOST_TEST((CodeOf(state, batch) == ErrorCode::kWrongExpectedVersion));
  batch.if_match_account_revision = revision;
  Do(state, batch);
  BOOST_TEST(state.settings.max_in() == 4);
  BOOST_TEST((state.status == AccountStatus::kSuspended));
  BOOST_TEST(state.account_revision == state.version);
}

BOOST_AUTO_TEST_CASE(StepsMustActOnTheBatchsAccountAndCannotCreateOrNest) {
  AccountState state = Account();
  BOOST_TEST((CodeOf(state, Batch({})) == ErrorCode::kInvalidArgument));
  BOOST_TEST((CodeOf(state, Batch({Resource(Op::kCreate, "domain", "", {{"domain", "a.example.com"}}, "other")})) ==
              ErrorCode::kInvalidArgument));
  AccountCommand create = Base(Kind::kCreate, "acme");
  create.settings.set_name("x");
  BOOST_TEST((CodeOf(state, Batch({create})) == ErrorCode::kInvalidArgument));
  BOOST_TEST((CodeOf(state, Batch({Batch({Mint()})})) == ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(ClaimsOfEveryStepAreCollected) {
  AccountState state = Account();
  AccountDecision d = Do(state, Batch({Resource(Op::kCreate, "domain", "", {{"domain", "a.example.com"}}),
                                      Resource(Op::kCreate, "domain", "", {{"domain", "b.example.com"}})}));
  BOOST_TEST(d.claims.size() == 2u);
  // Two steps claiming the same platform value: the second sees the first's.
  BOOST_TEST((CodeOf(state, Batch({Resource(Op::kCreate, "domain", "", {{"domain", "c.example.com"}}),
                                   Resource(Op::kCreate, "domain", "", {{"domain", "c.example.com"}})})) ==
              ErrorCode::kAlreadyExists));
}

BOOST_AUTO_TEST_CASE(KeyedBatchStepsMintDistinctIdsAndARetryMintsTheSameOnes) {
  AccountState state = Account();
  AccountCommand batch = Batch({Resource(Op::kCreate, "domain", "", {{"domain", "a.example.com"}}),
                                Resource(Op::kCreate, "domain", "", {{"domain", "b.example.com"}})});
  batch.context.idempotency_key = "req-1";
  Decided first = Decide(state, batch);
  BOOST_REQUIRE_MESSAGE(first.ok(), first.status().ToString());
  BOOST_REQUIRE(first->receipt.resources.size() == 2u);
  BOOST_TEST(first->receipt.resources[0].id != first->receipt.resources[1].id);
  Decided retry = Decide(state, batch);
  BOOST_REQUIRE(retry.ok());
  BOOST_TEST(retry->receipt.resources[0].id == first->receipt.resources[0].id);
  BOOST_TEST(retry->receipt.resources[1].id == first->receipt.resources[1].id);
}

BOOST_AUTO_TEST_CASE(AValueClaimedAndReleasedWithinOneBatchReservesNothing) {
  AccountState state = Account();
  AccountDecision d = Do(state, Batch({Resource(Op::kCreate, "domain", "dom_1", {{"domain", "a.example.com"}}),
                                      Resource(Op::kDelete, "domain", "dom_1")}));
  BOOST_TEST(d.claims.empty());
  BOOST_TEST(d.releases.empty());
  // A value released by one step and kept by none is still released.
  Do(state, Resource(Op::kCreate, "domain", "dom_2", {{"domain", "b.example.com"}}));
  AccountDecision renamed = Do(state, Batch({Resource(Op::kPatch, "domain", "dom_2", {{"domain", "c.example.com"}}),
                                            Resource(Op::kPatch, "domain", "dom_2", {{"domain", "b.example.com"}})}));
  BOOST_TEST(renamed.claims.empty());
  BOOST_TEST(renamed.releases.empty());
}

BOOST_AUTO_TEST_CASE(AnUpdateThatLeavesTheDestinationAloneIsNotCheckedAgainstIt) {
  AccountState state = Account();
  // A destination that names nothing (as an import could leave it) ...
  events::AccountUpdated dangling;
  dangling.set_account_id("acme");
  dangling.mutable_changes()->set_did_default_dest_kind("user");
  dangling.mutable_changes()->set_did_default_dest_id("usr_gone");
  Apply(state, {events::MakeEvent(events::kAccountUpdated, dangling)});
  // ... does not block renaming the account, only writing the destination again.
  AccountCommand rename = Base(Kind::kUpdate);
  rename.settings.set_name("Acme Ltd");
  Do(state, rename);
  BOOST_TEST(state.settings.name() == "Acme Ltd");
  AccountCommand rewrite = Base(Kind::kUpdate);
  rewrite.settings.set_did_default_dest_id("usr_other");
  BOOST_TEST((CodeOf(state, rewrite) == ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(TheAccountsOwnDefaultDestinationMustExistAndBlocksItsDelete) {
  AccountState state = Account();
  const std::string user = Create(state, "user", {{"username", "alice"}});
  AccountCommand missing = Base(Kind::kUpdate);
  missing.settings.set_did_default_dest_kind("user");
  missing.settings.set_did_default_dest_id("usr_missing");
  BOOST_TEST((CodeOf(state, missing) == ErrorCode::kInvalidArgument));
  AccountCommand route = Base(Kind::kUpdate);
  route.settings.set_did_default_dest_kind("user");
  route.settings.set_did_default_dest_id(user);
  Do(state, route);
  Decided refused = Decide(state, Resource(Op::kDelete, "user", user));
  BOOST_TEST((refused.status().code() == ErrorCode::kFailedPrecondition));
  BOOST_TEST(refused.status().message().find("account/acme") != std::string::npos, refused.status().message());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(SecretBox)

BOOST_AUTO_TEST_CASE(SealedValuesOpenOnlyWithTheSameKeyAndAad) {
  const std::string key(32, 'k');
  Result<SealedSecret> sealed = SealSecret(key, "hunter2", "aad-1");
  BOOST_REQUIRE(sealed.ok());
  BOOST_TEST(sealed->nonce.size() == kSecretNonceBytes);
  BOOST_TEST(sealed->ciphertext.find("hunter2") == std::string::npos);
  BOOST_TEST(*OpenSecret(key, *sealed, "aad-1") == "hunter2");
  BOOST_TEST((OpenSecret(key, *sealed, "aad-2").status().code() == ErrorCode::kCorruption));
  SealedSecret altered = *sealed;
  altered.ciphertext[0] ^= 1;
  BOOST_TEST((OpenSecret(key, altered, "aad-1").status().code() == ErrorCode::kCorruption));
  BOOST_TEST((SealSecret("short", "x", "").status().code() == ErrorCode::kInvalidArgument));
  // Two seals of one value differ (fresh nonce).
  BOOST_TEST(SealSecret(key, "hunter2", "aad-1")->ciphertext != sealed->ciphertext);
}

BOOST_AUTO_TEST_CASE(TheKeyFileIsCreatedOnceThenReadBack) {
  const std::string path = "/tmp/dialtone-secret-key-test-" + std::to_string(::getpid());
  std::remove(path.c_str());
  Result<std::string> created = LoadOrCreateSecretKeyFile(path);
  BOOST_REQUIRE(created.ok());
  BOOST_TEST(created->size() == kSecretKeyBytes);
  Result<std::string> again = LoadOrCreateSecretKeyFile(path);
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(*again == *created);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  std::fputs("short", f);
  std::fclose(f);
  BOOST_TEST((LoadOrCreateSecretKeyFile(path).status().code() == ErrorCode::kCorruption));
  std::remove(path.c_str());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace dialtone::domain
