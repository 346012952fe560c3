// Create / PATCH / PUT normalisation, cross-field rules, secrets, references, uniqueness.
#include <boost/test/unit_test.hpp>

#include "model/digest.h"
#include "model/validate.h"

using namespace dialtone::model;

namespace {

const ResourceSpec& Spec(std::string_view kind) {
  const ResourceSpec* spec = FindResource(kind);
  BOOST_REQUIRE_MESSAGE(spec != nullptr, "no spec for " << kind);
  return *spec;
}

NormalizeOptions CountingRefs() {
  auto counter = std::make_shared<int>(0);
  NormalizeOptions options;
  options.new_secret_ref = [counter] { return "sec_test_" + std::to_string(++*counter); };
  return options;
}

Normalized MustCreate(std::string_view kind, const Json& body, const NormalizeOptions& options = CountingRefs()) {
  auto r = NormalizeCreate(Spec(kind), body, options);
  BOOST_REQUIRE_MESSAGE(r.ok(), kind << " create failed: " << r.status().message());
  return r.value();
}

// The message of the error at `path`, or "" when there is none.
std::string ErrorAt(const NormalizeResult& r, std::string_view path) {
  if (r.ok()) return "";
  const FieldError* e = r.error().Find(path);
  return e ? e->message : "";
}

bool Mentions(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(Create)

BOOST_AUTO_TEST_CASE(FillsTheReferenceDefaults) {
  Json user = MustCreate("user", {{"username", "alice"}}).document;
  BOOST_TEST(user["ring_timeout_sec"] == 25);
  BOOST_TEST(user["status"] == "active");
  BOOST_TEST(user["is_agent"] == 0);
  BOOST_TEST(user["voicemail_id"].is_null());
  BOOST_TEST(!user.contains("id"));  // server fields come from StampCreate

  Json queue = MustCreate("queue", {{"name", "support"}}).document;
  BOOST_TEST(queue["agent_ring_timeout_sec"] == 20);
  BOOST_TEST(queue["wrap_up_sec"] == 0);
  BOOST_TEST(queue["max_no_answer"] == 0);
  BOOST_TEST(queue["strategy"] == "ring_all");

  Json account = MustCreate("account", {{"name", "Acme"}}).document;
  BOOST_TEST(account["timezone"] == "UTC");
  BOOST_TEST(account["language"] == "en-US");
  BOOST_TEST(account["status"] == "active");
  BOOST_TEST(account["parent_id"].is_null());

  Json trunk = MustCreate("sip_trunk", {{"name", "t"}}).document;
  BOOST_TEST(trunk["calls_per_second"] == 1);
  BOOST_TEST(trunk["enable_caller_name"] == 0);
  Json endpoint = MustCreate("sip_endpoint", {{"trunk_id", "trk_1"}, {"name", "sbc"}, {"address", "127.0.0.1"}, {"priority", 1}}).document;
  BOOST_TEST(endpoint["port"] == 5060);
  BOOST_TEST(endpoint["transport"] == "udp");
  BOOST_TEST(endpoint["enabled"] == 1);
  Json range = MustCreate("ip_acl_range", {{"acl_id", "ipacl_1"}, {"ip_address", "11.12.13.14"}}).document;
  BOOST_TEST(range["range"] == 32);
}

BOOST_AUTO_TEST_CASE(RejectsABodyThatIsNotAnObject) {
  for (const Json& body : {Json::array(), Json("x"), Json(3), Json(nullptr)}) {
    auto r = NormalizeCreate(Spec("user"), body);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().errors[0].path == "");
    BOOST_TEST((r.status().code() == dialtone::ErrorCode::kInvalidArgument));
  }
}

BOOST_AUTO_TEST_CASE(NamesUnknownFieldsByPath) {
  auto r = NormalizeCreate(Spec("user"), {{"username", "alice"}, {"favourite_colour", "red"}});
  BOOST_TEST(Mentions(ErrorAt(r, "favourite_colour"), "not a field of user"));
  BOOST_TEST(Mentions(r.status().message(), "favourite_colour"));
}

BOOST_AUTO_TEST_CASE(RejectsServerSetFields) {
  auto r = NormalizeCreate(Spec("user"), {{"username", "alice"}, {"id", "usr_1"}, {"created_at", 5}});
  BOOST_TEST(ErrorAt(r, "id") == "is read-only");
  BOOST_TEST(ErrorAt(r, "created_at") == "is read-only");
  auto flow = NormalizeCreate(Spec("flow"), {{"name", "f"}, {"version", 3}});
  BOOST_TEST(ErrorAt(flow, "version") == "is read-only");
}

BOOST_AUTO_TEST_CASE(NamesEveryMissingRequiredField) {
  auto r = NormalizeCreate(Spec("sip_endpoint"), Json::object());
  BOOST_TEST(ErrorAt(r, "trunk_id") == "is required");
  BOOST_TEST(ErrorAt(r, "name") == "is required");
  BOOST_TEST(ErrorAt(r, "priority") == "is required");
}

BOOST_AUTO_TEST_CASE(BooleansAcceptTrueFalseZeroOneAndAreStoredAsZeroOne) {
  BOOST_TEST(MustCreate("user", {{"username", "a"}, {"is_agent", true}}).document["is_agent"] == 1);
  BOOST_TEST(MustCreate("user", {{"username", "a"}, {"is_agent", false}}).document["is_agent"] == 0);
  BOOST_TEST(MustCreate("user", {{"username", "a"}, {"is_agent", 1}}).document["is_agent"] == 1);
  for (const Json& bad : {Json(2), Json("1"), Json("true"), Json(1.0)}) {
    auto r = NormalizeCreate(Spec("user"), {{"username", "a"}, {"is_agent", bad}});
    BOOST_TEST(Mentions(ErrorAt(r, "is_agent"), "0, 1, true or false"));
  }
}

BOOST_AUTO_TEST_CASE(WrongTypesAreRejected) {
  auto r = NormalizeCreate(Spec("user"), {{"username", 42}, {"ring_timeout_sec", "25"}});
  BOOST_TEST(ErrorAt(r, "username") == "must be a string");
  BOOST_TEST(ErrorAt(r, "ring_timeout_sec") == "must be an integer");
  auto flow = NormalizeCreate(Spec("flow"), {{"name", "f"}, {"graph", Json::array()}});
  BOOST_TEST(ErrorAt(flow, "graph") == "must be a JSON object");
}

BOOST_AUTO_TEST_CASE(BadEnumValuesListTheAllowedOnes) {
  auto r = NormalizeCreate(Spec("queue"), {{"name", "q"}, {"strategy", "fastest"}});
  BOOST_TEST(ErrorAt(r, "strategy") ==
             "must be one of: ring_all, longest_idle, round_robin, top_down, fewest_calls, random, sequential");
  auto did = NormalizeCreate(Spec("did"), {{"e164", "15551234567"}, {"status", "gone"}});
  BOOST_TEST(ErrorAt(did, "status") == "must be one of: active, disabled, virtual");
}

BOOST_AUTO_TEST_CASE(IntegersAndLengthsAreRangeChecked) {
  auto r = NormalizeCreate(Spec("user"), {{"username", ""}, {"ring_timeout_sec", 1}});
  BOOST_TEST(ErrorAt(r, "username") == "must not be empty");
  BOOST_TEST(ErrorAt(r, "ring_timeout_sec") == "must be between 5 and 600");
  auto trunk = NormalizeCreate(Spec("sip_trunk"), {{"name", "t"}, {"calls_per_second", 0}});
  BOOST_TEST(Mentions(ErrorAt(trunk, "calls_per_second"), "between 1 and"));
  auto port = NormalizeCreate(Spec("sip_endpoint"), {{"trunk_id", "t"}, {"name", "n"}, {"address", "1.2.3.4"}, {"priority", 0}, {"port", 70000}});
  BOOST_TEST(Mentions(ErrorAt(port, "priority"), "between 1 and"));
  BOOST_TEST(ErrorAt(port, "port") == "must be between 1 and 65535");
}

BOOST_AUTO_TEST_CASE(TypedStringFieldsAreValidatedAndNormalised) {
  auto did = NormalizeCreate(Spec("did"), {{"e164", "+15551234567"}});
  BOOST_TEST(Mentions(ErrorAt(did, "e164"), "without '+'"));
  BOOST_TEST(MustCreate("did", {{"e164", "15551234567"}}).document["country_code"] == "US");
  BOOST_TEST(MustCreate("domain", {{"domain", "PBX.Example.COM"}}).document["domain"] == "pbx.example.com");
  BOOST_TEST(MustCreate("sip_trunk_acl", {{"trunk_id", "trk_1"}, {"cidr", "203.0.113.9"}}).document["cidr"] == "203.0.113.9/32");
  BOOST_TEST(MustCreate("geo_policy_country", {{"geo_policy_id", "geo_1"}, {"country", "fr"}}).document["country"] == "FR");
  auto tz = NormalizeCreate(Spec("account"), {{"name", "a"}, {"timezone", "../../etc/passwd"}});
  BOOST_TEST(Mentions(ErrorAt(tz, "timezone"), "IANA"));
  auto rx = NormalizeCreate(Spec("number_transform"), {{"direction", "inbound_dst"}, {"match_regex", "(("}});
  BOOST_TEST(Mentions(ErrorAt(rx, "match_regex"), "regular expression"));
  auto url = NormalizeCreate(Spec("webhook"), {{"url", "ftp://x.example.com"}, {"secret", "0123456789abcdef"}});
  BOOST_TEST(Mentions(ErrorAt(url, "url"), "http"));
  auto email = NormalizeCreate(Spec("voicemail"), {{"name", "vm"}, {"notify_email", "nobody"}});
  BOOST_TEST(Mentions(ErrorAt(email, "notify_email"), "email"));
}

BOOST_AUTO_TEST_CASE(EnumListsNameTheOffendingElement) {
  auto r = NormalizeCreate(Spec("webhook"), {{"url", "https://h.example.com/"}, {"secret", "0123456789abcdef"},
                                             {"events", {"call.started", "call.exploded", "call.started"}}});
  BOOST_TEST(ErrorAt(r, "events[1]") == "must be one of: call.started, call.ended");
  BOOST_TEST(ErrorAt(r, "events[2]") == "is listed twice");
  Json ok = MustCreate("webhook", {{"url", "https://h.example.com/"}, {"secret", "0123456789abcdef"}}).document;
  BOOST_TEST(ok["events"] == Json({"call.started", "call.ended"}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Destinations)

BOOST_AUTO_TEST_CASE(AResourceDestinationNeedsAnId) {
  auto r = NormalizeCreate(Spec("did"), {{"e164", "15551234567"}, {"dest_kind", "queue"}});
  BOOST_TEST(ErrorAt(r, "dest_id") == "is required when dest_kind is queue");
  Json did = MustCreate("did", {{"e164", "15551234567"}, {"dest_kind", "queue"}, {"dest_id", "q_1"}}).document;
  BOOST_TEST((References(Spec("did"), did) == std::vector<ResourceRef>{{"queue", "q_1", "dest_id"}}));
}

BOOST_AUTO_TEST_CASE(HangupTakesNoId) {
  MustCreate("did", {{"e164", "15551234567"}, {"dest_kind", "hangup"}});
  auto r = NormalizeCreate(Spec("did"), {{"e164", "15551234567"}, {"dest_kind", "hangup"}, {"dest_id", "x"}});
  BOOST_TEST(ErrorAt(r, "dest_id") == "must be null when dest_kind is hangup");
}

BOOST_AUTO_TEST_CASE(AnIdWithoutAKindIsRejected) {
  auto r = NormalizeCreate(Spec("did"), {{"e164", "15551234567"}, {"dest_id", "usr_1"}});
  BOOST_TEST(ErrorAt(r, "dest_id") == "must be null when dest_kind is null");
}

BOOST_AUTO_TEST_CASE(OnlyExtensionsRouteToFeatureCodes) {
  Json ext = MustCreate("extension", {{"digits", "*97"}, {"dest_kind", "feature"}, {"dest_id", "voicemail_main"}}).document;
  BOOST_TEST(References(Spec("extension"), ext).empty());
  auto unknown = NormalizeCreate(Spec("extension"), {{"digits", "*98"}, {"dest_kind", "feature"}, {"dest_id", "teleport"}});
  BOOST_TEST(Mentions(ErrorAt(unknown, "dest_id"), "must be one of: voicemail_main"));
  auto did = NormalizeCreate(Spec("did"), {{"e164", "15551234567"}, {"dest_kind", "feature"}, {"dest_id", "pickup"}});
  BOOST_TEST(Mentions(ErrorAt(did, "dest_kind"), "must be one of"));
  auto missing = NormalizeCreate(Spec("extension"), {{"digits", "100"}});
  BOOST_TEST(ErrorAt(missing, "dest_kind") == "is required");
}

BOOST_AUTO_TEST_CASE(PrefixFamiliesFollowTheSameRule) {
  auto r = NormalizeCreate(Spec("queue"), {{"name", "q"}, {"timeout_dest_kind", "voicemail"},
                                           {"queue_full_dest_kind", "hangup"}, {"queue_full_dest_id", "x"},
                                           {"closed_dest_kind", "ring_group"}, {"closed_dest_id", "rg_1"}});
  BOOST_TEST(ErrorAt(r, "timeout_dest_id") == "is required when timeout_dest_kind is voicemail");
  BOOST_TEST(ErrorAt(r, "queue_full_dest_id") == "must be null when queue_full_dest_kind is hangup");
  BOOST_TEST(ErrorAt(r, "closed_dest_id") == "");
  Json account = MustCreate("account", {{"name", "a"}, {"did_default_dest_kind", "user"}, {"did_default_dest_id", "usr_9"}}).document;
  BOOST_TEST((References(Spec("account"), account) == std::vector<ResourceRef>{{"user", "usr_9", "did_default_dest_id"}}));
}

BOOST_AUTO_TEST_CASE(PolicyScopesPointAtTheirKind) {
  Json limit = MustCreate("call_limit", {{"scope_kind", "user"}, {"scope_id", "usr_1"}, {"max_count", 2}}).document;
  BOOST_TEST((References(Spec("call_limit"), limit) == std::vector<ResourceRef>{{"user", "usr_1", "scope_id"}}));
  auto account_scope = NormalizeCreate(Spec("call_limit"), {{"scope_id", "usr_1"}, {"max_count", 2}});
  BOOST_TEST(ErrorAt(account_scope, "scope_id") == "must be null when scope_kind is account");
  auto number = NormalizeCreate(Spec("call_limit"), {{"scope_kind", "number"}, {"scope_id", "12"}, {"max_count", 2}});
  BOOST_TEST(Mentions(ErrorAt(number, "scope_id"), "E.164"));
  Json transform = MustCreate("number_transform", {{"scope_kind", "route"}, {"scope_id", "obr_1"},
                                                   {"direction", "outbound_dst"}, {"match_regex", "^0(\\d+)$"},
                                                   {"replacement", "44$1"}}).document;
  BOOST_TEST(References(Spec("number_transform"), transform)[0].kind == "outbound_route");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(CrossFieldRules)

BOOST_AUTO_TEST_CASE(WeeklyRulesNeedADayAndBothTimes) {
  const Json base = {{"schedule_id", "sch_1"}, {"kind", "weekly"}};
  auto r = NormalizeCreate(Spec("time_schedule_rule"), base);
  BOOST_TEST(ErrorAt(r, "dow") == "is required when kind is weekly");
  BOOST_TEST(ErrorAt(r, "start_time") == "is required when kind is weekly");
  BOOST_TEST(ErrorAt(r, "end_time") == "is required when kind is weekly");
  Json ok = base;
  ok.update({{"dow", 1}, {"start_time", "09:00"}, {"end_time", "24:00"}});
  MustCreate("time_schedule_rule", ok);
  Json backwards = ok;
  backwards.update({{"start_time", "17:00"}, {"end_time", "09:00"}});
  BOOST_TEST(ErrorAt(NormalizeCreate(Spec("time_schedule_rule"), backwards), "end_time") == "must be after start_time");
  Json day7 = ok;
  day7["dow"] = 7;
  BOOST_TEST(ErrorAt(NormalizeCreate(Spec("time_schedule_rule"), day7), "dow") == "must be between 0 and 6");
  Json start2400 = ok;
  start2400["start_time"] = "24:00";
  BOOST_TEST(Mentions(ErrorAt(NormalizeCreate(Spec("time_schedule_rule"), start2400), "start_time"), "23:59"));
}

BOOST_AUTO_TEST_CASE(DateRulesNeedAStartDateAndRangesAnOrderedEnd) {
  auto date = NormalizeCreate(Spec("time_schedule_rule"), {{"schedule_id", "s"}, {"kind", "date"}});
  BOOST_TEST(ErrorAt(date, "start_date") == "is required when kind is date");
  MustCreate("time_schedule_rule", {{"schedule_id", "s"}, {"kind", "date"}, {"start_date", "2024-12-25"}, {"is_closed", 1}});
  auto range = NormalizeCreate(Spec("time_schedule_rule"), {{"schedule_id", "s"}, {"kind", "date_range"}, {"start_date", "2024-12-24"}});
  BOOST_TEST(ErrorAt(range, "end_date") == "is required when kind is date_range");
  auto backwards = NormalizeCreate(Spec("time_schedule_rule"), {{"schedule_id", "s"}, {"kind", "date_range"},
                                                                 {"start_date", "2024-12-24"}, {"end_date", "2024-12-01"}});
  BOOST_TEST(ErrorAt(backwards, "end_date") == "must not be before start_date");
  MustCreate("time_schedule_rule", {{"schedule_id", "s"}, {"kind", "date_range"}, {"start_date", "2024-12-24"}, {"end_date", "2024-12-24"}});
  auto bad_date = NormalizeCreate(Spec("time_schedule_rule"), {{"schedule_id", "s"}, {"kind", "date"}, {"start_date", "2023-02-29"}});
  BOOST_TEST(Mentions(ErrorAt(bad_date, "start_date"), "calendar date"));
  auto with_dow = NormalizeCreate(Spec("time_schedule_rule"), {{"schedule_id", "s"}, {"kind", "date"}, {"start_date", "2024-01-01"}, {"dow", 1}});
  BOOST_TEST(ErrorAt(with_dow, "dow") == "must be null when kind is date");
}

BOOST_AUTO_TEST_CASE(EndpointsAreStaticWithAnAddressOrRegisteredWithAUsername) {
  const Json base = {{"trunk_id", "trk_1"}, {"name", "e"}, {"priority", 1}};
  BOOST_TEST(ErrorAt(NormalizeCreate(Spec("sip_endpoint"), base), "address") == "is required when kind is static");
  Json registered = base;
  registered.update({{"kind", "registered"}, {"address", "1.2.3.4"}});
  auto r = NormalizeCreate(Spec("sip_endpoint"), registered);
  BOOST_TEST(ErrorAt(r, "credential_username") == "is required when kind is registered");
  BOOST_TEST(ErrorAt(r, "address") == "must be null when kind is registered");
}

BOOST_AUTO_TEST_CASE(AclRuleValuesDependOnTheRuleType) {
  BOOST_TEST(MustCreate("acl_rule", {{"rule_type", "ip_allow"}, {"value", "10.1.2.3"}}).document["value"] == "10.1.2.3/32");
  BOOST_TEST(MustCreate("acl_rule", {{"rule_type", "geo_deny"}, {"value", "cu"}}).document["value"] == "CU");
  BOOST_TEST(Mentions(ErrorAt(NormalizeCreate(Spec("acl_rule"), {{"rule_type", "geo_allow"}, {"value", "10.0.0.0/8"}}), "value"), "ISO 3166"));
  BOOST_TEST(Mentions(ErrorAt(NormalizeCreate(Spec("acl_rule"), {{"rule_type", "ip_deny"}, {"value", "FR"}}), "value"), "CIDR"));
}

BOOST_AUTO_TEST_CASE(OtherKindSpecificRules) {
  BOOST_TEST(ErrorAt(NormalizeCreate(Spec("outbound_route"), Json::object()), "trunk_id") == "is required when via is trunk");
  BOOST_TEST(ErrorAt(NormalizeCreate(Spec("ring_group_member"), {{"ring_group_id", "rg_1"}}), "user_id") ==
             "exactly one of user_id and device_id is required");
  BOOST_TEST(ErrorAt(NormalizeCreate(Spec("in_queue_option"), {{"queue_id", "q"}, {"digit", "1"}, {"action", "webhook"}}), "webhook_url") ==
             "is required when action is webhook");
  BOOST_TEST(ErrorAt(NormalizeCreate(Spec("forward"), {{"number", "15551234567"}, {"cid_mode", "custom"}}), "cid_number") ==
             "is required when cid_mode is custom");
  BOOST_TEST(ErrorAt(NormalizeCreate(Spec("sip_trunk"), {{"name", "t"}, {"do_register", 1}, {"proxy", "sip.example.com"}}), "auth_secret") ==
             "is required when do_register is 1");
  BOOST_TEST(ErrorAt(NormalizeCreate(Spec("ip_acl_range"), {{"acl_id", "a"}, {"ip_address", "10.0.0.0"}, {"range", 48}}), "range") ==
             "must be 0..32 for an IPv4 address");
  MustCreate("ip_acl_range", {{"acl_id", "a"}, {"ip_address", "2001:db8::"}, {"range", 48}});
}

BOOST_AUTO_TEST_CASE(EstTrunkDomainIsHostNamePlusTopLevelDomain) {
  Json trunk = MustCreate("sip_trunk", {{"name", "Acme Trunk"}, {"host_name", "Acme-Domain-1"}}).document;
  BOOST_TEST(trunk["host_name"] == "acme-domain-1");
  BOOST_TEST(trunk["domain"] == "acme-domain-1" + trunk["top_level_domain"].get<std::string>());
  auto keys = UniqueKeys(Spec("sip_trunk"), trunk);
  BOOST_REQUIRE(keys.size() == 1u);
  BOOST_TEST(keys[0].name == "domain");  // shares the platform namespace of domain resources
  BOOST_TEST((keys[0].scope == UniqueScope::kPlatform));
  BOOST_TEST(MustCreate("sip_trunk", {{"name", "plain"}}).document["domain"].is_null());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(PatchAndPut)

BOOST_AUTO_TEST_CASE(PatchChangesOnlyTheFieldsSent) {
  Json user = MustCreate("user", {{"username", "alice"}, {"display_name", "Alice"}}).document;
  StampCreate(user, "usr_1", "acc_1", 100);
  auto r = NormalizePatch(Spec("user"), user, {{"ring_timeout_sec", 40}});
  BOOST_REQUIRE(r.ok());
  Json expected = user;
  expected["ring_timeout_sec"] = 40;
  BOOST_TEST(r->document == expected);
}

BOOST_AUTO_TEST_CASE(PatchNullClearsANullableFieldAndIsRefusedForOthers) {
  Json user = MustCreate("user", {{"username", "alice"}, {"display_name", "Alice"}}).document;
  auto cleared = NormalizePatch(Spec("user"), user, {{"display_name", nullptr}});
  BOOST_REQUIRE(cleared.ok());
  BOOST_TEST(cleared->document["display_name"].is_null());
  auto refused = NormalizePatch(Spec("user"), user, {{"username", nullptr}, {"ring_timeout_sec", nullptr}});
  BOOST_TEST(ErrorAt(refused, "username") == "cannot be null");
  BOOST_TEST(ErrorAt(refused, "ring_timeout_sec") == "cannot be null");
}

BOOST_AUTO_TEST_CASE(PatchAcceptsEchoedServerFieldsButNotChangedOnes) {
  Json user = MustCreate("user", {{"username", "alice"}}).document;
  StampCreate(user, "usr_1", "acc_1", 100);
  BOOST_TEST(NormalizePatch(Spec("user"), user, {{"id", "usr_1"}, {"created_at", 100}}).ok());
  BOOST_TEST(ErrorAt(NormalizePatch(Spec("user"), user, {{"id", "usr_2"}}), "id") == "is read-only");
}

BOOST_AUTO_TEST_CASE(ParentAndKeyFieldsCannotMove) {
  Json member = MustCreate("ring_group_member", {{"ring_group_id", "rg_1"}, {"user_id", "usr_1"}}).document;
  BOOST_TEST(ErrorAt(NormalizePatch(Spec("ring_group_member"), member, {{"ring_group_id", "rg_2"}}), "ring_group_id") ==
             "cannot be changed after creation");
  Json did = MustCreate("did", {{"e164", "15551234567"}}).document;
  BOOST_TEST(!NormalizePatch(Spec("did"), did, {{"e164", "15551234568"}}).ok());
}

BOOST_AUTO_TEST_CASE(PatchRechecksCrossFieldRulesOnTheMergedDocument) {
  Json did = MustCreate("did", {{"e164", "15551234567"}, {"dest_kind", "user"}, {"dest_id", "usr_1"}}).document;
  BOOST_TEST(ErrorAt(NormalizePatch(Spec("did"), did, {{"dest_kind", "hangup"}}), "dest_id") == "must be null when dest_kind is hangup");
  auto both = NormalizePatch(Spec("did"), did, {{"dest_kind", "hangup"}, {"dest_id", nullptr}});
  BOOST_REQUIRE(both.ok());
  BOOST_TEST(both->document["dest_kind"] == "hangup");
}

BOOST_AUTO_TEST_CASE(PutResetsOmittedFieldsToDefaultsAndKeepsServerFields) {
  Json user = MustCreate("user", {{"username", "alice"}, {"display_name", "Alice"}, {"ring_timeout_sec", 60}}).document;
  StampCreate(user, "usr_1", "acc_1", 100);
  auto r = NormalizePut(Spec("user"), user, {{"username", "alice2"}});
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->document["username"] == "alice2");
  BOOST_TEST(r->document["ring_timeout_sec"] == 25);
  BOOST_TEST(r->document["display_name"].is_null());
  BOOST_TEST(r->document["id"] == "usr_1");
  BOOST_TEST(r->document["created_at"] == 100);
  BOOST_TEST(ErrorAt(NormalizePut(Spec("user"), user, {{"display_name", "x"}}), "username") == "is required");
}

BOOST_AUTO_TEST_CASE(PutOfTheStoredDocumentChangesNothing) {
  Json vm = MustCreate("voicemail", {{"name", "box"}, {"pin_secret", "1234"}}).document;
  StampCreate(vm, "vm_1", "acc_1", 100);
  auto r = NormalizePut(Spec("voicemail"), vm, PublicView(Spec("voicemail"), vm));
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->document == vm);
  BOOST_TEST(r->secrets_to_store.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Secrets)

BOOST_AUTO_TEST_CASE(ASecretIsWrittenUnderItsNameWithoutRefAndStoredAsAReference) {
  auto n = MustCreate("voicemail", {{"name", "box"}, {"pin_secret", "2468"}});
  BOOST_TEST(n.document["pin_secret_ref"] == "sec_test_1");
  BOOST_TEST(!n.document.contains("pin_secret"));
  BOOST_REQUIRE(n.secrets_to_store.size() == 1u);
  BOOST_TEST(n.secrets_to_store[0].field == "pin_secret_ref");
  BOOST_TEST(n.secrets_to_store[0].ref == "sec_test_1");
  BOOST_TEST(n.secrets_to_store[0].value == "2468");
  BOOST_TEST(n.document.dump().find("2468") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(ClientsCannotWriteTheReferenceItself) {
  auto r = NormalizeCreate(Spec("voicemail"), {{"name", "box"}, {"pin_secret_ref", "sec_forged"}});
  BOOST_TEST(ErrorAt(r, "pin_secret_ref") == "is set by the server; write the secret as 'pin_secret'");
}

BOOST_AUTO_TEST_CASE(PinsAreDigitsOfBoundedLength) {
  BOOST_TEST(ErrorAt(NormalizeCreate(Spec("voicemail"), {{"name", "b"}, {"pin_secret", "12ab"}}), "pin_secret") == "must contain only digits");
  BOOST_TEST(Mentions(ErrorAt(NormalizeCreate(Spec("conference"), {{"name", "c"}, {"admin_pin_secret", "12"}}), "admin_pin_secret"), "at least 4"));
}

BOOST_AUTO_TEST_CASE(ReplacingOrClearingASecretReleasesTheOldReference) {
  Json vm = MustCreate("voicemail", {{"name", "box"}, {"pin_secret", "2468"}}).document;
  NormalizeOptions options;
  options.new_secret_ref = [] { return std::string("sec_new"); };
  auto replaced = NormalizePatch(Spec("voicemail"), vm, {{"pin_secret", "1357"}}, options);
  BOOST_REQUIRE(replaced.ok());
  BOOST_TEST(replaced->document["pin_secret_ref"] == "sec_new");
  BOOST_TEST((replaced->secret_refs_to_delete == std::vector<std::string>{"sec_test_1"}));
  auto cleared = NormalizePatch(Spec("voicemail"), vm, {{"pin_secret", nullptr}});
  BOOST_REQUIRE(cleared.ok());
  BOOST_TEST(cleared->document["pin_secret_ref"].is_null());
  BOOST_TEST((cleared->secret_refs_to_delete == std::vector<std::string>{"sec_test_1"}));
  BOOST_TEST(cleared->secrets_to_store.empty());
}

BOOST_AUTO_TEST_CASE(PutKeepsSecretsTheClientCannotReadBack) {
  Json trunk = MustCreate("sip_trunk", {{"name", "t"}, {"auth_username", "u"}, {"auth_secret", "pw"}}).document;
  auto r = NormalizePut(Spec("sip_trunk"), trunk, {{"name", "renamed"}});
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r->document["auth_secret_ref"] == trunk["auth_secret_ref"]);
  BOOST_TEST(r->document["auth_username"].is_null());
}

BOOST_AUTO_TEST_CASE(RequiredSecretsMustBeSentOnCreate) {
  auto webhook = NormalizeCreate(Spec("webhook"), {{"url", "https://h.example.com/"}});
  BOOST_TEST(ErrorAt(webhook, "secret") == "is required");
  auto credential = NormalizeCreate(Spec("credential"), {{"credential_list_id", "crl_1"}, {"username", "bob"}});
  BOOST_TEST(ErrorAt(credential, "password") == "is required");
  auto ok = MustCreate("credential", {{"credential_list_id", "crl_1"}, {"username", "bob"}, {"password", "correct horse"}});
  BOOST_TEST(ok.document["password_ref"].is_string());
  BOOST_TEST(PublicView(Spec("credential"), ok.document).dump().find("correct horse") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(DevicePasswordBecomesHa1AndHa1bAndIsNeverShown) {
  auto n = MustCreate("device", {{"user_id", "usr_1"}, {"auth_username", "alice"}, {"realm", "Example.com"}, {"password", "secret-pw"}});
  BOOST_TEST(n.document["ha1"] == DigestHa1("alice", "example.com", "secret-pw"));
  BOOST_TEST(n.document["ha1b"] == DigestHa1b("alice", "example.com", "secret-pw"));
  BOOST_TEST(!n.document.contains("password"));
  BOOST_TEST(n.secrets_to_store.empty());
  Json view = PublicView(Spec("device"), n.document);
  BOOST_TEST(!view.contains("ha1"));
  BOOST_TEST(!view.contains("ha1b"));
  BOOST_TEST(view["auth_username"] == "alice");
}

BOOST_AUTO_TEST_CASE(DeviceHa1MatchesTheRfcStyleVector) {
  auto n = MustCreate("device", {{"user_id", "usr_1"}, {"auth_username", "alice"}, {"realm", "example.com"}, {"password", "secretpw"}});
  BOOST_TEST(n.document["ha1"] == Md5Hex("alice:example.com:secretpw"));
}

BOOST_AUTO_TEST_CASE(DeviceIdentityCannotChangeWithoutANewPassword) {
  Json device = MustCreate("device", {{"user_id", "usr_1"}, {"auth_username", "alice"}, {"realm", "example.com"}, {"password", "secret-pw"}}).document;
  BOOST_TEST(ErrorAt(NormalizePatch(Spec("device"), device, {{"realm", "other.example.com"}}), "password") ==
             "is required when auth_username or realm changes");
  auto moved = NormalizePatch(Spec("device"), device, {{"realm", "other.example.com"}, {"password", "new-secret"}});
  BOOST_REQUIRE(moved.ok());
  BOOST_TEST(moved->document["ha1"] == DigestHa1("alice", "other.example.com", "new-secret"));
  auto kept = NormalizePut(Spec("device"), device, {{"user_id", "usr_1"}, {"auth_username", "alice"}, {"realm", "example.com"}, {"status", "disabled"}});
  BOOST_REQUIRE(kept.ok());
  BOOST_TEST(kept->document["ha1"] == device["ha1"]);
  BOOST_TEST(ErrorAt(NormalizeCreate(Spec("device"), {{"user_id", "u"}, {"auth_username", "a"}, {"realm", "example.com"}}), "password") == "is required");
  BOOST_TEST(ErrorAt(NormalizePatch(Spec("device"), device, {{"ha1", "00"}}), "ha1") == "is read-only");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ReferencesAndUniqueness)

BOOST_AUTO_TEST_CASE(ReferencesListPlainRefsParentsAndDestinations) {
  Json member = MustCreate("ring_group_member", {{"ring_group_id", "rg_1"}, {"device_id", "dev_1"}}).document;
  auto refs = References(Spec("ring_group_member"), member);
  BOOST_TEST((refs == std::vector<ResourceRef>{{"ring_group", "rg_1", "ring_group_id"}, {"device", "dev_1", "device_id"}}));
  Json queue = MustCreate("queue", {{"name", "q"}, {"schedule_id", "sch_1"}, {"no_agents_dest_kind", "voicemail"}, {"no_agents_dest_id", "vm_1"}}).document;
  auto queue_refs = References(Spec("queue"), queue);
  BOOST_TEST((queue_refs == std::vector<ResourceRef>{{"time_schedule", "sch_1", "schedule_id"}, {"voicemail", "vm_1", "no_agents_dest_id"}}));
}

BOOST_AUTO_TEST_CASE(UniqueKeysCarryScopeFamilyAndValue) {
  auto domain = UniqueKeys(Spec("domain"), MustCreate("domain", {{"domain", "PBX.example.com"}}).document);
  BOOST_TEST((domain == std::vector<UniqueKey>{{UniqueScope::kPlatform, "domain", "pbx.example.com"}}));
  auto did = UniqueKeys(Spec("did"), MustCreate("did", {{"e164", "15551234567"}}).document);
  BOOST_TEST((did == std::vector<UniqueKey>{{UniqueScope::kPlatform, "e164", "15551234567"}}));
  auto user = UniqueKeys(Spec("user"), MustCreate("user", {{"username", "alice"}}).document);
  BOOST_TEST((user == std::vector<UniqueKey>{{UniqueScope::kAccount, "user.username", "alice"}}));
  auto ext = UniqueKeys(Spec("extension"), MustCreate("extension", {{"digits", "100"}, {"dest_kind", "hangup"}}).document);
  BOOST_TEST((ext == std::vector<UniqueKey>{{UniqueScope::kAccount, "extension.digits", "100"}}));
  auto agent = UniqueKeys(Spec("agent_queue_assignment"), MustCreate("agent_queue_assignment", {{"queue_id", "q_1"}, {"user_id", "usr_1"}}).document);
  BOOST_TEST((agent == std::vector<UniqueKey>{{UniqueScope::kAccount, "agent_queue_assignment.user", "q_1/usr_1"}}));
  auto member = UniqueKeys(Spec("ring_group_member"), MustCreate("ring_group_member", {{"ring_group_id", "rg_1"}, {"user_id", "usr_1"}}).document);
  BOOST_TEST(member.size() == 1u);  // the device constraint has a null field and claims nothing
}

BOOST_AUTO_TEST_SUITE_END()
