// The configuration view against both log backends: what each event type folds into,
// listing and paging, read-your-writes, restart and rebuild equality, and resuming a
// half-folded log.
#define BOOST_TEST_MODULE projections_config_view
#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "account.pb.h"
#include "events/event_types.h"
#include "projections/config_view.h"
#include "resource.pb.h"
#include "store/rocksdb_log.h"

#include <rocksdb/db.h>

namespace dialtone::projections {
namespace {

using events::EventData;
using nlohmann::json;

// Bound on every wait for the view's thread; reaching it means the view is broken.
constexpr std::chrono::seconds kGenerousTimeout{30};

// ---- Events -------------------------------------------------------------------------

EventData AccountCreated(const std::string& id, const std::string& parent,
                         const std::string& name, bool reseller = false) {
  events::AccountCreated m;
  m.set_account_id(id);
  m.set_parent_id(parent);
  m.mutable_settings()->set_name(name);
  if (reseller) m.mutable_settings()->set_is_reseller(true);
  return events::MakeEvent(events::kAccountCreated, m);
}

EventData AccountUpdated(const std::string& id, const events::AccountSettings& changes) {
  events::AccountUpdated m;
  m.set_account_id(id);
  *m.mutable_changes() = changes;
  return events::MakeEvent(events::kAccountUpdated, m);
}

EventData AccountSuspended(const std::string& id) {
  events::AccountSuspended m;
  m.set_account_id(id);
  m.set_reason("unpaid");
  return events::MakeEvent(events::kAccountSuspended, m);
}

EventData AccountReactivated(const std::string& id) {
  events::AccountReactivated m;
  m.set_account_id(id);
  return events::MakeEvent(events::kAccountReactivated, m);
}

EventData AccountClosed(const std::string& id) {
  events::AccountClosed m;
  m.set_account_id(id);
  return events::MakeEvent(events::kAccountClosed, m);
}

EventData ResourceCreated(const std::string& account, const std::string& kind,
                          const std::string& id, const json& document, uint64_t revision = 1) {
  events::ResourceCreated m;
  m.set_account_id(account);
  m.set_kind(kind);
  m.set_id(id);
  m.set_document(document.dump());
  m.set_revision(revision);
  return events::MakeEvent(events::kResourceCreated, m);
}

EventData ResourceUpdated(const std::string& account, const std::string& kind,
                          const std::string& id, const json& document, uint64_t revision) {
  events::ResourceUpdated m;
  m.set_account_id(account);
  m.set_kind(kind);
  m.set_id(id);
  m.set_document(document.dump());
  m.set_revision(revision);
  return events::MakeEvent(events::kResourceUpdated, m);
}

EventData ResourceDeleted(const std::string& account, const std::string& kind,
                          const std::string& id, uint64_t revision) {
  events::ResourceDeleted m;
  m.set_account_id(account);
  m.set_kind(kind);
  m.set_id(id);
  m.set_revision(revision);
  return events::MakeEvent(events::kResourceDeleted, m);
}

EventData ApiKeyCreated(const std::string& account, const std::string& key_id) {
  events::ApiKeyCreated m;
  m.set_account_id(account);
  m.set_key_id(key_id);
  m.set_secret_sha256(std::string(64, 'a'));
  m.add_scopes("config");
  m.add_scopes("cdr");
  m.set_label("ci key");
  m.set_created_by("admin");
  return events::MakeEvent(events::kApiKeyCreated, m);
}

EventData ApiKeyRevoked(const std::string& account, const std::string& key_id) {
  events::ApiKeyRevoked m;
  m.set_account_id(account);
  m.set_key_id(key_id);
  return events::MakeEvent(events::kApiKeyRevoked, m);
}

EventData ReservationClaimed(const std::string& scope, const std::string& value,
                             const std::string& account, const std::string& kind,
                             const std::string& resource_id) {
  events::ReservationClaimed m;
  m.set_scope(scope);
  m.set_value(value);
  m.set_account_id(account);
  m.set_kind(kind);
  m.set_resource_id(resource_id);
  return events::MakeEvent(events::kReservationClaimed, m);
}

EventData ReservationReleased(const std::string& scope, const std::string& value,
                              const std::string& account, const std::string& resource_id) {
  events::ReservationReleased m;
  m.set_scope(scope);
  m.set_value(value);
  m.set_account_id(account);
  m.set_resource_id(resource_id);
  return events::MakeEvent(events::kReservationReleased, m);
}

EventData UnknownEvent(const std::string& type) {
  EventData e;
  e.type = type;
  e.payload = "opaque";
  return e;
}

std::string AccountStream(const std::string& id) { return "account-" + id; }

// ---- Harness ------------------------------------------------------------------------

struct MemoryBackend {
  static constexpr bool kRocksDb = false;
};
struct RocksDbBackend {
  static constexpr bool kRocksDb = true;
};
using AllBackends = boost::mpl::list<MemoryBackend, RocksDbBackend>;

// A log (memory or RocksDB) and a view over it, both under one temp folder.
class Harness {
 public:
  explicit Harness(bool rocksdb_log) : rocksdb_log_(rocksdb_log) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "dialtone-projections-XXXXXX").string();
    BOOST_TEST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    folder_ = pattern;
    OpenLog();
    OpenView();
  }
  ~Harness() {
    view_.reset();
    if (log_ != nullptr) log_->Close();
    log_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }

  store::EventLog& log() { return *log_; }
  ConfigView& view() { return *view_; }
  std::string view_path(const std::string& name = "views") const {
    return (folder_ / name).string();
  }
  std::string log_path() const { return (folder_ / "log").string(); }

  void OpenLog() {
    if (!rocksdb_log_) {
      log_ = store::NewMemoryEventLog();
      return;
    }
    store::RocksDbLogOptions options;
    options.path = log_path();
    options.durability = store::Durability::kAsync;
    auto opened = store::OpenRocksDbLog(options);
    BOOST_TEST_REQUIRE(opened.ok(), opened.status().ToString());
    log_ = std::move(opened).value();
  }
  void CloseLog() {
    BOOST_TEST_REQUIRE(log_->Close().ok());
    log_.reset();
  }
  void OpenView() { view_ = OpenViewAt(view_path()); }
  void CloseView() { view_.reset(); }

  std::unique_ptr<ConfigView> OpenViewAt(const std::string& path) {
    auto opened = ConfigView::Open(ConfigViewOptions{path}, *log_);
    BOOST_TEST_REQUIRE(opened.ok(), opened.status().ToString());
    return std::move(opened).value();
  }

  // Appends `events` to `stream` and returns the last position.
  uint64_t Append(const std::string& stream, std::vector<EventData> events) {
    store::AppendRequest request;
    request.stream = stream;
    request.events = std::move(events);
    auto appended = log_->Append(std::move(request));
    BOOST_TEST_REQUIRE(appended.ok(), appended.status().ToString());
    return appended->last_position;
  }

  // Waits until the view has folded everything appended so far.
  void CatchUp() { CatchUp(*view_); }
  void CatchUp(const ConfigView& view) {
    BOOST_TEST_REQUIRE(view.WaitForPosition(log_->HeadPosition(), kGenerousTimeout));
  }

  ResourceRow GetOk(const std::string& account, const std::string& kind, const std::string& id) {
    auto row = view_->Get(account, kind, id);
    BOOST_TEST_REQUIRE(row.ok(), row.status().ToString());
    BOOST_TEST_REQUIRE(row->has_value(), "no row " << account << "/" << kind << "/" << id);
    return **row;
  }
  bool Exists(const std::string& account, const std::string& kind, const std::string& id) {
    auto row = view_->Get(account, kind, id);
    BOOST_TEST_REQUIRE(row.ok(), row.status().ToString());
    return row->has_value();
  }
  ListPage ListOk(const ListQuery& query) {
    auto page = view_->List(query);
    BOOST_TEST_REQUIRE(page.ok(), page.status().ToString());
    return std::move(page).value();
  }
  std::string DigestOk() { return DigestOk(*view_); }
  std::string DigestOk(const ConfigView& view) {
    auto digest = view.ContentDigest();
    BOOST_TEST_REQUIRE(digest.ok(), digest.status().ToString());
    return *digest;
  }

  // A history touching every folded event type, in three accounts.
  void AppendMixedHistory() {
    Append(AccountStream("reseller"), {AccountCreated("reseller", "", "Reseller Inc", true)});
    Append(AccountStream("tenant1"),
           {AccountCreated("tenant1", "reseller", "Tenant One"),
            ResourceCreated("tenant1", "domain", "d1", {{"domain", "one.example.com"}}),
            ApiKeyCreated("tenant1", "k1")});
    Append("unique-domain-one.example.com",
           {ReservationClaimed("domain", "one.example.com", "tenant1", "domain", "d1")});
    Append(AccountStream("tenant2"), {AccountCreated("tenant2", "reseller", "Tenant Two"),
                                      AccountSuspended("tenant2")});
    Append(AccountStream("tenant1"),
           {ResourceUpdated("tenant1", "domain", "d1", {{"domain", "one.example.com"}, {"x", 1}},
                            2),
            ResourceCreated("tenant1", "user", "u1", {{"username", "alice"}}),
            ResourceDeleted("tenant1", "user", "u1", 1), ApiKeyRevoked("tenant1", "k1")});
  }

 private:
  bool rocksdb_log_;
  std::filesystem::path folder_;
  std::unique_ptr<store::EventLog> log_;
  std::unique_ptr<ConfigView> view_;
};

// The ids of a page's rows, joined by spaces.
std::string Ids(const ListPage& page) {
  std::string out;
  for (const auto& row : page.rows) out += (out.empty() ? "" : " ") + row.id;
  return out;
}

int64_t EventTimeMs(store::EventLog& log, uint64_t position) {
  store::ReadAllOptions read;
  read.from_position = position;
  read.max_count = 1;
  auto events = log.ReadAll(read);
  BOOST_TEST_REQUIRE(events.ok());
  BOOST_TEST_REQUIRE(events->size() == 1u);
  return events->front().time_ms;
}

// ---- Folding ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE_TEMPLATE(AccountCreatedBecomesAnAccountRowWithEveryDefault, Backend,
                              AllBackends) {
  Harness h(Backend::kRocksDb);
  const uint64_t position = h.Append(AccountStream("acme"), {AccountCreated("acme", "", "Acme")});
  h.CatchUp();

  const ResourceRow row = h.GetOk("acme", "account", "acme");
  BOOST_TEST(row.account_id == "acme");
  BOOST_TEST(row.kind == "account");
  BOOST_TEST(row.revision == 1u);
  BOOST_TEST(row.position == position);
  const json& doc = row.document;
  BOOST_TEST(doc["account_id"] == "acme");
  BOOST_TEST(doc["parent_id"] == "");
  BOOST_TEST(doc["status"] == "active");
  BOOST_TEST(doc["name"] == "Acme");
  BOOST_TEST(doc["timezone"] == "UTC");
  BOOST_TEST(doc["language"] == "en-US");
  BOOST_TEST(doc["max_in"].is_null());  // optional settings the account does not have
  BOOST_TEST(doc["brand_name"].is_null());
  BOOST_TEST(doc["is_reseller"] == 0);
  const int64_t created_at = EventTimeMs(h.log(), position) / 1000;
  BOOST_TEST(doc["created_at"] == created_at);
  BOOST_TEST(doc["updated_at"] == created_at);
  // Every settings field is rendered.
  const auto* descriptor = events::AccountSettings::descriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    BOOST_TEST(doc.contains(descriptor->field(i)->name()), descriptor->field(i)->name());
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(AccountLifecycleEventsChangeStatusAndSettings, Backend,
                              AllBackends) {
  Harness h(Backend::kRocksDb);
  events::AccountSettings changes;
  changes.set_name("Acme Ltd");
  changes.set_is_reseller(true);
  changes.set_max_out(7);
  h.Append(AccountStream("acme"), {AccountCreated("acme", "", "Acme")});
  // A resource event between account events: the account's revision follows the stream.
  h.Append(AccountStream("acme"), {ResourceCreated("acme", "domain", "d1", {{"a", 1}})});
  const uint64_t updated_at =
      h.Append(AccountStream("acme"), {AccountUpdated("acme", changes)});
  h.CatchUp();
  ResourceRow row = h.GetOk("acme", "account", "acme");
  BOOST_TEST(row.document["name"] == "Acme Ltd");
  BOOST_TEST(row.document["is_reseller"] == 1);
  BOOST_TEST(row.document["max_out"] == 7);
  BOOST_TEST(row.document["timezone"] == "UTC");
  BOOST_TEST(row.document["status"] == "active");
  BOOST_TEST(row.revision == 3u);
  BOOST_TEST(row.position == updated_at);

  h.Append(AccountStream("acme"), {AccountSuspended("acme")});
  h.CatchUp();
  BOOST_TEST(h.GetOk("acme", "account", "acme").document["status"] == "suspended");
  h.Append(AccountStream("acme"), {AccountReactivated("acme")});
  h.CatchUp();
  BOOST_TEST(h.GetOk("acme", "account", "acme").document["status"] == "active");
  h.Append(AccountStream("acme"), {AccountClosed("acme")});
  h.CatchUp();
  row = h.GetOk("acme", "account", "acme");
  BOOST_TEST(row.document["status"] == "closed");
  BOOST_TEST(row.document["name"] == "Acme Ltd");
  BOOST_TEST(row.revision == 6u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(ResourceEventsCreateReplaceAndDeleteRows, Backend, AllBackends) {
  Harness h(Backend::kRocksDb);
  h.Append(AccountStream("acme"), {AccountCreated("acme", "", "Acme")});
  const uint64_t created = h.Append(
      AccountStream("acme"),
      {ResourceCreated("acme", "domain", "d1", {{"domain", "pbx.acme.com"}, {"is_primary", 1}})});
  h.CatchUp();
  ResourceRow row = h.GetOk("acme", "domain", "d1");
  BOOST_TEST(row.document == (json{{"domain", "pbx.acme.com"}, {"is_primary", 1}}));
  BOOST_TEST(row.revision == 1u);
  BOOST_TEST(row.position == created);

  const uint64_t updated = h.Append(
      AccountStream("acme"), {ResourceUpdated("acme", "domain", "d1", {{"domain", "x.acme.com"}}, 2)});
  h.CatchUp();
  row = h.GetOk("acme", "domain", "d1");
  BOOST_TEST(row.document == (json{{"domain", "x.acme.com"}}));
  BOOST_TEST(row.revision == 2u);
  BOOST_TEST(row.position == updated);

  h.Append(AccountStream("acme"), {ResourceDeleted("acme", "domain", "d1", 2)});
  h.CatchUp();
  BOOST_TEST(!h.Exists("acme", "domain", "d1"));
  BOOST_TEST(h.GetOk("acme", "account", "acme").document["status"] == "active");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(RowsHoldThePublicDocumentWithoutDigestHashes, Backend, AllBackends) {
  Harness h(Backend::kRocksDb);
  h.Append(AccountStream("acme"), {AccountCreated("acme", "", "Acme")});
  const json device = {{"auth_username", "alice"}, {"realm", "pbx.acme.com"}, {"ha1", std::string(32, 'a')},
                       {"ha1b", std::string(32, 'b')}, {"status", "active"}};
  h.Append(AccountStream("acme"), {ResourceCreated("acme", "device", "dev1", device)});
  h.CatchUp();
  const ResourceRow row = h.GetOk("acme", "device", "dev1");
  BOOST_TEST(!row.document.contains("ha1"));
  BOOST_TEST(!row.document.contains("ha1b"));
  BOOST_TEST(row.document["auth_username"] == "alice");
  auto text = h.view().GetText("acme", "device", "dev1");
  BOOST_TEST_REQUIRE(text.ok());
  BOOST_TEST_REQUIRE(text->has_value());
  BOOST_TEST((*text)->document == row.document.dump());
  BOOST_TEST((*text)->document.find("ha1") == std::string::npos);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(TextReadsAnswerWhatParsedReadsAnswer, Backend, AllBackends) {
  Harness h(Backend::kRocksDb);
  h.Append(AccountStream("acme"), {AccountCreated("acme", "", "Acme")});
  std::vector<EventData> events;
  for (int i = 0; i < 7; ++i) {
    events.push_back(ResourceCreated("acme", "domain", "d" + std::to_string(i),
                                     {{"domain", "d" + std::to_string(i) + ".acme.com"}, {"is_primary", i % 2}}));
  }
  h.Append(AccountStream("acme"), std::move(events));
  h.CatchUp();
  for (const ListQuery& query : {ListQuery{"acme", "domain", {}, "", 3}, ListQuery{"acme", "domain", {}, "d2", 3},
                                 ListQuery{"acme", "domain", {{"is_primary", "1"}}, "", 2},
                                 ListQuery{"", "account", {}, "", 10}}) {
    const ListPage parsed = h.ListOk(query);
    auto text = h.view().ListText(query);
    BOOST_TEST_REQUIRE(text.ok(), text.status().ToString());
    BOOST_TEST(text->next_cursor == parsed.next_cursor);
    BOOST_TEST_REQUIRE(text->rows.size() == parsed.rows.size());
    for (size_t i = 0; i < parsed.rows.size(); ++i) {
      BOOST_TEST(text->rows[i].id == parsed.rows[i].id);
      BOOST_TEST(text->rows[i].revision == parsed.rows[i].revision);
      BOOST_TEST(json::parse(text->rows[i].document) == parsed.rows[i].document);
    }
  }
  auto missing = h.view().GetText("acme", "domain", "nope");
  BOOST_TEST_REQUIRE(missing.ok());
  BOOST_TEST(!missing->has_value());
  BOOST_TEST((h.view().GetText("acme", "", "x").status().code() == ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(TheCredentialsGenerationMovesOnlyWithAccountsAndKeys, Backend, AllBackends) {
  Harness h(Backend::kRocksDb);
  const uint64_t start = h.view().credentials_generation();
  h.Append(AccountStream("acme"), {AccountCreated("acme", "", "Acme")});
  h.CatchUp();
  const uint64_t after_account = h.view().credentials_generation();
  BOOST_TEST(after_account != start);
  h.Append(AccountStream("acme"), {ResourceCreated("acme", "domain", "d1", {{"domain", "a.acme.com"}})});
  h.CatchUp();
  BOOST_TEST(h.view().credentials_generation() == after_account);
  h.Append(AccountStream("acme"), {ApiKeyCreated("acme", "k1")});
  h.CatchUp();
  const uint64_t after_key = h.view().credentials_generation();
  BOOST_TEST(after_key != after_account);
  h.Append(AccountStream("acme"), {ApiKeyRevoked("acme", "k1")});
  h.CatchUp();
  BOOST_TEST(h.view().credentials_generation() != after_key);
  const uint64_t before_rebuild = h.view().credentials_generation();
  BOOST_TEST_REQUIRE(h.view().Rebuild().ok());
  BOOST_TEST(h.view().credentials_generation() != before_rebuild);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(ApiKeysAreFoundByIdAndListedByAccountAndRevoked, Backend,
                              AllBackends) {
  Harness h(Backend::kRocksDb);
  const uint64_t created = h.Append(AccountStream("acme"),
                                    {AccountCreated("acme", "", "Acme"),
                                     ApiKeyCreated("acme", "kb"), ApiKeyCreated("acme", "ka")});
  h.Append(AccountStream("other"), {AccountCreated("other", "", "Other"),
                                    ApiKeyCreated("other", "kc")});
  h.CatchUp();
  auto key = h.view().FindApiKey("kb");
  BOOST_TEST_REQUIRE(key.ok());
  BOOST_TEST_REQUIRE(key->has_value());
  BOOST_TEST((*key)->account_id == "acme");
  BOOST_TEST((*key)->secret_sha256 == std::string(64, 'a'));
  BOOST_TEST(((*key)->scopes == std::vector<std::string>{"config", "cdr"}));
  BOOST_TEST((*key)->label == "ci key");
  BOOST_TEST((*key)->created_by == "admin");
  BOOST_TEST((*key)->created_ms == EventTimeMs(h.log(), created));
  BOOST_TEST(!(*key)->revoked);

  auto listed = h.view().ListApiKeys("acme");
  BOOST_TEST_REQUIRE(listed.ok());
  BOOST_TEST_REQUIRE(listed->size() == 2u);
  BOOST_TEST((*listed)[0].key_id == "ka");
  BOOST_TEST((*listed)[1].key_id == "kb");

  h.Append(AccountStream("acme"), {ApiKeyRevoked("acme", "kb")});
  h.CatchUp();
  key = h.view().FindApiKey("kb");
  BOOST_TEST_REQUIRE(key->has_value());
  BOOST_TEST((*key)->revoked);
  BOOST_TEST(!h.view().FindApiKey("nope")->has_value());
  BOOST_TEST(h.view().ListApiKeys("nobody")->empty());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(ARevokeNamingAnotherAccountLeavesTheKeyValid, Backend,
                              AllBackends) {
  Harness h(Backend::kRocksDb);
  h.Append(AccountStream("acme"), {ApiKeyCreated("acme", "k1")});
  h.Append(AccountStream("evil"), {ApiKeyRevoked("evil", "k1")});
  h.CatchUp();
  BOOST_TEST(!(*h.view().FindApiKey("k1"))->revoked);
  BOOST_TEST(h.view().stats().events_malformed == 1u);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(ReservationsFollowClaimsAndReleasesByTheirHolder, Backend,
                              AllBackends) {
  Harness h(Backend::kRocksDb);
  const std::string stream = "unique-e164-15551234567";
  h.Append(stream, {ReservationClaimed("e164", "15551234567", "acme", "did", "n1")});
  h.CatchUp();
  auto found = h.view().FindReservation("e164", "15551234567");
  BOOST_TEST_REQUIRE(found.ok());
  BOOST_TEST_REQUIRE(found->has_value());
  BOOST_TEST((*found)->account_id == "acme");
  BOOST_TEST((*found)->kind == "did");
  BOOST_TEST((*found)->resource_id == "n1");
  BOOST_TEST(!h.view().FindReservation("e164", "15550000000")->has_value());
  BOOST_TEST(!h.view().FindReservation("domain", "15551234567")->has_value());

  // A release by someone who does not hold the value changes nothing.
  h.Append(stream, {ReservationReleased("e164", "15551234567", "other", "n9")});
  h.CatchUp();
  BOOST_TEST(h.view().FindReservation("e164", "15551234567")->has_value());

  h.Append(stream, {ReservationReleased("e164", "15551234567", "acme", "n1")});
  h.CatchUp();
  BOOST_TEST(!h.view().FindReservation("e164", "15551234567")->has_value());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(EventsOfOtherTypesAreSkippedAndTheCheckpointAdvances, Backend,
                              AllBackends) {
  Harness h(Backend::kRocksDb);
  h.Append("calls-1", {UnknownEvent("call.started"), UnknownEvent("call.ended")});
  events::SecretStored secret;
  secret.set_account_id("acme");
  secret.set_ref("s1");
  const uint64_t last = h.Append(AccountStream("acme"),
                                 {events::MakeEvent(events::kSecretStored, secret)});
  h.CatchUp();
  BOOST_TEST(h.view().position() == last);
  BOOST_TEST(h.view().stats().events_skipped == 3u);
  BOOST_TEST(h.view().stats().events_folded == 0u);
  const ListQuery all_accounts{"", "account", {}, "", 100};
  BOOST_TEST(h.ListOk(all_accounts).rows.empty());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(MalformedEventsAreCountedAndChangeNothing, Backend, AllBackends) {
  Harness h(Backend::kRocksDb);
  events::ResourceCreated not_json;
  not_json.set_account_id("acme");
  not_json.set_kind("domain");
  not_json.set_id("d1");
  not_json.set_document("{not json");
  EventData undecodable = UnknownEvent(std::string(events::kResourceCreated));
  undecodable.payload = "\xff\xff\xff";
  h.Append(AccountStream("acme"),
           {events::MakeEvent(events::kResourceCreated, not_json), undecodable,
            // a resource may not pose as an account row
            ResourceCreated("acme", "account", "acme", {{"status", "active"}}),
            // an account event must name its own stream's account
            AccountCreated("someone-else", "", "X")});
  const uint64_t last = h.Append(AccountStream("acme"),
                                 {ResourceCreated("acme", "domain", "d2", {{"ok", 1}})});
  h.CatchUp();
  BOOST_TEST(h.view().position() == last);
  BOOST_TEST(h.view().stats().events_malformed == 4u);
  BOOST_TEST(h.view().stats().events_folded == 1u);
  BOOST_TEST(!h.Exists("acme", "domain", "d1"));
  BOOST_TEST(!h.Exists("acme", "account", "acme"));
  BOOST_TEST(!h.Exists("someone-else", "account", "someone-else"));
  BOOST_TEST(h.Exists("acme", "domain", "d2"));
}

// ---- Reading ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE_TEMPLATE(ListPagesThroughOneAccountsKindInIdOrder, Backend, AllBackends) {
  Harness h(Backend::kRocksDb);
  std::vector<EventData> events;
  for (std::string id : {"d3", "d1", "d5", "d2", "d4"}) {
    events.push_back(ResourceCreated("a1", "domain", id, {{"n", id}}));
  }
  h.Append(AccountStream("a1"), std::move(events));
  // Neighbours that share a textual prefix must not leak into the listing.
  h.Append(AccountStream("a10"), {ResourceCreated("a10", "domain", "d0", {{"n", "x"}})});
  h.Append(AccountStream("a1"), {ResourceCreated("a1", "domain_alias", "d0", {{"n", "x"}}),
                                 ResourceCreated("a1", "user", "d0", {{"n", "x"}})});
  h.CatchUp();

  ListQuery query{"a1", "domain", {}, "", 2};
  ListPage page = h.ListOk(query);
  BOOST_TEST(Ids(page) == "d1 d2");
  BOOST_TEST(page.next_cursor == "d2");
  query.after_id = page.next_cursor;
  page = h.ListOk(query);
  BOOST_TEST(Ids(page) == "d3 d4");
  BOOST_TEST(page.next_cursor == "d4");
  query.after_id = page.next_cursor;
  page = h.ListOk(query);
  BOOST_TEST(Ids(page) == "d5");
  BOOST_TEST(page.next_cursor == "");

  // A page that ends exactly at the last row has no cursor.
  page = h.ListOk(ListQuery{"a1", "domain", {}, "", 5});
  BOOST_TEST(Ids(page) == "d1 d2 d3 d4 d5");
  BOOST_TEST(page.next_cursor == "");
  BOOST_TEST(page.rows[0].account_id == "a1");
  BOOST_TEST(page.rows[0].kind == "domain");
  BOOST_TEST(page.rows[0].document["n"] == "d1");
  // A cursor between ids continues after it.
  BOOST_TEST(Ids(h.ListOk(ListQuery{"a1", "domain", {}, "d2x", 10})) == "d3 d4 d5");
  BOOST_TEST(h.ListOk(ListQuery{"nobody", "domain", {}, "", 10}).rows.empty());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(ListFiltersOnTopLevelFieldsByTextOrJsonValue, Backend,
                              AllBackends) {
  Harness h(Backend::kRocksDb);
  h.Append(AccountStream("a1"),
           {ResourceCreated("a1", "device", "v1", {{"user_id", "u1"}, {"enabled", 1}}),
            ResourceCreated("a1", "device", "v2", {{"user_id", "u2"}, {"enabled", 1}}),
            ResourceCreated("a1", "device", "v3", {{"user_id", "u1"}, {"enabled", 0}}),
            ResourceCreated("a1", "device", "v4", {{"user_id", "u1"}, {"enabled", 1}}),
            ResourceCreated("a1", "device", "v5", {{"enabled", 1}, {"nested", {{"user_id", "u1"}}}})});
  h.CatchUp();

  BOOST_TEST(Ids(h.ListOk(ListQuery{"a1", "device", {{"user_id", "u1"}}, "", 10})) == "v1 v3 v4");
  BOOST_TEST(Ids(h.ListOk(ListQuery{"a1", "device", {{"enabled", "1"}}, "", 10})) ==
             "v1 v2 v4 v5");
  BOOST_TEST(Ids(h.ListOk(ListQuery{"a1", "device", {{"user_id", "u1"}, {"enabled", "1"}}, "",
                                    10})) == "v1 v4");
  BOOST_TEST(h.ListOk(ListQuery{"a1", "device", {{"user_id", "u3"}}, "", 10}).rows.empty());
  BOOST_TEST(h.ListOk(ListQuery{"a1", "device", {{"missing", "1"}}, "", 10}).rows.empty());

  // Paging over a filter: the cursor is set only when another matching row exists.
  ListPage page = h.ListOk(ListQuery{"a1", "device", {{"user_id", "u1"}}, "", 2});
  BOOST_TEST(Ids(page) == "v1 v3");
  BOOST_TEST(page.next_cursor == "v3");
  page = h.ListOk(ListQuery{"a1", "device", {{"user_id", "u1"}}, "v3", 1});
  BOOST_TEST(Ids(page) == "v4");
  BOOST_TEST(page.next_cursor == "");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(ListRejectsBadQueriesWithInvalidArgument, Backend, AllBackends) {
  Harness h(Backend::kRocksDb);
  auto code = [&](const ListQuery& q) { return h.view().List(q).status().code(); };
  BOOST_TEST((code(ListQuery{"a1", "domain", {}, "", 0}) == ErrorCode::kInvalidArgument));
  BOOST_TEST((code(ListQuery{"a1", "domain", {}, "", kMaxListLimit + 1}) ==
              ErrorCode::kInvalidArgument));
  BOOST_TEST((code(ListQuery{"a1", "", {}, "", 10}) == ErrorCode::kInvalidArgument));
  BOOST_TEST((code(ListQuery{"", "domain", {}, "", 10}) == ErrorCode::kInvalidArgument));
  BOOST_TEST((code(ListQuery{"a1", "domain", {{"", "x"}}, "", 10}) ==
              ErrorCode::kInvalidArgument));
  BOOST_TEST((code(ListQuery{std::string("a\0b", 3), "domain", {}, "", 10}) ==
              ErrorCode::kInvalidArgument));
  BOOST_TEST((h.view().Get("", "domain", "d1").status().code() == ErrorCode::kInvalidArgument));
  BOOST_TEST((h.view().ListChildAccounts("", "", 0).status().code() ==
              ErrorCode::kInvalidArgument));
  BOOST_TEST((h.view().FindApiKey("").status().code() == ErrorCode::kInvalidArgument));
  BOOST_TEST((h.view().FindReservation("", "x").status().code() == ErrorCode::kInvalidArgument));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(AccountsAreListedAllTogetherAndByParent, Backend, AllBackends) {
  Harness h(Backend::kRocksDb);
  h.AppendMixedHistory();
  h.Append(AccountStream("direct"), {AccountCreated("direct", "", "Direct")});
  h.Append(AccountStream("tenant3"), {AccountCreated("tenant3", "reseller", "Tenant Three")});
  h.CatchUp();

  BOOST_TEST(Ids(h.ListOk(ListQuery{"", "account", {}, "", 100})) ==
             "direct reseller tenant1 tenant2 tenant3");
  BOOST_TEST(Ids(h.ListOk(ListQuery{"", "account", {{"status", "suspended"}}, "", 100})) ==
             "tenant2");
  BOOST_TEST(Ids(h.ListOk(ListQuery{"", "account", {{"is_reseller", "1"}}, "", 100})) ==
             "reseller");
  // With an account id, the kind "account" lists that account's own row.
  BOOST_TEST(Ids(h.ListOk(ListQuery{"tenant1", "account", {}, "", 100})) == "tenant1");

  auto children = h.view().ListChildAccounts("reseller", "", 2);
  BOOST_TEST_REQUIRE(children.ok());
  BOOST_TEST(Ids(*children) == "tenant1 tenant2");
  BOOST_TEST(children->next_cursor == "tenant2");
  BOOST_TEST(children->rows[1].document["parent_id"] == "reseller");
  children = h.view().ListChildAccounts("reseller", children->next_cursor, 2);
  BOOST_TEST(Ids(*children) == "tenant3");
  BOOST_TEST(children->next_cursor == "");
  BOOST_TEST(Ids(*h.view().ListChildAccounts("", "", 10)) == "direct reseller");
  BOOST_TEST(h.view().ListChildAccounts("tenant1", "", 10)->rows.empty());
}

// ---- Consistency --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE_TEMPLATE(AWriteIsVisibleOnceWaitForPositionReturns, Backend, AllBackends) {
  Harness h(Backend::kRocksDb);
  for (int i = 0; i < 50; ++i) {
    const std::string id = "r" + std::to_string(i);
    const uint64_t position =
        h.Append(AccountStream("acme"), {ResourceCreated("acme", "route", id, {{"i", i}})});
    BOOST_TEST_REQUIRE(h.view().WaitForPosition(position, kGenerousTimeout));
    BOOST_TEST_REQUIRE(h.view().position() >= position);
    BOOST_TEST_REQUIRE(h.GetOk("acme", "route", id).document["i"] == i);
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(NotifyAtCallsBackOnceThePositionIsFoldedOrNeverWillBe, Backend, AllBackends) {
  Harness h(Backend::kRocksDb);
  const uint64_t first = h.Append(AccountStream("acme"), {AccountCreated("acme", "", "Acme")});
  h.CatchUp();
  std::promise<bool> at_once;
  h.view().NotifyAt(first, [&](bool reached) { at_once.set_value(reached); });
  BOOST_TEST(at_once.get_future().get());  // already folded: called before NotifyAt returns

  std::promise<bool> later;
  auto later_result = later.get_future();
  const uint64_t next = h.log().HeadPosition() + 1;
  h.view().NotifyAt(next, [&](bool reached) {
    // Called once the row is readable.
    BOOST_TEST(reached);
    BOOST_TEST(h.view().Get("acme", "domain", "d1").value().has_value());
    later.set_value(reached);
  });
  h.Append(AccountStream("acme"), {ResourceCreated("acme", "domain", "d1", {{"domain", "a.acme.com"}})});
  BOOST_TEST_REQUIRE((later_result.wait_for(kGenerousTimeout) == std::future_status::ready));
  BOOST_TEST(later_result.get());

  std::promise<bool> never;
  auto never_result = never.get_future();
  h.view().NotifyAt(h.log().HeadPosition() + 100, [&](bool reached) { never.set_value(reached); });
  h.view().Stop();  // nothing more is folded: the waiter hears so
  BOOST_TEST_REQUIRE((never_result.wait_for(kGenerousTimeout) == std::future_status::ready));
  BOOST_TEST(!never_result.get());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(WaitForAPositionBeyondTheHeadTimesOutFalse, Backend, AllBackends) {
  Harness h(Backend::kRocksDb);
  const uint64_t head = h.Append(AccountStream("acme"), {AccountCreated("acme", "", "Acme")});
  BOOST_TEST(h.view().WaitForPosition(head, kGenerousTimeout));
  BOOST_TEST(!h.view().WaitForPosition(head + 1, std::chrono::milliseconds(20)));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(RebuildRefoldsFromZeroToTheSameContent, Backend, AllBackends) {
  Harness h(Backend::kRocksDb);
  h.AppendMixedHistory();
  h.CatchUp();
  const std::string before = h.DigestOk();
  const uint64_t folded_before = h.view().stats().events_folded;

  BOOST_TEST_REQUIRE(h.view().Rebuild().ok());
  BOOST_TEST(h.view().position() == h.log().HeadPosition());
  BOOST_TEST(h.DigestOk() == before);
  // Everything was folded a second time.
  BOOST_TEST(h.view().stats().events_folded == 2 * folded_before);
  BOOST_TEST(h.GetOk("tenant1", "domain", "d1").revision == 2u);

  // The view keeps following after a rebuild.
  h.Append(AccountStream("tenant1"), {ResourceCreated("tenant1", "user", "u2", {{"x", 1}})});
  h.CatchUp();
  BOOST_TEST(h.Exists("tenant1", "user", "u2"));
  BOOST_TEST(h.DigestOk() != before);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(DigestDependsOnContentNotOnHowItWasBatched, Backend, AllBackends) {
  Harness h(Backend::kRocksDb);
  const std::string empty = h.DigestOk();
  h.AppendMixedHistory();
  h.CatchUp();
  const std::string live = h.DigestOk();
  BOOST_TEST(live != empty);
  BOOST_TEST(live.size() == 64u);
  // A second view that folds the same log in one catch-up has the same digest.
  std::unique_ptr<ConfigView> fresh = h.OpenViewAt(h.view_path("other"));
  h.CatchUp(*fresh);
  BOOST_TEST(h.DigestOk(*fresh) == live);
}

BOOST_AUTO_TEST_CASE(ARestartReadsBackTheSameContentWithoutRefolding) {
  Harness h(/*rocksdb_log=*/true);
  h.AppendMixedHistory();
  h.CatchUp();
  const std::string before = h.DigestOk();
  const uint64_t head = h.log().HeadPosition();
  BOOST_TEST(h.view().stats().events_folded > 0u);

  h.CloseView();
  h.CloseLog();
  h.OpenLog();
  h.OpenView();
  // The checkpoint is known on open, before anything is folded.
  BOOST_TEST(h.view().position() == head);
  h.CatchUp();
  BOOST_TEST(h.DigestOk() == before);
  BOOST_TEST(h.view().stats().events_folded == 0u);
  BOOST_TEST(h.view().stats().batches_written == 0u);
  BOOST_TEST(h.GetOk("tenant2", "account", "tenant2").document["status"] == "suspended");
}

BOOST_AUTO_TEST_CASE(AViewOpenedOnAHalfFoldedLogContinuesWhereItStopped) {
  Harness h(/*rocksdb_log=*/true);
  h.Append(AccountStream("acme"), {AccountCreated("acme", "", "Acme"),
                                   ResourceCreated("acme", "domain", "d1", {{"v", 1}})});
  h.CatchUp();
  const uint64_t halfway = h.view().position();
  h.CloseView();

  // The log moves on while no view follows it, then both are restarted.
  events::AccountSettings changes;
  changes.set_timezone("Europe/Paris");
  h.Append(AccountStream("acme"), {ResourceUpdated("acme", "domain", "d1", {{"v", 2}}, 2),
                                   AccountUpdated("acme", changes),
                                   ResourceCreated("acme", "domain", "d2", {{"v", 1}})});
  h.CloseLog();
  h.OpenLog();
  h.OpenView();
  BOOST_TEST(h.view().position() == halfway);
  h.CatchUp();
  BOOST_TEST(h.view().stats().events_folded == 3u);
  BOOST_TEST(h.GetOk("acme", "domain", "d1").document["v"] == 2);
  BOOST_TEST(h.GetOk("acme", "account", "acme").document["timezone"] == "Europe/Paris");
  BOOST_TEST(h.GetOk("acme", "account", "acme").document["name"] == "Acme");
  BOOST_TEST(h.Exists("acme", "domain", "d2"));

  // Same content as a view that folded the whole log in one go.
  std::unique_ptr<ConfigView> fresh = h.OpenViewAt(h.view_path("fresh"));
  h.CatchUp(*fresh);
  BOOST_TEST(h.DigestOk(*fresh) == h.DigestOk());
}

BOOST_AUTO_TEST_CASE(ABurstIsFoldedInFarFewerWritesThanEvents) {
  Harness h(/*rocksdb_log=*/true);
  h.CloseView();
  constexpr int kAppends = 5;
  constexpr int kEventsPerAppend = 4000;
  for (int a = 0; a < kAppends; ++a) {
    std::vector<EventData> events;
    for (int i = 0; i < kEventsPerAppend; ++i) {
      const std::string id = "r" + std::to_string(a * kEventsPerAppend + i);
      events.push_back(ResourceCreated("acme", "route", id, {{"n", id}, {"enabled", 1}}));
    }
    h.Append(AccountStream("acme"), std::move(events));
  }
  const auto start = std::chrono::steady_clock::now();
  h.OpenView();
  h.CatchUp();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const uint64_t total = kAppends * kEventsPerAppend;
  BOOST_TEST(h.view().stats().events_folded == total);
  BOOST_TEST(h.view().stats().batches_written * 100 <= total);
  BOOST_TEST_MESSAGE("folded " << total << " events in " << h.view().stats().batches_written
                               << " batches, " << static_cast<uint64_t>(total / seconds)
                               << " events/s");
  BOOST_TEST(h.ListOk(ListQuery{"acme", "route", {}, "", 1000}).rows.size() == 1000u);
}

// ---- Opening ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(AViewOfTheEarlierFormatIsEmptiedAndFoldedAgain) {
  Harness h(/*rocksdb_log=*/true);
  h.AppendMixedHistory();
  h.CatchUp();
  const std::string digest = h.DigestOk();
  h.CloseView();
  {
    // Turn the folder into a /1 view holding a row the log never wrote.
    rocksdb::DBOptions db_options;
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : {"default", "rows", "accounts", "children", "api_keys", "account_keys",
                             "reservations", "meta"}) {
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    BOOST_TEST_REQUIRE(rocksdb::DB::Open(db_options, h.view_path(), families, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    BOOST_TEST_REQUIRE(db->Put(rocksdb::WriteOptions(), handles[7], "F", "dialtone.config_view/1").ok());
    BOOST_TEST_REQUIRE(db->Put(rocksdb::WriteOptions(), handles[1], std::string("x\0domain\0stale", 15),
                               std::string(16, '\0') + "{}").ok());
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
    BOOST_TEST_REQUIRE(db->Close().ok());
  }
  h.OpenView();
  h.CatchUp();
  BOOST_TEST(!h.Exists("x", "domain", "stale"));
  BOOST_TEST(h.DigestOk() == digest);
  BOOST_TEST(h.view().stats().events_folded > 0u);
}

BOOST_AUTO_TEST_CASE(OpenRefusesBadFoldersWithoutTouchingThem) {
  Harness h(/*rocksdb_log=*/true);
  BOOST_TEST((ConfigView::Open(ConfigViewOptions{""}, h.log()).status().code() ==
              ErrorCode::kInvalidArgument));
  // The view's folder is already open.
  BOOST_TEST((ConfigView::Open(ConfigViewOptions{h.view_path()}, h.log()).status().code() ==
              ErrorCode::kBusy));
  // The event log's own folder is not a view.
  h.Append(AccountStream("acme"), {AccountCreated("acme", "", "Acme")});
  h.CloseView();
  h.CloseLog();
  auto memory_log = store::NewMemoryEventLog();
  BOOST_TEST((ConfigView::Open(ConfigViewOptions{h.log_path()}, *memory_log).status().code() ==
              ErrorCode::kCorruption));
  h.OpenLog();
  BOOST_TEST(h.log().HeadPosition() == 1u);
  // A view ahead of the log it is given belongs to another log.
  h.OpenView();
  h.CatchUp();
  h.CloseView();
  BOOST_TEST((ConfigView::Open(ConfigViewOptions{h.view_path()}, *memory_log).status().code() ==
              ErrorCode::kCorruption));
  // A missing parent folder.
  BOOST_TEST((ConfigView::Open(ConfigViewOptions{h.view_path("no/such/dir")}, h.log())
                  .status()
                  .code() == ErrorCode::kIOError));
}

}  // namespace
}  // namespace dialtone::projections
