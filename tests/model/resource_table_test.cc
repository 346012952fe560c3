// The resource table itself: every spec is well-formed and accepts a minimal document.
#include <boost/test/unit_test.hpp>

#include <map>
#include <set>

#include "model/validate.h"

using namespace dialtone::model;

namespace {

// A valid sample value for a field, by type.
Json Sample(const FieldSpec& f) {
  switch (f.type) {
    case FieldType::kString: return std::string(static_cast<size_t>(f.min.value_or(1)), 'x');
    case FieldType::kInt: return f.min.value_or(1);
    case FieldType::kBool01: return 1;
    case FieldType::kEnum: return f.enum_values.front();
    case FieldType::kEnumList: return Json::array({f.enum_values.front()});
    case FieldType::kE164: return "15551234567";
    case FieldType::kCidr: return "203.0.113.0/24";
    case FieldType::kIp: return "203.0.113.7";
    case FieldType::kHost: return "sip.example.com";
    case FieldType::kHostPort: return "sip.example.com:5060";
    case FieldType::kRegex: return "^1(\\d+)$";
    case FieldType::kTimezone: return "Europe/Paris";
    case FieldType::kHhmm: return "09:00";
    case FieldType::kDate: return "2024-01-01";
    case FieldType::kJson: return Json::object();
    case FieldType::kRef: return "ref_1";
    case FieldType::kSecret:
    case FieldType::kPassword: return std::string(static_cast<size_t>(std::max<int64_t>(f.min.value_or(8), 8)), '7');
    case FieldType::kUrl: return "https://hooks.example.com/in";
    case FieldType::kEmail: return "ops@example.com";
    case FieldType::kDigits: return "1234";
    case FieldType::kDomain: return "pbx.example.com";
    case FieldType::kDnsLabel: return "acme";
    case FieldType::kCountry: return "US";
    case FieldType::kLanguage: return "en-US";
    case FieldType::kSipUser: return "alice";
    case FieldType::kTimestamp: return 1700000000;
  }
  return nullptr;
}

// Fields a kind's cross-field rules need beyond its required ones.
const std::map<std::string, Json>& Extras() {
  static const std::map<std::string, Json> kExtras = {
      {"time_schedule_rule", {{"dow", 1}, {"start_time", "09:00"}, {"end_time", "17:00"}}},
      {"in_queue_option", {{"dest_kind", "hangup"}}},
      {"sip_endpoint", {{"address", "203.0.113.7"}}},
      {"outbound_route", {{"trunk_id", "trk_1"}}},
      {"acl_rule", {{"value", "10.0.0.0/8"}}},
      {"ring_group_member", {{"user_id", "usr_1"}}},
  };
  return kExtras;
}

std::string InputKey(const FieldSpec& f) {
  return f.type == FieldType::kSecret || f.type == FieldType::kPassword ? f.write_name : f.name;
}

Json MinimalBody(const ResourceSpec& spec) {
  Json body = Json::object();
  for (const auto& f : spec.fields) {
    if (f.required && !f.read_only) body[InputKey(f)] = Sample(f);
  }
  for (const auto& rule : spec.poly_refs) {
    if (!body.contains(rule.kind_field)) continue;
    const KindTarget* t = rule.Target(body[rule.kind_field].get<std::string>());
    if (t && t->id_rule == IdRule::kResource) body[rule.id_field] = "ref_1";
  }
  auto extra = Extras().find(spec.kind);
  if (extra != Extras().end()) body.update(extra->second);
  return body;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ResourceTable)

BOOST_AUTO_TEST_CASE(CoversEveryResourceOfTheReferenceAndTheEstDialect) {
  for (const char* kind :
       {"account", "domain", "user", "device", "did", "extension", "flow", "ring_group", "ring_group_member", "queue",
        "agent_queue_assignment", "in_queue_option", "voicemail", "conference", "forward", "time_schedule",
        "time_schedule_rule", "sip_trunk", "sip_trunk_acl", "outbound_route", "number_transform", "call_limit",
        "caller_id_rule", "acl_rule", "recording_rule", "phone_list", "phone_list_entry", "geo_policy",
        "geo_policy_country", "media_file", "media_playlist", "media_playlist_item", "webhook", "dnc_entry",
        "sip_endpoint", "ip_acl", "ip_acl_range", "trunk_acl_binding", "credential_list", "credential",
        "trunk_credential_binding", "call_blocking_rule", "country_permission"}) {
    BOOST_TEST(FindResource(kind) != nullptr, kind);
  }
  BOOST_TEST(FindResource("api_key") == nullptr);
  BOOST_TEST(FindResourceByCollection("ring-groups")->kind == "ring_group");
  BOOST_TEST(FindResourceByCollection("policies/call-limits")->kind == "call_limit");
  BOOST_TEST(FindResourceByCollection("members") == nullptr);  // nested only
}

BOOST_AUTO_TEST_CASE(KindsPrefixesAndCollectionsAreUnique) {
  std::set<std::string> kinds, prefixes, paths;
  for (const auto& spec : AllResources()) {
    BOOST_TEST(kinds.insert(spec.kind).second, spec.kind);
    BOOST_TEST(prefixes.insert(spec.id_prefix).second, spec.id_prefix);
    BOOST_TEST(spec.id_prefix.back() == '_');
    BOOST_TEST(paths.insert(spec.parent_kind + "/" + spec.collection).second, spec.collection);
  }
}

BOOST_AUTO_TEST_CASE(EveryReferenceNamesAKnownKind) {
  for (const auto& spec : AllResources()) {
    for (const auto& f : spec.fields) {
      if (f.type == FieldType::kRef) BOOST_TEST(FindResource(f.ref_kind) != nullptr, spec.kind << "." << f.name);
    }
    for (const auto& rule : spec.poly_refs) {
      const FieldSpec* kind = spec.Field(rule.kind_field);
      BOOST_REQUIRE_MESSAGE(kind && spec.Field(rule.id_field), spec.kind << " " << rule.kind_field);
      for (const auto& t : rule.targets) {
        BOOST_TEST((std::find(kind->enum_values.begin(), kind->enum_values.end(), t.value) != kind->enum_values.end()));
        if (t.id_rule == IdRule::kResource) BOOST_TEST(FindResource(t.resource_kind) != nullptr, t.resource_kind);
      }
      BOOST_TEST(rule.targets.size() == kind->enum_values.size(), spec.kind << "." << rule.kind_field);
    }
    if (!spec.parent_kind.empty()) {
      const FieldSpec* parent = spec.Field(spec.parent_field);
      BOOST_REQUIRE_MESSAGE(parent != nullptr, spec.kind);
      BOOST_TEST((parent->type == FieldType::kRef));
      BOOST_TEST(parent->ref_kind == spec.parent_kind);
      BOOST_TEST(parent->required);
      BOOST_TEST(parent->immutable);
    }
  }
}

BOOST_AUTO_TEST_CASE(FieldDeclarationsAreSelfConsistent) {
  for (const auto& spec : AllResources()) {
    for (const char* common : {"id", "account_id", "created_at", "updated_at"}) {
      BOOST_TEST((spec.Field(common) && spec.Field(common)->read_only), spec.kind << "." << common);
    }
    std::set<std::string> inputs;
    for (const auto& f : spec.fields) {
      const std::string where = spec.kind + "." + f.name;
      BOOST_TEST(inputs.insert(InputKey(f)).second, where);
      if (f.type == FieldType::kEnum || f.type == FieldType::kEnumList) BOOST_TEST(!f.enum_values.empty(), where);
      if (f.type == FieldType::kSecret) {
        BOOST_TEST(f.name.size() > 4);
        BOOST_TEST(f.name.substr(f.name.size() - 4) == "_ref", where);
        BOOST_TEST(f.write_name + "_ref" == f.name, where);
      }
      if (f.min && f.max) BOOST_TEST(*f.min <= *f.max, where);
      // Every optional writable field is filled by something when omitted.
      if (!f.required && !f.read_only && f.type != FieldType::kPassword) {
        BOOST_TEST((f.nullable || !f.default_value.is_null()), where << " has neither a default nor null");
      }
      if (f.required) BOOST_TEST(f.default_value.is_null(), where << " is required yet has a default");
    }
    for (const auto& filter : spec.list_filters) BOOST_TEST(spec.Field(filter) != nullptr, spec.kind << " filter " << filter);
    for (const auto& c : spec.unique_constraints) {
      for (const auto& field : c.fields) BOOST_TEST(spec.Field(field) != nullptr, spec.kind << " unique " << field);
    }
  }
}

BOOST_AUTO_TEST_CASE(EverySpecAcceptsAMinimalDocumentAndFillsItsDefaults) {
  for (const auto& spec : AllResources()) {
    Json body = MinimalBody(spec);
    auto r = NormalizeCreate(spec, body);
    BOOST_REQUIRE_MESSAGE(r.ok(), spec.kind << ": " << r.status().message() << " body " << body.dump());
    const Json& doc = r->document;
    for (const auto& f : spec.fields) {
      if (f.type == FieldType::kPassword || body.contains(f.name)) continue;
      if (!f.default_value.is_null() && !f.read_only) {
        BOOST_TEST(doc[f.name] == f.default_value, spec.kind << "." << f.name);
      }
    }
    // The stored document round-trips through PUT unchanged.
    Json stored = doc;
    StampCreate(stored, spec.id_prefix + "1", "acc_1", 1);
    auto put = NormalizePut(spec, stored, PublicView(spec, stored));
    BOOST_REQUIRE_MESSAGE(put.ok(), spec.kind << ": " << put.status().message());
    BOOST_TEST(put->document == stored, spec.kind);
    auto patch = NormalizePatch(spec, stored, Json::object());
    BOOST_REQUIRE(patch.ok());
    BOOST_TEST(patch->document == stored, spec.kind);
  }
}

BOOST_AUTO_TEST_CASE(EveryDefaultIsItselfAValidValue) {
  for (const auto& spec : AllResources()) {
    Json body = MinimalBody(spec);
    for (const auto& f : spec.fields) {
      if (f.read_only || f.default_value.is_null() || body.contains(f.name)) continue;
      Json with_default = body;
      with_default[f.name] = f.default_value;
      auto r = NormalizeCreate(spec, with_default);
      BOOST_TEST(r.ok(), spec.kind << "." << f.name << ": " << r.status().message());
      if (f.type == FieldType::kEnum) {
        BOOST_TEST((std::find(f.enum_values.begin(), f.enum_values.end(), f.default_value.get<std::string>()) !=
                    f.enum_values.end()));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(EveryEnumValueIsAcceptedAndAnythingElseRefused) {
  for (const auto& spec : AllResources()) {
    Json body = MinimalBody(spec);
    for (const auto& f : spec.fields) {
      if (f.type != FieldType::kEnum || f.read_only) continue;
      Json bad = body;
      bad[f.name] = "definitely-not-a-value";
      auto r = NormalizeCreate(spec, bad);
      BOOST_REQUIRE(!r.ok());
      BOOST_TEST(r.error().Find(f.name) != nullptr, spec.kind << "." << f.name);
    }
  }
}

BOOST_AUTO_TEST_CASE(PublicViewsNeverHoldSecretMaterial) {
  for (const auto& spec : AllResources()) {
    auto r = NormalizeCreate(spec, MinimalBody(spec));
    BOOST_REQUIRE(r.ok());
    Json view = PublicView(spec, r->document);
    for (const auto& f : spec.fields) {
      if (f.write_only || f.type == FieldType::kPassword) BOOST_TEST(!view.contains(f.name), spec.kind << "." << f.name);
    }
    for (const auto& s : r->secrets_to_store) BOOST_TEST(view.dump().find(s.value) == std::string::npos, spec.kind);
  }
}

BOOST_AUTO_TEST_SUITE_END()
