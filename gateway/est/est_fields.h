// PRIVATE to gateway/est: the trunking dialect's field mapping in one place (camelCase
// EST fields <-> model fields, with their conversions), rendering of EST objects, paging,
// body parsing, and the shapes of the trunk <-> list bindings and of the two list kinds.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands/account_commands.h"
#include "common/status.h"
#include "gateway/api_error.h"
#include "gateway/http_types.h"
#include "model/schema.h"
#include "model/validate.h"
#include "projections/config_view.h"

namespace dialtone::gateway::est::internal {

using Json = nlohmann::json;
using Op = commands::ResourceCommand::Op;
using projections::ResourceRow;
using Filters = std::vector<std::pair<std::string, std::string>>;

constexpr size_t kDefaultPageSize = 500;
constexpr size_t kDefaultCallsPageSize = 100;
constexpr size_t kMaxPageSize = 500;

Response NoContent();

std::string Upper(std::string s);
std::string Lower(std::string s);
Json TimeOf(const Json& doc, std::string_view field);
std::optional<int64_t> ParseInt(std::string_view text);

const model::ResourceSpec& Spec(std::string_view kind);

// --- camelCase <-> model field mapping ------------------------------------------------------

enum class Conv : uint8_t {
  kPlain,  // same JSON value
  kBool,   // EST boolean <-> model 0/1
  kUpper,  // EST upper-case enum <-> model lower-case enum
  kPlus,   // EST "+digits" <-> model digits
};

struct FieldMap {
  std::string_view est;
  std::string_view model;
  Conv conv = Conv::kPlain;
  bool writable = true;   // false: rendered, and accepted (ignored) when echoed back
};

inline const std::vector<FieldMap> kTrunkFields = {
    {"name", "name"},
    {"hostName", "host_name"},
    {"enableCallerName", "enable_caller_name", Conv::kBool},
    {"topLevelDomain", "top_level_domain", Conv::kPlain, false},
    {"domain", "domain", Conv::kPlain, false},
    {"callsPerSecond", "calls_per_second", Conv::kPlain, false},
};
inline const std::vector<FieldMap> kEndpointFields = {
    {"sipTrunkId", "trunk_id", Conv::kPlain, false},
    {"name", "name"},
    {"address", "address"},
    {"port", "port"},
    {"credentialUsername", "credential_username"},
    {"transport", "transport", Conv::kUpper},
    {"priority", "priority"},
    {"enabled", "enabled", Conv::kBool},
};
inline const std::vector<FieldMap> kAclFields = {
    {"name", "name"},
    {"enabled", "enabled", Conv::kBool},
};
inline const std::vector<FieldMap> kRangeFields = {
    {"accessControlListId", "acl_id", Conv::kPlain, false},
    {"description", "description"},
    {"ipAddress", "ip_address"},
    {"range", "range"},
};
inline const std::vector<FieldMap> kCredentialListFields = {{"name", "name"}};
inline const std::vector<FieldMap> kCredentialFields = {
    {"username", "username"},
    {"password", "password"},  // write-only: stored as password_ref, never rendered
};
inline const std::vector<FieldMap> kRuleFields = {
    {"name", "name"},
    {"direction", "direction", Conv::kUpper},
    {"callerCountry", "caller_country"},
    {"calleeCountry", "callee_country"},
    {"callerMatch", "caller_match", Conv::kPlus},
    {"calleeMatch", "callee_match", Conv::kPlus},
    {"enabled", "enabled", Conv::kBool},  // not in the SDK's model: a dialtone extension
};
inline const std::vector<FieldMap> kNumberFields = {
    {"sipTrunkId", "trunk_id", Conv::kPlain, false},
    {"phoneNumber", "e164", Conv::kPlus, false},
    {"countryCode", "country_code", Conv::kPlain, false},
};

bool IsCommonReadOnly(std::string_view key);

// The EST name of a model error path ("host_name" -> "hostName", "ip_address" under
// `prefix` "ipRanges[0]." -> "ipRanges[0].ipAddress").
std::string EstPath(const std::vector<FieldMap>& fields, std::string_view model_path, std::string_view prefix);

void AppendDetails(const std::vector<FieldMap>& fields, const std::vector<model::FieldError>& errors,
                   std::string_view prefix, std::vector<ErrorDetail>* out);

ApiError InvalidFrom(std::vector<ErrorDetail> details);

// Converts the writable EST fields of `body` (an object) into model fields in `out`.
// Unknown keys are errors; read-only ones and `skip` keys are ignored; null is "absent".
void ToModel(const std::vector<FieldMap>& fields, const Json& body, std::string_view prefix,
             const std::set<std::string>& skip, std::string_view what, Json* out,
             std::vector<ErrorDetail>* errors);

// The model fields of a whole-object EST PUT as a PATCH: every writable EST field is set,
// to the sent value or, when omitted, to its default (or null). Model fields EST does not
// show (e.g. a trunk's /v1 registration settings) stay as they are.
Json PutAsPatch(const model::ResourceSpec& spec, const std::vector<FieldMap>& fields, Json converted);

Json FromModel(const std::vector<FieldMap>& fields, const Json& doc);

Json Common(Json out, const ResourceRow& row, bool with_project = true);

Json RenderTrunk(const ResourceRow& row);
Json RenderRange(const ResourceRow& row);
Json RenderRule(const ResourceRow& row);
Json RenderNumber(const ResourceRow& row);
Json RenderEndpoint(const ResourceRow& row);

ResourceRow RowOf(const commands::ResourceResult& r, std::string account_id);

// --- paging -------------------------------------------------------------------------------

struct Paging {
  size_t page = 1;
  size_t size = kDefaultPageSize;
};

Result<Paging, ApiError> ParsePaging(const Request& request, size_t default_size);

Json Envelope(std::string_view items_key, const std::vector<Json>& all, const Paging& p);

// --- bodies -----------------------------------------------------------------------------------

Result<Json, ApiError> ParseBody(const Request& request);

Result<Json, ApiError> ParseObject(const Request& request);

// A list of distinct ids: `body` is an array of strings (or, with `key`, {key: [...]}).
Result<std::vector<std::string>, ApiError> IdList(const Json& body, std::string_view key, bool allow_bare_array);

// The binding kinds between a trunk and a list.
struct Binding {
  std::string_view kind;         // trunk_acl_binding | trunk_credential_binding
  std::string_view target_kind;
  // ip_acl | credential_list
  std::string_view target_field; // acl_id | credential_list_id
  std::string_view ids_key;      // accessControlListIds | credentialListIds
  std::string_view what;         // "access control list" | "credential list"
};
inline const Binding kAclBinding{"trunk_acl_binding", "ip_acl", "acl_id", "accessControlListIds", "access control list"};
inline const Binding kCredentialBinding{"trunk_credential_binding", "credential_list", "credential_list_id",
                                 "credentialListIds", "credential list"};

// A list bound to trunks and its entries: access control lists and credential lists.
struct ListKind {
  std::string_view kind;                  // ip_acl | credential_list
  std::string_view what;                  // "access control list" | "credential list"
  std::string_view items_key;             // the list envelope's key
  const std::vector<FieldMap>* fields;    // the list's own fields
  std::string_view entry_kind;            // ip_acl_range | credential
  std::string_view entry_what;            // "an IP range" | "a credential"
  std::string_view entry_field;           // the entry's field naming its list
  std::string_view entries_key;           // ipRanges | credentials
  const std::vector<FieldMap>* entry_fields;
  const Binding* binding;
  bool entries_required;                  // a new ACL needs at least one range
  bool shows_trunks;                      // an ACL renders the trunks it is bound to
  int create_status;                      // 200 for an ACL (as the seed says), else 201
  // The model fields that identify an entry within its list (a PUT of the list keeps the
  // entries it names again and changes only their other fields).
  std::vector<std::string_view> entry_identity;
};
inline const ListKind kAclList{"ip_acl", "access control list", "accessControlLists", &kAclFields,
                        "ip_acl_range", "an IP range", "acl_id", "ipRanges", &kRangeFields,
                        &kAclBinding, true, true, 200, {"ip_address", "range"}};
inline const ListKind kCredentialList{"credential_list", "credential list", "credentialLists", &kCredentialListFields,
                               "credential", "a credential", "credential_list_id", "credentials",
                               &kCredentialFields, &kCredentialBinding, false, false, 201, {"username"}};

}
  // namespace dialtone::gateway::est::internal
