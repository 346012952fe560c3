// Black-box tests of the native /v1 configuration API through the real HTTP server
// (app::Serve in-process on a temporary data folder).
#define BOOST_TEST_MODULE v1_api_test
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "v1_test_support.h"
#include "test_receiver.h"
#include "webhooks/signature.h"

using namespace dialtone::v1test;
using dialtone::testing::HttpReply;
using dialtone::webhooks::testing::Reply;

namespace {

// Asserts the /v1 error shape and returns the error object.
Json ExpectError(const HttpReply& reply, int status, const std::string& code) {
  BOOST_TEST(reply.status == status, "status " << reply.status << " body " << reply.body);
  const Json body = BodyOf(reply);
  BOOST_TEST_REQUIRE(body.is_object(), reply.body);
  BOOST_TEST_REQUIRE(body.contains("error"), reply.body);
  const Json& error = body["error"];
  BOOST_TEST(error["code"] == code, reply.body);
  BOOST_TEST(error["message"].is_string());
  BOOST_TEST(!error["message"].get<std::string>().empty());
  BOOST_TEST(error["details"].is_array(), reply.body);
  BOOST_TEST(error["request_id"].is_string());
  BOOST_TEST(error["request_id"] == reply.Header("x-request-id"));
  return error;
}

bool HasDetailPath(const Json& error, const std::string& path) {
  for (const auto& d : error["details"]) {
    if (d["path"] == path) return true;
  }
  return false;
}

uint64_t RevisionOf(const std::string& etag) {
  return etag.size() > 2 ? std::stoull(etag.substr(1, etag.size() - 2)) : 0;
}

// A fixture: a fresh data folder and a running node.
struct Server {
  TempDir dir;
  Node node{dir.path()};
  uint16_t port() const { return node.port(); }
  Server() { BOOST_TEST_REQUIRE(node.started(), "dialtone serve did not start"); }
};

// Events of `type` in the whole log, read through the admin's /v1/events.
int CountEvents(uint16_t port, const std::string& type, const std::string& kind) {
  int count = 0;
  uint64_t after = 0;
  for (int page = 0; page < 100; ++page) {
    const HttpReply reply = Call(port, "GET", "/v1/events?limit=1000&after=" + std::to_string(after), Admin());
    BOOST_TEST_REQUIRE(reply.status == 200, reply.body);
    const Json body = BodyOf(reply);
    for (const auto& e : body["events"]) {
      if (e["type"] != type) continue;
      if (e.dump().find("\"" + kind + "\"") != std::string::npos) ++count;
    }
    if (body["events"].empty()) break;
    after = body["next_after"].get<uint64_t>();
  }
  return count;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(Authentication)

BOOST_FIXTURE_TEST_CASE(MissingOrUnknownKeysAre401, Server) {
  ExpectError(Call(port(), "GET", "/v1/domains"), 401, "UNAUTHENTICATED");
  ExpectError(Call(port(), "GET", "/v1/domains", {{"x-api-key", "nope"}}), 401, "UNAUTHENTICATED");
  ExpectError(Call(port(), "GET", "/v1/domains", Key("dtk_0123456789abcdef_" + std::string(64, 'a'))), 401,
              "UNAUTHENTICATED");
  const Tenant tenant = MakeTenant(port(), "acme");
  // The right key id with a wrong secret.
  std::string forged = tenant.key;
  forged.back() = forged.back() == 'a' ? 'b' : 'a';
  const HttpReply reply = Call(port(), "GET", "/v1/domains", Key(forged));
  ExpectError(reply, 401, "UNAUTHENTICATED");
  BOOST_TEST(reply.Header("www-authenticate").find("Bearer") == 0);
}

BOOST_FIXTURE_TEST_CASE(KeysWorkAsXApiKeyAndAsBearer, Server) {
  const Tenant tenant = MakeTenant(port(), "acme");
  BOOST_TEST(Call(port(), "GET", "/v1/domains", {{"x-api-key", tenant.key}}).status == 200);
  BOOST_TEST(Call(port(), "GET", "/v1/domains", {{"Authorization", "Bearer " + tenant.key}}).status == 200);
}

BOOST_FIXTURE_TEST_CASE(RevokedKeyIs401, Server) {
  const Tenant tenant = MakeTenant(port(), "acme");
  const std::string key_id = tenant.key.substr(4, 16);
  BOOST_TEST(Call(port(), "GET", "/v1/whoami", Key(tenant.key)).status == 200);
  const HttpReply revoked =
      Call(port(), "DELETE", "/v1/accounts/" + tenant.account_id + "/api-keys/" + key_id, Admin());
  BOOST_TEST(revoked.status == 204, revoked.body);
  const Json error = ExpectError(Call(port(), "GET", "/v1/whoami", Key(tenant.key)), 401, "UNAUTHENTICATED");
  BOOST_TEST(error["message"].get<std::string>().find("revoked") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(KeysOfASuspendedAccountAre401UntilReactivated, Server) {
  const Tenant tenant = MakeTenant(port(), "acme");
  BOOST_TEST(Call(port(), "GET", "/v1/account", Key(tenant.key)).status == 200);  // verified (and remembered)
  const HttpReply suspended = Call(port(), "PATCH", "/v1/accounts/" + tenant.account_id, Admin(),
                                   Json{{"status", "suspended"}});
  BOOST_TEST(suspended.status == 200, suspended.body);
  BOOST_TEST(BodyOf(suspended)["status"] == "suspended");
  const Json error = ExpectError(Call(port(), "GET", "/v1/account", Key(tenant.key)), 401, "UNAUTHENTICATED");
  BOOST_TEST(error["message"].get<std::string>().find("suspended") != std::string::npos);
  BOOST_TEST(Call(port(), "PATCH", "/v1/accounts/" + tenant.account_id, Admin(), Json{{"status", "active"}}).status ==
             200);
  BOOST_TEST(Call(port(), "GET", "/v1/account", Key(tenant.key)).status == 200);
}

BOOST_FIXTURE_TEST_CASE(TheAdminMustNameAnExistingAccountOnAccountRoutes, Server) {
  ExpectError(Call(port(), "GET", "/v1/domains", Admin()), 400, "INVALID_ARGUMENT");
  ExpectError(Call(port(), "GET", "/v1/domains", Admin("acc_missing")), 404, "NOT_FOUND");
  const Tenant tenant = MakeTenant(port(), "acme");
  BOOST_TEST(Call(port(), "GET", "/v1/domains", Admin(tenant.account_id)).status == 200);
  BOOST_TEST(Call(port(), "GET", "/v1/domains?account_id=" + tenant.account_id, Admin()).status == 200);
}

BOOST_FIXTURE_TEST_CASE(AKeyWithoutTheConfigScopeIs403OnConfigRoutes, Server) {
  const Tenant tenant = MakeTenant(port(), "acme");
  const HttpReply minted = Call(port(), "POST", "/v1/accounts/" + tenant.account_id + "/api-keys", Admin(),
                                Json{{"scopes", {"cdr"}}});
  BOOST_TEST_REQUIRE(minted.status == 201, minted.body);
  const std::string cdr_key = BodyOf(minted)["key"];
  ExpectError(Call(port(), "GET", "/v1/domains", Key(cdr_key)), 403, "PERMISSION_DENIED");
  const HttpReply whoami = Call(port(), "GET", "/v1/whoami", Key(cdr_key));
  BOOST_TEST(whoami.status == 200);
  BOOST_TEST(BodyOf(whoami)["scopes"] == Json({"cdr"}));
  const HttpReply config = Call(port(), "POST", "/v1/accounts/" + tenant.account_id + "/api-keys", Admin(),
                                Json{{"scopes", {"config"}}});
  BOOST_TEST(Call(port(), "GET", "/v1/domains", Key(BodyOf(config)["key"])).status == 200);
}

BOOST_FIXTURE_TEST_CASE(ProductScopesOpenTheirOwnCollectionsOnly, Server) {
  const Tenant tenant = MakeTenant(port(), "acme");
  auto mint = [&](const char* scope) {
    const HttpReply minted = Call(port(), "POST", "/v1/accounts/" + tenant.account_id + "/api-keys", Admin(),
                                  Json{{"scopes", {scope}}});
    BOOST_TEST_REQUIRE(minted.status == 201, minted.body);
    return BodyOf(minted)["key"].get<std::string>();
  };
  const std::string dnc = mint("dnc");
  const std::string numbers = mint("numbers");
  const std::string webhooks = mint("webhooks");
  const std::string queues = mint("queues");
  BOOST_TEST(Call(port(), "POST", "/v1/dnc", Key(dnc), Json{{"e164", "14155550100"}}).status == 201);
  BOOST_TEST(Call(port(), "GET", "/v1/numbers", Key(numbers)).status == 200);
  BOOST_TEST(Call(port(), "GET", "/v1/webhooks", Key(webhooks)).status == 200);
  const std::string queue = CreateId(port(), Key(queues), "/v1/queues", Json{{"name", "support"}});
  BOOST_TEST(Call(port(), "GET", "/v1/queues/" + queue + "/agents", Key(queues)).status == 200);
  // Each reaches nothing else.
  ExpectError(Call(port(), "GET", "/v1/numbers", Key(dnc)), 403, "PERMISSION_DENIED");
  ExpectError(Call(port(), "GET", "/v1/dnc", Key(numbers)), 403, "PERMISSION_DENIED");
  ExpectError(Call(port(), "GET", "/v1/users", Key(webhooks)), 403, "PERMISSION_DENIED");
  ExpectError(Call(port(), "GET", "/v1/account", Key(queues)), 403, "PERMISSION_DENIED");
}

BOOST_FIXTURE_TEST_CASE(WhoAmITellsTheAccountScopesAndHowTheCallerAuthenticated, Server) {
  const Tenant tenant = MakeTenant(port(), "acme");
  const Json key = BodyOf(Call(port(), "GET", "/v1/whoami", Key(tenant.key)));
  BOOST_TEST(key == Json({{"accountId", tenant.account_id}, {"scopes", {"*"}}, {"via", "api_key"}}));
  const Json admin = BodyOf(Call(port(), "GET", "/v1/whoami", Admin()));
  BOOST_TEST(admin == Json({{"accountId", nullptr}, {"scopes", {"*"}}, {"via", "admin"}}));
  const Json admin_named = BodyOf(Call(port(), "GET", "/v1/whoami", Admin(tenant.account_id)));
  BOOST_TEST(admin_named["accountId"] == tenant.account_id);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Accounts)

BOOST_FIXTURE_TEST_CASE(AccountsCrudThroughTheAdmin, Server) {
  const HttpReply created = Call(port(), "POST", "/v1/accounts", Admin(),
                                 Json{{"name", "acme"}, {"timezone", "Europe/Paris"}, {"max_in", 5}});
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  const Json account = BodyOf(created);
  const std::string id = account["id"];
  BOOST_TEST(created.Header("location") == "/v1/accounts/" + id);
  BOOST_TEST(!created.Header("etag").empty());
  BOOST_TEST(account["account_id"] == id);
  BOOST_TEST(account["timezone"] == "Europe/Paris");
  BOOST_TEST(account["status"] == "active");
  BOOST_TEST(account["is_reseller"] == 0);
  BOOST_TEST(account["parent_id"].is_null());

  const HttpReply got = Call(port(), "GET", "/v1/accounts/" + id, Admin());
  BOOST_TEST(got.status == 200);
  BOOST_TEST(BodyOf(got) == account);

  const HttpReply patched = Call(port(), "PATCH", "/v1/accounts/" + id, Admin(), Json{{"brand_name", "Acme"}});
  BOOST_TEST_REQUIRE(patched.status == 200, patched.body);
  BOOST_TEST(BodyOf(patched)["brand_name"] == "Acme");
  BOOST_TEST(BodyOf(patched)["timezone"] == "Europe/Paris");

  ExpectError(Call(port(), "PATCH", "/v1/accounts/" + id, With(Admin(), "if-match", created.Header("etag")),
                   Json{{"brand_name", "Stale"}}),
              412, "PRECONDITION_FAILED");
  BOOST_TEST(BodyOf(Call(port(), "GET", "/v1/accounts/" + id, Admin()))["brand_name"] == "Acme");
  BOOST_TEST(Call(port(), "GET", "/v1/accounts/" + id, With(Admin(), "if-none-match", patched.Header("etag"))).status ==
             304);

  const HttpReply put = Call(port(), "PUT", "/v1/accounts/" + id, With(Admin(), "if-match", patched.Header("etag")),
                             Json{{"name", "acme two"}});
  BOOST_TEST_REQUIRE(put.status == 200, put.body);
  BOOST_TEST(BodyOf(put)["name"] == "acme two");
  BOOST_TEST(BodyOf(put)["timezone"] == "UTC");  // PUT resets what it omits

  ExpectError(Call(port(), "PATCH", "/v1/accounts/" + id, Admin(), Json{{"timezone", "Mars/Olympus"}}), 400,
              "INVALID_ARGUMENT");
  const Json unknown = ExpectError(Call(port(), "PATCH", "/v1/accounts/" + id, Admin(), Json{{"colour", "red"}}),
                                   400, "INVALID_ARGUMENT");
  BOOST_TEST(HasDetailPath(unknown, "colour"));

  const HttpReply listed = Call(port(), "GET", "/v1/accounts", Admin());
  BOOST_TEST(listed.status == 200);
  BOOST_TEST(BodyOf(listed)["data"].size() == 1u);

  BOOST_TEST(Call(port(), "DELETE", "/v1/accounts/" + id, Admin()).status == 204);
  BOOST_TEST(BodyOf(Call(port(), "GET", "/v1/accounts/" + id, Admin()))["status"] == "closed");
  ExpectError(Call(port(), "GET", "/v1/accounts/acc_missing", Admin()), 404, "NOT_FOUND");
}

BOOST_FIXTURE_TEST_CASE(OptionalAccountSettingsAreNullUntilSetAndCanBeClearedAgain, Server) {
  const HttpReply created = Call(port(), "POST", "/v1/accounts", Admin(), Json{{"name", "acme"}, {"max_out", 0}});
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  const Json account = BodyOf(created);
  const std::string id = account["id"];
  BOOST_TEST(account["max_in"].is_null());   // no ceiling
  BOOST_TEST(account["max_out"] == 0);       // no outbound call allowed
  BOOST_TEST(account["brand_name"].is_null());
  BOOST_TEST(account["did_default_dest_kind"].is_null());
  BOOST_TEST(account["voice_gender"] == "female");
  const HttpReply set = Call(port(), "PATCH", "/v1/accounts/" + id, Admin(), Json{{"max_in", 10}, {"brand_name", "Acme"}});
  BOOST_TEST_REQUIRE(set.status == 200, set.body);
  BOOST_TEST(BodyOf(set)["max_in"] == 10);
  const HttpReply cleared = Call(port(), "PATCH", "/v1/accounts/" + id, Admin(), Json{{"max_in", nullptr}});
  BOOST_TEST_REQUIRE(cleared.status == 200, cleared.body);
  BOOST_TEST(BodyOf(cleared)["max_in"].is_null());
  BOOST_TEST(BodyOf(cleared)["brand_name"] == "Acme");
  ExpectError(Call(port(), "PATCH", "/v1/accounts/" + id, Admin(), Json{{"name", nullptr}}), 400, "INVALID_ARGUMENT");
}

BOOST_FIXTURE_TEST_CASE(TheAccountsDefaultDestinationMustBeOneOfItsResources, Server) {
  const Tenant t = MakeTenant(port(), "acme");
  const Tenant other = MakeTenant(port(), "other");
  const std::string theirs = CreateId(port(), Key(other.key), "/v1/users", Json{{"username", "bob"}});
  const Json error = ExpectError(Call(port(), "PATCH", "/v1/accounts/" + t.account_id, Key(t.key),
                                      Json{{"did_default_dest_kind", "user"}, {"did_default_dest_id", theirs}}),
                                 400, "INVALID_ARGUMENT");
  BOOST_TEST(HasDetailPath(error, "did_default_dest_id"), error.dump());
  const std::string mine = CreateId(port(), Key(t.key), "/v1/users", Json{{"username", "alice"}});
  BOOST_TEST(Call(port(), "PATCH", "/v1/accounts/" + t.account_id, Key(t.key),
                  Json{{"did_default_dest_kind", "user"}, {"did_default_dest_id", mine}})
                 .status == 200);
  const Json conflict = ExpectError(Call(port(), "DELETE", "/v1/users/" + mine, Key(t.key)), 409, "CONFLICT");
  BOOST_TEST(conflict.dump().find("account/" + t.account_id) != std::string::npos, conflict.dump());
}

BOOST_FIXTURE_TEST_CASE(AStaleIfMatchOnAnAccountChangesNeitherSettingsNorStatus, Server) {
  const HttpReply created = Call(port(), "POST", "/v1/accounts", Admin(), Json{{"name", "acme"}});
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  const std::string id = BodyOf(created)["id"];
  const std::string stale = created.Header("etag");
  BOOST_TEST(Call(port(), "PATCH", "/v1/accounts/" + id, Admin(), Json{{"brand_name", "A"}}).status == 200);
  const std::string before = Call(port(), "GET", "/v1/accounts/" + id, Admin()).body;
  ExpectError(Call(port(), "PATCH", "/v1/accounts/" + id, With(Admin(), "if-match", stale),
                   Json{{"brand_name", "B"}, {"status", "suspended"}}),
              412, "PRECONDITION_FAILED");
  BOOST_TEST(Call(port(), "GET", "/v1/accounts/" + id, Admin()).body == before);
  // With the current tag both change, in one write.
  const std::string current = Call(port(), "GET", "/v1/accounts/" + id, Admin()).Header("etag");
  const HttpReply both = Call(port(), "PATCH", "/v1/accounts/" + id, With(Admin(), "if-match", current),
                              Json{{"brand_name", "B"}, {"status", "suspended"}});
  BOOST_TEST_REQUIRE(both.status == 200, both.body);
  BOOST_TEST(BodyOf(both)["brand_name"] == "B");
  BOOST_TEST(BodyOf(both)["status"] == "suspended");
  BOOST_TEST(RevisionOf(both.Header("etag")) == RevisionOf(current) + 2);
}

BOOST_FIXTURE_TEST_CASE(AResellerManagesItsDirectChildrenAndSeesNoOtherTenant, Server) {
  const Tenant reseller = MakeTenant(port(), "reseller", Json{{"is_reseller", 1}});
  const Tenant other = MakeTenant(port(), "other");

  // A reseller key creates a child under itself.
  const HttpReply child_created = Call(port(), "POST", "/v1/accounts", Key(reseller.key), Json{{"name", "child"}});
  BOOST_TEST_REQUIRE(child_created.status == 201, child_created.body);
  const std::string child = BodyOf(child_created)["id"];
  BOOST_TEST(BodyOf(child_created)["parent_id"] == reseller.account_id);
  // ... but not a reseller, and not under someone else.
  ExpectError(Call(port(), "POST", "/v1/accounts", Key(reseller.key), Json{{"name", "r2"}, {"is_reseller", 1}}), 403,
              "PERMISSION_DENIED");
  ExpectError(Call(port(), "POST", "/v1/accounts", Key(reseller.key),
                   Json{{"name", "x"}, {"parent_id", other.account_id}}),
              400, "INVALID_ARGUMENT");

  const Json listed = BodyOf(Call(port(), "GET", "/v1/accounts", Key(reseller.key)));
  BOOST_TEST_REQUIRE(listed["data"].size() == 1u, listed.dump());
  BOOST_TEST(listed["data"][0]["id"] == child);

  // Acting on the child by naming it: a domain made for the child is the child's.
  const std::string domain =
      CreateId(port(), Key(reseller.key, child), "/v1/domains", Json{{"domain", "child.example.com"}});
  const HttpReply minted = Call(port(), "POST", "/v1/accounts/" + child + "/api-keys", Key(reseller.key), Json::object());
  BOOST_TEST_REQUIRE(minted.status == 201, minted.body);
  const std::string child_key = BodyOf(minted)["key"];
  const HttpReply seen = Call(port(), "GET", "/v1/domains/" + domain, Key(child_key));
  BOOST_TEST(seen.status == 200);
  BOOST_TEST(BodyOf(seen)["account_id"] == child);
  ExpectError(Call(port(), "GET", "/v1/domains/" + domain, Key(reseller.key)), 404, "NOT_FOUND");

  // Another tenant, named by the reseller: as if it did not exist.
  ExpectError(Call(port(), "GET", "/v1/domains", Key(reseller.key, other.account_id)), 404, "NOT_FOUND");
  ExpectError(Call(port(), "GET", "/v1/accounts/" + other.account_id, Key(reseller.key)), 404, "NOT_FOUND");
  ExpectError(Call(port(), "POST", "/v1/accounts/" + other.account_id + "/api-keys", Key(reseller.key),
                   Json::object()),
              404, "NOT_FOUND");
  // A plain account cannot name its reseller, a sibling, or create accounts.
  ExpectError(Call(port(), "GET", "/v1/domains", Key(child_key, reseller.account_id)), 404, "NOT_FOUND");
  ExpectError(Call(port(), "GET", "/v1/domains", Key(other.key, child)), 404, "NOT_FOUND");
  ExpectError(Call(port(), "POST", "/v1/accounts", Key(child_key), Json{{"name", "grandchild"}}), 403,
              "PERMISSION_DENIED");
  ExpectError(Call(port(), "DELETE", "/v1/accounts/" + child, Key(child_key)), 403, "PERMISSION_DENIED");
  ExpectError(Call(port(), "PATCH", "/v1/accounts/" + child, Key(child_key), Json{{"status", "suspended"}}), 403,
              "PERMISSION_DENIED");
  // The child edits its own settings; the reseller closes it, and its keys stop working.
  const HttpReply renamed = Call(port(), "PATCH", "/v1/accounts/" + child, Key(child_key), Json{{"name", "kid"}});
  BOOST_TEST(renamed.status == 200, renamed.body);
  BOOST_TEST(Call(port(), "DELETE", "/v1/accounts/" + child, Key(reseller.key)).status == 204);
  ExpectError(Call(port(), "GET", "/v1/account", Key(child_key)), 401, "UNAUTHENTICATED");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ApiKeys)

BOOST_FIXTURE_TEST_CASE(MintedKeysAreShownOnceListedWithoutSecretsAndRevocable, Server) {
  const Tenant tenant = MakeTenant(port(), "acme");
  const std::string keys = "/v1/accounts/" + tenant.account_id + "/api-keys";
  const HttpReply minted = Call(port(), "POST", keys, Admin(), Json{{"scopes", {"config", "cdr"}}, {"label", "ci"}});
  BOOST_TEST_REQUIRE(minted.status == 201, minted.body);
  const Json key = BodyOf(minted);
  const std::string secret = key["key"];
  BOOST_TEST(secret.rfind("dtk_" + key["key_id"].get<std::string>() + "_", 0) == 0);
  BOOST_TEST(key["scopes"] == Json({"config", "cdr"}));
  BOOST_TEST(minted.Header("location") == keys + "/" + key["key_id"].get<std::string>());

  const HttpReply listed = Call(port(), "GET", keys, Key(secret));
  BOOST_TEST_REQUIRE(listed.status == 200, listed.body);
  const Json data = BodyOf(listed)["data"];
  BOOST_TEST(data.size() == 2u);  // the tenant's first key and this one
  for (const auto& row : data) {
    BOOST_TEST(!row.contains("key"));
    BOOST_TEST(!row.contains("secret_sha256"));
    BOOST_TEST(listed.body.find(secret.substr(21)) == std::string::npos);
  }

  ExpectError(Call(port(), "POST", keys, Admin(), Json{{"scopes", {"everything"}}}), 400, "INVALID_ARGUMENT");
  ExpectError(Call(port(), "POST", keys, Admin(), Json{{"colour", "red"}}), 400, "INVALID_ARGUMENT");
  // An account does not mint its own keys: its reseller or the admin does.
  ExpectError(Call(port(), "POST", keys, Key(secret), Json::object()), 403, "PERMISSION_DENIED");

  BOOST_TEST(Call(port(), "DELETE", keys + "/" + key["key_id"].get<std::string>(), Key(tenant.key)).status == 204);
  ExpectError(Call(port(), "GET", "/v1/whoami", Key(secret)), 401, "UNAUTHENTICATED");
  const Json after = BodyOf(Call(port(), "GET", keys, Key(tenant.key)));
  int revoked = 0;
  for (const auto& row : after["data"]) revoked += row["revoked"].get<int>();
  BOOST_TEST(revoked == 1);
  ExpectError(Call(port(), "DELETE", keys + "/0123456789abcdef", Admin()), 404, "NOT_FOUND");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Resources)

BOOST_FIXTURE_TEST_CASE(DomainCrudWithLocationETagFiltersAndPaging, Server) {
  const Tenant t = MakeTenant(port(), "acme");
  const HttpReply created = Call(port(), "POST", "/v1/domains", Key(t.key), Json{{"domain", "Sip.Acme.Example"}});
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  const Json domain = BodyOf(created);
  const std::string id = domain["id"];
  BOOST_TEST(created.Header("location") == "/v1/domains/" + id);
  BOOST_TEST(created.Header("etag") == "\"1\"");
  BOOST_TEST(domain["domain"] == "sip.acme.example");
  BOOST_TEST(domain["account_id"] == t.account_id);
  BOOST_TEST(domain["is_primary"] == 0);

  const HttpReply got = Call(port(), "GET", "/v1/domains/" + id, Key(t.key));
  BOOST_TEST(got.status == 200);
  BOOST_TEST(BodyOf(got) == domain);
  BOOST_TEST(got.Header("etag") == "\"1\"");

  CreateId(port(), Key(t.key), "/v1/domains", Json{{"domain", "b.acme.example"}, {"is_primary", true}});
  CreateId(port(), Key(t.key), "/v1/domains", Json{{"domain", "c.acme.example"}});
  const Json primary = BodyOf(Call(port(), "GET", "/v1/domains?is_primary=1", Key(t.key)));
  BOOST_TEST_REQUIRE(primary["data"].size() == 1u);
  BOOST_TEST(primary["data"][0]["domain"] == "b.acme.example");
  BOOST_TEST(primary["next_cursor"].is_null());

  std::set<std::string> seen;
  std::string cursor;
  for (int page = 0; page < 5; ++page) {
    const Json body = BodyOf(Call(port(), "GET", "/v1/domains?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor),
                                  Key(t.key)));
    BOOST_TEST(body["data"].size() <= 2u);
    for (const auto& row : body["data"]) seen.insert(row["id"].get<std::string>());
    if (body["next_cursor"].is_null()) break;
    cursor = body["next_cursor"];
  }
  BOOST_TEST(seen.size() == 3u);
  ExpectError(Call(port(), "GET", "/v1/domains?limit=0", Key(t.key)), 400, "INVALID_ARGUMENT");
  ExpectError(Call(port(), "GET", "/v1/domains?limit=501", Key(t.key)), 400, "INVALID_ARGUMENT");
  ExpectError(Call(port(), "GET", "/v1/domains?colour=red", Key(t.key)), 400, "INVALID_ARGUMENT");

  const HttpReply patched = Call(port(), "PATCH", "/v1/domains/" + id, Key(t.key), Json{{"is_primary", 1}});
  BOOST_TEST_REQUIRE(patched.status == 200, patched.body);
  BOOST_TEST(BodyOf(patched)["is_primary"] == 1);
  BOOST_TEST(BodyOf(patched)["domain"] == "sip.acme.example");
  BOOST_TEST(patched.Header("etag") == "\"2\"");

  BOOST_TEST(Call(port(), "DELETE", "/v1/domains/" + id, Key(t.key)).status == 204);
  ExpectError(Call(port(), "GET", "/v1/domains/" + id, Key(t.key)), 404, "NOT_FOUND");
  // Platform-unique: another tenant cannot take a domain that is held.
  const Tenant other = MakeTenant(port(), "other");
  ExpectError(Call(port(), "POST", "/v1/domains", Key(other.key), Json{{"domain", "b.acme.example"}}), 409,
              "ALREADY_EXISTS");
}

BOOST_FIXTURE_TEST_CASE(ValidationErrorsNameTheFieldAndChangeNothing, Server) {
  const Tenant t = MakeTenant(port(), "acme");
  Json error = ExpectError(Call(port(), "POST", "/v1/users", Key(t.key), Json{{"username", "alice"}, {"bogus", 1}}),
                           400, "INVALID_ARGUMENT");
  BOOST_TEST(HasDetailPath(error, "bogus"), error.dump());
  error = ExpectError(Call(port(), "POST", "/v1/users", Key(t.key), Json{{"username", "alice"}, {"status", "asleep"}}),
                      400, "INVALID_ARGUMENT");
  BOOST_TEST(HasDetailPath(error, "status"), error.dump());
  error = ExpectError(Call(port(), "POST", "/v1/users", Key(t.key), Json{{"username", "alice"}, {"ring_timeout_sec", 1}}),
                      400, "INVALID_ARGUMENT");
  BOOST_TEST(HasDetailPath(error, "ring_timeout_sec"), error.dump());
  error = ExpectError(Call(port(), "POST", "/v1/users", Key(t.key), Json::object()), 400, "INVALID_ARGUMENT");
  BOOST_TEST(HasDetailPath(error, "username"), error.dump());
  BOOST_TEST(BodyOf(Call(port(), "GET", "/v1/users", Key(t.key)))["data"].empty());

  CreateId(port(), Key(t.key), "/v1/users", Json{{"username", "alice"}});
  ExpectError(Call(port(), "POST", "/v1/users", Key(t.key), Json{{"username", "alice"}}), 409, "ALREADY_EXISTS");
  BOOST_TEST(BodyOf(Call(port(), "GET", "/v1/users", Key(t.key)))["data"].size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(DevicePasswordsAreNeverEchoed, Server) {
  const Tenant t = MakeTenant(port(), "acme");
  const std::string user = CreateId(port(), Key(t.key), "/v1/users", Json{{"username", "alice"}});
  const std::string password = "correct-horse-battery";
  const HttpReply created = Call(port(), "POST", "/v1/devices", Key(t.key),
                                 Json{{"user_id", user}, {"auth_username", "alice"}, {"realm", "sip.acme.example"},
                                      {"password", password}, {"transport", "tls"}});
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  const std::string id = BodyOf(created)["id"];
  const HttpReply got = Call(port(), "GET", "/v1/devices/" + id, Key(t.key));
  const HttpReply listed = Call(port(), "GET", "/v1/devices", Key(t.key));
  for (const HttpReply* reply : {&created, &got, &listed}) {
    BOOST_TEST(reply->body.find(password) == std::string::npos);
    BOOST_TEST(reply->body.find("\"password\"") == std::string::npos);
    BOOST_TEST(reply->body.find("\"ha1\"") == std::string::npos);
    BOOST_TEST(reply->body.find("\"ha1b\"") == std::string::npos);
  }
  BOOST_TEST(BodyOf(got)["transport"] == "tls");
  const Json error = ExpectError(Call(port(), "POST", "/v1/devices", Key(t.key),
                                      Json{{"user_id", user}, {"auth_username", "bob"}, {"realm", "sip.acme.example"},
                                           {"password", "short"}}),
                                 400, "INVALID_ARGUMENT");
  BOOST_TEST(HasDetailPath(error, "password"), error.dump());
}

BOOST_FIXTURE_TEST_CASE(NumbersRouteToUsersOfTheSameAccountAndReferencesBlockDeletes, Server) {
  const Tenant t = MakeTenant(port(), "acme");
  const std::string user = CreateId(port(), Key(t.key), "/v1/users", Json{{"username", "alice"}});
  const HttpReply did = Call(port(), "POST", "/v1/numbers", Key(t.key),
                             Json{{"e164", "14155550100"}, {"dest_kind", "user"}, {"dest_id", user}});
  BOOST_TEST_REQUIRE(did.status == 201, did.body);
  const std::string did_id = BodyOf(did)["id"];
  BOOST_TEST(BodyOf(did)["dest_id"] == user);
  const Json missing = ExpectError(Call(port(), "POST", "/v1/numbers", Key(t.key),
                                        Json{{"e164", "14155550101"}, {"dest_kind", "user"}, {"dest_id", "usr_nope"}}),
                                   400, "INVALID_ARGUMENT");
  BOOST_TEST(HasDetailPath(missing, "dest_id"), missing.dump());
  ExpectError(Call(port(), "POST", "/v1/numbers", Key(t.key), Json{{"e164", "+1 415"}, {"dest_kind", "hangup"}}), 400,
              "INVALID_ARGUMENT");

  const Json blocked = ExpectError(Call(port(), "DELETE", "/v1/users/" + user, Key(t.key)), 409, "CONFLICT");
  BOOST_TEST(blocked["message"].get<std::string>().find(did_id) != std::string::npos, blocked.dump());
  BOOST_TEST(HasDetailPath(blocked, "did/" + did_id), blocked.dump());
  BOOST_TEST(Call(port(), "GET", "/v1/users/" + user, Key(t.key)).status == 200);
  BOOST_TEST(Call(port(), "DELETE", "/v1/numbers/" + did_id, Key(t.key)).status == 204);
  BOOST_TEST(Call(port(), "DELETE", "/v1/users/" + user, Key(t.key)).status == 204);
}

BOOST_FIXTURE_TEST_CASE(RingGroupMembersLiveUnderTheirGroup, Server) {
  const Tenant t = MakeTenant(port(), "acme");
  const std::string user = CreateId(port(), Key(t.key), "/v1/users", Json{{"username", "alice"}});
  const std::string group = CreateId(port(), Key(t.key), "/v1/ring-groups", Json{{"name", "sales"}, {"strategy", "sequential"}});
  const std::string other_group = CreateId(port(), Key(t.key), "/v1/ring-groups", Json{{"name", "support"}});
  const std::string members = "/v1/ring-groups/" + group + "/members";
  const HttpReply created = Call(port(), "POST", members, Key(t.key), Json{{"user_id", user}, {"position", 1}});
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  const std::string member = BodyOf(created)["id"];
  BOOST_TEST(BodyOf(created)["ring_group_id"] == group);
  BOOST_TEST(created.Header("location") == members + "/" + member);

  const Json listed = BodyOf(Call(port(), "GET", members, Key(t.key)));
  BOOST_TEST_REQUIRE(listed["data"].size() == 1u);
  BOOST_TEST(listed["data"][0]["id"] == member);
  BOOST_TEST(BodyOf(Call(port(), "GET", "/v1/ring-groups/" + other_group + "/members", Key(t.key)))["data"].empty());
  // The member is not reachable through another group, and a missing group is 404.
  ExpectError(Call(port(), "GET", "/v1/ring-groups/" + other_group + "/members/" + member, Key(t.key)), 404,
              "NOT_FOUND");
  ExpectError(Call(port(), "GET", "/v1/ring-groups/rg_nope/members", Key(t.key)), 404, "NOT_FOUND");
  ExpectError(Call(port(), "POST", members, Key(t.key), Json{{"user_id", user}, {"ring_group_id", other_group}}), 400,
              "INVALID_ARGUMENT");
  const HttpReply patched = Call(port(), "PATCH", members + "/" + member, Key(t.key), Json{{"delay_sec", 5}});
  BOOST_TEST(patched.status == 200, patched.body);
  BOOST_TEST(BodyOf(patched)["delay_sec"] == 5);
  // The group is referred to by its member.
  ExpectError(Call(port(), "DELETE", "/v1/ring-groups/" + group, Key(t.key)), 409, "CONFLICT");
  BOOST_TEST(Call(port(), "DELETE", members + "/" + member, Key(t.key)).status == 204);
  BOOST_TEST(Call(port(), "DELETE", "/v1/ring-groups/" + group, Key(t.key)).status == 204);
}

BOOST_FIXTURE_TEST_CASE(ConcurrentAddsOfOneDncNumberMakeOneEntryAndNoneIs409, Server) {
  const Tenant t = MakeTenant(port(), "acme");
  // One add wins; the account actor refuses the others, which answer the winner's entry.
  for (int round = 0; round < 5; ++round) {
    const std::string number = "1415555020" + std::to_string(round);
    std::vector<HttpReply> replies(8);
    std::vector<std::thread> adders;
    for (auto& reply : replies) {
      adders.emplace_back([&, number] { reply = Call(port(), "POST", "/v1/dnc", Key(t.key), Json{{"e164", number}}); });
    }
    for (auto& adder : adders) adder.join();
    int created = 0;
    std::set<std::string> ids;
    for (const auto& reply : replies) {
      BOOST_TEST((reply.status == 201 || reply.status == 200), reply.status << " " << reply.body);
      if (reply.status == 201) ++created;
      if (reply.status / 100 == 2) ids.insert(BodyOf(reply)["id"].get<std::string>());
    }
    BOOST_TEST(created == 1);
    BOOST_TEST(ids.size() == 1u);
  }
  BOOST_TEST(CountEvents(port(), "resource.created", "dnc_entry") == 5);
}

BOOST_FIXTURE_TEST_CASE(DncEntriesAreAddedOnceAndFoundOrRemovedByTheirNumber, Server) {
  const Tenant t = MakeTenant(port(), "acme");
  const HttpReply added = Call(port(), "POST", "/v1/dnc", Key(t.key), Json{{"e164", "14155550101"}, {"reason", "asked"}});
  BOOST_TEST_REQUIRE(added.status == 201, added.body);
  const Json entry = BodyOf(added);
  BOOST_TEST(entry["source"] == "api");
  // Adding it again is no error and changes nothing.
  const HttpReply again = Call(port(), "POST", "/v1/dnc", Key(t.key), Json{{"e164", "14155550101"}, {"reason", "twice"}});
  BOOST_TEST(again.status == 200, again.body);
  BOOST_TEST(BodyOf(again) == entry);
  BOOST_TEST(CountEvents(port(), "resource.created", "dnc_entry") == 1);
  // Found by id, by number, by number with '+'.
  BOOST_TEST(BodyOf(Call(port(), "GET", "/v1/dnc/" + entry["id"].get<std::string>(), Key(t.key))) == entry);
  BOOST_TEST(BodyOf(Call(port(), "GET", "/v1/dnc/14155550101", Key(t.key))) == entry);
  BOOST_TEST(BodyOf(Call(port(), "GET", "/v1/dnc/+14155550101", Key(t.key))) == entry);
  BOOST_TEST(BodyOf(Call(port(), "GET", "/v1/dnc?e164=14155550101", Key(t.key)))["data"].size() == 1u);
  ExpectError(Call(port(), "GET", "/v1/dnc/14155550199", Key(t.key)), 404, "NOT_FOUND");
  // Another tenant's list is its own.
  const Tenant other = MakeTenant(port(), "other");
  ExpectError(Call(port(), "GET", "/v1/dnc/14155550101", Key(other.key)), 404, "NOT_FOUND");
  BOOST_TEST(Call(port(), "POST", "/v1/dnc", Key(other.key), Json{{"e164", "14155550101"}}).status == 201);
  // Removed by number, in the path or the query.
  BOOST_TEST(Call(port(), "DELETE", "/v1/dnc?e164=%2B14155550101", Key(t.key)).status == 204);
  ExpectError(Call(port(), "DELETE", "/v1/dnc/14155550101", Key(t.key)), 404, "NOT_FOUND");
  ExpectError(Call(port(), "DELETE", "/v1/dnc", Key(t.key)), 400, "INVALID_ARGUMENT");
  BOOST_TEST(Call(port(), "DELETE", "/v1/dnc/+14155550101", Key(other.key)).status == 204);
}

BOOST_FIXTURE_TEST_CASE(AWebhookTestIsASignedPostWhoseAttemptIsListedWithTheWebhook, Server) {
  dialtone::webhooks::testing::TestReceiver receiver({Reply{500}}, Reply{200});
  const Tenant t = MakeTenant(port(), "acme");
  const std::string secret = "whsec-0123456789abcdef";
  const std::string hook = CreateId(port(), Key(t.key), "/v1/webhooks", Json{{"url", receiver.Url()}, {"secret", secret}});
  const HttpReply failed = Call(port(), "POST", "/v1/webhooks/test", Key(t.key), Json{{"webhook_id", hook}});
  BOOST_TEST_REQUIRE(failed.status == 200, failed.body);
  BOOST_TEST(BodyOf(failed)["data"][0]["outcome"] == "gave_up");  // a test is sent once, never retried
  BOOST_TEST(BodyOf(failed)["data"][0]["http_status"] == 500);
  const HttpReply sent = Call(port(), "POST", "/v1/webhooks/test", Key(t.key));
  BOOST_TEST_REQUIRE(sent.status == 200, sent.body);
  BOOST_TEST(BodyOf(sent)["data"][0]["outcome"] == "succeeded");
  const auto requests = receiver.Requests();
  BOOST_TEST_REQUIRE(requests.size() == 2u);
  BOOST_TEST(requests[1].headers.at("x-sipio-event") == "webhook.test");
  BOOST_TEST(dialtone::webhooks::VerifySignature(secret, requests[1].body, requests[1].headers.at("x-sipio-signature")));
  BOOST_TEST(Json::parse(requests[1].body)["account_id"] == t.account_id);
  const HttpReply deliveries = Call(port(), "GET", "/v1/webhooks/" + hook + "/deliveries", Key(t.key));
  BOOST_TEST_REQUIRE(deliveries.status == 200, deliveries.body);
  const Json data = BodyOf(deliveries)["data"];
  BOOST_TEST_REQUIRE(data.size() == 2u);
  BOOST_TEST(data[0]["outcome"] == "succeeded");  // newest first
  BOOST_TEST(data[1]["http_status"] == 500);
  BOOST_TEST(CountEvents(port(), "webhook.attempted", hook) == 2);
  // No secret in any answer; another tenant sees nothing.
  BOOST_TEST(Call(port(), "GET", "/v1/webhooks/" + hook, Key(t.key)).body.find(secret) == std::string::npos);
  const Tenant other = MakeTenant(port(), "other");
  ExpectError(Call(port(), "GET", "/v1/webhooks/" + hook + "/deliveries", Key(other.key)), 404, "NOT_FOUND");
  ExpectError(Call(port(), "POST", "/v1/webhooks/test", Key(other.key), Json{{"webhook_id", hook}}), 404, "NOT_FOUND");
  ExpectError(Call(port(), "POST", "/v1/webhooks/test", Key(t.key), Json{{"hook", hook}}), 400, "INVALID_ARGUMENT");
}

// A 16-bit mono PCM WAV of `frames` frames at `rate` Hz (a ramp, so the bytes vary).
std::string PcmWav(uint32_t frames, uint32_t rate) {
  auto u32 = [](std::string& out, uint32_t v) { for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff)); };
  auto u16 = [](std::string& out, uint16_t v) { out.push_back(static_cast<char>(v & 0xff)); out.push_back(static_cast<char>(v >> 8)); };
  std::string wav = "RIFF";
  u32(wav, 36 + frames * 2);
  wav += "WAVEfmt ";
  u32(wav, 16);
  u16(wav, 1);            // PCM
  u16(wav, 1);            // mono
  u32(wav, rate);
  u32(wav, rate * 2);     // byte rate
  u16(wav, 2);            // block align
  u16(wav, 16);           // bits per sample
  wav += "data";
  u32(wav, frames * 2);
  for (uint32_t i = 0; i < frames; ++i) u16(wav, static_cast<uint16_t>(i * 37));
  return wav;
}

BOOST_FIXTURE_TEST_CASE(MediaBytesStreamInAreProbedAndServedBack, Server) {
  const Tenant t = MakeTenant(port(), "acme");
  const std::string media = CreateId(port(), Key(t.key), "/v1/media", Json{{"name", "welcome"}, {"kind", "greeting"}});
  const Json before = BodyOf(Call(port(), "GET", "/v1/media/" + media, Key(t.key)));
  BOOST_TEST(before["object_key"].is_null());
  ExpectError(Call(port(), "GET", "/v1/media/" + media + "/content", Key(t.key)), 404, "NOT_FOUND");

  const std::string wav = PcmWav(16000, 8000);  // 2 s
  const HttpReply put = CallRaw(port(), "PUT", "/v1/media/" + media + "/content",
                                With(Key(t.key), "content-type", "audio/wav"), wav);
  BOOST_TEST_REQUIRE(put.status == 200, put.body);
  const Json stored = BodyOf(put);
  BOOST_TEST(stored["format"] == "wav");
  BOOST_TEST(stored["duration_ms"] == 2000);
  BOOST_TEST(stored["size_bytes"] == wav.size());
  BOOST_TEST(stored["object_key"].get<std::string>().rfind("sha256/", 0) == 0u);
  BOOST_TEST(!stored.contains("revision"));  // no such field: the ETag carries it
  BOOST_TEST(put.Header("etag") == "\"2\"");
  const HttpReply got = Call(port(), "GET", "/v1/media/" + media + "/content", Key(t.key));
  BOOST_TEST(got.status == 200);
  BOOST_TEST(got.Header("content-type") == "audio/wav");
  BOOST_TEST(got.body == wav);
  // The media file reads the same through the collection, and clients cannot set what
  // the upload fills.
  BOOST_TEST(BodyOf(Call(port(), "GET", "/v1/media/" + media, Key(t.key))) == stored);
  ExpectError(Call(port(), "PATCH", "/v1/media/" + media, Key(t.key), Json{{"object_key", "sha256/aa/x"}}), 400,
              "INVALID_ARGUMENT");

  // Bytes that are not audio, a media type that is not audio, a missing body: refused,
  // and the stored file stays as it was.
  const Json unsupported = ExpectError(CallRaw(port(), "PUT", "/v1/media/" + media + "/content",
                                               With(Key(t.key), "content-type", "application/octet-stream"),
                                               std::string(4096, 'x')),
                                       415, "UNSUPPORTED_MEDIA_TYPE");
  ExpectError(CallRaw(port(), "PUT", "/v1/media/" + media + "/content", With(Key(t.key), "content-type", "text/plain"),
                      "hello"),
              415, "UNSUPPORTED_MEDIA_TYPE");
  ExpectError(CallRaw(port(), "PUT", "/v1/media/" + media + "/content", With(Key(t.key), "content-type", "audio/wav"), ""),
              400, "INVALID_ARGUMENT");
  BOOST_TEST(BodyOf(Call(port(), "GET", "/v1/media/" + media, Key(t.key))) == stored);
  // No credentials, or another tenant's file: refused before the body is read.
  ExpectError(CallRaw(port(), "PUT", "/v1/media/" + media + "/content", {{"content-type", "audio/wav"}}, wav), 401,
              "UNAUTHENTICATED");
  const Tenant other = MakeTenant(port(), "other");
  ExpectError(CallRaw(port(), "PUT", "/v1/media/" + media + "/content", With(Key(other.key), "content-type", "audio/wav"), wav),
              404, "NOT_FOUND");
  ExpectError(Call(port(), "GET", "/v1/media/" + media + "/content", Key(other.key)), 404, "NOT_FOUND");
}

// A multipart/form-data body with boundary "dtB0undary": each (name, value) field, then a
// file part (when `file` is given) as curl -F file=@… sends it.
std::string Multipart(const std::vector<std::pair<std::string, std::string>>& fields,
                      const std::optional<std::string>& file, const std::string& file_type = "audio/wav",
                      bool closed = true) {
  std::string body;
  for (const auto& [name, value] : fields) {
    body += "--dtB0undary\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
  }
  if (file) {
    body += "--dtB0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"hello.wav\"\r\n"
            "Content-Type: " + file_type + "\r\n\r\n" + *file + "\r\n";
  }
  if (closed) body += "--dtB0undary--\r\n";
  return body;
}

// The objects the media store holds (under <data>/media/sha256).
size_t StoredObjects(const std::string& data_dir) {
  const std::filesystem::path root = std::filesystem::path(data_dir) / "media" / "sha256";
  if (!std::filesystem::exists(root)) return 0;
  size_t n = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) n += entry.is_regular_file() ? 1 : 0;
  return n;
}

BOOST_FIXTURE_TEST_CASE(AMultipartPostCreatesTheMediaFileWithItsAudioInOneStep, Server) {
  const Tenant t = MakeTenant(port(), "acme");
  const std::string wav = PcmWav(8000, 8000);  // 1 s
  const Headers multipart = With(Key(t.key), "content-type", "multipart/form-data; boundary=dtB0undary");
  const HttpReply created = CallRaw(port(), "POST", "/v1/media", multipart, Multipart({{"kind", "prompt"}}, wav));
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  const Json doc = BodyOf(created);
  BOOST_TEST(doc["name"] == "hello.wav");  // the file's name when no name is sent
  BOOST_TEST(doc["kind"] == "prompt");
  BOOST_TEST(doc["format"] == "wav");
  BOOST_TEST(doc["duration_ms"] == 1000);
  BOOST_TEST(created.Header("location") == "/v1/media/" + doc["id"].get<std::string>());
  const HttpReply got = Call(port(), "GET", "/v1/media/" + doc["id"].get<std::string>() + "/content", Key(t.key));
  BOOST_TEST(got.body == wav);
  const HttpReply named = CallRaw(port(), "POST", "/v1/media", multipart,
                                  Multipart({{"name", "welcome"}, {"kind", "greeting"}}, wav));
  BOOST_TEST(BodyOf(named)["name"] == "welcome");
  BOOST_TEST(StoredObjects(dir.path()) == 1u);  // the same bytes, stored once

  // Bad uploads: a clear 400 (415 for a file that is not audio), nothing stored or created.
  const std::string other_wav = PcmWav(4000, 8000);
  const size_t before = BodyOf(Call(port(), "GET", "/v1/media", Key(t.key)))["data"].size();
  ExpectError(CallRaw(port(), "POST", "/v1/media", multipart, Multipart({}, std::nullopt)), 400, "INVALID_ARGUMENT");
  ExpectError(CallRaw(port(), "POST", "/v1/media", multipart, Multipart({{"kind", "prompt"}}, other_wav, "audio/wav", false)),
              400, "INVALID_ARGUMENT");
  const std::string twice = Multipart({}, other_wav, "audio/wav", false) + "--dtB0undary\r\nContent-Disposition: "
                            "form-data; name=\"file\"; filename=\"b.wav\"\r\n\r\n" + other_wav + "\r\n--dtB0undary--\r\n";
  ExpectError(CallRaw(port(), "POST", "/v1/media", multipart, twice), 400, "INVALID_ARGUMENT");
  ExpectError(CallRaw(port(), "POST", "/v1/media", multipart, Multipart({{"kind", "nope"}}, other_wav)), 400,
              "INVALID_ARGUMENT");
  ExpectError(CallRaw(port(), "POST", "/v1/media", With(Key(t.key), "content-type", "multipart/form-data"),
                      Multipart({}, other_wav)),
              400, "INVALID_ARGUMENT");
  ExpectError(CallRaw(port(), "POST", "/v1/media", multipart, Multipart({}, std::string(4096, 'x'), "application/octet-stream")),
              415, "UNSUPPORTED_MEDIA_TYPE");
  ExpectError(CallRaw(port(), "POST", "/v1/media", multipart, Multipart({}, other_wav, "text/plain")), 415,
              "UNSUPPORTED_MEDIA_TYPE");
  ExpectError(CallRaw(port(), "POST", "/v1/media", With(Headers{}, "content-type", "multipart/form-data; boundary=dtB0undary"),
                      Multipart({}, other_wav)),
              401, "UNAUTHENTICATED");
  BOOST_TEST(BodyOf(Call(port(), "GET", "/v1/media", Key(t.key)))["data"].size() == before);
  BOOST_TEST(StoredObjects(dir.path()) == 1u);
  const std::filesystem::path tmp = std::filesystem::path(dir.path()) / "media" / "tmp";
  BOOST_TEST((!std::filesystem::exists(tmp) || std::filesystem::is_empty(tmp)));
  // The JSON create is unchanged.
  BOOST_TEST(Call(port(), "POST", "/v1/media", Key(t.key), Json{{"name", "later"}}).status == 201);
}

BOOST_FIXTURE_TEST_CASE(FlowsPublishAValidatedGraph, Server) {
  const Tenant t = MakeTenant(port(), "acme");
  const Json graph = {{"nodes", {{{"id", "start"}, {"type", "start"}}}}, {"edges", Json::array()}};
  const std::string flow = CreateId(port(), Key(t.key), "/v1/flows", Json{{"name", "main"}, {"graph", graph}});
  const HttpReply published = Call(port(), "POST", "/v1/flows/" + flow + "/publish", Key(t.key));
  BOOST_TEST_REQUIRE(published.status == 200, published.body);
  BOOST_TEST(BodyOf(published)["is_published"] == 1);
  BOOST_TEST(BodyOf(published)["version"] == 1);
  const Json broken = {{"nodes", {{{"id", "start"}, {"type", "start"}}, {{"id", "x"}, {"type", "no_such_node"}}}},
                       {"edges", Json::array()}};
  // A draft may be broken; publishing it is refused and the published version stays.
  BOOST_TEST(Call(port(), "PATCH", "/v1/flows/" + flow, Key(t.key), Json{{"graph", broken}}).status == 200);
  const Json error = ExpectError(Call(port(), "POST", "/v1/flows/" + flow + "/publish", Key(t.key)), 400,
                                 "INVALID_ARGUMENT");
  BOOST_TEST(error.dump().find("no_such_node") != std::string::npos, error.dump());
  const Json after = BodyOf(Call(port(), "GET", "/v1/flows/" + flow, Key(t.key)));
  BOOST_TEST(after["version"] == 1);
  BOOST_TEST(after["published_graph"] == graph);
  ExpectError(Call(port(), "POST", "/v1/flows/flw_nope/publish", Key(t.key)), 404, "NOT_FOUND");
}

BOOST_FIXTURE_TEST_CASE(EveryModelKindHasItsCollectionRoute, Server) {
  const Tenant t = MakeTenant(port(), "acme");
  for (const char* collection :
       {"/v1/domains", "/v1/users", "/v1/devices", "/v1/numbers", "/v1/extensions", "/v1/flows", "/v1/ring-groups",
        "/v1/queues", "/v1/voicemail-boxes", "/v1/conferences", "/v1/forwards", "/v1/schedules", "/v1/trunks",
        "/v1/outbound-routes", "/v1/number-transforms", "/v1/policies/call-limits", "/v1/policies/caller-id-rules",
        "/v1/policies/acl-rules", "/v1/policies/recording-rules", "/v1/policies/phone-lists",
        "/v1/policies/geo-policies", "/v1/media", "/v1/media-playlists"}) {
    const HttpReply reply = Call(port(), "GET", collection, Key(t.key));
    BOOST_TEST(reply.status == 200, collection << ": " << reply.body);
    BOOST_TEST(BodyOf(reply)["data"].is_array());
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Isolation)

BOOST_FIXTURE_TEST_CASE(AnotherTenantsIdsAre404OnEveryVerbAndChangeNothing, Server) {
  const Tenant a = MakeTenant(port(), "a");
  const Tenant b = MakeTenant(port(), "b");
  const std::string user = CreateId(port(), Key(a.key), "/v1/users", Json{{"username", "alice"}});
  const std::string group = CreateId(port(), Key(a.key), "/v1/ring-groups", Json{{"name", "sales"}});
  const std::string member =
      CreateId(port(), Key(a.key), "/v1/ring-groups/" + group + "/members", Json{{"user_id", user}});
  const std::string before = Call(port(), "GET", "/v1/users/" + user, Key(a.key)).body;

  for (const std::string& path : {"/v1/users/" + user, "/v1/ring-groups/" + group,
                                  "/v1/ring-groups/" + group + "/members/" + member}) {
    ExpectError(Call(port(), "GET", path, Key(b.key)), 404, "NOT_FOUND");
    ExpectError(Call(port(), "PATCH", path, Key(b.key), Json{{"position", 3}}), 404, "NOT_FOUND");
    ExpectError(Call(port(), "PUT", path, Key(b.key), Json{{"username", "x"}, {"name", "x"}, {"user_id", user}}), 404,
                "NOT_FOUND");
    ExpectError(Call(port(), "DELETE", path, Key(b.key)), 404, "NOT_FOUND");
  }
  ExpectError(Call(port(), "GET", "/v1/ring-groups/" + group + "/members", Key(b.key)), 404, "NOT_FOUND");
  ExpectError(Call(port(), "POST", "/v1/ring-groups/" + group + "/members", Key(b.key), Json::object()), 404,
              "NOT_FOUND");
  BOOST_TEST(BodyOf(Call(port(), "GET", "/v1/users", Key(b.key)))["data"].empty());
  // B cannot point its own resources at A's ids either.
  const Json error = ExpectError(Call(port(), "POST", "/v1/numbers", Key(b.key),
                                      Json{{"e164", "14155550123"}, {"dest_kind", "user"}, {"dest_id", user}}),
                                 400, "INVALID_ARGUMENT");
  BOOST_TEST(error.dump().find("alice") == std::string::npos);
  BOOST_TEST(Call(port(), "GET", "/v1/users/" + user, Key(a.key)).body == before);
  BOOST_TEST(Call(port(), "GET", "/v1/ring-groups/" + group + "/members/" + member, Key(a.key)).status == 200);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Consistency)

BOOST_FIXTURE_TEST_CASE(AStaleIfMatchIs412AndChangesNothing, Server) {
  const Tenant t = MakeTenant(port(), "acme");
  const std::string user = CreateId(port(), Key(t.key), "/v1/users", Json{{"username", "alice"}});
  const std::string path = "/v1/users/" + user;
  const HttpReply first = Call(port(), "PATCH", path, With(Key(t.key), "if-match", "\"1\""), Json{{"display_name", "A"}});
  BOOST_TEST_REQUIRE(first.status == 200, first.body);
  BOOST_TEST(first.Header("etag") == "\"2\"");
  const std::string current = Call(port(), "GET", path, Key(t.key)).body;

  ExpectError(Call(port(), "PATCH", path, With(Key(t.key), "if-match", "\"1\""), Json{{"display_name", "B"}}), 412,
              "PRECONDITION_FAILED");
  ExpectError(Call(port(), "PUT", path, With(Key(t.key), "if-match", "\"1\""), Json{{"username", "bob"}}), 412,
              "PRECONDITION_FAILED");
  ExpectError(Call(port(), "DELETE", path, With(Key(t.key), "if-match", "\"1\"")), 412, "PRECONDITION_FAILED");
  ExpectError(Call(port(), "DELETE", path, With(Key(t.key), "if-match", "\"garbage\"")), 412, "PRECONDITION_FAILED");
  BOOST_TEST(Call(port(), "GET", path, Key(t.key)).body == current);

  const HttpReply not_modified = Call(port(), "GET", path, With(Key(t.key), "if-none-match", "\"2\""));
  BOOST_TEST(not_modified.status == 304);
  BOOST_TEST(not_modified.body.empty());
  BOOST_TEST(Call(port(), "GET", path, With(Key(t.key), "if-none-match", "\"1\"")).status == 200);
  BOOST_TEST(Call(port(), "DELETE", path, With(Key(t.key), "if-match", "\"2\"")).status == 204);
}

BOOST_FIXTURE_TEST_CASE(AnIdempotentRetryAnswersTheSameAndAppendsOnce, Server) {
  const Tenant t = MakeTenant(port(), "acme");
  const Headers who = With(Key(t.key), "idempotency-key", "create-sales-1");
  const Json body = {{"name", "sales"}};
  const HttpReply first = Call(port(), "POST", "/v1/ring-groups", who, body);
  const HttpReply retry = Call(port(), "POST", "/v1/ring-groups", who, body);
  BOOST_TEST_REQUIRE(first.status == 201, first.body);
  BOOST_TEST(retry.status == first.status);
  BOOST_TEST(retry.body == first.body);
  BOOST_TEST(retry.Header("location") == first.Header("location"));
  BOOST_TEST(BodyOf(Call(port(), "GET", "/v1/ring-groups", Key(t.key)))["data"].size() == 1u);
  BOOST_TEST(CountEvents(port(), "resource.created", "ring_group") == 1);
  // The same key on another route is another request.
  BOOST_TEST(Call(port(), "POST", "/v1/conferences", who, body).status == 201);
}

BOOST_FIXTURE_TEST_CASE(AnIdempotentAccountCreateMakesOneAccount, Server) {
  const Headers who = With(Admin(), "idempotency-key", "onboard-acme");
  const HttpReply first = Call(port(), "POST", "/v1/accounts", who, Json{{"name", "acme"}});
  const HttpReply retry = Call(port(), "POST", "/v1/accounts", who, Json{{"name", "acme"}});
  BOOST_TEST_REQUIRE(first.status == 201, first.body);
  BOOST_TEST(retry.status == 201, retry.body);
  BOOST_TEST(retry.body == first.body);
  BOOST_TEST(BodyOf(Call(port(), "GET", "/v1/accounts", Admin()))["data"].size() == 1u);
  BOOST_TEST(CountEvents(port(), "account.created", BodyOf(first)["id"].get<std::string>()) == 1);
}

BOOST_FIXTURE_TEST_CASE(AReadRightAfterAWriteSeesIt, Server) {
  const Tenant t = MakeTenant(port(), "acme");
  for (int i = 0; i < 20; ++i) {
    const std::string id =
        CreateId(port(), Key(t.key), "/v1/users", Json{{"username", "user" + std::to_string(i)}});
    BOOST_TEST(Call(port(), "GET", "/v1/users/" + id, Key(t.key)).status == 200);
    BOOST_TEST(BodyOf(Call(port(), "GET", "/v1/users?username=user" + std::to_string(i), Key(t.key)))["data"].size() ==
               1u);
  }
}

BOOST_AUTO_TEST_CASE(AStartRemovesTheMediaObjectsNoMediaFileNamesAndKeepsTheOthers) {
  TempDir dir;
  const std::filesystem::path media_root = std::filesystem::path(dir.path()) / "media";
  const std::string shared_wav = Resources::PcmWav(8000, 8000), replaced_wav = Resources::PcmWav(8001, 8000),
                    kept_wav = Resources::PcmWav(8002, 8000);
  std::string shared_key, replaced_key, kept_key, survivor, key;
  {
    Node node(dir.path());
    BOOST_TEST_REQUIRE(node.started());
    const Tenant t = MakeTenant(node.port(), "acme");
    key = t.key;
    auto upload = [&](const std::string& media, const std::string& bytes) {
      const HttpReply put = CallRaw(node.port(), "PUT", "/v1/media/" + media + "/content",
                                    With(Key(t.key), "content-type", "audio/wav"), bytes);
      BOOST_TEST_REQUIRE(put.status == 200, put.body);
      return BodyOf(put)["object_key"].get<std::string>();
    };
    const std::string deleted = CreateId(node.port(), Key(t.key), "/v1/media", Json{{"name", "a"}, {"kind", "greeting"}});
    survivor = CreateId(node.port(), Key(t.key), "/v1/media", Json{{"name", "b"}, {"kind", "greeting"}});
    const std::string reuploaded = CreateId(node.port(), Key(t.key), "/v1/media", Json{{"name", "c"}, {"kind", "moh"}});
    shared_key = upload(deleted, shared_wav);
    BOOST_TEST(upload(survivor, shared_wav) == shared_key);  // identical bytes, one object
    replaced_key = upload(reuploaded, replaced_wav);
    kept_key = upload(reuploaded, kept_wav);
    BOOST_TEST(Call(node.port(), "DELETE", "/v1/media/" + deleted, Key(t.key)).status == 204);
    BOOST_TEST(node.Stop().ok());
  }
  // Bytes stored whose media file was never recorded (a crash between the two).
  const std::string orphan_key = "sha256/ab/ab" + std::string(62, '0');
  std::filesystem::create_directories(media_root / "sha256" / "ab");
  std::ofstream(media_root / orphan_key) << "orphan";
  for (const std::string& k : {shared_key, replaced_key, kept_key}) BOOST_TEST_REQUIRE(std::filesystem::exists(media_root / k));

  Node again(dir.path());
  BOOST_TEST_REQUIRE(again.started());
  BOOST_TEST(std::filesystem::exists(media_root / shared_key));  // still named by the survivor
  BOOST_TEST(std::filesystem::exists(media_root / kept_key));
  BOOST_TEST(!std::filesystem::exists(media_root / replaced_key));
  BOOST_TEST(!std::filesystem::exists(media_root / orphan_key));
  const HttpReply got = Call(again.port(), "GET", "/v1/media/" + survivor + "/content", Key(key));
  BOOST_TEST(got.status == 200);
  BOOST_TEST(got.body == shared_wav);
}

BOOST_AUTO_TEST_CASE(ARestartServesTheSameDocuments) {
  TempDir dir;
  std::vector<std::pair<std::string, std::string>> bodies;  // path, body
  std::string key;
  {
    Node node(dir.path());
    BOOST_TEST_REQUIRE(node.started());
    const Tenant t = MakeTenant(node.port(), "acme");
    key = t.key;
    const std::string user = CreateId(node.port(), Key(t.key), "/v1/users", Json{{"username", "alice"}});
    const std::string group = CreateId(node.port(), Key(t.key), "/v1/ring-groups", Json{{"name", "sales"}});
    CreateId(node.port(), Key(t.key), "/v1/ring-groups/" + group + "/members", Json{{"user_id", user}});
    CreateId(node.port(), Key(t.key), "/v1/trunks",
             Json{{"name", "carrier"}, {"auth_username", "acme"}, {"auth_secret", "s3cret-value"}});
    BOOST_TEST(Call(node.port(), "PATCH", "/v1/users/" + user, Key(t.key), Json{{"display_name", "Alice"}}).status ==
               200);
    for (const std::string& path : std::vector<std::string>{"/v1/account", "/v1/users/" + user, "/v1/users", "/v1/ring-groups",
                                    "/v1/ring-groups/" + group + "/members", "/v1/trunks"}) {
      const HttpReply reply = Call(node.port(), "GET", path, Key(t.key));
      BOOST_TEST(reply.status == 200, path << ": " << reply.body);
      bodies.emplace_back(path, reply.body);
    }
    BOOST_TEST(node.Stop().ok());
  }
  // The node key sealing resource secrets persists, readable by the owner only.
  const std::filesystem::path secret_key = std::filesystem::path(dir.path()) / "secret.key";
  BOOST_TEST_REQUIRE(std::filesystem::exists(secret_key));
  BOOST_TEST(std::filesystem::file_size(secret_key) == 32u);
  const auto permissions = std::filesystem::status(secret_key).permissions();
  BOOST_TEST(((permissions & std::filesystem::perms::all) ==
              (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)));

  Node again(dir.path());
  BOOST_TEST_REQUIRE(again.started());
  for (const auto& [path, body] : bodies) {
    const HttpReply reply = Call(again.port(), "GET", path, Key(key));
    BOOST_TEST(reply.status == 200, path);
    BOOST_TEST(reply.body == body, path);
  }
  BOOST_TEST(BodyOf(Call(again.port(), "GET", "/v1/trunks", Key(key))).dump().find("s3cret") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(BadInput)

BOOST_FIXTURE_TEST_CASE(UnknownRoutesAre404AndWrongMethods405WithAllow, Server) {
  const Tenant t = MakeTenant(port(), "acme");
  ExpectError(Call(port(), "GET", "/v1/no-such-thing", Key(t.key)), 404, "NOT_FOUND");
  const HttpReply wrong = Call(port(), "PATCH", "/v1/domains", Key(t.key), Json::object());
  ExpectError(wrong, 405, "METHOD_NOT_ALLOWED");
  BOOST_TEST(wrong.Header("allow").find("GET") != std::string::npos);
  BOOST_TEST(wrong.Header("allow").find("POST") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(BodiesMustBeJsonObjectsOfAtMostOneMebibyte, Server) {
  const Tenant t = MakeTenant(port(), "acme");
  ExpectError(CallRaw(port(), "POST", "/v1/domains", With(Key(t.key), "content-type", "text/plain"), "domain=x"), 415,
              "UNSUPPORTED_MEDIA_TYPE");
  ExpectError(CallRaw(port(), "POST", "/v1/domains", Key(t.key), "{\"domain\":\"a.example\"}"), 415,
              "UNSUPPORTED_MEDIA_TYPE");
  ExpectError(CallRaw(port(), "POST", "/v1/domains", With(Key(t.key), "content-type", "application/json"),
                      "{\"domain\": "),
              400, "INVALID_ARGUMENT");
  ExpectError(CallRaw(port(), "POST", "/v1/domains", With(Key(t.key), "content-type", "application/json"), "[1,2]"),
              400, "INVALID_ARGUMENT");
  // A body over 1 MiB is refused from its declared length, before it is read.
  dialtone::testing::HttpConnection connection(port());
  BOOST_TEST_REQUIRE(connection.connected());
  BOOST_TEST_REQUIRE(connection.SendRaw("POST /v1/domains HTTP/1.1\r\nHost: x\r\nx-api-key: " + t.key +
                                        "\r\ncontent-type: application/json\r\nContent-Length: " +
                                        std::to_string(1024 * 1024 + 1) + "\r\n\r\n{"));
  ExpectError(connection.ReadReply(), 413, "PAYLOAD_TOO_LARGE");
  ExpectError(CallRaw(port(), "PATCH", "/v1/account", Key(t.key), "{}"), 405, "METHOD_NOT_ALLOWED");
  BOOST_TEST(BodyOf(Call(port(), "GET", "/v1/domains", Key(t.key)))["data"].empty());
}

BOOST_AUTO_TEST_SUITE_END()
