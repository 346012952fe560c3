// Every resource kind of the model through a real `dialtone serve`, driven by the samples
// in samples.json: full CRUD, validation errors that change nothing, and the cross-tenant
// matrix (two tenants, every kind, every verb, /v1 and the EST dialect) proving that
// another tenant's ids answer 404 and never data.
#define BOOST_TEST_MODULE every_kind
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <fstream>
#include <set>
#include <map>
#include <sstream>

#include "model/schema.h"
#include "v1_test_support.h"

using namespace dialtone::v1test;
using dialtone::testing::HttpReply;

namespace {

struct Sample {
  std::string kind;
  std::string parent;  // "" for a top-level kind
  Json create;
  Json change;
};

const std::vector<Sample>& Samples() {
  static const std::vector<Sample> samples = [] {
    std::ifstream in(DIALTONE_SAMPLES_JSON);
    BOOST_TEST_REQUIRE(in.good(), "cannot read " << DIALTONE_SAMPLES_JSON);
    const Json all = Json::parse(in);
    std::vector<Sample> out;
    for (const auto& s : all["samples"]) {
      out.push_back(Sample{s["kind"], s.value("parent", ""), s["create"], s["change"]});
    }
    return out;
  }();
  return samples;
}

// The kinds of the model that samples.json has no sample for, and the samples of kinds the
// model does not have: both empty, or the tests below would skip a kind.
std::pair<std::set<std::string>, std::set<std::string>> SampleCoverage() {
  std::set<std::string> sampled;
  for (const Sample& sample : Samples()) sampled.insert(sample.kind);
  std::set<std::string> unsampled, unknown;
  std::set<std::string> kinds;
  for (const auto& spec : dialtone::model::AllResources()) {
    if (spec.kind == "account") continue;  // the account routes have their own tests
    if (!spec.generic_api) continue;       // written by its dialect only, tested there
    kinds.insert(spec.kind);
    if (!sampled.contains(spec.kind)) unsampled.insert(spec.kind);
  }
  for (const std::string& kind : sampled) {
    if (!kinds.contains(kind)) unknown.insert(kind);
  }
  return {unsampled, unknown};
}

const dialtone::model::ResourceSpec& Spec(const std::string& kind) {
  const auto* spec = dialtone::model::FindResource(kind);
  BOOST_TEST_REQUIRE(spec != nullptr, "no kind " << kind);
  return *spec;
}

// A created resource: where it lives and what it holds.
struct Resource {
  std::string kind;
  std::string id;
  std::string collection;  // e.g. /v1/queues/q_1/agents
  std::string item;        // collection + "/" + id
  Json document;
};

// One tenant's copy of every sample, created in the samples' order.
class Tenancy {
 public:
  Tenancy(uint16_t port, const std::string& name) : port_(port), tenant_(MakeTenant(port, name)) {}

  const Tenant& tenant() const { return tenant_; }
  Headers key() const { return Key(tenant_.key); }
  const std::vector<Resource>& resources() const { return resources_; }
  const Resource& Of(const std::string& kind) const {
    for (const auto& r : resources_) {
      if (r.kind == kind) return r;
    }
    BOOST_FAIL("no resource of kind " << kind);
    return resources_.front();
  }

  // The collection path of `sample`'s kind in this tenant (nested: under its parent).
  std::string CollectionOf(const Sample& sample) const {
    const auto& spec = Spec(sample.kind);
    if (sample.parent.empty()) return "/v1/" + spec.collection;
    const Resource& parent = Of(sample.parent);
    return parent.item + "/" + spec.collection;
  }

  // `body` with the placeholders of samples.json replaced.
  Json Resolve(const Json& body) {
    if (body.is_object()) {
      Json out = Json::object();
      for (const auto& [k, v] : body.items()) out[k] = Resolve(v);
      return out;
    }
    if (!body.is_string()) return body;
    const std::string s = body.get<std::string>();
    if (s.find("{unique}") != std::string::npos) {
      std::string out = s;
      out.replace(out.find("{unique}"), 8, Token());
      return out;
    }
    if (s.rfind("{e164:", 0) == 0) {
      char number[32];
      std::snprintf(number, sizeof number, "1415555%04d", ++numbers_);
      return std::string(number);
    }
    if (s.size() > 2 && s.front() == '{' && s.back() == '}') return Of(s.substr(1, s.size() - 2)).id;
    return body;
  }

  // Creates every sample; each must answer 201 with Location and ETag "1".
  void CreateAll() {
    for (const Sample& sample : Samples()) {
      const std::string collection = CollectionOf(sample);
      const Json body = Resolve(sample.create);
      const HttpReply reply = Call(port_, "POST", collection, key(), body);
      BOOST_TEST_REQUIRE(reply.status == 201, sample.kind << ": " << reply.status << " " << reply.body);
      const Json document = BodyOf(reply);
      const std::string id = document["id"];
      BOOST_TEST(reply.Header("location") == collection + "/" + id, sample.kind);
      BOOST_TEST(reply.Header("etag") == "\"1\"", sample.kind);
      resources_.push_back(Resource{sample.kind, id, collection, collection + "/" + id, document});
      creates_[sample.kind] = body;
    }
  }
  const Json& CreateBodyOf(const std::string& kind) const { return creates_.at(kind); }

 private:
  static std::string Token() {
    static int counter = 0;
    return "t" + std::to_string(::getpid()) + "x" + std::to_string(++counter);
  }

  uint16_t port_;
  Tenant tenant_;
  std::vector<Resource> resources_;
  std::map<std::string, Json> creates_;
  static inline int numbers_ = 0;
};

struct Server {
  TempDir dir;
  Node node{dir.path()};
  uint16_t port() const { return node.port(); }
  Server() { BOOST_TEST_REQUIRE(node.started(), "dialtone serve did not start"); }
};

void Expect404(const HttpReply& reply, const std::string& what) {
  BOOST_TEST(reply.status == 404, what << ": " << reply.status << " " << reply.body);
  const Json body = BodyOf(reply);
  const bool v1_shape = body.contains("error") && body["error"].value("code", "") == "NOT_FOUND";
  const bool est_shape = body.value("status", "") == "NOT_FOUND" && body.value("code", 0) == 404;
  BOOST_TEST((v1_shape || est_shape), what << ": " << reply.body);
}

bool HasDetail(const HttpReply& reply, const std::string& path) {
  const Json body = BodyOf(reply);
  if (!body.contains("error")) return false;
  for (const auto& d : body["error"]["details"]) {
    if (d.value("path", "") == path) return true;
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(EveryKind)

BOOST_AUTO_TEST_CASE(EveryKindOfTheModelHasASampleAndEverySampleAKind) {
  const auto [unsampled, unknown] = SampleCoverage();
  for (const std::string& kind : unsampled) BOOST_ERROR("samples.json has no sample of kind " << kind);
  for (const std::string& kind : unknown) BOOST_ERROR("samples.json has a sample of kind " << kind << ", not in the model");
}

BOOST_FIXTURE_TEST_CASE(EveryKindIsCreatedReadListedChangedReplacedAndDeleted, Server) {
  Tenancy a(port(), "acme");
  a.CreateAll();
  BOOST_TEST(a.resources().size() == Samples().size());
  for (const Resource& r : a.resources()) {
    const auto& spec = Spec(r.kind);
    BOOST_TEST(r.document["account_id"] == a.tenant().account_id, r.kind);
    for (const auto& field : spec.fields) {
      if (field.type == dialtone::model::FieldType::kPassword) {
        BOOST_TEST(!r.document.contains(field.name), r.kind << "." << field.name << " is never stored");
      } else if (field.write_only) {
        BOOST_TEST(!r.document.contains(field.name), r.kind << "." << field.name << " is write-only");
      } else {
        BOOST_TEST(r.document.contains(field.name), r.kind << " lacks " << field.name);
      }
      if (field.type == dialtone::model::FieldType::kBool01 && r.document.contains(field.name)) {
        const Json& v = r.document[field.name];
        BOOST_TEST((v == 0 || v == 1), r.kind << "." << field.name << " is " << v.dump());
      }
    }
    const HttpReply got = Call(port(), "GET", r.item, a.key());
    BOOST_TEST(got.status == 200, r.kind);
    BOOST_TEST(BodyOf(got) == r.document, r.kind);
    BOOST_TEST(got.Header("etag") == "\"1\"", r.kind);
    const Json listed = BodyOf(Call(port(), "GET", r.collection, a.key()));
    bool found = false;
    for (const auto& row : listed["data"]) found = found || row["id"] == r.id;
    BOOST_TEST(found, r.kind << " is not listed in " << r.collection);
  }
  for (const Sample& sample : Samples()) {
    const Resource& r = a.Of(sample.kind);
    const auto& spec = Spec(sample.kind);
    if (!sample.change.empty()) {
      const Json change = a.Resolve(sample.change);
      const HttpReply patched = Call(port(), "PATCH", r.item, With(a.key(), "if-match", "\"1\""), change);
      BOOST_TEST_REQUIRE(patched.status == 200, sample.kind << ": " << patched.body);
      BOOST_TEST(patched.Header("etag") == "\"2\"", sample.kind);
      const Json doc = BodyOf(patched);
      for (const auto& [name, value] : change.items()) {
        const auto* field = spec.FieldForInput(name);
        if (field != nullptr && !field->write_only && field->type != dialtone::model::FieldType::kSecret &&
            field->type != dialtone::model::FieldType::kPassword) {
          BOOST_TEST(doc[name] == value, sample.kind << "." << name);
        }
      }
      BOOST_TEST(doc["updated_at"] >= r.document["updated_at"], sample.kind);
    }
    // PUT with the create body: the whole object again, what the change set is undone.
    const HttpReply put = Call(port(), "PUT", r.item, a.key(), a.CreateBodyOf(sample.kind));
    BOOST_TEST_REQUIRE(put.status == 200, sample.kind << ": " << put.body);
    const Json replaced = BodyOf(put);
    for (const auto& [name, value] : sample.change.items()) {
      const auto* field = spec.FieldForInput(name);
      if (field == nullptr || field->type == dialtone::model::FieldType::kSecret ||
          field->type == dialtone::model::FieldType::kPassword) {
        continue;
      }
      BOOST_TEST(replaced[name] == r.document[name], sample.kind << "." << name << " after PUT");
    }
  }
  // Deleted children first; a deleted resource is gone.
  for (auto it = a.resources().rbegin(); it != a.resources().rend(); ++it) {
    const HttpReply deleted = Call(port(), "DELETE", it->item, a.key());
    BOOST_TEST(deleted.status == 204, it->kind << ": " << deleted.body);
    Expect404(Call(port(), "GET", it->item, a.key()), it->kind + " after delete");
  }
}

BOOST_FIXTURE_TEST_CASE(EveryKindRejectsUnknownFieldsAndWrongTypesAndChangesNothing, Server) {
  Tenancy a(port(), "acme");
  a.CreateAll();
  const std::string head_before = Call(port(), "GET", "/v1/events?limit=1&after=0", Admin()).body;
  const uint64_t events_before = BodyOf(Call(port(), "GET", "/v1/events?limit=1", Admin()))["head"].get<uint64_t>();
  for (const Sample& sample : Samples()) {
    const auto& spec = Spec(sample.kind);
    const Resource& existing = a.Of(sample.kind);
    const std::string collection = a.CollectionOf(sample);
    Json unknown = a.Resolve(sample.create);
    unknown["nonsense"] = 1;
    const HttpReply refused = Call(port(), "POST", collection, a.key(), unknown);
    BOOST_TEST(refused.status == 400, sample.kind << ": " << refused.body);
    BOOST_TEST(HasDetail(refused, "nonsense"), sample.kind << ": " << refused.body);
    for (const auto& field : spec.fields) {
      if (!field.required || field.read_only || field.name == spec.parent_field) continue;
      const std::string key = field.write_name.empty() ? field.name : field.write_name;
      Json wrong = a.Resolve(sample.create);
      wrong[key] = Json{{"not", "a value"}};
      if (field.type == dialtone::model::FieldType::kJson) wrong[key] = "not an object";
      const HttpReply bad = Call(port(), "POST", collection, a.key(), wrong);
      BOOST_TEST(bad.status == 400, sample.kind << "." << key << ": " << bad.body);
      BOOST_TEST(HasDetail(bad, key), sample.kind << "." << key << ": " << bad.body);
      Json missing = a.Resolve(sample.create);
      missing.erase(key);
      BOOST_TEST(Call(port(), "POST", collection, a.key(), missing).status == 400, sample.kind << " without " << key);
    }
    const HttpReply bad_patch = Call(port(), "PATCH", existing.item, a.key(), Json{{"nonsense", true}});
    BOOST_TEST(bad_patch.status == 400, sample.kind);
    BOOST_TEST(CallRaw(port(), "POST", collection, With(a.key(), "content-type", "application/json"), "{\"name\":").status ==
                   400,
               sample.kind);
    BOOST_TEST(CallRaw(port(), "POST", collection, With(a.key(), "content-type", "text/plain"), "{}").status == 415,
               sample.kind);
    BOOST_TEST(Call(port(), "GET", existing.item, a.key()).body == Call(port(), "GET", existing.item, a.key()).body);
    BOOST_TEST(BodyOf(Call(port(), "GET", existing.item, a.key())) == existing.document, sample.kind);
  }
  // Not one event was appended by any of the refused requests.
  BOOST_TEST(BodyOf(Call(port(), "GET", "/v1/events?limit=1", Admin()))["head"].get<uint64_t>() == events_before);
  (void)head_before;
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(CrossTenant)

BOOST_FIXTURE_TEST_CASE(AnotherTenantsIdsAre404OnEveryKindAndVerbThroughV1, Server) {
  Tenancy a(port(), "acme");
  a.CreateAll();
  Tenancy b(port(), "bravo");
  b.CreateAll();  // b has its own resources of every kind: nothing below is "absent everywhere"
  const uint64_t head = BodyOf(Call(port(), "GET", "/v1/events?limit=1", Admin()))["head"].get<uint64_t>();
  for (const Sample& sample : Samples()) {
    const Resource& theirs = a.Of(sample.kind);
    const std::string what = sample.kind + " " + theirs.id;
    Expect404(Call(port(), "GET", theirs.item, b.key()), "GET " + what);
    Expect404(Call(port(), "PATCH", theirs.item, b.key(), a.Resolve(sample.change.empty() ? Json::object() : sample.change)),
              "PATCH " + what);
    Expect404(Call(port(), "PUT", theirs.item, b.key(), a.CreateBodyOf(sample.kind)), "PUT " + what);
    Expect404(Call(port(), "DELETE", theirs.item, b.key()), "DELETE " + what);
    // b's key naming a's account.
    Expect404(Call(port(), "GET", theirs.item, With(b.key(), "x-account-id", a.tenant().account_id)), "named " + what);
    if (!sample.parent.empty()) {
      // Through a's parent: neither list nor create.
      Expect404(Call(port(), "GET", theirs.collection, b.key()), "LIST under a's " + sample.parent);
      Expect404(Call(port(), "POST", theirs.collection, b.key(), b.Resolve(sample.create)), "POST under a's " + sample.parent);
    }
    // a's id under b's own parent is not b's either.
    if (!sample.parent.empty()) {
      const Resource& mine = b.Of(sample.kind);
      Expect404(Call(port(), "GET", mine.collection + "/" + theirs.id, b.key()), "GET a's id under b's parent " + what);
    }
  }
  // References to a's resources from b's bodies are refused as unknown, never followed.
  const HttpReply ref = Call(port(), "POST", "/v1/numbers", b.key(),
                             Json{{"e164", "14155559998"}, {"dest_kind", "user"}, {"dest_id", a.Of("user").id}});
  BOOST_TEST(ref.status == 400, ref.body);
  BOOST_TEST(ref.body.find(a.Of("user").document["username"].get<std::string>()) == std::string::npos);
  // Nothing changed: no event, and a's documents read the same.
  BOOST_TEST(BodyOf(Call(port(), "GET", "/v1/events?limit=1", Admin()))["head"].get<uint64_t>() == head);
  for (const Resource& r : a.resources()) BOOST_TEST(BodyOf(Call(port(), "GET", r.item, a.key())) == r.document, r.kind);
}

BOOST_FIXTURE_TEST_CASE(AnotherTenantsIdsAre404OnEveryPathAndVerbThroughEst, Server) {
  Tenancy a(port(), "acme");
  a.CreateAll();
  Tenancy b(port(), "bravo");
  b.CreateAll();
  const Headers bk = {{"authorization", "Bearer " + b.tenant().key}};
  const std::string mine = "/est/v1/projects/" + b.tenant().account_id;
  const std::string theirs_project = "/est/v1/projects/" + a.tenant().account_id;
  const std::string trunk = a.Of("sip_trunk").id;
  const std::string endpoint = a.Of("sip_endpoint").id;
  const std::string acl = a.Of("ip_acl").id;
  const std::string range = a.Of("ip_acl_range").id;
  const std::string list = a.Of("credential_list").id;
  const std::string rule = a.Of("call_blocking_rule").id;
  const std::string number = "+" + a.Of("did").document["e164"].get<std::string>();
  const uint64_t head = BodyOf(Call(port(), "GET", "/v1/events?limit=1", Admin()))["head"].get<uint64_t>();
  const Json trunk_body = {{"name", "x"}, {"hostName", "stolen"}};
  const Json endpoint_body = {{"name", "x"}, {"address", "192.0.2.99"}, {"priority", 1}};
  const Json acl_body = {{"name", "x"}, {"ipRanges", {{{"ipAddress", "192.0.2.1"}}}}};
  const Json range_body = {{"ipAddress", "192.0.2.2"}};
  const Json list_body = {{"name", "x"}};
  const Json rule_body = {{"calleeMatch", "+1900"}, {"direction", "OUTBOUND"}};
  struct Probe {
    std::string method;
    std::string path;
    Json body;
  };
  const std::vector<Probe> probes = {
      {"GET", "/trunks/" + trunk, {}},
      {"PUT", "/trunks/" + trunk, trunk_body},
      {"DELETE", "/trunks/" + trunk, {}},
      {"GET", "/trunks/" + trunk + "/endpoints", {}},
      {"POST", "/trunks/" + trunk + "/endpoints", endpoint_body},
      {"GET", "/trunks/" + trunk + "/endpoints/" + endpoint, {}},
      {"PUT", "/trunks/" + trunk + "/endpoints/" + endpoint, endpoint_body},
      {"DELETE", "/trunks/" + trunk + "/endpoints/" + endpoint, {}},
      {"GET", "/trunks/" + trunk + "/accessControlLists", {}},
      {"POST", "/trunks/" + trunk + "/accessControlLists", Json{{"accessControlListIds", {acl}}}},
      {"PUT", "/trunks/" + trunk + "/accessControlLists", Json::array({acl})},
      {"DELETE", "/trunks/" + trunk + "/accessControlLists/" + acl, {}},
      {"GET", "/trunks/" + trunk + "/credentialLists", {}},
      {"POST", "/trunks/" + trunk + "/credentialLists", Json{{"credentialListIds", {list}}}},
      {"PUT", "/trunks/" + trunk + "/credentialLists", Json::array({list})},
      {"DELETE", "/trunks/" + trunk + "/credentialLists/" + list, {}},
      {"GET", "/accessControlLists/" + acl, {}},
      {"PUT", "/accessControlLists/" + acl, acl_body},
      {"DELETE", "/accessControlLists/" + acl, {}},
      {"GET", "/accessControlLists/" + acl + "/trunks", {}},
      {"GET", "/accessControlLists/" + acl + "/ipRanges", {}},
      {"POST", "/accessControlLists/" + acl + "/ipRanges", range_body},
      {"PUT", "/accessControlLists/" + acl + "/ipRanges/" + range, range_body},
      {"DELETE", "/accessControlLists/" + acl + "/ipRanges/" + range, {}},
      {"GET", "/credentialLists/" + list, {}},
      {"PUT", "/credentialLists/" + list, list_body},
      {"DELETE", "/credentialLists/" + list, {}},
      {"GET", "/credentialLists/" + list + "/trunks", {}},
      {"PUT", "/credentialLists/" + list + "/credentials/pbx1", Json{{"password", "stolen horse battery"}}},
      {"DELETE", "/credentialLists/" + list + "/credentials/pbx1", {}},
      {"GET", "/callBlockingRules/" + rule, {}},
      {"PUT", "/callBlockingRules/" + rule, rule_body},
      {"DELETE", "/callBlockingRules/" + rule, {}},
      {"GET", "/phoneNumbers/" + number, {}},
  };
  for (const Probe& p : probes) {
    Expect404(Call(port(), p.method, mine + p.path, bk, p.body), p.method + " " + p.path + " in b's project");
    Expect404(Call(port(), p.method, theirs_project + p.path, bk, p.body), p.method + " " + p.path + " in a's project");
  }
  // Binding b's own trunk to a's lists: the lists are not found.
  const std::string my_trunk = b.Of("sip_trunk").id;
  Expect404(Call(port(), "POST", mine + "/trunks/" + my_trunk + "/accessControlLists", bk,
                 Json{{"accessControlListIds", {acl}}}),
            "binding a's ACL");
  Expect404(Call(port(), "PUT", mine + "/trunks/" + my_trunk + "/credentialLists", bk, Json::array({list})),
            "binding a's credential list");
  // Every collection of a's project, read or written with b's key.
  for (const std::string_view collection : {"/trunks", "/accessControlLists", "/credentialLists", "/callBlockingRules",
                                        "/countryPermissions", "/phoneNumbers", "/calls"}) {
    Expect404(Call(port(), "GET", theirs_project + std::string(collection), bk), "GET a's " + std::string(collection));
  }
  Expect404(Call(port(), "POST", theirs_project + "/trunks", bk, trunk_body), "POST a's trunks");
  Expect404(Call(port(), "PUT", theirs_project + "/countryPermissions", bk, Json::array()), "PUT a's countries");
  BOOST_TEST(BodyOf(Call(port(), "GET", "/v1/events?limit=1", Admin()))["head"].get<uint64_t>() == head);
  for (const Resource& r : a.resources()) BOOST_TEST(BodyOf(Call(port(), "GET", r.item, a.key())) == r.document, r.kind);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(BadInputInEachDialectsShape)

// {code, status, message, details} of the EST dialect.
void ExpectEst(const HttpReply& reply, int status, const std::string& code, const std::string& what) {
  BOOST_TEST(reply.status == status, what << ": " << reply.status << " " << reply.body);
  const Json body = BodyOf(reply);
  BOOST_TEST(body.value("code", 0) == status, what << ": " << reply.body);
  BOOST_TEST(body.value("status", "") == code, what << ": " << reply.body);
  BOOST_TEST(body.contains("message"), what);
  BOOST_TEST(body["details"].is_array(), what);
}

void ExpectV1(const HttpReply& reply, int status, const std::string& code, const std::string& what) {
  BOOST_TEST(reply.status == status, what << ": " << reply.status << " " << reply.body);
  const Json body = BodyOf(reply);
  BOOST_TEST(body.contains("error"), what << ": " << reply.body);
  BOOST_TEST(body["error"].value("code", "") == code, what << ": " << reply.body);
}

BOOST_FIXTURE_TEST_CASE(EveryKindOfBadRequestAnswersInItsDialectAndChangesNothing, Server) {
  const Tenant t = MakeTenant(port(), "acme");
  const Headers est = {{"authorization", "Bearer " + t.key}, {"content-type", "application/json"}};
  const std::string base = "/est/v1/projects/" + t.account_id;
  const uint64_t head = BodyOf(Call(port(), "GET", "/v1/events?limit=1", Admin()))["head"].get<uint64_t>();
  const std::string huge(2 << 20, ' ');
  ExpectEst(CallRaw(port(), "POST", base + "/trunks", est, "{" + huge + "}"), 413, "PAYLOAD_TOO_LARGE", "EST oversize");
  ExpectV1(CallRaw(port(), "POST", "/v1/users", With(Key(t.key), "content-type", "application/json"), "{" + huge + "}"),
           413, "PAYLOAD_TOO_LARGE", "v1 oversize");
  ExpectEst(CallRaw(port(), "POST", base + "/trunks", est, "{\"name\":"), 400, "INVALID_ARGUMENT", "EST malformed");
  ExpectEst(CallRaw(port(), "POST", base + "/trunks", {{"authorization", "Bearer " + t.key}, {"content-type", "text/plain"}},
                    "{}"),
            415, "UNSUPPORTED_MEDIA_TYPE", "EST content type");
  ExpectEst(Call(port(), "POST", base + "/trunks", est, Json{{"name", "x"}, {"hostName", "ok"}, {"colour", "red"}}), 400,
            "INVALID_ARGUMENT", "EST unknown field");
  ExpectEst(Call(port(), "POST", base + "/trunks", est, Json{{"name", 7}, {"hostName", "ok"}}), 400, "INVALID_ARGUMENT",
            "EST wrong type");
  ExpectEst(Call(port(), "POST", base + "/callBlockingRules", est, Json{{"calleeMatch", "+1900"}, {"direction", "SIDEWAYS"}}),
            400, "INVALID_ARGUMENT", "EST bad enum");
  ExpectEst(Call(port(), "GET", base + "/nothing-here", est), 404, "NOT_FOUND", "EST unknown route");
  const HttpReply wrong_method = Call(port(), "PATCH", base + "/trunks", est, Json::object());
  ExpectEst(wrong_method, 405, "METHOD_NOT_ALLOWED", "EST wrong method");
  BOOST_TEST(wrong_method.Header("allow") == "GET, POST");
  ExpectEst(Call(port(), "GET", base + "/trunks", {{"authorization", "Bearer dtk_0000000000000000_" + std::string(64, '0')}}),
            401, "UNAUTHENTICATED", "EST wrong key");
  ExpectV1(Call(port(), "DELETE", "/v1/whoami", Key(t.key)), 405, "METHOD_NOT_ALLOWED", "v1 wrong method");
  ExpectV1(Call(port(), "POST", "/v1/users", Key(t.key), Json{{"username", "x"}, {"status", "sleeping"}}), 400,
           "INVALID_ARGUMENT", "v1 bad enum");
  BOOST_TEST(BodyOf(Call(port(), "GET", "/v1/events?limit=1", Admin()))["head"].get<uint64_t>() == head);
}

BOOST_AUTO_TEST_SUITE_END()
