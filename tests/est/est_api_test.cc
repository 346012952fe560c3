// Black-box tests of the EST dialect (/est/v1/projects/{projectId}/…) over HTTP, against
// the real stack: event log, config view, account actors, call view, /v1 and /est routes.
#define BOOST_TEST_MODULE est_api_test
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <string>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "actors/runtime.h"
#include "call.pb.h"
#include "events/event_types.h"
#include "gateway/admin_auth.h"
#include "gateway/dialect.h"
#include "gateway/est/est_api.h"
#include "gateway/est/est_dialect.h"
#include "gateway/oauth2/token_routes.h"
#include "gateway/v1/calls_routes.h"
#include "gateway/http_server.h"
#include "gateway/router.h"
#include "gateway/v1/config_api.h"
#include "gateway/v1/errors.h"
#include "gateway/v1/v1_dialect.h"
#include "http_client.h"
#include "projections/calls/calls_view.h"
#include "projections/config_view.h"
#include "store/event_log.h"

namespace {

using Json = nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;
using dialtone::testing::HttpReply;
namespace fs = std::filesystem;
namespace calls = dialtone::projections::calls;

constexpr const char* kAdminKey = "dta_0000000000000000000000000esttest";
// 2024-03-10T12:00:00Z: the fixed "now" of the /calls default window.
constexpr int64_t kNowS = 1710072000;

std::string Base64(const std::string& in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(n >> s) & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t n = uint8_t(in[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += "=";
  }
  return out;
}

struct Tenant {
  std::string account_id;
  std::string key;  // dtk_<key_id>_<secret>
  std::string Base() const { return "/est/v1/projects/" + account_id; }
  Headers Bearer() const { return {{"authorization", "Bearer " + key}}; }
  Headers Basic() const {
    const std::string rest = key.substr(4);
    const size_t cut = rest.find('_');
    return {{"authorization", "Basic " + Base64(rest.substr(0, cut) + ":" + rest.substr(cut + 1))}};
  }
};

Json BodyOf(const HttpReply& reply) {
  Json parsed = Json::parse(reply.body, nullptr, false);
  return parsed.is_discarded() ? Json(reply.body) : parsed;
}

// The whole stack on a temporary folder and a free port.
class Stack {
 public:
  Stack() {
    std::string pattern = (fs::temp_directory_path() / "dialtone-est-XXXXXX").string();
    BOOST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir_ = pattern;
    log_ = dialtone::store::NewMemoryEventLog();
    auto view = dialtone::projections::ConfigView::Open({(fs::path(dir_) / "views").string()}, *log_);
    BOOST_REQUIRE(view.ok());
    view_ = std::move(*view);
    dialtone::actors::RuntimeOptions runtime_options;
    runtime_options.scheduler_threads = 2;
    auto runtime = dialtone::actors::Runtime::Start(*log_, runtime_options);
    BOOST_REQUIRE(runtime.ok());
    runtime_ = std::move(*runtime);
    auto calls_view = calls::CallsView::Open(*log_);
    BOOST_REQUIRE(calls_view.ok());
    calls_ = std::move(*calls_view);
    dialtone::gateway::AuthenticatorOptions auth_options;
    auth_options.admin_key = dialtone::gateway::AdminKey::FromSecret(kAdminKey);
    auth_options.tokens = &tokens_;
    auth_options.now_s = [this] { return clock_s_.load(); };
    authenticator_ = std::make_unique<dialtone::gateway::Authenticator>(*view_, std::move(auth_options));
    v1_ = std::make_unique<dialtone::gateway::v1::ConfigApi>(runtime_->accounts(), *view_, *authenticator_);
    dialtone::gateway::est::EstApiOptions est_options;
    est_options.now_s = [] { return kNowS; };
    est_ = std::make_unique<dialtone::gateway::est::EstApi>(runtime_->accounts(), *view_, calls_.get(), *authenticator_,
                                                            est_options);
    calls_routes_ = std::make_unique<dialtone::gateway::v1::CallsRoutes>(*v1_, *calls_);
    v1_dialect_ = std::make_unique<dialtone::gateway::Dialect>(dialtone::gateway::v1::V1Dialect());
    v1_dialect_->Add(*v1_);
    v1_dialect_->Add(*calls_routes_);
    est_dialect_ = std::make_unique<dialtone::gateway::Dialect>(dialtone::gateway::est::EstDialect());
    est_dialect_->Add(*est_);
    token_routes_ = std::make_unique<dialtone::gateway::oauth2::TokenRoutes>(*authenticator_);
    oauth2_dialect_ = std::make_unique<dialtone::gateway::Dialect>(dialtone::gateway::oauth2::OAuth2Dialect());
    oauth2_dialect_->Add(*token_routes_);
    router_.SetErrorRenderer(dialtone::gateway::v1::RenderV1Error);
    BOOST_REQUIRE(v1_dialect_->Mount(router_).ok());
    BOOST_REQUIRE(est_dialect_->Mount(router_).ok());
    BOOST_REQUIRE(oauth2_dialect_->Mount(router_).ok());
    dialtone::gateway::HttpServerOptions options;
    options.port = 0;
    options.io_threads = 2;
    options.access_log = [](const dialtone::gateway::AccessLogEntry&) {};
    auto server = dialtone::gateway::HttpServer::Start(std::move(options), router_.AsHandler());
    BOOST_REQUIRE(server.ok());
    server_ = std::move(*server);
  }

  ~Stack() {
    server_->Stop();
    runtime_->Shutdown();
    v1_->Stop();
    est_->Stop();
    calls_->Stop();
    view_->Stop();
    log_->Close();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  HttpReply Call(const std::string& method, const std::string& target, const Headers& headers,
                 const Json& body = Json()) const {
    if (body.is_null()) return dialtone::testing::HttpRequest(server_->port(), method, target, headers, "");
    Headers with = headers;
    with.emplace_back("content-type", "application/json");
    return dialtone::testing::HttpRequest(server_->port(), method, target, with, body.dump());
  }
  HttpReply Raw(const std::string& method, const std::string& target, Headers headers, const std::string& body) const {
    return dialtone::testing::HttpRequest(server_->port(), method, target, headers, body);
  }

  Tenant MakeTenant(const std::string& name, Json fields = Json::object()) {
    fields["name"] = name;
    const Headers admin = {{"x-api-key", kAdminKey}};
    const HttpReply created = Call("POST", "/v1/accounts", admin, fields);
    BOOST_TEST_REQUIRE(created.status == 201, created.body);
    Tenant t;
    t.account_id = BodyOf(created)["id"].get<std::string>();
    const HttpReply minted = Call("POST", "/v1/accounts/" + t.account_id + "/api-keys", admin, Json{{"label", "est"}});
    BOOST_TEST_REQUIRE(minted.status == 201, minted.body);
    t.key = BodyOf(minted)["key"].get<std::string>();
    return t;
  }

  // Appends one call's events to stream call-<id> and waits for the call view.
  void AppendCall(const std::string& call_id, const std::string& account_id, const std::string& trunk_id,
                  dialtone::events::CallDirection direction, const std::string& from, const std::string& to,
                  int64_t created_ms, std::optional<int64_t> answered_ms, dialtone::events::CallResult result,
                  int64_t ended_ms) {
    using namespace dialtone::events;
    CallStarted started;
    started.set_call_id(call_id);
    started.set_account_id(account_id);
    started.set_trunk_id(trunk_id);
    started.set_direction(direction);
    started.set_from(from);
    started.set_to(to);
    started.set_ts_ms(created_ms);
    dialtone::store::AppendRequest request;
    request.stream = std::string(calls::kCallStreamPrefix) + call_id;
    request.events.push_back(MakeEvent(kCallStarted, started));
    if (answered_ms) {
      CallAnswered answered;
      answered.set_call_id(call_id);
      answered.set_ts_ms(*answered_ms);
      request.events.push_back(MakeEvent(kCallAnswered, answered));
    }
    CallEnded ended;
    ended.set_call_id(call_id);
    ended.set_result(result);
    ended.set_ts_ms(ended_ms);
    ended.set_currency_code("USD");
    ended.set_price_per_minute("0.0040");
    ended.set_billing_duration_seconds(answered_ms ? (ended_ms - *answered_ms + 59999) / 60000 * 60 : 0);
    ended.set_price("0.0080");
    request.events.push_back(MakeEvent(kCallEnded, ended));
    auto appended = log_->Append(std::move(request));
    BOOST_REQUIRE(appended.ok());
    BOOST_REQUIRE(calls_->WaitForPosition(appended->last_position, std::chrono::seconds(10)));
  }

  size_t HeadPosition() const { return log_->HeadPosition(); }

  // The clock access tokens are issued and expire by (epoch seconds).
  void AdvanceClock(int64_t seconds) { clock_s_ += seconds; }
  // POST /oauth2/token with `form` and `headers`.
  HttpReply TokenRequest(const std::string& form, Headers headers = {}) const {
    headers.emplace_back("content-type", "application/x-www-form-urlencoded");
    return Raw("POST", "/oauth2/token", std::move(headers), form);
  }

 private:
  std::string dir_;
  std::unique_ptr<dialtone::store::EventLog> log_;
  std::unique_ptr<dialtone::projections::ConfigView> view_;
  std::unique_ptr<dialtone::actors::Runtime> runtime_;
  std::unique_ptr<calls::CallsView> calls_;
  dialtone::gateway::AccessTokens tokens_ = dialtone::gateway::AccessTokens::WithKey(std::string(32, 'k'));
  std::atomic<int64_t> clock_s_{kNowS};
  std::unique_ptr<dialtone::gateway::Authenticator> authenticator_;
  std::unique_ptr<dialtone::gateway::oauth2::TokenRoutes> token_routes_;
  std::unique_ptr<dialtone::gateway::Dialect> oauth2_dialect_;
  std::unique_ptr<dialtone::gateway::v1::ConfigApi> v1_;
  std::unique_ptr<dialtone::gateway::est::EstApi> est_;
  std::unique_ptr<dialtone::gateway::v1::CallsRoutes> calls_routes_;
  std::unique_ptr<dialtone::gateway::Dialect> v1_dialect_;
  std::unique_ptr<dialtone::gateway::Dialect> est_dialect_;
  dialtone::gateway::Router router_;
  std::unique_ptr<dialtone::gateway::HttpServer> server_;
};

// One stack for the whole module (each test makes its own tenants), built before the
// first test and shut down in order after the last.
struct StackFixture {
  StackFixture() { instance = std::make_unique<Stack>(); }
  ~StackFixture() { instance.reset(); }
  static Stack& Get() { return *instance; }
  static inline std::unique_ptr<Stack> instance;
};
BOOST_TEST_GLOBAL_FIXTURE(StackFixture);

void ExpectEstError(const HttpReply& reply, int code, const std::string& status) {
  BOOST_TEST(reply.status == code, reply.status << " " << reply.body);
  const Json body = BodyOf(reply);
  BOOST_TEST(body.value("code", 0) == code);
  BOOST_TEST(body.value("status", "") == status);
  BOOST_TEST(body.contains("message"));
  BOOST_TEST(body["details"].is_array());
}

Json CreateTrunk(Stack& s, const Tenant& t, const std::string& host, const std::string& name = "Acme Trunk") {
  const HttpReply r = s.Call("POST", t.Base() + "/trunks", t.Basic(), Json{{"name", name}, {"hostName", host}});
  BOOST_TEST_REQUIRE(r.status == 201, r.body);
  return BodyOf(r);
}

}  // namespace

// ============================================ auth and errors ============================================

BOOST_AUTO_TEST_SUITE(AuthAndErrors)

BOOST_AUTO_TEST_CASE(MissingCredentialsAre401InTheEstShape) {
  Stack& s = StackFixture::Get();
  Tenant t = s.MakeTenant("auth-a");
  ExpectEstError(s.Call("GET", t.Base() + "/trunks", {}), 401, "UNAUTHENTICATED");
  ExpectEstError(s.Call("GET", t.Base() + "/trunks", {{"authorization", "Basic " + Base64("nokey:wrong")}}), 401,
                 "UNAUTHENTICATED");
  Headers wrong_secret = t.Basic();
  wrong_secret[0].second = "Basic " + Base64(t.key.substr(4, 16) + ":" + std::string(64, '0'));
  ExpectEstError(s.Call("GET", t.Base() + "/trunks", wrong_secret), 401, "UNAUTHENTICATED");
}

BOOST_AUTO_TEST_CASE(BasicAndBearerBothAuthenticate) {
  Stack& s = StackFixture::Get();
  Tenant t = s.MakeTenant("auth-b");
  BOOST_TEST(s.Call("GET", t.Base() + "/trunks", t.Basic()).status == 200);
  BOOST_TEST(s.Call("GET", t.Base() + "/trunks", t.Bearer()).status == 200);
}

BOOST_AUTO_TEST_CASE(AnotherTenantsProjectAndResourcesAre404) {
  Stack& s = StackFixture::Get();
  Tenant a = s.MakeTenant("iso-a");
  Tenant b = s.MakeTenant("iso-b");
  const Json trunk = CreateTrunk(s, a, "iso-a-host");
  // b names a's project: 404, and the same for a project that does not exist.
  ExpectEstError(s.Call("GET", a.Base() + "/trunks", b.Basic()), 404, "NOT_FOUND");
  ExpectEstError(s.Call("GET", "/est/v1/projects/acc_nope/trunks", b.Basic()), 404, "NOT_FOUND");
  // b's own project does not contain a's trunk.
  ExpectEstError(s.Call("GET", b.Base() + "/trunks/" + trunk["id"].get<std::string>(), b.Basic()), 404, "NOT_FOUND");
  ExpectEstError(s.Call("DELETE", b.Base() + "/trunks/" + trunk["id"].get<std::string>(), b.Basic()), 404,
                 "NOT_FOUND");
  BOOST_TEST(BodyOf(s.Call("GET", b.Base() + "/trunks", b.Basic()))["totalItems"] == 0);
  BOOST_TEST(s.Call("GET", a.Base() + "/trunks/" + trunk["id"].get<std::string>(), a.Basic()).status == 200);
}

BOOST_AUTO_TEST_CASE(AResellerActsOnItsChildProject) {
  Stack& s = StackFixture::Get();
  Tenant reseller = s.MakeTenant("reseller", Json{{"is_reseller", 1}});
  const HttpReply child = s.Call("POST", "/v1/accounts", reseller.Bearer(), Json{{"name", "child"}});
  BOOST_TEST_REQUIRE(child.status == 201, child.body);
  const std::string child_id = BodyOf(child)["id"];
  const HttpReply created = s.Call("POST", "/est/v1/projects/" + child_id + "/trunks", reseller.Basic(),
                                   Json{{"name", "Child trunk"}, {"hostName", "child-host"}});
  BOOST_TEST(created.status == 201, created.body);
  BOOST_TEST(BodyOf(created)["projectId"] == child_id);
}

BOOST_AUTO_TEST_CASE(AddProjectsRecordsDirectChildrenOnceAndRefusesEveryOtherId) {
  Stack& s = StackFixture::Get();
  Tenant reseller = s.MakeTenant("adder", Json{{"is_reseller", 1}});
  std::vector<std::string> children;
  for (const char* name : {"child-a", "child-b"}) {
    const HttpReply child = s.Call("POST", "/v1/accounts", reseller.Bearer(), Json{{"name", name}});
    BOOST_TEST_REQUIRE(child.status == 201, child.body);
    children.push_back(BodyOf(child)["id"]);
  }
  const std::string path = reseller.Base() + "/addProjects";
  const HttpReply first = s.Call("POST", path, reseller.Bearer(), Json{{"projectIds", {children[0]}}});
  BOOST_TEST_REQUIRE(first.status == 200, first.body);
  BOOST_TEST(BodyOf(first)["addedProjects"] == Json::array({children[0]}));
  // Already added: ignored; the other one is added.
  const HttpReply second = s.Call("POST", path, reseller.Bearer(), Json{{"projectIds", {children[0], children[1]}}});
  BOOST_TEST(BodyOf(second)["addedProjects"] == Json::array({children[1]}));
  BOOST_TEST(BodyOf(s.Call("POST", path, reseller.Bearer(), Json::object()))["addedProjects"] == Json::array());
  // Unknown, foreign or the project itself: 400 naming them, nothing recorded.
  const Tenant stranger = s.MakeTenant("stranger");
  const uint64_t before = s.HeadPosition();
  const HttpReply refused = s.Call("POST", path, reseller.Bearer(),
                                   Json{{"projectIds", {"acc_nope", stranger.account_id, reseller.account_id, children[1]}}});
  ExpectEstError(refused, 400, "INVALID_ARGUMENT");
  const Json details = BodyOf(refused)["details"];
  BOOST_TEST_REQUIRE(details.size() == 3u);
  BOOST_TEST(details[0]["field"] == "projectIds[0]");
  BOOST_TEST(details[1]["description"].get<std::string>().find(stranger.account_id) != std::string::npos);
  BOOST_TEST(details[2]["field"] == "projectIds[2]");
  BOOST_TEST(s.HeadPosition() == before);
  ExpectEstError(s.Call("POST", path, reseller.Bearer(), Json{{"projectIds", "x"}}), 400, "INVALID_ARGUMENT");
  ExpectEstError(s.Call("POST", path, reseller.Bearer(), Json{{"ids", Json::array()}}), 400, "INVALID_ARGUMENT");
}

BOOST_AUTO_TEST_CASE(UnknownRoutesAndMethodsAnswerInTheEstShape) {
  Stack& s = StackFixture::Get();
  Tenant t = s.MakeTenant("routes");
  ExpectEstError(s.Call("GET", t.Base() + "/nothing-here", t.Basic()), 404, "NOT_FOUND");
  const HttpReply wrong_method = s.Call("PATCH", t.Base() + "/trunks", t.Basic(), Json::object());
  BOOST_TEST(wrong_method.status == 405);
  BOOST_TEST(BodyOf(wrong_method)["code"] == 405);
  BOOST_TEST(!wrong_method.Header("allow").empty());
}

BOOST_AUTO_TEST_SUITE_END()

// ================================================ trunks ================================================

BOOST_AUTO_TEST_SUITE(Trunks)

BOOST_AUTO_TEST_CASE(CreateAnswers201WithTheSeedShapeAndDefaults) {
  Stack& s = StackFixture::Get();
  Tenant t = s.MakeTenant("trunk-create");
  const Json trunk = CreateTrunk(s, t, "Acme-Domain-1");
  BOOST_TEST(trunk["id"].get<std::string>().size() > 0);
  BOOST_TEST(trunk["name"] == "Acme Trunk");
  BOOST_TEST(trunk["hostName"] == "acme-domain-1");
  BOOST_TEST(trunk["topLevelDomain"] == ".est.dialtone.local");
  BOOST_TEST(trunk["domain"] == "acme-domain-1.est.dialtone.local");
  BOOST_TEST(trunk["callsPerSecond"] == 1);
  BOOST_TEST(trunk["enableCallerName"] == false);
  BOOST_TEST(trunk["projectId"] == t.account_id);
  const std::string created = trunk["createTime"];
  BOOST_TEST(created.size() == 20u);
  BOOST_TEST(created.back() == 'Z');
  BOOST_TEST(trunk["updateTime"] == created);
  // Read-your-writes: the GET right after the 201 sees it.
  const HttpReply got = s.Call("GET", t.Base() + "/trunks/" + trunk["id"].get<std::string>(), t.Bearer());
  BOOST_TEST(got.status == 200);
  BOOST_TEST(BodyOf(got) == trunk);
}

BOOST_AUTO_TEST_CASE(TheSameTrunkIsListedByV1) {
  Stack& s = StackFixture::Get();
  Tenant t = s.MakeTenant("trunk-v1");
  const Json trunk = CreateTrunk(s, t, "v1-visible");
  const HttpReply v1 = s.Call("GET", "/v1/trunks/" + trunk["id"].get<std::string>(), t.Bearer());
  BOOST_TEST_REQUIRE(v1.status == 200, v1.body);
  const Json doc = BodyOf(v1);
  BOOST_TEST(doc["domain"] == "v1-visible.est.dialtone.local");
  BOOST_TEST(doc["host_name"] == "v1-visible");
  BOOST_TEST(doc["account_id"] == t.account_id);
}

BOOST_AUTO_TEST_CASE(ATakenDomainIs400DomainUnavailableAcrossTenants) {
  Stack& s = StackFixture::Get();
  Tenant a = s.MakeTenant("dom-a");
  Tenant b = s.MakeTenant("dom-b");
  CreateTrunk(s, a, "shared-host");
  const HttpReply taken = s.Call("POST", b.Base() + "/trunks", b.Basic(), Json{{"name", "x"}, {"hostName", "shared-host"}});
  ExpectEstError(taken, 400, "INVALID_ARGUMENT");
  BOOST_TEST(BodyOf(taken)["message"] == "The provided domain name is unavailable");
  BOOST_TEST(BodyOf(s.Call("GET", b.Base() + "/trunks", b.Basic()))["totalItems"] == 0);
}

BOOST_AUTO_TEST_CASE(BadInputIs400NamingTheFieldAndChangesNothing) {
  Stack& s = StackFixture::Get();
  Tenant t = s.MakeTenant("trunk-bad");
  const uint64_t head = s.HeadPosition();
  const auto post = [&](const std::string& body) {
    return s.Raw("POST", t.Base() + "/trunks", {t.Basic()[0], {"content-type", "application/json"}}, body);
  };
  ExpectEstError(post("{not json"), 400, "INVALID_ARGUMENT");
  ExpectEstError(post("[]"), 400, "INVALID_ARGUMENT");
  HttpReply unknown = post(R"({"name":"n","hostName":"h1","colour":"red"})");
  ExpectEstError(unknown, 400, "INVALID_ARGUMENT");
  BOOST_TEST(BodyOf(unknown)["details"][0]["field"] == "colour");
  HttpReply wrong_type = post(R"({"name":"n","hostName":"h1","enableCallerName":"yes"})");
  ExpectEstError(wrong_type, 400, "INVALID_ARGUMENT");
  BOOST_TEST(BodyOf(wrong_type)["details"][0]["field"] == "enableCallerName");
  HttpReply bad_host = post(R"({"name":"n","hostName":"not a label!"})");
  ExpectEstError(bad_host, 400, "INVALID_ARGUMENT");
  BOOST_TEST(BodyOf(bad_host)["details"][0]["field"] == "hostName");
  HttpReply missing = post(R"({"name":"n"})");
  ExpectEstError(missing, 400, "INVALID_ARGUMENT");
  BOOST_TEST(BodyOf(missing)["details"][0]["field"] == "hostName");
  const HttpReply not_json = s.Raw("POST", t.Base() + "/trunks", {t.Basic()[0], {"content-type", "text/plain"}}, "{}");
  ExpectEstError(not_json, 415, "UNSUPPORTED_MEDIA_TYPE");
  BOOST_TEST(s.HeadPosition() == head);
  BOOST_TEST(BodyOf(s.Call("GET", t.Base() + "/trunks", t.Basic()))["totalItems"] == 0);
}

BOOST_AUTO_TEST_CASE(PutReplacesTheWholeObjectResettingOmittedFields) {
  Stack& s = StackFixture::Get();
  Tenant t = s.MakeTenant("trunk-put");
  const HttpReply created = s.Call("POST", t.Base() + "/trunks", t.Basic(),
                                   Json{{"name", "Before"}, {"hostName", "put-host"}, {"enableCallerName", true}});
  BOOST_TEST_REQUIRE(created.status == 201);
  const std::string id = BodyOf(created)["id"];
  BOOST_TEST(BodyOf(created)["enableCallerName"] == true);
  const HttpReply put = s.Call("PUT", t.Base() + "/trunks/" + id, t.Basic(), Json{{"name", "After"}, {"hostName", "put-host-2"}});
  BOOST_TEST_REQUIRE(put.status == 200, put.body);
  const Json doc = BodyOf(put);
  BOOST_TEST(doc["name"] == "After");
  BOOST_TEST(doc["enableCallerName"] == false);
  BOOST_TEST(doc["domain"] == "put-host-2.est.dialtone.local");
  // The old domain is free again; the new one is taken.
  CreateTrunk(s, t, "put-host");
  const HttpReply clash = s.Call("POST", t.Base() + "/trunks", t.Basic(), Json{{"name", "x"}, {"hostName", "put-host-2"}});
  BOOST_TEST(BodyOf(clash)["message"] == "The provided domain name is unavailable");
  ExpectEstError(s.Call("PUT", t.Base() + "/trunks/trk_missing", t.Basic(), Json{{"name", "a"}, {"hostName", "b"}}),
                 404, "NOT_FOUND");
}

BOOST_AUTO_TEST_CASE(ListPagesWithTheEnvelopeAndFiltersByDomain) {
  Stack& s = StackFixture::Get();
  Tenant t = s.MakeTenant("trunk-list");
  for (int i = 0; i < 5; ++i) CreateTrunk(s, t, "list-host-" + std::to_string(i));
  const Json all = BodyOf(s.Call("GET", t.Base() + "/trunks", t.Basic()));
  BOOST_TEST(all["totalItems"] == 5);
  BOOST_TEST(all["pageNumber"] == 1);
  BOOST_TEST(all["pageSize"] == 500);
  BOOST_TEST(all["trunks"].size() == 5u);
  const Json page2 = BodyOf(s.Call("GET", t.Base() + "/trunks?page=2&pageSize=2", t.Basic()));
  BOOST_TEST(page2["totalItems"] == 5);
  BOOST_TEST(page2["pageNumber"] == 2);
  BOOST_TEST(page2["pageSize"] == 2);
  BOOST_TEST_REQUIRE(page2["trunks"].size() == 2u);
  BOOST_TEST(page2["trunks"][0] == all["trunks"][2]);
  BOOST_TEST(BodyOf(s.Call("GET", t.Base() + "/trunks?page=4&pageSize=2", t.Basic()))["trunks"].size() == 0u);
  const Json filtered = BodyOf(s.Call("GET", t.Base() + "/trunks?domain=list-host-3.est.dialtone.local", t.Basic()));
  BOOST_TEST(filtered["totalItems"] == 1);
  BOOST_TEST(filtered["trunks"][0]["hostName"] == "list-host-3");
  ExpectEstError(s.Call("GET", t.Base() + "/trunks?pageSize=501", t.Basic()), 400, "INVALID_ARGUMENT");
  ExpectEstError(s.Call("GET", t.Base() + "/trunks?pageSize=0", t.Basic()), 400, "INVALID_ARGUMENT");
  ExpectEstError(s.Call("GET", t.Base() + "/trunks?page=0", t.Basic()), 400, "INVALID_ARGUMENT");
  // The Sinch SDKs page with `size`.
  const Json sized = BodyOf(s.Call("GET", t.Base() + "/trunks?page=2&size=2", t.Basic()));
  BOOST_TEST(sized["pageSize"] == 2);
  BOOST_TEST(sized["trunks"] == page2["trunks"]);
  BOOST_TEST(s.Call("GET", t.Base() + "/trunks?size=2&pageSize=2", t.Basic()).status == 200);
  ExpectEstError(s.Call("GET", t.Base() + "/trunks?size=2&pageSize=3", t.Basic()), 400, "INVALID_ARGUMENT");
  ExpectEstError(s.Call("GET", t.Base() + "/trunks?size=501", t.Basic()), 400, "INVALID_ARGUMENT");
}

BOOST_AUTO_TEST_CASE(DeleteAnswers204AndRemovesTheTrunkWithItsEndpointsAndBindings) {
  Stack& s = StackFixture::Get();
  Tenant t = s.MakeTenant("trunk-delete");
  const std::string id = CreateTrunk(s, t, "del-host")["id"];
  BOOST_TEST(s.Call("POST", t.Base() + "/trunks/" + id + "/endpoints", t.Basic(),
                    Json{{"name", "e"}, {"address", "10.0.0.1"}, {"priority", 1}}).status == 201);
  const HttpReply acl = s.Call("POST", t.Base() + "/accessControlLists", t.Basic(),
                               Json{{"name", "acl"}, {"ipRanges", {{{"ipAddress", "10.0.0.0"}, {"range", 8}}}}});
  BOOST_TEST_REQUIRE(acl.status == 200, acl.body);
  const std::string acl_id = BodyOf(acl)["id"];
  BOOST_TEST(s.Call("POST", t.Base() + "/trunks/" + id + "/accessControlLists", t.Basic(),
                    Json{{"accessControlListIds", {acl_id}}}).status == 200);
  const HttpReply deleted = s.Call("DELETE", t.Base() + "/trunks/" + id, t.Basic());
  BOOST_TEST(deleted.status == 204, deleted.body);
  BOOST_TEST(deleted.body.empty());
  ExpectEstError(s.Call("GET", t.Base() + "/trunks/" + id, t.Basic()), 404, "NOT_FOUND");
  BOOST_TEST(BodyOf(s.Call("GET", t.Base() + "/accessControlLists/" + acl_id, t.Basic()))["trunks"].size() == 0u);
  // The domain is free again.
  CreateTrunk(s, t, "del-host");
}

BOOST_AUTO_TEST_CASE(ATrunkStillInUseIs409AndKeepsItsEndpointsBindingsAndNumbers) {
  Stack& s = StackFixture::Get();
  Tenant t = s.MakeTenant("trunk-in-use");
  const std::string id = CreateTrunk(s, t, "busy-host")["id"];
  BOOST_TEST(s.Call("POST", t.Base() + "/trunks/" + id + "/endpoints", t.Basic(),
                    Json{{"name", "e"}, {"address", "10.0.0.1"}, {"priority", 1}}).status == 201);
  const HttpReply acl = s.Call("POST", t.Base() + "/accessControlLists", t.Basic(),
                               Json{{"name", "acl"}, {"ipRanges", {{{"ipAddress", "10.0.0.0"}, {"range", 8}}}}});
  BOOST_TEST_REQUIRE(acl.status == 200, acl.body);
  BOOST_TEST(s.Call("POST", t.Base() + "/trunks/" + id + "/accessControlLists", t.Basic(),
                    Json{{"accessControlListIds", {BodyOf(acl)["id"]}}}).status == 200);
  const Headers v1 = {{"x-api-key", t.key}};
  BOOST_TEST(s.Call("POST", "/v1/numbers", v1, Json{{"e164", "14155550177"}, {"trunk_id", id}}).status == 201);
  // A /v1 outbound route the EST dialect does not show still sends calls to the trunk.
  const HttpReply route = s.Call("POST", "/v1/outbound-routes", v1, Json{{"match_prefix", "1"}, {"trunk_id", id}});
  BOOST_TEST_REQUIRE(route.status == 201, route.body);
  const size_t head = s.HeadPosition();
  ExpectEstError(s.Call("DELETE", t.Base() + "/trunks/" + id, t.Basic()), 409, "FAILED_PRECONDITION");
  BOOST_TEST(s.HeadPosition() == head);  // nothing was written, not even the cascade
  BOOST_TEST(BodyOf(s.Call("GET", t.Base() + "/trunks/" + id + "/endpoints", t.Basic()))["totalItems"] == 1);
  BOOST_TEST(BodyOf(s.Call("GET", t.Base() + "/trunks/" + id + "/accessControlLists", t.Basic()))["totalItems"] == 1);
  BOOST_TEST(BodyOf(s.Call("GET", t.Base() + "/phoneNumbers/+14155550177", t.Basic()))["sipTrunkId"] == id);
}

BOOST_AUTO_TEST_SUITE_END()

// ============================================ phone numbers =============================================

BOOST_AUTO_TEST_SUITE(PhoneNumbers)

BOOST_AUTO_TEST_CASE(NumbersAreTheDidsShownWithPlusAndTheirTrunk) {
  Stack& s = StackFixture::Get();
  Tenant t = s.MakeTenant("numbers");
  const std::string trunk = CreateTrunk(s, t, "numbers-host")["id"];
  BOOST_TEST_REQUIRE(s.Call("POST", "/v1/numbers", t.Bearer(), Json{{"e164", "15551239898"}, {"trunk_id", trunk}}).status == 201);
  BOOST_TEST_REQUIRE(s.Call("POST", "/v1/numbers", t.Bearer(), Json{{"e164", "442071838750"}}).status == 201);
  const Json all = BodyOf(s.Call("GET", t.Base() + "/phoneNumbers", t.Basic()));
  BOOST_TEST(all["totalItems"] == 2);
  const Json by_trunk = BodyOf(s.Call("GET", t.Base() + "/phoneNumbers?sipTrunkId=" + trunk, t.Basic()));
  BOOST_TEST_REQUIRE(by_trunk["totalItems"] == 1);
  const Json n = by_trunk["phoneNumbers"][0];
  BOOST_TEST(n["phoneNumber"] == "+15551239898");
  BOOST_TEST(n["sipTrunkId"] == trunk);
  BOOST_TEST(n["countryCode"] == "US");
  BOOST_TEST(n["createTime"].is_string());
  const HttpReply one = s.Call("GET", t.Base() + "/phoneNumbers/%2B442071838750", t.Basic());
  BOOST_TEST_REQUIRE(one.status == 200, one.body);
  BOOST_TEST(BodyOf(one)["countryCode"] == "GB");
  BOOST_TEST(s.Call("GET", t.Base() + "/phoneNumbers/+15551239898", t.Basic()).status == 200);
  ExpectEstError(s.Call("GET", t.Base() + "/phoneNumbers/+15550000000", t.Basic()), 404, "NOT_FOUND");
  ExpectEstError(s.Call("GET", t.Base() + "/phoneNumbers/abc", t.Basic()), 400, "INVALID_ARGUMENT");
  const Json filtered = BodyOf(s.Call("GET", t.Base() + "/phoneNumbers?filter=4420", t.Basic()));
  BOOST_TEST(filtered["totalItems"] == 1);
  // Deleting the trunk unassigns its number.
  BOOST_TEST(s.Call("DELETE", t.Base() + "/trunks/" + trunk, t.Basic()).status == 204);
  BOOST_TEST(BodyOf(s.Call("GET", t.Base() + "/phoneNumbers/+15551239898", t.Basic()))["sipTrunkId"].is_null());
}

BOOST_AUTO_TEST_SUITE_END()

// ==================================== ACLs, credential lists, bindings ===================================

BOOST_AUTO_TEST_SUITE(AccessControlLists)

BOOST_AUTO_TEST_CASE(CreateNeedsARangeAndRendersRangesAndTrunks) {
  Stack& s = StackFixture::Get();
  Tenant t = s.MakeTenant("acl");
  const uint64_t head = s.HeadPosition();
  ExpectEstError(s.Call("POST", t.Base() + "/accessControlLists", t.Basic(), Json{{"name", "empty"}, {"ipRanges", Json::array()}}),
                 400, "INVALID_ARGUMENT");
  const HttpReply bad_range = s.Call("POST", t.Base() + "/accessControlLists", t.Basic(),
                                     Json{{"name", "bad"}, {"ipRanges", {{{"ipAddress", "10.0.0.1"}}, {{"ipAddress", "999.1.1.1"}}}}});
  ExpectEstError(bad_range, 400, "INVALID_ARGUMENT");
  BOOST_TEST(BodyOf(bad_range)["details"][0]["field"] == "ipRanges[1].ipAddress");
  BOOST_TEST(s.HeadPosition() == head);

  const HttpReply created = s.Call("POST", t.Base() + "/accessControlLists", t.Basic(),
                                   Json{{"name", "Office"}, {"ipRanges", {{{"description", "hq"}, {"ipAddress", "11.12.13.14"}, {"range", 27}},
                                                                          {{"ipAddress", "10.0.0.1"}}}}});
  BOOST_TEST_REQUIRE(created.status == 200, created.body);
  const Json acl = BodyOf(created);
  BOOST_TEST(acl["name"] == "Office");
  BOOST_TEST(acl["enabled"] == true);
  BOOST_TEST(acl["projectId"] == t.account_id);
  BOOST_TEST_REQUIRE(acl["ipRanges"].size() == 2u);
  BOOST_TEST(acl["trunks"] == Json::array());
  const std::string acl_id = acl["id"];
  bool saw_default = false;
  for (const auto& r : acl["ipRanges"]) {
    BOOST_TEST(r["accessControlListId"] == acl_id);
    if (r["ipAddress"] == "10.0.0.1") saw_default = r["range"] == 32;
  }
  BOOST_TEST(saw_default);

  // Ranges: add, update (only the fields sent change), delete.
  const HttpReply added = s.Call("POST", t.Base() + "/accessControlLists/" + acl_id + "/ipRanges", t.Basic(),
                                 Json{{"ipAddress", "192.168.1.0"}, {"range", 24}});
  BOOST_TEST_REQUIRE(added.status == 200, added.body);
  const std::string range_id = BodyOf(added)["id"];
  const HttpReply updated = s.Call("PUT", t.Base() + "/accessControlLists/" + acl_id + "/ipRanges/" + range_id, t.Basic(),
                                   Json{{"ipAddress", "192.168.2.0"}});
  BOOST_TEST_REQUIRE(updated.status == 200, updated.body);
  BOOST_TEST(BodyOf(updated)["range"] == 24);
  BOOST_TEST(BodyOf(updated)["ipAddress"] == "192.168.2.0");
  ExpectEstError(s.Call("PUT", t.Base() + "/accessControlLists/" + acl_id + "/ipRanges/" + range_id, t.Basic(),
                        Json{{"ipAddress", "10.0.0.0"}, {"range", 33}}),
                 400, "INVALID_ARGUMENT");
  BOOST_TEST(BodyOf(s.Call("GET", t.Base() + "/accessControlLists/" + acl_id + "/ipRanges", t.Basic()))["totalItems"] == 3);
  BOOST_TEST(s.Call("DELETE", t.Base() + "/accessControlLists/" + acl_id + "/ipRanges/" + range_id, t.Basic()).status == 204);
  BOOST_TEST(BodyOf(s.Call("GET", t.Base() + "/accessControlLists/" + acl_id + "/ipRanges", t.Basic()))["totalItems"] == 2);

  // PUT name/enabled.
  const HttpReply put = s.Call("PUT", t.Base() + "/accessControlLists/" + acl_id, t.Basic(),
                               Json{{"name", "Test Prague 5"}, {"enabled", false}});
  BOOST_TEST_REQUIRE(put.status == 200, put.body);
  BOOST_TEST(BodyOf(put)["enabled"] == false);
  BOOST_TEST(BodyOf(put)["ipRanges"].size() == 2u);
  // PUT with ipRanges: the ACL holds exactly those afterwards; a range named again keeps its id
  // and takes the new description.
  std::string kept_id;
  const Json put_answer = BodyOf(put);
  for (const auto& r : put_answer["ipRanges"]) {
    if (r["ipAddress"] == "10.0.0.1") kept_id = r["id"];
  }
  const Headers basic = t.Basic();
  const auto put_ranges = [&](Json ranges) {
    return s.Call("PUT", t.Base() + "/accessControlLists/" + acl_id, basic,
                  Json{{"name", "Test Prague 5"}, {"enabled", false}, {"ipRanges", std::move(ranges)}});
  };
  const uint64_t before_refused = s.HeadPosition();
  ExpectEstError(put_ranges(Json::array()), 400, "INVALID_ARGUMENT");
  const HttpReply twice = put_ranges({{{"ipAddress", "10.0.0.1"}}, {{"ipAddress", "10.0.0.1"}, {"range", 32}}});
  ExpectEstError(twice, 400, "INVALID_ARGUMENT");
  BOOST_TEST(BodyOf(twice)["details"][0]["field"] == "ipRanges[1].ipAddress");
  ExpectEstError(put_ranges({{{"ipAddress", "10.0.0.300"}}}), 400, "INVALID_ARGUMENT");
  BOOST_TEST(s.HeadPosition() == before_refused);
  const HttpReply replaced = put_ranges({{{"ipAddress", "10.0.0.1"}, {"description", "vpn"}},
                                         {{"ipAddress", "172.16.0.0"}, {"range", 12}}});
  BOOST_TEST_REQUIRE(replaced.status == 200, replaced.body);
  std::map<std::string, Json> by_address;
  const Json replaced_answer = BodyOf(replaced);
  for (const auto& r : replaced_answer["ipRanges"]) by_address[r["ipAddress"].get<std::string>()] = r;
  BOOST_TEST_REQUIRE(by_address.size() == 2u, replaced.body);
  BOOST_TEST(by_address["10.0.0.1"]["id"] == kept_id);
  BOOST_TEST(by_address["10.0.0.1"]["description"] == "vpn");
  BOOST_TEST(by_address["172.16.0.0"]["range"] == 12);
  // Named again unchanged: nothing is written.
  const uint64_t before_same = s.HeadPosition();
  BOOST_TEST(put_ranges({{{"ipAddress", "10.0.0.1"}, {"description", "vpn"}}, {{"ipAddress", "172.16.0.0"}, {"range", 12}}})
                 .status == 200);
  BOOST_TEST(s.HeadPosition() == before_same);

  const Json list = BodyOf(s.Call("GET", t.Base() + "/accessControlLists", t.Basic()));
  BOOST_TEST(list["totalItems"] == 1);
  BOOST_TEST(list["accessControlLists"][0]["name"] == "Test Prague 5");
  BOOST_TEST(s.Call("DELETE", t.Base() + "/accessControlLists/" + acl_id, t.Basic()).status == 204);
  ExpectEstError(s.Call("GET", t.Base() + "/accessControlLists/" + acl_id, t.Basic()), 404, "NOT_FOUND");
}

BOOST_AUTO_TEST_CASE(TrunkAclBindingsAddReplaceAndRemove) {
  Stack& s = StackFixture::Get();
  Tenant t = s.MakeTenant("acl-bind");
  Tenant other = s.MakeTenant("acl-bind-other");
  const std::string trunk = CreateTrunk(s, t, "bind-host")["id"];
  std::vector<std::string> acls;
  for (int i = 0; i < 3; ++i) {
    const HttpReply r = s.Call("POST", t.Base() + "/accessControlLists", t.Basic(),
                               Json{{"name", "a" + std::to_string(i)}, {"ipRanges", {{{"ipAddress", "10.0.0." + std::to_string(i + 1)}}}}});
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    acls.push_back(BodyOf(r)["id"].get<std::string>());
  }
  const std::string path = t.Base() + "/trunks/" + trunk + "/accessControlLists";
  const HttpReply added = s.Call("POST", path, t.Basic(), Json{{"accessControlListIds", {acls[0], acls[1]}}});
  BOOST_TEST_REQUIRE(added.status == 200, added.body);
  BOOST_TEST(BodyOf(added)["accessControlListIds"].size() == 2u);
  const Json listed = BodyOf(s.Call("GET", path, t.Basic()));
  BOOST_TEST(listed["totalItems"] == 2);
  BOOST_TEST(listed["pageNumber"] == 1);
  const Json trunks_of_acl = BodyOf(s.Call("GET", t.Base() + "/accessControlLists/" + acls[0] + "/trunks", t.Basic()));
  BOOST_TEST(trunks_of_acl["totalItems"] == 1);
  BOOST_TEST(trunks_of_acl["trunks"][0]["id"] == trunk);
  // Bulk replace (duplicates collapse): exactly acls[1] and acls[2].
  const HttpReply replaced = s.Call("PUT", path, t.Basic(), Json{acls[2], acls[1], acls[2]});
  BOOST_TEST_REQUIRE(replaced.status == 200, replaced.body);
  std::set<std::string> now;
  const Json replaced_body = BodyOf(replaced);
  for (const auto& id : replaced_body["accessControlListIds"]) now.insert(id.get<std::string>());
  BOOST_TEST(now.size() == 2u);
  BOOST_TEST(now.count(acls[1]) == 1u);
  BOOST_TEST(now.count(acls[2]) == 1u);
  BOOST_TEST(now.count(acls[0]) == 0u);
  // An unknown (or another tenant's) list changes nothing.
  const uint64_t head = s.HeadPosition();
  ExpectEstError(s.Call("PUT", path, t.Basic(), Json{acls[0], "ipacl_unknown"}), 404, "NOT_FOUND");
  BOOST_TEST(s.HeadPosition() == head);
  ExpectEstError(s.Call("GET", path, other.Basic()), 404, "NOT_FOUND");
  BOOST_TEST(s.Call("DELETE", path + "/" + acls[1], t.Basic()).status == 204);
  ExpectEstError(s.Call("DELETE", path + "/" + acls[1], t.Basic()), 404, "NOT_FOUND");
  BOOST_TEST(BodyOf(s.Call("GET", path, t.Basic()))["accessControlListIds"] == Json::array({acls[2]}));
}

BOOST_AUTO_TEST_CASE(CredentialListsKeepPasswordsWriteOnlyAndBindToTrunks) {
  Stack& s = StackFixture::Get();
  Tenant t = s.MakeTenant("creds");
  const HttpReply created = s.Call("POST", t.Base() + "/credentialLists", t.Basic(),
                                   Json{{"name", "Office"}, {"credentials", {{{"username", "alice"}, {"password", "correct-horse-1"}}}}});
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  const Json list = BodyOf(created);
  const std::string list_id = list["id"];
  BOOST_TEST_REQUIRE(list["credentials"].size() == 1u);
  BOOST_TEST(list["credentials"][0]["username"] == "alice");
  BOOST_TEST(created.body.find("correct-horse") == std::string::npos);
  BOOST_TEST(created.body.find("password") == std::string::npos);
  // Short password: 400 naming it; nothing written.
  ExpectEstError(s.Call("PUT", t.Base() + "/credentialLists/" + list_id + "/credentials/bob", t.Basic(), Json{{"password", "short"}}),
                 400, "INVALID_ARGUMENT");
  const HttpReply bob = s.Call("PUT", t.Base() + "/credentialLists/" + list_id + "/credentials/bob", t.Basic(),
                               Json{{"password", "another-secret-2"}});
  BOOST_TEST_REQUIRE(bob.status == 200, bob.body);
  BOOST_TEST(BodyOf(bob)["username"] == "bob");
  BOOST_TEST(bob.body.find("another-secret") == std::string::npos);
  const HttpReply got = s.Call("GET", t.Base() + "/credentialLists/" + list_id, t.Basic());
  BOOST_TEST(BodyOf(got)["credentials"].size() == 2u);
  BOOST_TEST(got.body.find("secret") == std::string::npos);
  BOOST_TEST(s.Call("DELETE", t.Base() + "/credentialLists/" + list_id + "/credentials/alice", t.Basic()).status == 204);
  ExpectEstError(s.Call("DELETE", t.Base() + "/credentialLists/" + list_id + "/credentials/alice", t.Basic()), 404, "NOT_FOUND");
  // Bindings.
  const std::string trunk = CreateTrunk(s, t, "creds-host")["id"];
  const std::string path = t.Base() + "/trunks/" + trunk + "/credentialLists";
  BOOST_TEST(s.Call("POST", path, t.Basic(), Json{{"credentialListIds", {list_id}}}).status == 200);
  const Json bound = BodyOf(s.Call("GET", path, t.Basic()));
  BOOST_TEST(bound["credentialListIds"] == Json::array({list_id}));
  // The lists themselves, as the Sinch SDK reads them.
  BOOST_TEST_REQUIRE(bound["credentialLists"].size() == 1u);
  BOOST_TEST(bound["credentialLists"][0] == BodyOf(s.Call("GET", t.Base() + "/credentialLists/" + list_id, t.Basic())));
  BOOST_TEST(BodyOf(s.Call("GET", t.Base() + "/credentialLists/" + list_id + "/trunks", t.Basic()))["totalItems"] == 1);
  const HttpReply cleared = s.Call("PUT", path, t.Basic(), Json::array());
  BOOST_TEST(BodyOf(cleared)["credentialListIds"] == Json::array());
  // PUT the list: rename, and exactly these credentials.
  const HttpReply put = s.Call("PUT", t.Base() + "/credentialLists/" + list_id, t.Basic(),
                               Json{{"name", "Renamed"}, {"credentials", {{{"username", "carol"}, {"password", "carols-secret-3"}}}}});
  BOOST_TEST_REQUIRE(put.status == 200, put.body);
  BOOST_TEST(BodyOf(put)["name"] == "Renamed");
  BOOST_TEST_REQUIRE(BodyOf(put)["credentials"].size() == 1u);
  BOOST_TEST(BodyOf(put)["credentials"][0]["username"] == "carol");
  BOOST_TEST(s.Call("POST", path, t.Basic(), Json{{"credentialListIds", {list_id}}}).status == 200);
  BOOST_TEST(s.Call("DELETE", t.Base() + "/credentialLists/" + list_id, t.Basic()).status == 204);
  BOOST_TEST(BodyOf(s.Call("GET", path, t.Basic()))["totalItems"] == 0);
}

BOOST_AUTO_TEST_SUITE_END()

// ================================================ endpoints ================================================

BOOST_AUTO_TEST_SUITE(Endpoints)

BOOST_AUTO_TEST_CASE(StaticAndRegisteredEndpointsWithDefaults) {
  Stack& s = StackFixture::Get();
  Tenant t = s.MakeTenant("endpoints");
  const std::string trunk = CreateTrunk(s, t, "ep-host")["id"];
  const std::string path = t.Base() + "/trunks/" + trunk + "/endpoints";
  const HttpReply st = s.Call("POST", path, t.Basic(), Json{{"address", "127.0.0.1"}, {"name", "Acme Endpoint"}, {"priority", 1}});
  BOOST_TEST_REQUIRE(st.status == 201, st.body);
  const Json e = BodyOf(st);
  BOOST_TEST(e["address"] == "127.0.0.1");
  BOOST_TEST(e["port"] == 5060);
  BOOST_TEST(e["transport"] == "UDP");
  BOOST_TEST(e["enabled"] == true);
  BOOST_TEST(e["priority"] == 1);
  BOOST_TEST(e["sipTrunkId"] == trunk);
  BOOST_TEST(!e.contains("credentialUsername"));
  const HttpReply reg = s.Call("POST", path, t.Basic(),
                               Json{{"isRegistered", true}, {"credentialUsername", "alice"}, {"name", "PBX"}, {"priority", 2}, {"transport", "TLS"}});
  BOOST_TEST_REQUIRE(reg.status == 201, reg.body);
  BOOST_TEST(BodyOf(reg)["isRegistered"] == true);
  BOOST_TEST(BodyOf(reg)["credentialUsername"] == "alice");
  BOOST_TEST(BodyOf(reg)["transport"] == "TLS");
  BOOST_TEST(!BodyOf(reg).contains("address"));
  ExpectEstError(s.Call("POST", path, t.Basic(), Json{{"address", "127.0.0.1"}, {"name", "x"}, {"priority", 0}}), 400, "INVALID_ARGUMENT");
  ExpectEstError(s.Call("POST", path, t.Basic(), Json{{"address", "127.0.0.1"}, {"name", "x"}, {"priority", 1}, {"transport", "SCTP"}}),
                 400, "INVALID_ARGUMENT");
  const HttpReply missing_user = s.Call("POST", path, t.Basic(), Json{{"isRegistered", true}, {"name", "x"}, {"priority", 1}});
  ExpectEstError(missing_user, 400, "INVALID_ARGUMENT");
  BOOST_TEST(BodyOf(s.Call("GET", path, t.Basic()))["totalItems"] == 2);
  const std::string id = e["id"];
  const HttpReply put = s.Call("PUT", path + "/" + id, t.Basic(), Json{{"address", "10.1.1.1"}, {"name", "Moved"}, {"priority", 3}, {"port", 5080}});
  BOOST_TEST_REQUIRE(put.status == 200, put.body);
  BOOST_TEST(BodyOf(put)["port"] == 5080);
  BOOST_TEST(BodyOf(put)["address"] == "10.1.1.1");
  BOOST_TEST(BodyOf(s.Call("GET", path + "/" + id, t.Basic()))["name"] == "Moved");
  BOOST_TEST(s.Call("DELETE", path + "/" + id, t.Basic()).status == 204);
  ExpectEstError(s.Call("GET", path + "/" + id, t.Basic()), 404, "NOT_FOUND");
}

BOOST_AUTO_TEST_SUITE_END()

// ===================================== blocking rules, country permissions ==================================

BOOST_AUTO_TEST_SUITE(RulesAndCountries)

BOOST_AUTO_TEST_CASE(CallBlockingRulesCrud) {
  Stack& s = StackFixture::Get();
  Tenant t = s.MakeTenant("rules");
  // The Sinch SDK's model.
  const HttpReply created = s.Call("POST", t.Base() + "/callBlockingRules", t.Basic(),
                                   Json{{"name", "premium"}, {"direction", "inbound"}, {"callerMatch", "+4670"}});
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  const Json rule = BodyOf(created);
  BOOST_TEST(rule["callerMatch"] == "+4670");
  BOOST_TEST(rule["direction"] == "INBOUND");
  BOOST_TEST(rule["calleeMatch"].is_null());
  BOOST_TEST(rule["callerCountry"].is_null());
  BOOST_TEST(rule["enabled"] == true);
  BOOST_TEST(!rule.contains("numberPrefix"));
  const std::string id = rule["id"];
  ExpectEstError(s.Call("POST", t.Base() + "/callBlockingRules", t.Basic(), Json{{"calleeMatch", "+1900"}, {"direction", "SIDEWAYS"}}),
                 400, "INVALID_ARGUMENT");
  ExpectEstError(s.Call("POST", t.Base() + "/callBlockingRules", t.Basic(), Json{{"calleeCountry", "QQ"}, {"direction", "OUTBOUND"}}),
                 400, "INVALID_ARGUMENT");
  ExpectEstError(s.Call("POST", t.Base() + "/callBlockingRules", t.Basic(), Json{{"numberPrefix", "+1900"}}), 400,
                 "INVALID_ARGUMENT");
  const HttpReply put = s.Call("PUT", t.Base() + "/callBlockingRules/" + id, t.Basic(),
                               Json{{"direction", "OUTBOUND"}, {"calleeCountry", "SE"}});
  BOOST_TEST_REQUIRE(put.status == 200, put.body);
  BOOST_TEST(BodyOf(put)["name"].is_null());
  BOOST_TEST(BodyOf(put)["direction"] == "OUTBOUND");
  BOOST_TEST(BodyOf(put)["calleeCountry"] == "SE");
  BOOST_TEST(BodyOf(put)["callerMatch"].is_null());  // a PUT replaces the whole rule
  BOOST_TEST(BodyOf(s.Call("GET", t.Base() + "/callBlockingRules", t.Basic()))["totalItems"] == 1);
  BOOST_TEST(s.Call("DELETE", t.Base() + "/callBlockingRules/" + id, t.Basic()).status == 204);
  BOOST_TEST(BodyOf(s.Call("GET", t.Base() + "/callBlockingRules", t.Basic()))["totalItems"] == 0);
}

BOOST_AUTO_TEST_CASE(CountryPermissionsListTheIsoTableAndBulkPutDisablesTheRest) {
  Stack& s = StackFixture::Get();
  Tenant t = s.MakeTenant("countries");
  const Json all = BodyOf(s.Call("GET", t.Base() + "/countryPermissions", t.Basic()));
  // The seed's shape: the whole table, no paging envelope.
  BOOST_TEST(all.size() == 1u);
  BOOST_TEST(all["countryPermissions"].size() > 240u);
  bool saw_us = false;
  for (const auto& c : all["countryPermissions"]) {
    BOOST_TEST(c["enabled"] == true);
    if (c["isoCode"] == "US") {
      saw_us = true;
      BOOST_TEST(c["continent"] == "North America");
      BOOST_TEST(c["countryDialingCodes"] == Json::array({"+1"}));
      BOOST_TEST(c["name"].is_string());
    }
  }
  BOOST_TEST(saw_us);
  const HttpReply bulk = s.Call("PUT", t.Base() + "/countryPermissions", t.Basic(),
                                Json::array({{{"isoCode", "US"}, {"enabled", true}}, {{"isoCode", "ca"}}, {{"isoCode", "GB"}, {"enabled", false}}}));
  BOOST_TEST_REQUIRE(bulk.status == 200, bulk.body);
  BOOST_TEST(BodyOf(bulk)["countryPermissions"].size() == 2u);
  const Json after = BodyOf(s.Call("GET", t.Base() + "/countryPermissions", t.Basic()));
  size_t enabled = 0;
  for (const auto& c : after["countryPermissions"]) enabled += c["enabled"].get<bool>() ? 1 : 0;
  BOOST_TEST(enabled == 2u);
  BOOST_TEST(BodyOf(s.Call("GET", t.Base() + "/countryPermissions/SE", t.Basic()))["enabled"] == false);
  const HttpReply one = s.Call("PUT", t.Base() + "/countryPermissions/se", t.Basic(), Json{{"enabled", true}});
  BOOST_TEST_REQUIRE(one.status == 200, one.body);
  BOOST_TEST(BodyOf(one)["isoCode"] == "SE");
  BOOST_TEST(BodyOf(s.Call("GET", t.Base() + "/countryPermissions/SE", t.Basic()))["enabled"] == true);
  ExpectEstError(s.Call("GET", t.Base() + "/countryPermissions/XX", t.Basic()), 404, "NOT_FOUND");
  const uint64_t head = s.HeadPosition();
  ExpectEstError(s.Call("PUT", t.Base() + "/countryPermissions", t.Basic(), Json::array({{{"isoCode", "ZZ"}}})), 400, "INVALID_ARGUMENT");
  ExpectEstError(s.Call("PUT", t.Base() + "/countryPermissions/SE", t.Basic(), Json{{"enabled", "yes"}}), 400, "INVALID_ARGUMENT");
  BOOST_TEST(s.HeadPosition() == head);
  // Other tenants keep the default.
  Tenant other = s.MakeTenant("countries-other");
  BOOST_TEST(BodyOf(s.Call("GET", other.Base() + "/countryPermissions/GB", other.Basic()))["enabled"] == true);
}

BOOST_AUTO_TEST_CASE(ASubProjectInheritsItsParentsCountryPermissionsUnlessItOverridesThem) {
  Stack& s = StackFixture::Get();
  Tenant parent = s.MakeTenant("countries-reseller", Json{{"is_reseller", 1}});
  const Headers admin = {{"x-api-key", kAdminKey}};
  const HttpReply created = s.Call("POST", "/v1/accounts", admin, Json{{"name", "countries-child"}, {"parent_id", parent.account_id}});
  BOOST_TEST_REQUIRE(created.status == 201, created.body);
  const std::string child = BodyOf(created)["id"];
  const Headers as_parent = parent.Basic();
  const std::string child_base = "/est/v1/projects/" + child;
  // The parent allows only US and CA.
  BOOST_TEST(s.Call("PUT", parent.Base() + "/countryPermissions", as_parent, Json::array({{{"isoCode", "US"}}, {{"isoCode", "CA"}}}))
                 .status == 200);
  BOOST_TEST(BodyOf(s.Call("GET", child_base + "/countryPermissions/GB", as_parent))["enabled"] == false);
  BOOST_TEST(BodyOf(s.Call("GET", child_base + "/countryPermissions/US", as_parent))["enabled"] == true);
  // The child overrides one country; the rest still follows the parent.
  BOOST_TEST(s.Call("PUT", child_base + "/countryPermissions/GB", as_parent, Json{{"enabled", true}}).status == 200);
  BOOST_TEST(BodyOf(s.Call("GET", child_base + "/countryPermissions/GB", as_parent))["enabled"] == true);
  BOOST_TEST(BodyOf(s.Call("GET", parent.Base() + "/countryPermissions/GB", as_parent))["enabled"] == false);
  BOOST_TEST(s.Call("PUT", parent.Base() + "/countryPermissions/SE", as_parent, Json{{"enabled", true}}).status == 200);
  BOOST_TEST(BodyOf(s.Call("GET", child_base + "/countryPermissions/SE", as_parent))["enabled"] == true);
  // A grandchild follows the nearest setting up the whole chain: the child's for GB, the
  // grandparent's for DE.
  BOOST_TEST(s.Call("PATCH", "/v1/accounts/" + child, admin, Json{{"is_reseller", 1}}).status == 200);
  const Tenant grandchild = s.MakeTenant("countries-grandchild", Json{{"parent_id", child}});
  const auto enabled = [&](const std::string& iso) {
    return BodyOf(s.Call("GET", grandchild.Base() + "/countryPermissions/" + iso, grandchild.Basic()))["enabled"];
  };
  BOOST_TEST(enabled("GB") == true);
  BOOST_TEST(enabled("DE") == false);
  BOOST_TEST(enabled("US") == true);
}

BOOST_AUTO_TEST_SUITE_END()

// ================================================== calls ==================================================

BOOST_AUTO_TEST_SUITE(Calls)

BOOST_AUTO_TEST_CASE(FindCallsWithEveryFilterOfTheSeed) {
  using dialtone::events::CALL_DIRECTION_INBOUND;
  using dialtone::events::CALL_DIRECTION_OUTBOUND;
  using dialtone::events::CALL_RESULT_BUSY;
  using dialtone::events::CALL_RESULT_COMPLETED;
  using dialtone::events::CALL_RESULT_NO_ANSWER;
  Stack& s = StackFixture::Get();
  Tenant t = s.MakeTenant("calls");
  Tenant other = s.MakeTenant("calls-other");
  const int64_t now_ms = kNowS * 1000;
  // 1 h ago, completed, outbound US -> GB on trunk A.
  s.AppendCall("c1", t.account_id, "trkA", CALL_DIRECTION_OUTBOUND, "15551230001", "442071838750", now_ms - 3600000,
               now_ms - 3590000, CALL_RESULT_COMPLETED, now_ms - 3470000);
  // 2 h ago, no answer, inbound GB -> US on trunk B.
  s.AppendCall("c2", t.account_id, "trkB", CALL_DIRECTION_INBOUND, "442071838751", "15551230002", now_ms - 7200000,
               std::nullopt, dialtone::events::CALL_RESULT_NO_ANSWER, now_ms - 7170000);
  // 2021-02-01T08:30Z, busy (outside the default window).
  s.AppendCall("c3", t.account_id, "trkA", CALL_DIRECTION_OUTBOUND, "15551230001", "15551230003", 1612168200000,
               std::nullopt, CALL_RESULT_BUSY, 1612168210000);
  // Another tenant's call.
  s.AppendCall("c4", other.account_id, "trkX", CALL_DIRECTION_OUTBOUND, "15551230001", "15551230004", now_ms - 60000,
               now_ms - 50000, CALL_RESULT_COMPLETED, now_ms - 10000);
  const auto ids = [&](const std::string& query) {
    const HttpReply r = s.Call("GET", t.Base() + "/calls" + query, t.Basic());
    BOOST_TEST_REQUIRE(r.status == 200, query << ": " << r.body);
    std::vector<std::string> out;
    const Json body = BodyOf(r);
    for (const auto& c : body["calls"]) out.push_back(c["callId"].get<std::string>());
    return out;
  };
  using V = std::vector<std::string>;
  // Default: last 24 h, newest first, only this project.
  BOOST_TEST((ids("") == V{"c1", "c2"}));
  const Json page = BodyOf(s.Call("GET", t.Base() + "/calls", t.Basic()));
  BOOST_TEST(page["pageSize"] == 100);
  BOOST_TEST(page["totalItems"] == 2);
  const Json c1 = page["calls"][0];
  BOOST_TEST(c1["from"] == "+15551230001");
  BOOST_TEST(c1["to"] == "+442071838750");
  BOOST_TEST(c1["direction"] == "OUTBOUND");
  BOOST_TEST(c1["callResult"] == "COMPLETED");
  BOOST_TEST(c1["durationSeconds"] == 120);
  BOOST_TEST(c1["createTime"] == "2024-03-10T11:00:00Z");
  BOOST_TEST(c1["answerTime"] == "2024-03-10T11:00:10Z");
  BOOST_TEST(c1["endTime"] == "2024-03-10T11:02:10Z");
  BOOST_TEST(c1["pricePerMinute"] == (Json{{"currencyCode", "USD"}, {"amount", "0.0040"}}));
  BOOST_TEST(c1["trunkId"] == "trkA");
  BOOST_TEST(c1["projectId"] == t.account_id);
  BOOST_TEST(page["calls"][1]["answerTime"].is_null());
  // Filters.
  BOOST_TEST((ids("?from=%2B1555") == V{"c1"}));
  BOOST_TEST((ids("?from=+1555") == V{"c1"}));
  BOOST_TEST((ids("?to=1555") == V{"c2"}));
  BOOST_TEST((ids("?trunkId=trkB") == V{"c2"}));
  BOOST_TEST((ids("?callResult=COMPLETED") == V{"c1"}));
  BOOST_TEST((ids("?callResult=COMPLETED,NO_ANSWER") == V{"c1", "c2"}));
  BOOST_TEST((ids("?direction=INBOUND") == V{"c2"}));
  BOOST_TEST((ids("?fromCountryCode=GB") == V{"c2"}));
  BOOST_TEST((ids("?toCountryCode=GB") == V{"c1"}));
  // createTime: a day, an hour, a month; bounds.
  BOOST_TEST((ids("?createTime=2021-02-01") == V{"c3"}));
  BOOST_TEST((ids("?createTime=2021-02-01T08") == V{"c3"}));
  BOOST_TEST((ids("?createTime=2021-02-01T09").empty()));
  BOOST_TEST((ids("?createTime=2021-02") == V{"c3"}));
  BOOST_TEST((ids("?createTime>=2021-01-01&createTime<=2021-03-01") == V{"c3"}));
  BOOST_TEST((ids("?createTime>=2021-01-01") == V{"c1", "c2", "c3"}));
  BOOST_TEST((ids("?createTime=2024-03-10T10") == V{"c2"}));
  // A full timestamp means "all calls after" it (the seed's example).
  BOOST_TEST((ids("?createTime=2024-03-10T10:30:00Z") == V{"c1"}));
  BOOST_TEST((ids("?createTime=2024-03-10T16:30:00%2B0600") == V{"c1"}));
  // createTimeStart: created at or after; createTimeEnd: ended at or before (no default window).
  BOOST_TEST((ids("?createTimeStart=2024-03-10T10:30:00Z") == V{"c1"}));
  BOOST_TEST((ids("?createTimeEnd=2024-03-10T11:00:00Z") == V{"c2", "c3"}));
  BOOST_TEST((ids("?createTimeStart=2024-03-10T00:00:00Z&createTimeEnd=2024-03-10T11:00:00Z") == V{"c2"}));
  BOOST_TEST((ids("?emergencyOnly=true").empty()));
  // Paging.
  const Json p2 = BodyOf(s.Call("GET", t.Base() + "/calls?createTime>=2021-01-01&pageSize=2&page=2", t.Basic()));
  BOOST_TEST(p2["totalItems"] == 3);
  BOOST_TEST(p2["calls"].size() == 1u);
  BOOST_TEST(p2["calls"][0]["callId"] == "c3");
  // Bad filters.
  ExpectEstError(s.Call("GET", t.Base() + "/calls?callResult=WHATEVER", t.Basic()), 400, "INVALID_ARGUMENT");
  ExpectEstError(s.Call("GET", t.Base() + "/calls?direction=UP", t.Basic()), 400, "INVALID_ARGUMENT");
  ExpectEstError(s.Call("GET", t.Base() + "/calls?createTime=2021-13", t.Basic()), 400, "INVALID_ARGUMENT");
  ExpectEstError(s.Call("GET", t.Base() + "/calls?fromCountryCode=QQ", t.Basic()), 400, "INVALID_ARGUMENT");
  ExpectEstError(s.Call("GET", t.Base() + "/calls?pageSize=501", t.Basic()), 400, "INVALID_ARGUMENT");

  // Export: the same search as CSV, every matching call (no paging), a header line always.
  const HttpReply exported = s.Call("GET", t.Base() + "/calls/export?createTime%3E=2021-01-01&size=1", t.Basic());
  BOOST_TEST_REQUIRE(exported.status == 200, exported.body);
  BOOST_TEST(exported.Header("content-type").find("text/csv") == 0u);
  BOOST_TEST(exported.Header("content-disposition") == "attachment; filename=\"calls.csv\"");
  const std::string header =
      "callId,from,to,direction,answerTime,endTime,durationSeconds,callResult,currencyCode,pricePerMinute,"
      "billingDurationSeconds,price,createTime,projectId,trunkId\r\n";
  BOOST_TEST(exported.body.rfind(header, 0) == 0u, exported.body);
  BOOST_TEST(std::count(exported.body.begin(), exported.body.end(), '\n') == 4);  // the header and c1, c2, c3
  BOOST_TEST(exported.body.find("\r\nc1,+15551230001,+442071838750,OUTBOUND,2024-03-10T11:00:10Z,") != std::string::npos,
             exported.body);
  BOOST_TEST(exported.body.find("\nc4,") == std::string::npos);  // only this project's calls
  const HttpReply none = s.Call("GET", t.Base() + "/calls/export?trunkId=nothing&fileName=empty%20report", t.Basic());
  BOOST_TEST(none.status == 200);
  BOOST_TEST(none.body == header);
  BOOST_TEST(none.Header("content-disposition") == "attachment; filename=\"emptyreport.csv\"");
  ExpectEstError(s.Call("GET", t.Base() + "/calls/export?direction=UP", t.Basic()), 400, "INVALID_ARGUMENT");
  BOOST_TEST(s.Call("GET", other.Base() + "/calls/export", t.Basic()).status == 404);
}

BOOST_AUTO_TEST_SUITE_END()

// ================================== the same call records through /v1/calls ==================================

BOOST_AUTO_TEST_SUITE(V1Calls)

BOOST_AUTO_TEST_CASE(V1CallsPagesByCursorFiltersByTimeAndSpeaksCsv) {
  using dialtone::events::CALL_DIRECTION_INBOUND;
  using dialtone::events::CALL_DIRECTION_OUTBOUND;
  Stack& s = StackFixture::Get();
  Tenant t = s.MakeTenant("v1-calls");
  Tenant other = s.MakeTenant("v1-calls-other");
  const int64_t base = 1'700'000'000'000;
  for (int i = 0; i < 5; ++i) {
    s.AppendCall("v1c" + std::to_string(i), t.account_id, "", i % 2 ? CALL_DIRECTION_INBOUND : CALL_DIRECTION_OUTBOUND,
                 "14155550100", "1415555020" + std::to_string(i), base + i * 60'000, base + i * 60'000 + 2'000,
                 dialtone::events::CALL_RESULT_COMPLETED, base + i * 60'000 + 32'000);
  }
  s.AppendCall("v1c-other", other.account_id, "", CALL_DIRECTION_OUTBOUND, "1", "2", base, std::nullopt,
               dialtone::events::CALL_RESULT_FAILED, base + 1000);
  const Headers key = {{"x-api-key", t.key}};
  const HttpReply first = s.Call("GET", "/v1/calls?limit=2", key);
  BOOST_TEST_REQUIRE(first.status == 200, first.body);
  const Json p1 = BodyOf(first);
  BOOST_TEST_REQUIRE(p1["data"].size() == 2u);
  BOOST_TEST(p1["data"][0]["call_id"] == "v1c4");  // newest first
  BOOST_TEST(p1["data"][0]["direction"] == "outbound");
  BOOST_TEST(p1["data"][0]["billsec"] == 30);
  BOOST_TEST(p1["data"][0]["result"] == "completed");
  BOOST_TEST(p1["data"][0]["started_at"] == (base + 4 * 60'000) / 1000);
  std::vector<std::string> all;
  Json page = p1;
  while (true) {
    for (const auto& c : page["data"]) all.push_back(c["call_id"]);
    if (page["next_cursor"].is_null()) break;
    const HttpReply next = s.Call("GET", "/v1/calls?limit=2&cursor=" + page["next_cursor"].get<std::string>(), key);
    BOOST_TEST_REQUIRE(next.status == 200, next.body);
    page = BodyOf(next);
  }
  BOOST_TEST((all == std::vector<std::string>{"v1c4", "v1c3", "v1c2", "v1c1", "v1c0"}));
  // since <= start < until
  const Json window = BodyOf(s.Call("GET", "/v1/calls?since=" + std::to_string((base + 60'000) / 1000) +
                                           "&until=" + std::to_string((base + 3 * 60'000) / 1000), key));
  BOOST_TEST(window["data"].size() == 2u);
  const HttpReply csv = s.Call("GET", "/v1/calls?limit=1&format=csv", key);
  BOOST_TEST(csv.status == 200);
  BOOST_TEST(csv.Header("content-type").find("text/csv") == 0u);
  BOOST_TEST(csv.body.find("call_id,direction,from,to") == 0u, csv.body);
  BOOST_TEST(csv.body.find("v1c4,outbound,14155550100,14155550204") != std::string::npos, csv.body);
  BOOST_TEST(!csv.Header("x-next-cursor").empty());
  // Bad input, scopes.
  BOOST_TEST(s.Call("GET", "/v1/calls?limit=0", key).status == 400);
  BOOST_TEST(s.Call("GET", "/v1/calls?cursor=garbage", key).status == 400);
  BOOST_TEST(s.Call("GET", "/v1/calls?sort=asc", key).status == 400);
  BOOST_TEST(BodyOf(s.Call("GET", "/v1/calls", {{"x-api-key", other.key}}))["data"].size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------
// OAuth2 client credentials: the token endpoint, and tokens as Bearer on /est and /v1.

namespace {

struct KeyHalves {
  std::string id, secret;
};
KeyHalves HalvesOf(const Tenant& t) {
  const std::string rest = t.key.substr(4);
  const size_t cut = rest.find('_');
  return {rest.substr(0, cut), rest.substr(cut + 1)};
}
Headers BasicOf(const std::string& id, const std::string& secret) {
  return {{"authorization", "Basic " + Base64(id + ":" + secret)}};
}
// A token issued to `t` by Basic client authentication.
std::string TokenOf(Stack& s, const Tenant& t, const std::string& form = "grant_type=client_credentials") {
  const KeyHalves k = HalvesOf(t);
  const HttpReply reply = s.TokenRequest(form, BasicOf(k.id, k.secret));
  BOOST_TEST_REQUIRE(reply.status == 200, reply.body);
  return BodyOf(reply)["access_token"].get<std::string>();
}
Headers BearerOf(const std::string& token) { return {{"authorization", "Bearer " + token}}; }

}  // namespace

BOOST_AUTO_TEST_SUITE(OAuth2Tokens)

BOOST_AUTO_TEST_CASE(ClientCredentialsByBasicOrFormFieldsAnswerABearerToken) {
  Stack& s = StackFixture::Get();
  const Tenant t = s.MakeTenant("oauth-basic");
  const KeyHalves k = HalvesOf(t);
  const HttpReply reply = s.TokenRequest("grant_type=client_credentials", BasicOf(k.id, k.secret));
  BOOST_TEST_REQUIRE(reply.status == 200, reply.body);
  const Json body = BodyOf(reply);
  BOOST_TEST(body["token_type"] == "bearer");
  BOOST_TEST(body["expires_in"] == 3600);
  BOOST_TEST(body["scope"] == "*");
  BOOST_TEST(reply.Header("cache-control") == "no-store");
  const HttpReply form = s.TokenRequest("grant_type=client_credentials&client_id=" + k.id + "&client_secret=" + k.secret);
  BOOST_TEST(form.status == 200, form.body);
  // The token opens /est and /v1 like the key it was issued for.
  const std::string token = body["access_token"];
  BOOST_TEST(s.Call("GET", t.Base() + "/trunks", BearerOf(token)).status == 200);
  const HttpReply whoami = s.Call("GET", "/v1/whoami", BearerOf(token));
  BOOST_TEST(BodyOf(whoami)["accountId"] == t.account_id);
  BOOST_TEST(BodyOf(whoami)["via"] == "access_token");
  // ... and only its own tenant's projects.
  const Tenant other = s.MakeTenant("oauth-other");
  BOOST_TEST(s.Call("GET", other.Base() + "/trunks", BearerOf(token)).status == 404);
}

BOOST_AUTO_TEST_CASE(BadClientsAndRequestsAnswerInTheRfcShapeAndIssueNothing) {
  Stack& s = StackFixture::Get();
  const Tenant t = s.MakeTenant("oauth-bad");
  const KeyHalves k = HalvesOf(t);
  auto expect = [&](const HttpReply& reply, int status, const std::string& error) {
    BOOST_TEST(reply.status == status, reply.body);
    BOOST_TEST(BodyOf(reply)["error"] == error, reply.body);
    BOOST_TEST(!BodyOf(reply).contains("access_token"));
  };
  const std::string grant = "grant_type=client_credentials";
  const HttpReply wrong = s.TokenRequest(grant, BasicOf(k.id, std::string(64, '0')));
  expect(wrong, 401, "invalid_client");
  BOOST_TEST(wrong.Header("www-authenticate").find("Basic") == 0u);
  expect(s.TokenRequest(grant, BasicOf("0123456789abcdef", k.secret)), 401, "invalid_client");
  expect(s.TokenRequest(grant), 401, "invalid_client");
  expect(s.TokenRequest("grant_type=password", BasicOf(k.id, k.secret)), 400, "unsupported_grant_type");
  expect(s.TokenRequest("", BasicOf(k.id, k.secret)), 400, "invalid_request");
  expect(s.TokenRequest(grant + "&client_id=" + k.id + "&client_secret=" + k.secret, BasicOf(k.id, k.secret)), 400,
         "invalid_request");
  expect(s.TokenRequest(grant + "&grant_type=client_credentials", BasicOf(k.id, k.secret)), 400, "invalid_request");
  expect(s.TokenRequest(grant + "&scope=nonsense", BasicOf(k.id, k.secret)), 400, "invalid_scope");
  const HttpReply json = s.Raw("POST", "/oauth2/token",
                               {{"content-type", "application/json"}, BasicOf(k.id, k.secret).front()}, "{}");
  expect(json, 400, "invalid_request");
  // The admin key is no client.
  expect(s.TokenRequest(grant + "&client_id=admin&client_secret=" + std::string(kAdminKey)), 401, "invalid_client");
}

BOOST_AUTO_TEST_CASE(ATokenCarriesTheScopesAskedForWithinItsKeys) {
  Stack& s = StackFixture::Get();
  const Tenant t = s.MakeTenant("oauth-scope");
  const std::string narrow = TokenOf(s, t, "grant_type=client_credentials&scope=cdr");
  // A cdr-only token cannot configure.
  BOOST_TEST(s.Call("GET", t.Base() + "/trunks", BearerOf(narrow)).status == 403);
  BOOST_TEST(s.Call("GET", "/v1/calls", BearerOf(narrow)).status == 200);
}

BOOST_AUTO_TEST_CASE(ATamperedForeignOrExpiredTokenIs401InvalidToken) {
  Stack& s = StackFixture::Get();
  const Tenant t = s.MakeTenant("oauth-expiry");
  const std::string token = TokenOf(s, t);
  auto expect_invalid = [&](const HttpReply& reply, const std::string& said) {
    BOOST_TEST(reply.status == 401, reply.body);
    const std::string challenge = reply.Header("www-authenticate");
    BOOST_TEST(challenge.find("Bearer error=\"invalid_token\"") == 0u, challenge);
    BOOST_TEST(challenge.find(said) != std::string::npos, challenge);
  };
  // Altered: one character of the payload changed.
  std::string altered = token;
  const size_t dot = altered.find('.') + 5;
  altered[dot] = altered[dot] == 'A' ? 'B' : 'A';
  expect_invalid(s.Call("GET", t.Base() + "/trunks", BearerOf(altered)), "altered");
  // Signed by another key.
  const auto foreign = dialtone::gateway::AccessTokens::WithKey(std::string(32, 'z'));
  dialtone::gateway::TokenClaims claims;
  claims.key_id = HalvesOf(t).id;
  claims.account_id = t.account_id;
  claims.scopes = {"*"};
  claims.issued_s = kNowS;
  claims.expires_s = kNowS + 3600;
  expect_invalid(s.Call("GET", "/v1/whoami", BearerOf(*foreign.Mint(claims))), "not issued here");
  // Expired: the SDK fetches a new one on this answer, in both dialects.
  BOOST_TEST(s.Call("GET", t.Base() + "/trunks", BearerOf(token)).status == 200);
  s.AdvanceClock(3600);
  expect_invalid(s.Call("GET", t.Base() + "/trunks", BearerOf(token)), "expired");
  const HttpReply v1 = s.Call("GET", "/v1/whoami", BearerOf(token));
  expect_invalid(v1, "expired");
  BOOST_TEST(BodyOf(v1)["error"]["code"] == "UNAUTHENTICATED");
  BOOST_TEST(s.Call("GET", t.Base() + "/trunks", BearerOf(TokenOf(s, t))).status == 200);
}

BOOST_AUTO_TEST_CASE(ATokenDiesWithItsKeyAndWithItsAccountsSuspension) {
  Stack& s = StackFixture::Get();
  const Headers admin = {{"x-api-key", kAdminKey}};
  const Tenant revoked = s.MakeTenant("oauth-revoked");
  const std::string token = TokenOf(s, revoked);
  BOOST_TEST(s.Call("GET", revoked.Base() + "/trunks", BearerOf(token)).status == 200);
  const HttpReply revoke =
      s.Call("DELETE", "/v1/accounts/" + revoked.account_id + "/api-keys/" + HalvesOf(revoked).id, admin);
  BOOST_TEST_REQUIRE(revoke.status == 204, revoke.body);
  const HttpReply refused = s.Call("GET", revoked.Base() + "/trunks", BearerOf(token));
  BOOST_TEST(refused.status == 401);
  BOOST_TEST(refused.Header("www-authenticate").find("invalid_token") != std::string::npos);

  const Tenant suspended = s.MakeTenant("oauth-suspended");
  const std::string other = TokenOf(s, suspended);
  const HttpReply suspend =
      s.Call("PATCH", "/v1/accounts/" + suspended.account_id, admin, Json{{"status", "suspended"}});
  BOOST_TEST_REQUIRE(suspend.status == 200, suspend.body);
  BOOST_TEST(s.Call("GET", suspended.Base() + "/trunks", BearerOf(other)).status == 401);
  // API keys as Bearer keep working beside tokens.
  const Tenant plain = s.MakeTenant("oauth-plain");
  BOOST_TEST(s.Call("GET", plain.Base() + "/trunks", plain.Bearer()).status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
