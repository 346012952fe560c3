// The declarative model of every configuration resource: field types, defaults, ranges,
// enums, references, uniqueness and nesting. Pure data; no I/O. The table itself lives in
// resources.cc and is reached through AllResources() / FindResource().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace dialtone::model {

using Json = nlohmann::json;

enum class FieldType {
  kString,     // UTF-8 text; min/max bound the length in bytes
  kInt,        // JSON integer; min/max bound the value
  kBool01,     // accepts true/false/0/1; stored as 0/1
  kEnum,       // one of enum_values
  kEnumList,   // JSON array of distinct enum_values (min/max bound the count)
  kE164,       // 8..15 digits, no '+', a plausible number for its country code
  kCidr,       // IPv4 or IPv6 network "addr/bits"; a bare address is stored with /32 or /128
  kIp,         // IPv4 or IPv6 address
  kHost,       // an IP address or a DNS host name (no port)
  kHostPort,   // kHost with an optional ":port" (IPv6 in brackets)
  kRegex,      // an ECMAScript regular expression that compiles (at most 256 bytes)
  kTimezone,   // an IANA zone that exists as a TZif file under /usr/share/zoneinfo
  kHhmm,       // "HH:MM" 00:00..23:59; "24:00" too when allow_2400
  kDate,       // "YYYY-MM-DD", a real calendar date
  kJson,       // a JSON object (e.g. a flow graph); null only when nullable
  kRef,        // the id of a resource of kind ref_kind in the same account
  kSecret,     // stored field "<x>_ref" holding an opaque reference; written as write_name
  kPassword,   // device password: write-only, stored as the digest hashes ha1/ha1b
  kUrl,        // http:// or https:// URL with a host
  kEmail,      // local@domain
  kDigits,     // dial string of 0-9 * #; min/max bound the length
  kDomain,     // DNS name with at least two labels; stored lower case
  kDnsLabel,   // one DNS label (e.g. an EST trunk hostName); stored lower case
  kCountry,    // ISO 3166-1 alpha-2; stored upper case
  kLanguage,   // BCP 47 tag of the form "en" or "en-US"
  kSipUser,    // SIP user part: letters, digits and . _ ~ + -
  kTimestamp,  // epoch seconds (server-set)
};

std::string_view FieldTypeName(FieldType type);

enum class UniqueScope { kNone, kAccount, kPlatform };

// One field of a resource document. Built with the fluent setters, e.g.
//   FieldSpec("ring_timeout_sec", FieldType::kInt).Default(25).Range(5, 600)
struct FieldSpec {
  std::string name;  // the key in the stored document
  FieldType type = FieldType::kString;
  bool required = false;        // must be present and non-null on create and PUT
  Json default_value;           // filled when omitted on create/PUT; null = no default
  std::vector<std::string> enum_values;
  std::optional<int64_t> min;   // ints: value; strings/digits/secrets: length; lists: count
  std::optional<int64_t> max;
  bool nullable = false;        // null is a legal stored value (and clears it on PATCH)
  bool read_only = false;       // server-set: id, account_id, created_at, version, hashes…
  bool write_only = false;      // never in PublicView (ha1/ha1b)
  bool immutable = false;       // settable on create only (parent ids, path keys)
  bool allow_2400 = false;      // kHhmm: also accept "24:00" (an end of day)
  bool digits_only = false;     // kSecret: the value must be digits (PINs entered by DTMF)
  UniqueScope unique = UniqueScope::kNone;  // single-field uniqueness
  std::string ref_kind;         // kRef: the kind the id names
  std::string write_name;       // kSecret/kPassword: the key clients write the value under

  FieldSpec() = default;
  FieldSpec(std::string n, FieldType t) : name(std::move(n)), type(t) {}

  FieldSpec Required() const { auto f = *this; f.required = true; return f; }
  FieldSpec Default(Json v) const { auto f = *this; f.default_value = std::move(v); return f; }
  FieldSpec Nullable() const { auto f = *this; f.nullable = true; return f; }
  FieldSpec ReadOnly() const { auto f = *this; f.read_only = true; return f; }
  FieldSpec WriteOnly() const { auto f = *this; f.write_only = true; return f; }
  FieldSpec Immutable() const { auto f = *this; f.immutable = true; return f; }
  FieldSpec Unique(UniqueScope s) const { auto f = *this; f.unique = s; return f; }
  FieldSpec Range(int64_t lo, int64_t hi) const { auto f = *this; f.min = lo; f.max = hi; return f; }
  FieldSpec Min(int64_t lo) const { auto f = *this; f.min = lo; return f; }
  FieldSpec Max(int64_t hi) const { auto f = *this; f.max = hi; return f; }
  FieldSpec AllowEndOfDay() const { auto f = *this; f.allow_2400 = true; return f; }
  FieldSpec DigitsOnly() const { auto f = *this; f.digits_only = true; return f; }
};

// How the id half of a (kind field, id field) pair is checked for one kind value.
enum class IdRule {
  kResource,   // the id names a resource of `resource_kind` in the same account
  kNone,       // no id (e.g. dest_kind "hangup", scope_kind "account"): id must be null
  kFeature,    // the id is a feature code name from FeatureCodes()
  kE164,       // the id is a literal E.164 number (scope_kind "number")
};

struct KindTarget {
  std::string value;          // the kind field's value, e.g. "ring_group"
  IdRule id_rule = IdRule::kResource;
  std::string resource_kind;  // for kResource
};

// A polymorphic reference: `kind_field` names what `id_field` points at. Used for the
// destination families (dest_kind/dest_id, closed_dest_kind/closed_dest_id, …) and the
// policy scopes (scope_kind/scope_id). When kind is null the id must be null too.
struct PolyRef {
  std::string kind_field;
  std::string id_field;
  std::vector<KindTarget> targets;
  const KindTarget* Target(std::string_view value) const;
};

// Values of several fields that together must be unique (e.g. a queue's agent user_id
// within the queue). Documents with any of the fields null claim nothing.
struct UniqueConstraint {
  UniqueScope scope = UniqueScope::kAccount;
  std::string name;  // the key family, e.g. "domain", "e164", "user.username"
  std::vector<std::string> fields;
};

struct FieldError;

struct ResourceSpec {
  std::string kind;          // snake singular, e.g. "ring_group"
  std::string collection;    // /v1 path segment(s), e.g. "ring-groups", "policies/call-limits"
  std::string parent_kind;   // nested resources: the parent's kind ("" for top level)
  std::string parent_field;  // the field holding the parent id, e.g. "ring_group_id"
  std::string id_prefix;     // ids are minted as <prefix><uuid>, e.g. "rg_"
  std::vector<FieldSpec> fields;
  std::vector<PolyRef> poly_refs;
  std::vector<UniqueConstraint> unique_constraints;  // multi-field ones
  std::vector<std::string> list_filters;             // fields a list may filter on
  // Rules across fields of the merged document (errors appended). May be null.
  void (*cross_check)(const Json& doc, std::vector<FieldError>& errors) = nullptr;
  // Fills derived read-only fields of the merged document (e.g. a trunk's domain).
  void (*derive)(Json& doc) = nullptr;
  // False for a kind only a dialect writes, through its own rules (e.g. the trunking
  // dialect's added sub-projects): /v1 generates no routes for it.
  bool generic_api = true;
  // Brings a document stored under an earlier shape of the kind to the current one
  // (applied by every fold, so the log never needs rewriting). May be null.
  void (*upgrade)(Json& doc) = nullptr;

  const FieldSpec* Field(std::string_view name) const;
  // The field a client writes under `write_key` (a field name, or a secret's write_name).
  const FieldSpec* FieldForInput(std::string_view write_key) const;
};

// Every resource kind, in a stable order.
const std::vector<ResourceSpec>& AllResources();
// nullptr when unknown.
const ResourceSpec* FindResource(std::string_view kind);
// By the /v1 collection path (e.g. "ring-groups"), top-level or nested segment.
const ResourceSpec* FindResourceByCollection(std::string_view collection);

// Values of dest_kind (did/extension/exit families) and their targets.
const std::vector<KindTarget>& DestTargets(bool with_feature);
// Feature names accepted as dest_id when dest_kind is "feature".
const std::vector<std::string>& FeatureCodes();
// Node types a flow graph may use.
const std::vector<std::string>& FlowNodeTypes();
// ISO 3166-1 alpha-2 codes (assigned ones).
bool IsIsoCountry(std::string_view upper_code);

}  // namespace dialtone::model
