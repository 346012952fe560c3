// The account's rules as pure functions: DecideAccount, ApplyAccountEvent, ReplayAccount
// and the snapshot codec. No actors, no log.
#define BOOST_TEST_MODULE account_rules
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "domain/account_fold.h"
#include "domain/account_rules.h"
#include "events/event_types.h"

namespace dialtone::domain {

std::ostream& operator<<(std::ostream& out, AccountStatus status) {
  return out << "AccountStatus(" << static_cast<int>(status) << ")";
}

namespace {

using namespace ::dialtone::commands;  // the commands the rules decide
using Kind = AccountCommand::Kind;
using events::RecordedEvent;
using events::RecordedEvents;

const auto kNow = std::chrono::system_clock::time_point{};

AccountCommand Command(Kind kind, const std::string& id = "acme") {
  AccountCommand c;
  c.kind = kind;
  c.account_id = id;
  c.context.principal = "admin";
  c.context.correlation_id = "corr-1";
  c.context.causation_id = "cause-1";
  return c;
}

AccountCommand Create(const std::string& id = "acme", const std::string& name = "Acme") {
  AccountCommand c = Command(Kind::kCreate, id);
  c.settings.set_name(name);
  return c;
}

// Turns decided events into recorded ones the way a log would (next version/position).
RecordedEvents Record(const AccountState& state, const std::vector<events::EventData>& decided,
                      int64_t time_ms = 1000) {
  RecordedEvents out;
  for (size_t i = 0; i < decided.size(); ++i) {
    RecordedEvent e;
    e.position = state.version + i + 1;
    e.version = state.version + i + 1;
    e.stream = AccountStream(state.exists() ? state.account_id : "acme");
    e.type = decided[i].type;
    e.payload = decided[i].payload;
    e.principal = decided[i].principal;
    e.correlation_id = decided[i].correlation_id;
    e.causation_id = decided[i].causation_id;
    e.time_ms = time_ms;
    out.push_back(e);
  }
  return out;
}

// Decides and, on success, applies. Returns the decision's status.
Status Execute(AccountState& state, const AccountCommand& command, int64_t time_ms = 1000) {
  auto decided = DecideAccount(state, command, kNow);
  if (!decided.ok()) return decided.status();
  for (const RecordedEvent& e : Record(state, *decided, time_ms)) ApplyAccountEvent(state, e);
  return Status::Ok();
}

AccountState Created(const std::string& id = "acme") {
  AccountState state;
  BOOST_REQUIRE(Execute(state, Create(id)).ok());
  return state;
}

ErrorCode CodeOf(const AccountState& state, const AccountCommand& command) {
  return DecideAccount(state, command, kNow).status().code();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(Decide)

BOOST_AUTO_TEST_CASE(CreateFillsDefaultsForAbsentFields) {
  AccountState state;
  BOOST_REQUIRE(Execute(state, Create("acme", "Acme Ltd"), 1234).ok());
  BOOST_TEST(state.account_id == "acme");
  BOOST_TEST(state.status == AccountStatus::kActive);
  BOOST_TEST(state.version == 1u);
  BOOST_TEST(state.created_ms == 1234);
  BOOST_TEST(state.updated_ms == 1234);
  const auto& s = state.settings;
  BOOST_TEST(s.name() == "Acme Ltd");
  BOOST_TEST(s.timezone() == "UTC");
  BOOST_TEST(s.language() == "en-US");
  BOOST_TEST(s.voice_gender() == "female");
  BOOST_TEST(s.is_reseller() == false);
  BOOST_TEST((s.has_timezone() && s.has_language() && s.has_is_reseller() && s.has_voice_gender()));
  // Optional settings stay null: no ceiling (max_*), no branding, no default destination.
  BOOST_TEST((!s.has_max_in() && !s.has_max_out() && !s.has_max_dialer() && !s.has_brand_name() &&
              !s.has_brand_domain() && !s.has_default_cid_number() && !s.has_did_default_dest_kind() &&
              !s.has_did_default_dest_id()));
}

BOOST_AUTO_TEST_CASE(AZeroCeilingIsKeptApartFromNoCeiling) {
  AccountCommand c = Create();
  c.settings.set_max_in(0);
  AccountState state;
  BOOST_REQUIRE(Execute(state, c).ok());
  BOOST_TEST(state.settings.has_max_in());
  BOOST_TEST(state.settings.max_in() == 0);
  BOOST_TEST(!state.settings.has_max_out());
}

BOOST_AUTO_TEST_CASE(AnUpdateClearsOptionalSettingsButNotRequiredOnes) {
  AccountCommand c = Create();
  c.settings.set_max_in(5);
  c.settings.set_brand_name("Acme");
  AccountState state;
  BOOST_REQUIRE(Execute(state, c).ok());
  AccountCommand clear = Command(Kind::kUpdate);
  clear.cleared_settings = {"max_in", "brand_name", "max_out"};  // max_out is already null
  BOOST_REQUIRE(Execute(state, clear).ok());
  BOOST_TEST(!state.settings.has_max_in());
  BOOST_TEST(!state.settings.has_brand_name());
  BOOST_TEST(state.version == 2u);
  // Clearing what is already null changes nothing.
  AccountCommand again = Command(Kind::kUpdate);
  again.cleared_settings = {"max_in"};
  auto nothing = DecideAccount(state, again, kNow);
  BOOST_REQUIRE(nothing.ok());
  BOOST_TEST(nothing->empty());
  for (const char* required : {"name", "timezone", "language", "voice_gender", "is_reseller", "no_such"}) {
    AccountCommand bad = Command(Kind::kUpdate);
    bad.cleared_settings = {required};
    BOOST_TEST((CodeOf(state, bad) == ErrorCode::kInvalidArgument), required);
  }
}

BOOST_AUTO_TEST_CASE(CreateKeepsGivenValuesOverDefaults) {
  AccountCommand c = Create();
  c.parent_id = "reseller-1";
  c.settings.set_timezone("Europe/Berlin");
  c.settings.set_language("de-DE");
  c.settings.set_max_in(5);
  c.settings.set_voice_gender("male");
  c.settings.set_is_reseller(true);
  c.settings.set_did_default_dest_kind("hangup");
  AccountState state;
  BOOST_REQUIRE(Execute(state, c).ok());
  BOOST_TEST(state.parent_id == "reseller-1");
  BOOST_TEST(state.settings.timezone() == "Europe/Berlin");
  BOOST_TEST(state.settings.language() == "de-DE");
  BOOST_TEST(state.settings.max_in() == 5);
  BOOST_TEST(state.settings.voice_gender() == "male");
  BOOST_TEST(state.settings.is_reseller() == true);
  BOOST_TEST(state.settings.did_default_dest_kind() == "hangup");
}

BOOST_AUTO_TEST_CASE(CreateOfAnExistingAccountIsAlreadyExists) {
  AccountState state = Created();
  BOOST_TEST((CodeOf(state, Create()) == ErrorCode::kAlreadyExists));
}

BOOST_AUTO_TEST_CASE(AccountIdsAreOneToSixtyFourOfLettersDigitsUnderscoreDash) {
  AccountState absent;
  for (const std::string& bad : {std::string(), std::string(65, 'a'), std::string("a b"),
                                std::string("a/b"), std::string("a.b"), std::string("\xc3\xa9")}) {
    BOOST_TEST((CodeOf(absent, Create(bad)) == ErrorCode::kInvalidArgument), "id '" << bad << "'");
    BOOST_TEST((CodeOf(absent, Command(Kind::kGet, bad)) == ErrorCode::kInvalidArgument));
  }
  for (const std::string& good : {std::string(64, 'z'), std::string("A"), std::string("a_B-9")}) {
    BOOST_TEST(DecideAccount(absent, Create(good), kNow).ok(), "id '" << good << "'");
  }
}

BOOST_AUTO_TEST_CASE(CreateRequiresANonEmptyName) {
  AccountState absent;
  AccountCommand no_name = Command(Kind::kCreate);
  BOOST_TEST((CodeOf(absent, no_name) == ErrorCode::kInvalidArgument));
  BOOST_TEST((CodeOf(absent, Create("acme", "")) == ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(VoiceGenderMustBeMaleOrFemale) {
  AccountState absent;
  for (const char* bad : {"", "other", "Male"}) {
    AccountCommand c = Create();
    c.settings.set_voice_gender(bad);
    BOOST_TEST((CodeOf(absent, c) == ErrorCode::kInvalidArgument), "voice_gender '" << bad << "'");
  }
  for (const char* good : {"male", "female"}) {
    AccountCommand c = Create();
    c.settings.set_voice_gender(good);
    BOOST_TEST(DecideAccount(absent, c, kNow).ok());
  }
}

BOOST_AUTO_TEST_CASE(NegativeLimitsAreRejected) {
  AccountState absent;
  AccountCommand in = Create(), out = Create(), dialer = Create();
  in.settings.set_max_in(-1);
  out.settings.set_max_out(-1);
  dialer.settings.set_max_dialer(-1);
  BOOST_TEST((CodeOf(absent, in) == ErrorCode::kInvalidArgument));
  BOOST_TEST((CodeOf(absent, out) == ErrorCode::kInvalidArgument));
  BOOST_TEST((CodeOf(absent, dialer) == ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(DefaultDestinationKindMustBeAKnownKindWhenSet) {
  AccountState absent;
  AccountCommand bad = Create();
  bad.settings.set_did_default_dest_kind("fax");
  BOOST_TEST((CodeOf(absent, bad) == ErrorCode::kInvalidArgument));
  for (const char* kind : {"hangup", ""}) {
    AccountCommand c = Create();
    c.settings.set_did_default_dest_kind(kind);
    BOOST_TEST(DecideAccount(absent, c, kNow).ok(), "kind '" << kind << "'");
  }
  // Any other kind names a resource, which a new account does not have yet.
  for (const char* kind : {"flow", "user", "extension", "ring_group", "queue", "voicemail",
                           "conference", "forward"}) {
    AccountCommand c = Create();
    c.settings.set_did_default_dest_kind(kind);
    c.settings.set_did_default_dest_id("x1");
    BOOST_TEST((CodeOf(absent, c) == ErrorCode::kInvalidArgument), "kind '" << kind << "'");
  }
  AccountCommand hangup_with_id = Create();
  hangup_with_id.settings.set_did_default_dest_kind("hangup");
  hangup_with_id.settings.set_did_default_dest_id("x1");
  BOOST_TEST((CodeOf(absent, hangup_with_id) == ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(ParentMustBeAValidIdOtherThanTheAccountItself) {
  AccountState absent;
  AccountCommand self = Create("acme");
  self.parent_id = "acme";
  AccountCommand malformed = Create("acme");
  malformed.parent_id = "not valid";
  BOOST_TEST((CodeOf(absent, self) == ErrorCode::kInvalidArgument));
  BOOST_TEST((CodeOf(absent, malformed) == ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(EveryCommandButCreateOnAMissingAccountIsNotFound) {
  AccountState absent;
  for (Kind kind : {Kind::kUpdate, Kind::kSuspend, Kind::kReactivate, Kind::kClose, Kind::kGet}) {
    BOOST_TEST((CodeOf(absent, Command(kind)) == ErrorCode::kNotFound));
  }
}

BOOST_AUTO_TEST_CASE(AClosedAccountRefusesEverythingButGet) {
  AccountState state = Created();
  BOOST_REQUIRE(Execute(state, Command(Kind::kClose)).ok());
  BOOST_TEST(state.status == AccountStatus::kClosed);
  AccountCommand update = Command(Kind::kUpdate);
  update.settings.set_name("New");
  for (const AccountCommand& c : {update, Command(Kind::kSuspend), Command(Kind::kReactivate),
                                  Command(Kind::kClose)}) {
    BOOST_TEST((CodeOf(state, c) == ErrorCode::kFailedPrecondition));
  }
  BOOST_TEST((CodeOf(state, Create()) == ErrorCode::kAlreadyExists));
  auto get = DecideAccount(state, Command(Kind::kGet), kNow);
  BOOST_REQUIRE(get.ok());
  BOOST_TEST(get->empty());
}

BOOST_AUTO_TEST_CASE(SuspendOfASuspendedAccountIsFailedPrecondition) {
  AccountState state = Created();
  BOOST_REQUIRE(Execute(state, Command(Kind::kSuspend)).ok());
  BOOST_TEST(state.status == AccountStatus::kSuspended);
  BOOST_TEST((CodeOf(state, Command(Kind::kSuspend)) == ErrorCode::kFailedPrecondition));
}

BOOST_AUTO_TEST_CASE(ReactivateOfAnActiveAccountIsFailedPrecondition) {
  AccountState state = Created();
  BOOST_TEST((CodeOf(state, Command(Kind::kReactivate)) == ErrorCode::kFailedPrecondition));
  BOOST_REQUIRE(Execute(state, Command(Kind::kSuspend)).ok());
  BOOST_REQUIRE(Execute(state, Command(Kind::kReactivate)).ok());
  BOOST_TEST(state.status == AccountStatus::kActive);
  BOOST_TEST(state.version == 3u);
}

BOOST_AUTO_TEST_CASE(SuspendedAccountsCanBeUpdatedAndClosed) {
  AccountState state = Created();
  BOOST_REQUIRE(Execute(state, Command(Kind::kSuspend)).ok());
  AccountCommand update = Command(Kind::kUpdate);
  update.settings.set_max_out(3);
  BOOST_REQUIRE(Execute(state, update).ok());
  BOOST_TEST(state.status == AccountStatus::kSuspended);
  BOOST_REQUIRE(Execute(state, Command(Kind::kClose)).ok());
  BOOST_TEST(state.status == AccountStatus::kClosed);
}

BOOST_AUTO_TEST_CASE(ExpectedVersionMustEqualTheAccountsVersion) {
  AccountState state = Created();
  AccountCommand update = Command(Kind::kUpdate);
  update.settings.set_name("New");
  update.expected_version = 2;
  BOOST_TEST((CodeOf(state, update) == ErrorCode::kWrongExpectedVersion));
  BOOST_TEST((DecideAccount(state, update, kNow).error().actual_version == std::optional<uint64_t>(1)));
  update.expected_version = 1;
  BOOST_TEST(DecideAccount(state, update, kNow).ok());

  AccountState absent;
  AccountCommand create = Create();
  create.expected_version = 1;
  BOOST_TEST((CodeOf(absent, create) == ErrorCode::kWrongExpectedVersion));
  create.expected_version = 0;
  BOOST_TEST(DecideAccount(absent, create, kNow).ok());
}

BOOST_AUTO_TEST_CASE(UpdateRecordsAndChangesOnlyThePresentFieldsThatDiffer) {
  AccountState state = Created();
  AccountCommand update = Command(Kind::kUpdate);
  update.settings.set_timezone("UTC");        // equal to the current value
  update.settings.set_brand_name("Acme Phones");
  update.settings.set_max_in(7);
  auto decided = DecideAccount(state, update, kNow);
  BOOST_REQUIRE(decided.ok());
  BOOST_REQUIRE(decided->size() == 1u);
  BOOST_TEST((*decided)[0].type == std::string(events::kAccountUpdated));
  events::AccountUpdated event;
  BOOST_REQUIRE(event.ParseFromString((*decided)[0].payload));
  BOOST_TEST(event.account_id() == "acme");
  BOOST_TEST(!event.changes().has_timezone());
  BOOST_TEST(!event.changes().has_name());
  BOOST_TEST(event.changes().brand_name() == "Acme Phones");
  BOOST_TEST(event.changes().max_in() == 7);

  BOOST_REQUIRE(Execute(state, update, 2000).ok());
  BOOST_TEST(state.settings.name() == "Acme");  // untouched
  BOOST_TEST(state.settings.brand_name() == "Acme Phones");
  BOOST_TEST(state.settings.max_in() == 7);
  BOOST_TEST(state.version == 2u);
  BOOST_TEST(state.updated_ms == 2000);
  BOOST_TEST(state.created_ms == 1000);
}

BOOST_AUTO_TEST_CASE(AnUpdateThatChangesNothingDecidesNoEvents) {
  AccountState state = Created();
  AccountCommand same = Command(Kind::kUpdate);
  same.settings.set_name("Acme");
  same.settings.set_language("en-US");
  auto decided = DecideAccount(state, same, kNow);
  BOOST_REQUIRE(decided.ok());
  BOOST_TEST(decided->empty());
  auto empty = DecideAccount(state, Command(Kind::kUpdate), kNow);
  BOOST_REQUIRE(empty.ok());
  BOOST_TEST(empty->empty());
}

BOOST_AUTO_TEST_CASE(UpdateValidatesThePresentFields) {
  AccountState state = Created();
  AccountCommand bad = Command(Kind::kUpdate);
  bad.settings.set_voice_gender("robot");
  BOOST_TEST((CodeOf(state, bad) == ErrorCode::kInvalidArgument));
  AccountCommand blank_name = Command(Kind::kUpdate);
  blank_name.settings.set_name("");
  BOOST_TEST((CodeOf(state, blank_name) == ErrorCode::kInvalidArgument));
  AccountCommand negative = Command(Kind::kUpdate);
  negative.settings.set_max_dialer(-5);
  BOOST_TEST((CodeOf(state, negative) == ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE(EventsCarryTheCommandContextAndTheirType) {
  AccountState absent;
  auto created = DecideAccount(absent, Create(), kNow);
  BOOST_REQUIRE(created.ok());
  BOOST_REQUIRE(created->size() == 1u);
  const events::EventData& e = (*created)[0];
  BOOST_TEST(e.type == std::string(events::kAccountCreated));
  BOOST_TEST(e.principal == "admin");
  BOOST_TEST(e.correlation_id == "corr-1");
  BOOST_TEST(e.causation_id == "cause-1");

  AccountState state = Created();
  AccountCommand suspend = Command(Kind::kSuspend);
  suspend.reason = "unpaid";
  auto suspended = DecideAccount(state, suspend, kNow);
  BOOST_REQUIRE(suspended.ok());
  BOOST_TEST((*suspended)[0].type == std::string(events::kAccountSuspended));
  events::AccountSuspended payload;
  BOOST_REQUIRE(payload.ParseFromString((*suspended)[0].payload));
  BOOST_TEST(payload.reason() == "unpaid");
}

BOOST_AUTO_TEST_CASE(DecideLeavesTheStateAsItWas) {
  AccountState state = Created();
  const AccountState before = state;
  AccountCommand update = Command(Kind::kUpdate);
  update.settings.set_name("Changed");
  BOOST_REQUIRE(DecideAccount(state, update, kNow).ok());
  BOOST_REQUIRE(DecideAccount(state, Command(Kind::kClose), kNow).ok());
  BOOST_TEST(SameAccountState(state, before));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Replay)

RecordedEvents History() {
  AccountState state;
  RecordedEvents all;
  AccountCommand update = Command(Kind::kUpdate);
  update.settings.set_max_out(9);
  int64_t t = 1000;
  for (const AccountCommand& c : {Create(), update, Command(Kind::kSuspend),
                                  Command(Kind::kReactivate), Command(Kind::kClose)}) {
    auto decided = DecideAccount(state, c, kNow);
    BOOST_REQUIRE(decided.ok());
    for (RecordedEvent& e : Record(state, *decided, t += 10)) {
      ApplyAccountEvent(state, e);
      all.push_back(std::move(e));
    }
  }
  return all;
}

BOOST_AUTO_TEST_CASE(ReplayOfAHistoryEqualsApplyingItEventByEvent) {
  RecordedEvents history = History();
  AccountState stepwise;
  for (const RecordedEvent& e : history) ApplyAccountEvent(stepwise, e);
  AccountState replayed;
  BOOST_REQUIRE(ReplayAccount(replayed, history).ok());
  BOOST_TEST(SameAccountState(stepwise, replayed));
  BOOST_TEST(replayed.version == 5u);
  BOOST_TEST(replayed.status == AccountStatus::kClosed);
  BOOST_TEST(replayed.settings.max_out() == 9);
  BOOST_TEST(replayed.updated_ms == 1050);
}

BOOST_AUTO_TEST_CASE(ReplayRejectsAVersionGap) {
  RecordedEvents history = History();
  history.erase(history.begin() + 1);
  AccountState state;
  BOOST_TEST((ReplayAccount(state, history).code() == ErrorCode::kCorruption));
}

BOOST_AUTO_TEST_CASE(ReplayRejectsAPayloadThatDoesNotDecode) {
  RecordedEvents history = History();
  history[1].payload = "\xff\xff\xff";
  AccountState state;
  BOOST_TEST((ReplayAccount(state, history).code() == ErrorCode::kCorruption));
  BOOST_TEST(state.version == 1u);  // the events before the bad one were folded
}

BOOST_AUTO_TEST_CASE(ReplayRejectsAnEventTypeThatIsNotAnAccountEvent) {
  RecordedEvents history = History();
  history[2].type = "queue.created";
  AccountState state;
  BOOST_TEST((ReplayAccount(state, history).code() == ErrorCode::kCorruption));
}

BOOST_AUTO_TEST_CASE(ReplayRejectsALifecycleEventBeforeTheCreation) {
  RecordedEvents history = History();
  history.erase(history.begin());
  for (auto& e : history) --e.version;
  AccountState state;
  BOOST_TEST((ReplayAccount(state, history).code() == ErrorCode::kCorruption));
}

BOOST_AUTO_TEST_CASE(ASnapshotRoundTripsTheState) {
  AccountState state;
  RecordedEvents history = History();
  history.pop_back();  // suspended then reactivated: active
  BOOST_REQUIRE(ReplayAccount(state, history).ok());
  auto decoded = DecodeAccountSnapshot(EncodeAccountSnapshot(state), state.version);
  BOOST_REQUIRE(decoded.ok());
  BOOST_TEST(SameAccountState(*decoded, state));
}

BOOST_AUTO_TEST_CASE(ASnapshotThatDoesNotDecodeIsCorruption) {
  BOOST_TEST((DecodeAccountSnapshot("\xff\xff", 3).status().code() == ErrorCode::kCorruption));
  events::AccountSnapshot bad_status;
  bad_status.set_account_id("acme");
  bad_status.set_status("deleted");
  BOOST_TEST((DecodeAccountSnapshot(bad_status.SerializeAsString(), 3).status().code() ==
              ErrorCode::kCorruption));
}

BOOST_AUTO_TEST_CASE(TheViewShowsStatusNameVersionAndEverySetting) {
  AccountState state = Created();
  BOOST_REQUIRE(Execute(state, Command(Kind::kSuspend), 5000).ok());
  AccountView view = ToAccountView(state);
  BOOST_TEST(view.account_id == "acme");
  BOOST_TEST(view.status == "suspended");
  BOOST_TEST(view.version == 2u);
  BOOST_TEST(view.created_ms == 1000);
  BOOST_TEST(view.updated_ms == 5000);
  BOOST_TEST(view.settings.timezone() == "UTC");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace dialtone::domain
