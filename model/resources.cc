// THE resource table: every configuration resource of the /v1 reference (seed 001) and
// the kinds the Sinch EST dialect (seed 002) needs. Interpretations where the seeds are
// silent are listed in model/README.md.
#include <algorithm>
#include <array>
#include <set>

#include "model/formats.h"
#include "model/schema.h"
#include "model/validate.h"

namespace dialtone::model {
namespace {

using T = FieldType;
using Strings = std::vector<std::string>;

FieldSpec Str(std::string name, int64_t max_len = 255) {
  return FieldSpec(std::move(name), T::kString).Range(1, max_len);
}
FieldSpec Int(std::string name) { return FieldSpec(std::move(name), T::kInt); }
FieldSpec Bool(std::string name, int default_value) {
  return FieldSpec(std::move(name), T::kBool01).Default(default_value);
}
FieldSpec Enum(std::string name, Strings values) {
  FieldSpec f(std::move(name), T::kEnum);
  f.enum_values = std::move(values);
  return f;
}
FieldSpec Of(std::string name, T type) { return FieldSpec(std::move(name), type); }
FieldSpec Ref(std::string name, std::string kind) {
  FieldSpec f(std::move(name), T::kRef);
  f.ref_kind = std::move(kind);
  return f;
}
// A secret stored under `stored` ("<x>_ref") and written as "<x>" (the rule in README).
FieldSpec Secret(std::string stored, int64_t min_len = 1, int64_t max_len = 255) {
  FieldSpec f(stored, T::kSecret);
  f.write_name = stored.substr(0, stored.size() - 4);
  f.nullable = true;
  return f.Range(min_len, max_len);
}
FieldSpec Parent(std::string name, std::string kind) {
  return Ref(std::move(name), std::move(kind)).Required().Immutable();
}

const Strings kDestKinds = {"flow", "user", "extension", "ring_group", "queue",
                            "voicemail", "conference", "forward", "hangup"};

ResourceSpec Resource(std::string kind, std::string collection, std::string prefix,
                      std::vector<FieldSpec> fields) {
  ResourceSpec r;
  r.kind = std::move(kind);
  r.collection = std::move(collection);
  r.id_prefix = std::move(prefix);
  r.fields = {
      Of("id", T::kString).ReadOnly(),
      Of("account_id", T::kString).ReadOnly(),
      Of("created_at", T::kTimestamp).ReadOnly(),
      Of("updated_at", T::kTimestamp).ReadOnly(),
  };
  for (auto& f : fields) r.fields.push_back(std::move(f));
  return r;
}

ResourceSpec Nested(ResourceSpec r, std::string parent_kind, std::string parent_field) {
  r.parent_kind = std::move(parent_kind);
  r.parent_field = parent_field;
  r.list_filters.insert(r.list_filters.begin(), parent_field);
  return r;
}

// Adds <prefix>dest_kind / <prefix>dest_id and their polymorphic reference rule.
void AddDest(ResourceSpec& r, const std::string& prefix, bool with_feature, bool required) {
  Strings values = kDestKinds;
  if (with_feature) values.push_back("feature");
  FieldSpec kind = Enum(prefix + "dest_kind", values);
  r.fields.push_back(required ? kind.Required() : kind.Nullable());
  r.fields.push_back(Str(prefix + "dest_id", 128).Nullable());
  r.poly_refs.push_back({prefix + "dest_kind", prefix + "dest_id", DestTargets(with_feature)});
}

// Business-hours overrides: schedule_id + closed_dest_* + holiday_dest_*.
void AddSchedule(ResourceSpec& r, bool with_feature) {
  r.fields.push_back(Ref("schedule_id", "time_schedule").Nullable());
  AddDest(r, "closed_", with_feature, false);
  AddDest(r, "holiday_", with_feature, false);
}

// The policies' shared (scope_kind, scope_id) shape.
void AddScope(ResourceSpec& r, const Strings& kinds) {
  static const std::vector<KindTarget> kAll = {
      {"account", IdRule::kNone, ""},          {"user", IdRule::kResource, "user"},
      {"did", IdRule::kResource, "did"},        {"number", IdRule::kE164, ""},
      {"trunk", IdRule::kResource, "sip_trunk"}, {"route", IdRule::kResource, "outbound_route"},
  };
  PolyRef rule{"scope_kind", "scope_id", {}};
  for (const auto& k : kinds) {
    auto it = std::find_if(kAll.begin(), kAll.end(), [&](const KindTarget& t) { return t.value == k; });
    rule.targets.push_back(*it);
  }
  r.fields.push_back(Enum("scope_kind", kinds).Default("account"));
  r.fields.push_back(Str("scope_id", 128).Nullable());
  r.poly_refs.push_back(std::move(rule));
  r.list_filters.push_back("scope_kind");
  r.list_filters.push_back("scope_id");
}

bool IsNull(const Json& doc, const char* field) {
  auto it = doc.find(field);
  return it == doc.end() || it->is_null();
}
std::string StrOf(const Json& doc, const char* field) {
  auto it = doc.find(field);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}
int64_t IntOf(const Json& doc, const char* field) {
  auto it = doc.find(field);
  return it != doc.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}
void Need(const Json& doc, const char* field, const std::string& why, std::vector<FieldError>& errors) {
  if (IsNull(doc, field)) errors.push_back({field, "is required " + why});
}
void Forbid(const Json& doc, const char* field, const std::string& why, std::vector<FieldError>& errors) {
  if (!IsNull(doc, field)) errors.push_back({field, "must be null " + why});
}

// --- documents of earlier shapes ---------------------------------------------------------

// A rule stored before the SDK's model: {number_prefix, direction} blocked numbers starting
// with the prefix, callers' on inbound calls and callees' on outbound ones. The prefix
// becomes caller_match for inbound, callee_match for outbound, and both for a rule of
// both directions (still one rule, direction "both").
void UpgradeCallBlockingRule(Json& doc) {
  auto prefix = doc.find("number_prefix");
  if (prefix != doc.end()) {
    const Json value = *prefix;
    doc.erase(prefix);
    const std::string direction = doc.value("direction", "both");
    if (direction != "outbound" && !doc.contains("caller_match")) doc["caller_match"] = value;
    if (direction != "inbound" && !doc.contains("callee_match")) doc["callee_match"] = value;
  }
  for (const char* field : {"caller_country", "callee_country", "caller_match", "callee_match"}) {
    if (!doc.contains(field)) doc[field] = nullptr;
  }
}

// --- cross-field rules ------------------------------------------------------------------

void CheckScheduleRule(const Json& doc, std::vector<FieldError>& errors) {
  const std::string kind = StrOf(doc, "kind");
  const std::string why = "when kind is " + kind;
  if (kind == "weekly") {
    Need(doc, "dow", why, errors);
    Need(doc, "start_time", why, errors);
    Need(doc, "end_time", why, errors);
    Forbid(doc, "start_date", why, errors);
    Forbid(doc, "end_date", why, errors);
  } else if (kind == "date") {
    Need(doc, "start_date", why, errors);
    Forbid(doc, "end_date", why, errors);
    Forbid(doc, "dow", why, errors);
  } else if (kind == "date_range") {
    Need(doc, "start_date", why, errors);
    Need(doc, "end_date", why, errors);
    Forbid(doc, "dow", why, errors);
    if (!IsNull(doc, "start_date") && !IsNull(doc, "end_date")) {
      auto start = ParseDate(StrOf(doc, "start_date"));
      auto end = ParseDate(StrOf(doc, "end_date"));
      if (start && end && *end < *start) errors.push_back({"end_date", "must not be before start_date"});
    }
  }
  // Times are optional for date kinds (null = the whole day) but come as a pair.
  bool has_start = !IsNull(doc, "start_time"), has_end = !IsNull(doc, "end_time");
  if (kind != "weekly" && has_start != has_end) {
    errors.push_back({has_start ? "end_time" : "start_time", "is required together with the other time"});
  }
  if (has_start && has_end) {
    auto start = ParseHhmm(StrOf(doc, "start_time"), false);
    auto end = ParseHhmm(StrOf(doc, "end_time"), true);
    if (start && end && *start >= *end) errors.push_back({"end_time", "must be after start_time"});
  }
}

void CheckRingGroupMember(const Json& doc, std::vector<FieldError>& errors) {
  if (IsNull(doc, "user_id") == IsNull(doc, "device_id")) {
    errors.push_back({"user_id", "exactly one of user_id and device_id is required"});
  }
}

void CheckQueue(const Json& doc, std::vector<FieldError>& errors) {
  if (StrOf(doc, "moh_mode") == "file") Need(doc, "moh_media_id", "when moh_mode is file", errors);
}

void CheckInQueueOption(const Json& doc, std::vector<FieldError>& errors) {
  const std::string action = StrOf(doc, "action");
  const std::string why = "when action is " + action;
  if (action == "route" || action == "deflect") Need(doc, "dest_kind", why, errors);
  if (action == "webhook") Need(doc, "webhook_url", why, errors);
  if (action == "hangup" || action == "webhook") Forbid(doc, "dest_kind", why, errors);
}

void CheckForward(const Json& doc, std::vector<FieldError>& errors) {
  if (StrOf(doc, "cid_mode") == "custom") Need(doc, "cid_number", "when cid_mode is custom", errors);
}

void CheckSipTrunk(const Json& doc, std::vector<FieldError>& errors) {
  if (IntOf(doc, "do_register") == 1) {
    const std::string why = "when do_register is 1";
    Need(doc, "proxy", why, errors);
    Need(doc, "auth_username", why, errors);
    if (IsNull(doc, "auth_secret_ref")) errors.push_back({"auth_secret", "is required " + why});
  }
  const std::string inbound = StrOf(doc, "inbound_auth");
  if (inbound == "digest" || inbound == "register") {
    const std::string why = "when inbound_auth is " + inbound;
    Need(doc, "inbound_username", why, errors);
    if (IsNull(doc, "inbound_secret_ref")) errors.push_back({"inbound_secret", "is required " + why});
  }
}

void CheckOutboundRoute(const Json& doc, std::vector<FieldError>& errors) {
  if (StrOf(doc, "via") == "trunk") Need(doc, "trunk_id", "when via is trunk", errors);
  if (StrOf(doc, "via") == "carrier") Forbid(doc, "trunk_id", "when via is carrier", errors);
}

void CheckAclRule(const Json& doc, std::vector<FieldError>& errors) {
  const std::string type = StrOf(doc, "rule_type");
  const std::string value = StrOf(doc, "value");
  if (type == "ip_allow" || type == "ip_deny") {
    if (auto e = CheckCidr(value, nullptr)) errors.push_back({"value", *e + " when rule_type is " + type});
  } else if (type == "geo_allow" || type == "geo_deny") {
    std::string upper = value;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!IsIsoCountry(upper)) {
      errors.push_back({"value", "must be an ISO 3166-1 alpha-2 country when rule_type is " + type});
    }
  }
}

void DeriveAclRule(Json& doc) {
  const std::string type = StrOf(doc, "rule_type");
  std::string value = StrOf(doc, "value");
  if (type == "ip_allow" || type == "ip_deny") {
    std::string canonical;
    if (!CheckCidr(value, &canonical)) doc["value"] = canonical;
  } else {
    for (char& c : value) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    doc["value"] = value;
  }
}

void CheckSipEndpoint(const Json& doc, std::vector<FieldError>& errors) {
  if (StrOf(doc, "kind") == "static") {
    Need(doc, "address", "when kind is static", errors);
    Forbid(doc, "credential_username", "when kind is static", errors);
  } else {
    Need(doc, "credential_username", "when kind is registered", errors);
    Forbid(doc, "address", "when kind is registered", errors);
  }
}

void CheckIpAclRange(const Json& doc, std::vector<FieldError>& errors) {
  if (IsIpv4(StrOf(doc, "ip_address")) && IntOf(doc, "range") > 32) {
    errors.push_back({"range", "must be 0..32 for an IPv4 address"});
  }
}

void DeriveSipTrunk(Json& doc) {
  doc["domain"] = IsNull(doc, "host_name")
                      ? Json(nullptr)
                      : Json(StrOf(doc, "host_name") + StrOf(doc, "top_level_domain"));
}

void DeriveDid(Json& doc) {
  std::string region = RegionOfE164(StrOf(doc, "e164"));
  doc["country_code"] = region.empty() ? Json(nullptr) : Json(region);
}

std::vector<ResourceSpec> BuildTable() {
  std::vector<ResourceSpec> all;
  const Strings kDirections4 = {"in", "out", "dialer", "any"};
  const Strings kPolicyScopes = {"account", "user", "did", "number"};

  {  // account
    ResourceSpec r = Resource("account", "accounts", "acc_", {
        Str("name", 128).Required(),
        Ref("parent_id", "account").Nullable().Immutable(),
        Enum("status", {"active", "suspended", "closed"}).Default("active"),
        Bool("is_reseller", 0),
        Of("timezone", T::kTimezone).Default("UTC"),
        Str("brand_name", 128).Nullable(),
        Of("brand_domain", T::kDomain).Nullable(),
        Int("max_in").Min(0).Nullable(),
        Int("max_out").Min(0).Nullable(),
        Int("max_dialer").Min(0).Nullable(),
        Of("default_cid_number", T::kE164).Nullable(),
        Of("language", T::kLanguage).Default("en-US"),
        Enum("voice_gender", {"male", "female"}).Default("female"),
    });
    AddDest(r, "did_default_", false, false);
    r.list_filters = {"parent_id", "status", "is_reseller"};
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("domain", "domains", "dom_", {
        Of("domain", T::kDomain).Required().Unique(UniqueScope::kPlatform),
        Bool("is_primary", 0),
    });
    r.list_filters = {"domain", "is_primary"};
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("user", "users", "usr_", {
        Of("username", T::kSipUser).Range(1, 64).Required().Unique(UniqueScope::kAccount),
        Str("display_name", 128).Nullable(),
        Bool("is_agent", 0),
        Of("out_cid_number", T::kE164).Nullable(),
        Str("out_cid_name", 64).Nullable(),
        Int("max_simultaneous").Min(1).Nullable(),
        Int("ring_timeout_sec").Range(5, 600).Default(25),
        Ref("voicemail_id", "voicemail").Nullable(),
        Enum("status", {"active", "disabled"}).Default("active"),
    });
    r.list_filters = {"username", "status", "is_agent"};
    all.push_back(std::move(r));
  }
  {
    FieldSpec password = Of("password", T::kPassword).Range(8, 128);
    password.write_name = "password";
    ResourceSpec r = Resource("device", "devices", "dev_", {
        Ref("user_id", "user").Required(),
        Of("auth_username", T::kSipUser).Range(1, 64).Required(),
        Of("realm", T::kDomain).Required(),
        password.Required(),
        Of("ha1", T::kString).ReadOnly().WriteOnly(),
        Of("ha1b", T::kString).ReadOnly().WriteOnly(),
        Enum("transport", {"udp", "tcp", "tls", "wss"}).Default("udp"),
        Bool("is_webrtc", 0),
        Enum("status", {"active", "disabled"}).Default("active"),
    });
    r.unique_constraints = {{UniqueScope::kAccount, "device.digest_identity", {"realm", "auth_username"}}};
    r.list_filters = {"user_id", "auth_username", "realm", "status"};
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("did", "numbers", "did_", {
        Of("e164", T::kE164).Required().Immutable().Unique(UniqueScope::kPlatform),
        Of("country_code", T::kCountry).ReadOnly().Nullable(),
        Enum("status", {"active", "disabled", "virtual"}).Default("active"),
        Of("dest_xform", T::kJson).Nullable(),
        Int("max_channels").Min(0).Nullable(),
        Enum("fax_mode", {"voice", "t38", "passthrough"}).Default("voice"),
        Bool("allow_anonymous", 1),
        Ref("trunk_id", "sip_trunk").Nullable(),
    });
    AddDest(r, "", false, false);
    AddSchedule(r, false);
    r.derive = DeriveDid;
    r.list_filters = {"e164", "status", "dest_kind", "dest_id", "trunk_id", "schedule_id"};
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("extension", "extensions", "ext_", {
        Of("digits", T::kDigits).Range(1, 15).Required().Unique(UniqueScope::kAccount),
        Of("dest_xform", T::kJson).Nullable(),
    });
    AddDest(r, "", true, true);
    AddSchedule(r, true);
    r.list_filters = {"digits", "dest_kind", "dest_id"};
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("flow", "flows", "flw_", {
        Str("name", 128).Required(),
        Int("version").Min(0).Default(0).ReadOnly(),
        Bool("is_published", 0).ReadOnly(),
        Of("graph", T::kJson).Default(Json{{"nodes", Json::array()}, {"edges", Json::array()}}),
        Of("published_graph", T::kJson).Nullable().ReadOnly(),
        Of("published_at", T::kTimestamp).Nullable().ReadOnly(),
    });
    r.list_filters = {"name", "is_published"};
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("ring_group", "ring-groups", "rg_", {
        Str("name", 128).Required(),
        Enum("strategy", {"ring_all", "sequential", "round_robin"}).Default("ring_all"),
        Int("ring_timeout_sec").Range(5, 600).Default(25),
        Ref("moh_media_id", "media_file").Nullable(),
    });
    AddDest(r, "exit_", false, false);
    AddSchedule(r, false);
    r.list_filters = {"name", "strategy"};
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Nested(Resource("ring_group_member", "members", "rgm_", {
        Parent("ring_group_id", "ring_group"),
        Ref("user_id", "user").Nullable(),
        Ref("device_id", "device").Nullable(),
        Int("position").Range(0, 10000).Default(0),
        Int("delay_sec").Range(0, 600).Default(0),
        Int("timeout_sec").Range(1, 600).Nullable(),
    }), "ring_group", "ring_group_id");
    r.unique_constraints = {
        {UniqueScope::kAccount, "ring_group_member.user", {"ring_group_id", "user_id"}},
        {UniqueScope::kAccount, "ring_group_member.device", {"ring_group_id", "device_id"}},
    };
    r.list_filters.push_back("user_id");
    r.list_filters.push_back("device_id");
    r.cross_check = CheckRingGroupMember;
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("queue", "queues", "q_", {
        Str("name", 128).Required(),
        Enum("strategy", {"ring_all", "longest_idle", "round_robin", "top_down", "fewest_calls",
                          "random", "sequential"}).Default("ring_all"),
        Int("agent_ring_timeout_sec").Range(5, 600).Default(20),
        Int("max_wait_sec").Range(1, 86400).Nullable(),
        Int("wrap_up_sec").Range(0, 3600).Default(0),
        Int("max_no_answer").Range(0, 100).Default(0),
        Bool("announce_position", 0),
        Int("announce_first_sec").Range(0, 3600).Default(30),
        Int("announce_interval_sec").Range(0, 3600).Default(60),
        Enum("moh_mode", {"stream", "file"}).Default("stream"),
        Ref("moh_media_id", "media_file").Nullable(),
        Of("language", T::kLanguage).Nullable(),
        Int("max_queued").Min(1).Nullable(),
        Int("ewt_threshold_sec").Range(1, 86400).Nullable(),
        Int("ewt_aht_sec").Range(1, 86400).Nullable(),
    });
    AddDest(r, "timeout_", false, false);
    AddDest(r, "abandon_", false, false);
    AddDest(r, "no_agents_", false, false);
    AddDest(r, "queue_full_", false, false);
    AddDest(r, "ewt_", false, false);
    AddSchedule(r, false);
    r.cross_check = CheckQueue;
    r.list_filters = {"name", "strategy"};
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Nested(Resource("agent_queue_assignment", "agents", "qa_", {
        Parent("queue_id", "queue"),
        Ref("user_id", "user").Required(),
        Int("tier_level").Range(0, 100).Default(1),
        Int("position").Range(0, 10000).Default(0),
        Int("delay_sec").Range(0, 600).Default(0),
        Enum("mode", {"static", "dynamic", "mandatory", "supervisor_managed"}).Default("static"),
    }), "queue", "queue_id");
    r.unique_constraints = {{UniqueScope::kAccount, "agent_queue_assignment.user", {"queue_id", "user_id"}}};
    r.list_filters.push_back("user_id");
    r.list_filters.push_back("mode");
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Nested(Resource("in_queue_option", "options", "qo_", {
        Parent("queue_id", "queue"),
        Enum("digit", {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#"}).Required(),
        Enum("action", {"route", "webhook", "deflect", "hangup"}).Required(),
        Of("webhook_url", T::kUrl).Nullable(),
        Secret("webhook_secret_ref"),
        Bool("stay_in_queue", 0),
        Ref("prompt_media_id", "media_file").Nullable(),
        Str("label", 64).Nullable(),
    }), "queue", "queue_id");
    AddDest(r, "", false, false);
    r.unique_constraints = {{UniqueScope::kAccount, "in_queue_option.digit", {"queue_id", "digit"}}};
    r.cross_check = CheckInQueueOption;
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("voicemail", "voicemail-boxes", "vm_", {
        Str("name", 128).Required(),
        Ref("greeting_media_id", "media_file").Nullable(),
        Bool("skip_instructions", 0),
        Int("quota_mb").Range(1, 10240).Default(100),
        Of("notify_email", T::kEmail).Nullable(),
        Secret("pin_secret_ref", 4, 12).DigitsOnly(),
    });
    r.list_filters = {"name"};
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("conference", "conferences", "cnf_", {
        Str("name", 128).Required(),
        Secret("pin_secret_ref", 4, 12).DigitsOnly(),
        Secret("admin_pin_secret_ref", 4, 12).DigitsOnly(),
        Int("max_members").Range(2, 1000).Nullable(),
        Ref("moh_media_id", "media_file").Nullable(),
        Bool("record", 0),
    });
    r.list_filters = {"name"};
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("forward", "forwards", "fwd_", {
        Str("name", 128).Nullable(),
        Ref("user_id", "user").Nullable(),
        Of("number", T::kE164).Required(),
        Enum("trigger", {"always", "busy", "no_answer", "unreachable"}).Default("always"),
        Int("timeout_sec").Range(5, 300).Default(20),
        Enum("cid_mode", {"passthrough", "did", "custom"}).Default("passthrough"),
        Of("cid_number", T::kE164).Nullable(),
        Bool("confirm", 0),
    });
    AddDest(r, "overflow_", false, false);
    r.cross_check = CheckForward;
    r.list_filters = {"user_id", "trigger"};
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("time_schedule", "schedules", "sch_", {
        Str("name", 128).Required(),
        Of("timezone", T::kTimezone).Nullable(),
    });
    r.list_filters = {"name"};
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Nested(Resource("time_schedule_rule", "rules", "schr_", {
        Parent("schedule_id", "time_schedule"),
        Enum("kind", {"weekly", "date", "date_range"}).Required(),
        Int("dow").Range(0, 6).Nullable(),
        Of("start_time", T::kHhmm).Nullable(),
        Of("end_time", T::kHhmm).Nullable().AllowEndOfDay(),
        Of("start_date", T::kDate).Nullable(),
        Of("end_date", T::kDate).Nullable(),
        Bool("is_closed", 0),
    }), "time_schedule", "schedule_id");
    r.cross_check = CheckScheduleRule;
    r.list_filters.push_back("kind");
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("sip_trunk", "trunks", "trk_", {
        Str("name", 128).Required(),
        Enum("provider", {"generic", "carrier"}).Default("generic"),
        Enum("role", {"carrier", "pbx"}).Default("pbx"),
        Enum("direction", {"inbound", "outbound", "both"}).Default("both"),
        Of("proxy", T::kHostPort).Nullable(),
        Enum("transport", {"udp", "tcp", "tls"}).Default("udp"),
        Bool("do_register", 0),
        Of("auth_username", T::kSipUser).Range(1, 64).Nullable(),
        Secret("auth_secret_ref"),
        Of("realm", T::kDomain).Nullable(),
        Of("from_domain", T::kDomain).Nullable(),
        Of("from_user", T::kSipUser).Range(1, 64).Nullable(),
        Int("expire_sec").Range(60, 86400).Default(3600),
        Enum("inbound_auth", {"ip", "register", "digest"}).Default("ip"),
        Of("inbound_username", T::kSipUser).Range(1, 64).Nullable(),
        Secret("inbound_secret_ref"),
        Str("reg_node", 128).Nullable().ReadOnly(),
        Int("max_channels").Min(1).Nullable(),
        Of("cid_number", T::kE164).Nullable(),
        Int("ping_sec").Range(0, 3600).Default(60),
        Enum("status", {"active", "disabled"}).Default("active"),
        // EST-facing fields (seed 002).
        Of("host_name", T::kDnsLabel).Nullable(),
        Str("top_level_domain", 128).Default(".est.dialtone.local").ReadOnly(),
        Of("domain", T::kDomain).Nullable().ReadOnly().Unique(UniqueScope::kPlatform),
        Int("calls_per_second").Range(1, 10000).Default(1),
        Bool("enable_caller_name", 0),
    });
    r.cross_check = CheckSipTrunk;
    r.derive = DeriveSipTrunk;
    r.list_filters = {"name", "status", "direction", "domain", "host_name"};
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Nested(Resource("sip_trunk_acl", "acl-entries", "tacl_", {
        Parent("trunk_id", "sip_trunk"),
        Of("cidr", T::kCidr).Required(),
    }), "sip_trunk", "trunk_id");
    r.unique_constraints = {{UniqueScope::kAccount, "sip_trunk_acl.cidr", {"trunk_id", "cidr"}}};
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("outbound_route", "outbound-routes", "obr_", {
        Str("name", 128).Nullable(),
        Of("match_prefix", T::kDigits).Range(1, 15).Nullable(),
        Of("match_country", T::kCountry).Nullable(),
        Enum("via", {"carrier", "trunk"}).Default("trunk"),
        Ref("trunk_id", "sip_trunk").Nullable(),
        Int("priority").Range(0, 10000).Default(100),
    });
    r.cross_check = CheckOutboundRoute;
    r.list_filters = {"via", "trunk_id", "match_country"};
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("number_transform", "number-transforms", "ntx_", {
        Enum("direction", {"inbound_dst", "inbound_cid", "outbound_dst", "outbound_cid"}).Required(),
        Of("match_regex", T::kRegex).Required(),
        FieldSpec("replacement", T::kString).Range(0, 255).Default(""),
        Int("ordering").Range(0, 1000000).Default(0),
        Bool("stop_on_match", 1),
    });
    AddScope(r, {"account", "trunk", "did", "route"});
    r.list_filters.push_back("direction");
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("call_limit", "policies/call-limits", "cl_", {
        Enum("direction", kDirections4).Default("any"),
        Int("period_sec").Range(0, 31536000).Default(0),
        Int("max_count").Min(0).Required(),
        Bool("hard", 1),
    });
    AddScope(r, kPolicyScopes);
    r.list_filters.push_back("direction");
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("caller_id_rule", "policies/caller-id-rules", "cid_", {
        Of("match_country", T::kCountry).Nullable(),
        Of("cid_number", T::kE164).Nullable(),
        Str("cid_name", 64).Nullable(),
        Int("priority").Range(0, 10000).Default(100),
    });
    AddScope(r, kPolicyScopes);
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("acl_rule", "policies/acl-rules", "aclr_", {
        Enum("rule_type", {"ip_allow", "ip_deny", "geo_allow", "geo_deny"}).Required(),
        Str("value", 64).Required(),
    });
    AddScope(r, kPolicyScopes);
    r.cross_check = CheckAclRule;
    r.derive = DeriveAclRule;
    r.list_filters.push_back("rule_type");
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("recording_rule", "policies/recording-rules", "rec_", {
        Enum("direction", kDirections4).Default("any"),
        Enum("mode", {"off", "on", "on_demand"}).Default("on"),
        Bool("stereo", 0),
    });
    AddScope(r, kPolicyScopes);
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("phone_list", "policies/phone-lists", "pl_", {
        Str("name", 128).Required(),
        Enum("kind", {"dnc_out", "dnc_in", "dnr", "allow"}).Required(),
    });
    AddScope(r, kPolicyScopes);
    r.list_filters.push_back("kind");
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Nested(Resource("phone_list_entry", "entries", "ple_", {
        Parent("phone_list_id", "phone_list"),
        Of("e164", T::kE164).Required(),
        Str("label", 128).Nullable(),
    }), "phone_list", "phone_list_id");
    r.unique_constraints = {{UniqueScope::kAccount, "phone_list_entry.e164", {"phone_list_id", "e164"}}};
    r.list_filters.push_back("e164");
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("geo_policy", "policies/geo-policies", "geo_", {
        Str("name", 128).Required(),
        Enum("mode", {"allowlist", "denylist"}).Default("denylist"),
    });
    AddScope(r, kPolicyScopes);
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Nested(Resource("geo_policy_country", "countries", "geoc_", {
        Parent("geo_policy_id", "geo_policy"),
        Of("country", T::kCountry).Required(),
    }), "geo_policy", "geo_policy_id");
    r.unique_constraints = {{UniqueScope::kAccount, "geo_policy_country.country", {"geo_policy_id", "country"}}};
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("media_file", "media", "med_", {
        Str("name", 128).Required(),
        Enum("kind", {"prompt", "moh", "greeting", "announcement"}).Default("prompt"),
        Str("object_key", 256).Nullable().ReadOnly(),
        Str("format", 32).Nullable().ReadOnly(),
        Int("duration_ms").Min(0).Nullable().ReadOnly(),
        Int("size_bytes").Min(0).Nullable().ReadOnly(),
    });
    r.list_filters = {"kind", "name"};
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("media_playlist", "media-playlists", "mpl_", {
        Str("name", 128).Required(),
    });
    r.list_filters = {"name"};
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Nested(Resource("media_playlist_item", "items", "mpli_", {
        Parent("playlist_id", "media_playlist"),
        Ref("media_id", "media_file").Required(),
        Int("position").Range(0, 10000).Default(0),
    }), "media_playlist", "playlist_id");
    r.list_filters.push_back("media_id");
    all.push_back(std::move(r));
  }
  {
    FieldSpec events = Of("events", T::kEnumList).Range(1, 16).Default(Json{"call.started", "call.ended"});
    events.enum_values = {"call.started", "call.ended"};
    ResourceSpec r = Resource("webhook", "webhooks", "whk_", {
        Of("url", T::kUrl).Required(),
        events,
        Secret("secret_ref", 16, 255).Required(),
        Bool("enabled", 1),
        Str("description", 255).Nullable(),
    });
    r.list_filters = {"enabled"};
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("dnc_entry", "dnc", "dnc_", {
        Of("e164", T::kE164).Required().Immutable().Unique(UniqueScope::kAccount),
        Str("reason", 255).Nullable(),
        Str("source", 64).Default("api"),
    });
    r.list_filters = {"e164", "source"};
    all.push_back(std::move(r));
  }
  // --- Sinch EST kinds (also served under /v1) ------------------------------------------
  {
    ResourceSpec r = Nested(Resource("sip_endpoint", "endpoints", "sep_", {
        Parent("trunk_id", "sip_trunk"),
        Str("name", 128).Required(),
        Enum("kind", {"static", "registered"}).Default("static"),
        Of("address", T::kHost).Nullable(),
        Int("port").Range(1, 65535).Default(5060),
        Of("credential_username", T::kSipUser).Range(1, 64).Nullable(),
        Enum("transport", {"udp", "tcp", "tls"}).Default("udp"),
        Int("priority").Range(1, 1000000).Required(),
        Bool("enabled", 1),
    }), "sip_trunk", "trunk_id");
    r.cross_check = CheckSipEndpoint;
    r.list_filters.push_back("kind");
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("ip_acl", "access-control-lists", "ipacl_", {
        Str("name", 128).Required(),
        Bool("enabled", 1),
    });
    r.list_filters = {"name", "enabled"};
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Nested(Resource("ip_acl_range", "ip-ranges", "ipr_", {
        Parent("acl_id", "ip_acl"),
        Str("description", 255).Nullable(),
        Of("ip_address", T::kIp).Required(),
        Int("range").Range(0, 128).Default(32),
    }), "ip_acl", "acl_id");
    r.cross_check = CheckIpAclRange;
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Nested(Resource("trunk_acl_binding", "access-control-lists", "tab_", {
        Parent("trunk_id", "sip_trunk"),
        Ref("acl_id", "ip_acl").Required().Immutable(),
    }), "sip_trunk", "trunk_id");
    r.unique_constraints = {{UniqueScope::kAccount, "trunk_acl_binding", {"trunk_id", "acl_id"}}};
    r.list_filters.push_back("acl_id");
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("credential_list", "credential-lists", "crl_", {
        Str("name", 128).Required(),
    });
    r.list_filters = {"name"};
    all.push_back(std::move(r));
  }
  {
    FieldSpec password = Secret("password_ref", 8, 128).Required();
    ResourceSpec r = Nested(Resource("credential", "credentials", "crd_", {
        Parent("credential_list_id", "credential_list"),
        Of("username", T::kSipUser).Range(1, 64).Required().Immutable(),
        password,
    }), "credential_list", "credential_list_id");
    r.unique_constraints = {{UniqueScope::kAccount, "credential.username", {"credential_list_id", "username"}}};
    r.list_filters.push_back("username");
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Nested(Resource("trunk_credential_binding", "credential-lists", "tcb_", {
        Parent("trunk_id", "sip_trunk"),
        Ref("credential_list_id", "credential_list").Required().Immutable(),
    }), "sip_trunk", "trunk_id");
    r.unique_constraints = {
        {UniqueScope::kAccount, "trunk_credential_binding", {"trunk_id", "credential_list_id"}}};
    r.list_filters.push_back("credential_list_id");
    all.push_back(std::move(r));
  }
  {
    // The Sinch SDK's rule (call_blocking.h decides a call with it): the direction, and
    // what must all hold of the caller and the callee for the rule to block.
    ResourceSpec r = Resource("call_blocking_rule", "call-blocking-rules", "cbr_", {
        Str("name", 128).Nullable(),
        Enum("direction", {"inbound", "outbound", "both"}).Default("both"),
        Of("caller_country", T::kCountry).Nullable(),
        Of("callee_country", T::kCountry).Nullable(),
        Of("caller_match", T::kDigits).Range(1, 15).Nullable(),
        Of("callee_match", T::kDigits).Range(1, 15).Nullable(),
        Bool("enabled", 1),
    });
    r.list_filters = {"direction", "enabled"};
    r.upgrade = UpgradeCallBlockingRule;
    all.push_back(std::move(r));
  }
  {
    // A sub-project (a direct child account) a project added for use with trunking (EST
    // POST addProjects, which checks the child): recorded in the parent. Written only by
    // that dialect.
    ResourceSpec r = Resource("trunking_project", "trunking-projects", "tpj_", {
        Str("project_id", 64).Required().Immutable().Unique(UniqueScope::kAccount),
    });
    r.generic_api = false;
    all.push_back(std::move(r));
  }
  {
    ResourceSpec r = Resource("country_permission", "country-permissions", "cp_", {
        Of("iso_code", T::kCountry).Required().Immutable().Unique(UniqueScope::kAccount),
        Bool("enabled", 1),
    });
    r.list_filters = {"iso_code", "enabled"};
    all.push_back(std::move(r));
  }
  return all;
}

// ISO 3166-1 alpha-2, officially assigned codes.
constexpr std::string_view kIsoCountries =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS YE YT ZA ZM ZW";

}  // namespace

const KindTarget* PolyRef::Target(std::string_view value) const {
  for (const auto& t : targets) {
    if (t.value == value) return &t;
  }
  return nullptr;
}

const FieldSpec* ResourceSpec::Field(std::string_view name) const {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const FieldSpec* ResourceSpec::FieldForInput(std::string_view write_key) const {
  for (const auto& f : fields) {
    if (f.type == FieldType::kSecret || f.type == FieldType::kPassword) {
      if (f.write_name == write_key) return &f;
    } else if (f.name == write_key) {
      return &f;
    }
  }
  return nullptr;
}

const std::vector<ResourceSpec>& AllResources() {
  static const std::vector<ResourceSpec> kTable = BuildTable();
  return kTable;
}

const ResourceSpec* FindResource(std::string_view kind) {
  for (const auto& r : AllResources()) {
    if (r.kind == kind) return &r;
  }
  return nullptr;
}

const ResourceSpec* FindResourceByCollection(std::string_view collection) {
  for (const auto& r : AllResources()) {
    if (r.parent_kind.empty() && r.collection == collection) return &r;
  }
  return nullptr;
}

const std::vector<KindTarget>& DestTargets(bool with_feature) {
  static const std::vector<KindTarget> kBase = [] {
    std::vector<KindTarget> t;
    for (const auto& k : kDestKinds) {
      if (k == "hangup") {
        t.push_back({k, IdRule::kNone, ""});
      } else if (k == "forward" || k == "voicemail" || k == "flow" || k == "user" ||
                 k == "extension" || k == "ring_group" || k == "queue" || k == "conference") {
        t.push_back({k, IdRule::kResource, k});
      }
    }
    return t;
  }();
  static const std::vector<KindTarget> kWithFeature = [] {
    auto t = kBase;
    t.push_back({"feature", IdRule::kFeature, ""});
    return t;
  }();
  return with_feature ? kWithFeature : kBase;
}

const std::vector<std::string>& FeatureCodes() {
  static const std::vector<std::string> kCodes = {
      "voicemail_main", "voicemail_direct", "pickup", "directed_pickup", "park", "unpark",
      "dnd_on", "dnd_off", "dnd_toggle", "forward_on", "forward_off", "agent_login",
      "agent_logout", "agent_pause", "agent_unpause", "echo_test", "intercom", "record_toggle"};
  return kCodes;
}

const std::vector<std::string>& FlowNodeTypes() {
  static const std::vector<std::string> kTypes = {
      "start", "answer", "play", "say", "menu", "gather", "dial_user", "dial_ring_group",
      "queue", "voicemail", "conference", "forward", "transfer", "time_condition",
      "set_variable", "webhook", "hangup"};
  return kTypes;
}

bool IsIsoCountry(std::string_view code) {
  if (code.size() != 2) return false;
  for (size_t i = 0; i + 2 <= kIsoCountries.size(); i += 3) {
    if (kIsoCountries.substr(i, 2) == code) return true;
  }
  return false;
}

std::string_view FieldTypeName(FieldType type) {
  switch (type) {
    case T::kString: return "string";
    case T::kInt: return "int";
    case T::kBool01: return "bool01";
    case T::kEnum: return "enum";
    case T::kEnumList: return "enum_list";
    case T::kE164: return "e164";
    case T::kCidr: return "cidr";
    case T::kIp: return "ip";
    case T::kHost: return "host";
    case T::kHostPort: return "host_port";
    case T::kRegex: return "regex";
    case T::kTimezone: return "timezone";
    case T::kHhmm: return "hhmm";
    case T::kDate: return "date";
    case T::kJson: return "json";
    case T::kRef: return "ref";
    case T::kSecret: return "secret";
    case T::kPassword: return "password";
    case T::kUrl: return "url";
    case T::kEmail: return "email";
    case T::kDigits: return "digits";
    case T::kDomain: return "domain";
    case T::kDnsLabel: return "dns_label";
    case T::kCountry: return "country";
    case T::kLanguage: return "language";
    case T::kSipUser: return "sip_user";
    case T::kTimestamp: return "timestamp";
  }
  return "unknown";
}

}  // namespace dialtone::model
