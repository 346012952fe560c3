#include "gateway/est/est_api.h"

#include <algorithm>
#include <cassert>
#include <span>
#include <tuple>
#include <cctype>
#include <charconv>
#include <chrono>
#include <future>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "gateway/json_body.h"
#include "commands/account_commands.h"
#include "events/ids.h"
#include "gateway/est/auth.h"
#include "gateway/est/errors.h"
#include "gateway/est/openapi.h"
#include "gateway/worker_pool.h"
#include "model/schema.h"
#include "model/validate.h"
#include "refdata/countries.h"
#include "refdata/e164.h"
#include "refdata/time_filter.h"

namespace dialtone::gateway::est {

namespace {

using Json = nlohmann::json;
using Op = commands::ResourceCommand::Op;
using projections::ResourceRow;
using Filters = std::vector<std::pair<std::string, std::string>>;

constexpr size_t kDefaultPageSize = 500;
constexpr size_t kDefaultCallsPageSize = 100;
constexpr size_t kMaxPageSize = 500;

Response NoContent() {
  Response r;
  r.status = 204;
  return r;
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}
std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}
Json TimeOf(const Json& doc, std::string_view field) {
  auto it = doc.find(field);
  if (it == doc.end() || !it->is_number_integer()) return nullptr;
  return refdata::FormatRfc3339(it->get<int64_t>() * 1000);
}
std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

const model::ResourceSpec& Spec(std::string_view kind) {
  const model::ResourceSpec* spec = model::FindResource(kind);
  assert(spec != nullptr && "the model table lacks an EST kind");
  return *spec;
}

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

const std::vector<FieldMap> kTrunkFields = {
    {"name", "name"},
    {"hostName", "host_name"},
    {"enableCallerName", "enable_caller_name", Conv::kBool},
    {"topLevelDomain", "top_level_domain", Conv::kPlain, false},
    {"domain", "domain", Conv::kPlain, false},
    {"callsPerSecond", "calls_per_second", Conv::kPlain, false},
};
const std::vector<FieldMap> kEndpointFields = {
    {"sipTrunkId", "trunk_id", Conv::kPlain, false},
    {"name", "name"},
    {"address", "address"},
    {"port", "port"},
    {"credentialUsername", "credential_username"},
    {"transport", "transport", Conv::kUpper},
    {"priority", "priority"},
    {"enabled", "enabled", Conv::kBool},
};
const std::vector<FieldMap> kAclFields = {
    {"name", "name"},
    {"enabled", "enabled", Conv::kBool},
};
const std::vector<FieldMap> kRangeFields = {
    {"accessControlListId", "acl_id", Conv::kPlain, false},
    {"description", "description"},
    {"ipAddress", "ip_address"},
    {"range", "range"},
};
const std::vector<FieldMap> kCredentialListFields = {{"name", "name"}};
const std::vector<FieldMap> kCredentialFields = {
    {"username", "username"},
    {"password", "password"},  // write-only: stored as password_ref, never rendered
};
const std::vector<FieldMap> kRuleFields = {
    {"name", "name"},
    {"numberPrefix", "number_prefix", Conv::kPlus},
    {"direction", "direction", Conv::kUpper},
    {"enabled", "enabled", Conv::kBool},
};
const std::vector<FieldMap> kNumberFields = {
    {"sipTrunkId", "trunk_id", Conv::kPlain, false},
    {"phoneNumber", "e164", Conv::kPlus, false},
    {"countryCode", "country_code", Conv::kPlain, false},
};

bool IsCommonReadOnly(std::string_view key) {
  return key == "id" || key == "createTime" || key == "updateTime" || key == "projectId";
}

// The EST name of a model error path ("host_name" -> "hostName", "ip_address" under
// `prefix` "ipRanges[0]." -> "ipRanges[0].ipAddress").
std::string EstPath(const std::vector<FieldMap>& fields, std::string_view model_path, std::string_view prefix) {
  const size_t cut = model_path.find_first_of(".[");
  const std::string_view head = model_path.substr(0, cut);
  const std::string_view rest = cut == std::string_view::npos ? std::string_view() : model_path.substr(cut);
  std::string name(head);
  for (const FieldMap& f : fields) {
    if (f.model == head) name = std::string(f.est);
  }
  if (head == "kind") name = "isRegistered";
  if (head == "password_ref") name = "password";
  return std::string(prefix) + name + std::string(rest);
}

void AppendDetails(const std::vector<FieldMap>& fields, const std::vector<model::FieldError>& errors,
                   std::string_view prefix, std::vector<ErrorDetail>* out) {
  for (const auto& e : errors) out->push_back({EstPath(fields, e.path, prefix), e.message});
}

ApiError InvalidFrom(std::vector<ErrorDetail> details) {
  std::string message;
  for (const auto& d : details) {
    message += (message.empty() ? "" : "; ") + (d.path.empty() ? std::string("body") : d.path) + ": " +
               d.message;
  }
  return ApiError::InvalidArgument(message, std::move(details));
}

// Converts the writable EST fields of `body` (an object) into model fields in `out`.
// Unknown keys are errors; read-only ones and `skip` keys are ignored; null is "absent".
void ToModel(const std::vector<FieldMap>& fields, const Json& body, std::string_view prefix,
             const std::set<std::string>& skip, std::string_view what, Json* out,
             std::vector<ErrorDetail>* errors) {
  for (const auto& [key, value] : body.items()) {
    if (IsCommonReadOnly(key) || skip.contains(key)) continue;
    const FieldMap* f = nullptr;
    for (const FieldMap& candidate : fields) {
      if (candidate.est == key) f = &candidate;
    }
    if (f == nullptr) {
      errors->push_back({std::string(prefix) + key, "is not a field of " + std::string(what)});
      continue;
    }
    if (!f->writable || value.is_null()) continue;
    const std::string path = std::string(prefix) + key;
    switch (f->conv) {
      case Conv::kPlain: (*out)[std::string(f->model)] = value; break;
      case Conv::kBool:
        if (!value.is_boolean()) {
          errors->push_back({path, std::string("must be a boolean, not ") + value.type_name()});
        } else {
          (*out)[std::string(f->model)] = value.get<bool>() ? 1 : 0;
        }
        break;
      case Conv::kUpper:
        (*out)[std::string(f->model)] = value.is_string() ? Json(Lower(value.get<std::string>())) : value;
        break;
      case Conv::kPlus:
        if (value.is_string()) {
          std::string s = value.get<std::string>();
          if (!s.empty() && s.front() == '+') s.erase(0, 1);
          (*out)[std::string(f->model)] = s;
        } else {
          (*out)[std::string(f->model)] = value;
        }
        break;
    }
  }
}

// The model fields of a whole-object EST PUT as a PATCH: every writable EST field is set,
// to the sent value or, when omitted, to its default (or null). Model fields EST does not
// show (e.g. a trunk's /v1 registration settings) stay as they are.
Json PutAsPatch(const model::ResourceSpec& spec, const std::vector<FieldMap>& fields, Json converted) {
  for (const FieldMap& f : fields) {
    if (!f.writable || converted.contains(std::string(f.model))) continue;
    const model::FieldSpec* field = spec.Field(f.model);
    if (field == nullptr || field->immutable || field->type == model::FieldType::kSecret) continue;
    converted[std::string(f.model)] = field->default_value;
  }
  return converted;
}

Json FromModel(const std::vector<FieldMap>& fields, const Json& doc) {
  Json out = Json::object();
  for (const FieldMap& f : fields) {
    auto it = doc.find(f.model);
    if (it == doc.end()) continue;  // write-only fields (password) are not in documents
    const Json& v = *it;
    switch (f.conv) {
      case Conv::kPlain: out[std::string(f.est)] = v; break;
      case Conv::kBool: out[std::string(f.est)] = DocInt(doc, f.model) != 0; break;
      case Conv::kUpper: out[std::string(f.est)] = v.is_string() ? Json(Upper(v.get<std::string>())) : v; break;
      case Conv::kPlus:
        out[std::string(f.est)] = v.is_string() && !v.get<std::string>().empty() ? Json("+" + v.get<std::string>()) : v;
        break;
    }
  }
  return out;
}

Json Common(Json out, const ResourceRow& row, bool with_project = true) {
  out["id"] = row.id;
  out["createTime"] = TimeOf(row.document, "created_at");
  out["updateTime"] = TimeOf(row.document, "updated_at");
  if (with_project) out["projectId"] = row.account_id;
  return out;
}

Json RenderTrunk(const ResourceRow& row) { return Common(FromModel(kTrunkFields, row.document), row); }
Json RenderRange(const ResourceRow& row) { return Common(FromModel(kRangeFields, row.document), row); }
Json RenderRule(const ResourceRow& row) { return Common(FromModel(kRuleFields, row.document), row); }
Json RenderNumber(const ResourceRow& row) {
  return Common(FromModel(kNumberFields, row.document), row, false);
}
Json RenderEndpoint(const ResourceRow& row) {
  Json out = Common(FromModel(kEndpointFields, row.document), row, false);
  if (DocString(row.document, "kind") == "registered") {
    out["isRegistered"] = true;
    out.erase("address");
    out.erase("port");
  } else {
    out.erase("credentialUsername");
  }
  return out;
}

ResourceRow RowOf(const commands::ResourceResult& r, std::string account_id) {
  ResourceRow row;
  row.account_id = std::move(account_id);
  row.kind = r.kind;
  row.id = r.id;
  row.document = r.document;
  row.revision = r.revision;
  return row;
}

// --- paging -------------------------------------------------------------------------------

struct Paging {
  size_t page = 1;
  size_t size = kDefaultPageSize;
};

Result<Paging, ApiError> ParsePaging(const Request& request, size_t default_size) {
  Paging p;
  p.size = default_size;
  if (auto page = request.QueryParam("page")) {
    auto n = ParseInt(*page);
    if (!n || *n < 1) {
      return ApiError::InvalidArgument("page must be an integer >= 1", {{"page", "must be an integer >= 1"}});
    }
    p.page = static_cast<size_t>(*n);
  }
  if (auto size = request.QueryParam("pageSize")) {
    auto n = ParseInt(*size);
    if (!n || *n < 1 || *n > static_cast<int64_t>(kMaxPageSize)) {
      return ApiError::InvalidArgument("pageSize must be an integer from 1 to 500",
                                       {{"pageSize", "must be an integer from 1 to 500"}});
    }
    p.size = static_cast<size_t>(*n);
  }
  return p;
}

Json Envelope(std::string_view items_key, const std::vector<Json>& all, const Paging& p) {
  Json items = Json::array();
  const size_t begin = (p.page - 1) * p.size;
  for (size_t i = begin; i < all.size() && items.size() < p.size; ++i) items.push_back(all[i]);
  return Json{{std::string(items_key), std::move(items)},
              {"totalItems", all.size()},
              {"pageNumber", p.page},
              {"pageSize", p.size}};
}

// --- bodies -----------------------------------------------------------------------------------

Result<Json, ApiError> ParseBody(const Request& request) {
  if (request.body.empty()) return ApiError::InvalidArgument("a JSON body is required");
  auto content_type = request.headers.Get("content-type");
  if (!content_type || !IsJsonMediaType(*content_type)) {
    return ApiError::UnsupportedMediaType("the body must be sent as application/json");
  }
  Json body = Json::parse(request.body, nullptr, false);
  if (body.is_discarded()) return ApiError::InvalidArgument("the body is not valid JSON", {{"", "malformed JSON"}});
  return body;
}

Result<Json, ApiError> ParseObject(const Request& request) {
  auto body = ParseBody(request);
  if (!body.ok()) return body;
  if (!body->is_object()) {
    return ApiError::InvalidArgument("the body must be a JSON object",
                                     {{"", std::string("got ") + body->type_name()}});
  }
  return body;
}

// A list of distinct ids: `body` is an array of strings (or, with `key`, {key: [...]}).
Result<std::vector<std::string>, ApiError> IdList(const Json& body, std::string_view key, bool allow_bare_array) {
  const Json* list = nullptr;
  std::string prefix;
  if (body.is_array() && allow_bare_array) {
    list = &body;
  } else if (body.is_object()) {
    for (const auto& [k, v] : body.items()) {
      if (k != key) return ApiError::InvalidArgument(k + " is not a field of this request", {{k, "is not a field"}});
    }
    auto it = body.find(key);
    if (it == body.end() || !it->is_array()) {
      return ApiError::InvalidArgument(std::string(key) + " must be an array of ids",
                                       {{std::string(key), "must be an array of strings"}});
    }
    list = &*it;
    prefix = std::string(key);
  } else {
    return ApiError::InvalidArgument("the body must be an array of ids");
  }
  std::vector<std::string> ids;
  for (size_t i = 0; i < list->size(); ++i) {
    const Json& v = (*list)[i];
    if (!v.is_string() || v.get<std::string>().empty()) {
      return ApiError::InvalidArgument("ids must be non-empty strings",
                                       {{prefix + "[" + std::to_string(i) + "]", "must be a non-empty string"}});
    }
    if (std::find(ids.begin(), ids.end(), v.get<std::string>()) == ids.end()) ids.push_back(v.get<std::string>());
  }
  return ids;
}

// The binding kinds between a trunk and a list.
struct Binding {
  std::string_view kind;         // trunk_acl_binding | trunk_credential_binding
  std::string_view target_kind;  // ip_acl | credential_list
  std::string_view target_field; // acl_id | credential_list_id
  std::string_view ids_key;      // accessControlListIds | credentialListIds
  std::string_view what;         // "access control list" | "credential list"
};
const Binding kAclBinding{"trunk_acl_binding", "ip_acl", "acl_id", "accessControlListIds", "access control list"};
const Binding kCredentialBinding{"trunk_credential_binding", "credential_list", "credential_list_id",
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
};
const ListKind kAclList{"ip_acl", "access control list", "accessControlLists", &kAclFields,
                        "ip_acl_range", "an IP range", "acl_id", "ipRanges", &kRangeFields,
                        &kAclBinding, true, true, 200};
const ListKind kCredentialList{"credential_list", "credential list", "credentialLists", &kCredentialListFields,
                               "credential", "a credential", "credential_list_id", "credentials",
                               &kCredentialFields, &kCredentialBinding, false, false, 201};

}  // namespace

// --- the API ------------------------------------------------------------------------------------

struct EstApi::Impl {
  commands::AccountService& accounts;
  const projections::ConfigView& view;
  const projections::calls::CallsView* calls;
  AdminKey admin_key;
  EstApiOptions options;
  WorkerPool workers;
  CredentialCache credentials;

  Impl(commands::AccountService& a, const projections::ConfigView& v, const projections::calls::CallsView* c,
       AdminKey k, EstApiOptions o)
      : accounts(a), view(v), calls(c), admin_key(std::move(k)), options(std::move(o)),
        workers(std::max<size_t>(1, options.worker_threads)) {}

  // One authenticated request acting on one project.
  struct Ctx {
    const Request& request;
    Principal principal;
    std::string account;
    std::string Param(std::string_view name) const { return std::string(request.PathParam(name).value_or("")); }
  };
  using Reply = Result<Response, ApiError>;
  using Fn = Reply (Impl::*)(Ctx&);

  Handler Wrap(Fn fn) {
    return [this, fn](Request request, Responder responder) {
      auto shared_responder = std::make_shared<Responder>(std::move(responder));
      auto shared_request = std::make_shared<Request>(std::move(request));
      const bool queued = workers.Post([this, fn, shared_responder, shared_request]() {
        shared_responder->Send(Serve(fn, *shared_request));
      });
      if (!queued && shared_responder->pending()) {
        shared_responder->Send(RenderEstError(ApiError::Unavailable("the server is stopping")));
      }
    };
  }

  Response Serve(Fn fn, const Request& request) {
    auto principal = est::Authenticate(request, admin_key, view, &credentials);
    if (!principal.ok()) return RenderEstError(principal.error());
    auto project = ResolveProject(request.PathParam("projectId").value_or(""), *principal, view);
    if (!project.ok()) return RenderEstError(project.error());
    Ctx ctx{request, std::move(principal).value(), std::move(project).value()};
    Reply reply = (this->*fn)(ctx);
    return reply.ok() ? std::move(reply).value() : RenderEstError(reply.error());
  }

  // --- reads and writes (worker thread: may block) -------------------------------------------

  Result<std::optional<ResourceRow>, ApiError> GetRow(const Ctx& ctx, std::string_view kind, std::string_view id) {
    if (id.empty()) return std::optional<ResourceRow>();
    auto row = view.Get(ctx.account, kind, id);
    if (!row.ok()) {
      if (row.status().code() == ErrorCode::kInvalidArgument) return std::optional<ResourceRow>();
      return FromStatus(row.status());
    }
    return std::move(row).value();
  }

  // The row, or 404 naming `what`.
  Result<ResourceRow, ApiError> Require(const Ctx& ctx, std::string_view kind, std::string_view id,
                                        std::string_view what) {
    auto row = GetRow(ctx, kind, id);
    if (!row.ok()) return row.error();
    if (!row->has_value()) return ApiError::NotFound(std::string(what) + " '" + std::string(id) + "' not found");
    return std::move(**row);
  }

  Result<std::vector<ResourceRow>, ApiError> ListAll(const Ctx& ctx, std::string_view kind, Filters filters = {}) {
    return ListAllOf(ctx.account, kind, std::move(filters));
  }
  Result<std::vector<ResourceRow>, ApiError> ListAllOf(const std::string& account, std::string_view kind,
                                                       Filters filters = {}) {
    std::vector<ResourceRow> all;
    projections::ListQuery query;
    query.account_id = account;
    query.kind = std::string(kind);
    query.filters = std::move(filters);
    query.limit = projections::kMaxListLimit;
    while (true) {
      auto page = view.List(query);
      if (!page.ok()) return FromStatus(page.status());
      for (auto& row : page->rows) all.push_back(std::move(row));
      if (page->next_cursor.empty() || all.empty()) break;
      query.after_id = all.back().id;
    }
    return all;
  }

  // One resource command of an EST request. Its field errors are reported under `prefix`
  // with the EST names of `fields`.
  struct Step {
    Op op = Op::kCreate;
    std::string kind;
    std::string id;                 // kCreate: empty = the actor mints one
    Json body = Json::object();
    const std::vector<FieldMap>* fields = nullptr;
    std::string prefix;
  };
  static Step MakeStep(Op op, std::string_view kind, std::string id, Json body = Json::object(),
                       const std::vector<FieldMap>* fields = nullptr, std::string prefix = "") {
    return Step{op, std::string(kind), std::move(id), std::move(body), fields, std::move(prefix)};
  }

  // A model id for a resource a later step of the same write refers to.
  static std::string NewResourceId(std::string_view kind) {
    std::string uuid = events::NewUuid();
    uuid.erase(std::remove(uuid.begin(), uuid.end(), '-'), uuid.end());
    return Spec(kind).id_prefix + uuid;
  }

  // The EST error of a failed write: field errors named by the step they came from.
  static ApiError WriteError(const commands::CommandError& error, const std::vector<Step>& steps) {
    if (error.code() != ErrorCode::kInvalidArgument) return FromStatus(error.status);
    const std::vector<model::FieldError>& errors = error.field_errors;
    if (errors.empty()) return ApiError::InvalidArgument(error.message());
    static const std::vector<FieldMap> kNoFields;
    std::vector<ErrorDetail> details;
    for (const model::FieldError& e : errors) {
      const Step* owner = &steps.front();
      for (const Step& step : steps) {
        if (!step.prefix.empty() && e.path.rfind(step.prefix, 0) == 0) {
          owner = &step;
          break;
        }
      }
      const std::string_view rest = std::string_view(e.path).substr(e.path.rfind(owner->prefix, 0) == 0 ? owner->prefix.size() : 0);
      details.push_back({EstPath(owner->fields ? *owner->fields : kNoFields, rest, owner->prefix), e.message});
    }
    return InvalidFrom(std::move(details));
  }

  // Writes `steps` as one command (a batch when there are several): all of them happen or
  // none. Answered once the view shows the write (read-your-writes).
  Result<std::vector<commands::ResourceResult>, ApiError> Apply(const Ctx& ctx, std::vector<Step> steps) {
    if (steps.empty()) return std::vector<commands::ResourceResult>();
    auto resource_command = [&](const Step& step) {
      commands::ResourceCommand rc;
      rc.op = step.op;
      rc.kind = step.kind;
      rc.id = step.id;
      rc.body = step.body;
      rc.error_prefix = step.prefix;
      return rc;
    };
    commands::AccountCommand command;
    command.account_id = ctx.account;
    command.context.principal = ctx.principal.CommandPrincipal();
    command.context.correlation_id = ctx.request.request_id;
    if (steps.size() == 1) {
      command.kind = commands::AccountCommand::Kind::kResource;
      command.resource = resource_command(steps.front());
    } else {
      command.kind = commands::AccountCommand::Kind::kBatch;
      for (const Step& step : steps) {
        commands::AccountCommand one;
        one.kind = commands::AccountCommand::Kind::kResource;
        one.account_id = ctx.account;
        one.resource = resource_command(step);
        command.steps.push_back(std::move(one));
      }
    }
    auto result = accounts.ExecuteAndWait(std::move(command));
    if (!result.ok()) return WriteError(result.error(), steps);
    if (result->position > 0 && !view.WaitForPosition(result->position, options.view_wait)) {
      return ApiError::Unavailable("the change was stored but is not readable yet; retry the read shortly");
    }
    return std::move(result->resources);
  }

  // One step, answered with the resource it wrote.
  Result<commands::ResourceResult, ApiError> Write(const Ctx& ctx, Op op, std::string_view kind, std::string id,
                                                 Json body, const std::vector<FieldMap>& fields = {},
                                                 std::string_view prefix = "") {
    std::vector<Step> steps;
    steps.push_back(MakeStep(op, kind, std::move(id), std::move(body), &fields, std::string(prefix)));
    auto written = Apply(ctx, std::move(steps));
    if (!written.ok()) return written.error();
    if (written->empty()) return ApiError::Internal("the account service returned no resource");
    return std::move(written->back());
  }

  Result<ResourceRow, ApiError> WriteRow(const Ctx& ctx, Op op, std::string_view kind, std::string id, Json body,
                                         const std::vector<FieldMap>& fields = {}, std::string_view prefix = "") {
    auto r = Write(ctx, op, kind, std::move(id), std::move(body), fields, prefix);
    if (!r.ok()) return r.error();
    return RowOf(*r, ctx.account);
  }

  // Deletes of every `kind` row whose `field` is `id`, added to `steps`.
  Result<bool, ApiError> AddDeletesOf(const Ctx& ctx, std::string_view kind, std::string_view field,
                                      const std::string& id, std::vector<Step>& steps) {
    auto rows = ListAll(ctx, kind, {{std::string(field), id}});
    if (!rows.ok()) return rows.error();
    for (const auto& row : *rows) steps.push_back(MakeStep(Op::kDelete, kind, row.id));
    return true;
  }

  // Validates `model_body` for a create of `kind` without writing (bad input changes
  // nothing even when one EST request becomes several commands).
  static void Precheck(std::string_view kind, const Json& model_body, const std::vector<FieldMap>& fields,
                       std::string_view prefix, std::vector<ErrorDetail>* errors) {
    auto normalized = model::NormalizeCreate(Spec(kind), model_body);
    if (!normalized.ok()) AppendDetails(fields, normalized.error().errors, prefix, errors);
  }

  // =========================================== trunks ===========================================

  static ApiError DomainUnavailable() {
    return ApiError::InvalidArgument("The provided domain name is unavailable",
                                     {{"hostName", "The provided domain name is unavailable"}});
  }

  Result<Json, ApiError> TrunkBody(const Ctx& ctx, bool put) {
    auto body = ParseObject(ctx.request);
    if (!body.ok()) return body.error();
    std::vector<ErrorDetail> errors;
    Json converted = Json::object();
    ToModel(kTrunkFields, *body, "", {}, "a SIP trunk", &converted, &errors);
    if (!body->contains("hostName") || (*body)["hostName"].is_null()) errors.push_back({"hostName", "is required"});
    if (!body->contains("name") || (*body)["name"].is_null()) errors.push_back({"name", "is required"});
    if (!errors.empty()) return InvalidFrom(std::move(errors));
    return put ? PutAsPatch(Spec("sip_trunk"), kTrunkFields, std::move(converted)) : converted;
  }

  Reply ListTrunks(Ctx& ctx) {
    auto paging = ParsePaging(ctx.request, kDefaultPageSize);
    if (!paging.ok()) return paging.error();
    Filters filters;
    if (auto domain = ctx.request.QueryParam("domain")) filters.emplace_back("domain", Lower(std::string(*domain)));
    auto rows = ListAll(ctx, "sip_trunk", std::move(filters));
    if (!rows.ok()) return rows.error();
    std::vector<Json> items;
    for (const auto& row : *rows) items.push_back(RenderTrunk(row));
    return JsonResponse(200, Envelope("trunks", items, *paging));
  }

  Reply CreateTrunk(Ctx& ctx) {
    auto body = TrunkBody(ctx, false);
    if (!body.ok()) return body.error();
    auto row = WriteRow(ctx, Op::kCreate, "sip_trunk", "", std::move(body).value(), kTrunkFields);
    if (!row.ok()) return row.error().code == "ALREADY_EXISTS" ? DomainUnavailable() : row.error();
    return JsonResponse(201, RenderTrunk(*row));
  }

  Reply GetTrunk(Ctx& ctx) {
    auto row = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
    if (!row.ok()) return row.error();
    return JsonResponse(200, RenderTrunk(*row));
  }

  Reply PutTrunk(Ctx& ctx) {
    auto row = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
    if (!row.ok()) return row.error();
    auto body = TrunkBody(ctx, true);
    if (!body.ok()) return body.error();
    auto updated = WriteRow(ctx, Op::kPatch, "sip_trunk", row->id, std::move(body).value(), kTrunkFields);
    if (!updated.ok()) return updated.error().code == "ALREADY_EXISTS" ? DomainUnavailable() : updated.error();
    return JsonResponse(200, RenderTrunk(*updated));
  }

  // Deletes the trunk's endpoints and list bindings and unassigns its phone numbers, then
  // the trunk, in one write. Other referrers (e.g. /v1 outbound routes) refuse it with 409.
  Reply DeleteTrunk(Ctx& ctx) {
    auto row = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
    if (!row.ok()) return row.error();
    std::vector<Step> steps;
    for (std::string_view kind : {"sip_endpoint", "trunk_acl_binding", "trunk_credential_binding"}) {
      if (auto added = AddDeletesOf(ctx, kind, "trunk_id", row->id, steps); !added.ok()) return added.error();
    }
    auto numbers = ListAll(ctx, "did", {{"trunk_id", row->id}});
    if (!numbers.ok()) return numbers.error();
    for (const auto& number : *numbers) {
      steps.push_back(MakeStep(Op::kPatch, "did", number.id, Json{{"trunk_id", nullptr}}));
    }
    steps.push_back(MakeStep(Op::kDelete, "sip_trunk", row->id));
    auto written = Apply(ctx, std::move(steps));
    if (!written.ok()) return written.error();
    return NoContent();
  }

  // ========================================= endpoints ==========================================

  Result<Json, ApiError> EndpointBody(const Ctx& ctx, const std::string& trunk_id, bool put) {
    auto body = ParseObject(ctx.request);
    if (!body.ok()) return body.error();
    std::vector<ErrorDetail> errors;
    Json converted = Json::object();
    ToModel(kEndpointFields, *body, "", {"isRegistered"}, "a SIP endpoint", &converted, &errors);
    bool registered = false;
    if (auto it = body->find("isRegistered"); it != body->end() && !it->is_null()) {
      if (!it->is_boolean()) {
        errors.push_back({"isRegistered", "must be a boolean"});
      } else {
        registered = it->get<bool>();
      }
    }
    if (!errors.empty()) return InvalidFrom(std::move(errors));
    converted["kind"] = registered ? "registered" : "static";
    if (put) return PutAsPatch(Spec("sip_endpoint"), kEndpointFields, std::move(converted));
    converted["trunk_id"] = trunk_id;
    return converted;
  }

  Result<ResourceRow, ApiError> RequireEndpoint(const Ctx& ctx, const std::string& trunk_id) {
    auto row = Require(ctx, "sip_endpoint", ctx.Param("endpointId"), "SIP endpoint");
    if (!row.ok()) return row;
    if (DocString(row->document, "trunk_id") != trunk_id) {
      return ApiError::NotFound("SIP endpoint '" + ctx.Param("endpointId") + "' not found");
    }
    return row;
  }

  Reply ListEndpoints(Ctx& ctx) {
    auto paging = ParsePaging(ctx.request, kDefaultPageSize);
    if (!paging.ok()) return paging.error();
    auto trunk = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
    if (!trunk.ok()) return trunk.error();
    auto rows = ListAll(ctx, "sip_endpoint", {{"trunk_id", trunk->id}});
    if (!rows.ok()) return rows.error();
    std::vector<Json> items;
    for (const auto& row : *rows) items.push_back(RenderEndpoint(row));
    return JsonResponse(200, Envelope("endpoints", items, *paging));
  }

  Reply CreateEndpoint(Ctx& ctx) {
    auto trunk = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
    if (!trunk.ok()) return trunk.error();
    auto body = EndpointBody(ctx, trunk->id, false);
    if (!body.ok()) return body.error();
    auto row = WriteRow(ctx, Op::kCreate, "sip_endpoint", "", std::move(body).value(), kEndpointFields);
    if (!row.ok()) return row.error();
    return JsonResponse(201, RenderEndpoint(*row));
  }

  Reply GetEndpoint(Ctx& ctx) {
    auto trunk = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
    if (!trunk.ok()) return trunk.error();
    auto row = RequireEndpoint(ctx, trunk->id);
    if (!row.ok()) return row.error();
    return JsonResponse(200, RenderEndpoint(*row));
  }

  Reply PutEndpoint(Ctx& ctx) {
    auto trunk = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
    if (!trunk.ok()) return trunk.error();
    auto row = RequireEndpoint(ctx, trunk->id);
    if (!row.ok()) return row.error();
    auto body = EndpointBody(ctx, trunk->id, true);
    if (!body.ok()) return body.error();
    auto updated = WriteRow(ctx, Op::kPatch, "sip_endpoint", row->id, std::move(body).value(), kEndpointFields);
    if (!updated.ok()) return updated.error();
    return JsonResponse(200, RenderEndpoint(*updated));
  }

  Reply DeleteEndpoint(Ctx& ctx) {
    auto trunk = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
    if (!trunk.ok()) return trunk.error();
    auto row = RequireEndpoint(ctx, trunk->id);
    if (!row.ok()) return row.error();
    auto r = Write(ctx, Op::kDelete, "sip_endpoint", row->id, Json::object());
    if (!r.ok()) return r.error();
    return NoContent();
  }

  // ================================== trunk <-> list bindings ===================================

  Result<std::vector<ResourceRow>, ApiError> BindingsOf(const Ctx& ctx, const Binding& b, const std::string& trunk_id) {
    return ListAll(ctx, b.kind, {{"trunk_id", trunk_id}});
  }

  Json BoundIds(const Binding& b, const std::vector<ResourceRow>& bindings) {
    Json ids = Json::array();
    for (const auto& row : bindings) ids.push_back(DocString(row.document, b.target_field));
    return ids;
  }

  // Every id names an existing list of the project (404 naming the first that does not).
  std::optional<ApiError> CheckTargets(const Ctx& ctx, const Binding& b, const std::vector<std::string>& ids) {
    for (const auto& id : ids) {
      auto row = GetRow(ctx, b.target_kind, id);
      if (!row.ok()) return row.error();
      if (!row->has_value()) return ApiError::NotFound(std::string(b.what) + " '" + id + "' not found");
    }
    return std::nullopt;
  }

  Reply ListBindings(Ctx& ctx, const Binding& b) {
    auto paging = ParsePaging(ctx.request, kDefaultPageSize);
    if (!paging.ok()) return paging.error();
    auto trunk = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
    if (!trunk.ok()) return trunk.error();
    auto bindings = BindingsOf(ctx, b, trunk->id);
    if (!bindings.ok()) return bindings.error();
    std::vector<Json> ids;
    for (const auto& id : BoundIds(b, *bindings)) ids.push_back(id);
    return JsonResponse(200, Envelope(b.ids_key, ids, *paging));
  }

  // POST adds (`replace` false) or PUT replaces the trunk's set of lists.
  Reply ChangeBindings(Ctx& ctx, const Binding& b, bool replace) {
    auto trunk = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
    if (!trunk.ok()) return trunk.error();
    auto body = ParseBody(ctx.request);
    if (!body.ok()) return body.error();
    auto ids = IdList(*body, b.ids_key, replace);
    if (!ids.ok()) return ids.error();
    if (auto missing = CheckTargets(ctx, b, *ids)) return *missing;
    auto bindings = BindingsOf(ctx, b, trunk->id);
    if (!bindings.ok()) return bindings.error();
    std::set<std::string> bound;
    std::vector<Step> steps;
    for (const auto& row : *bindings) {
      const std::string target = DocString(row.document, b.target_field);
      if (replace && std::find(ids->begin(), ids->end(), target) == ids->end()) {
        steps.push_back(MakeStep(Op::kDelete, b.kind, row.id));
      } else {
        bound.insert(target);
      }
    }
    for (const auto& id : *ids) {
      if (bound.contains(id)) continue;
      steps.push_back(MakeStep(Op::kCreate, b.kind, "", Json{{"trunk_id", trunk->id}, {std::string(b.target_field), id}}));
    }
    if (auto written = Apply(ctx, std::move(steps)); !written.ok()) return written.error();
    auto after = BindingsOf(ctx, b, trunk->id);
    if (!after.ok()) return after.error();
    return JsonResponse(200, Json{{std::string(b.ids_key), BoundIds(b, *after)}});
  }

  Reply RemoveBinding(Ctx& ctx, const Binding& b, std::string_view target_param) {
    auto trunk = Require(ctx, "sip_trunk", ctx.Param("trunkId"), "SIP trunk");
    if (!trunk.ok()) return trunk.error();
    const std::string target = ctx.Param(target_param);
    auto bindings = ListAll(ctx, b.kind, {{"trunk_id", trunk->id}, {std::string(b.target_field), target}});
    if (!bindings.ok()) return bindings.error();
    if (bindings->empty()) {
      return ApiError::NotFound(std::string(b.what) + " '" + target + "' is not assigned to trunk '" + trunk->id + "'");
    }
    std::vector<Step> steps;
    for (const auto& row : *bindings) steps.push_back(MakeStep(Op::kDelete, b.kind, row.id));
    if (auto written = Apply(ctx, std::move(steps)); !written.ok()) return written.error();
    return NoContent();
  }

  Reply ListAclBindings(Ctx& ctx) { return ListBindings(ctx, kAclBinding); }
  Reply AddAclBindings(Ctx& ctx) { return ChangeBindings(ctx, kAclBinding, false); }
  Reply ReplaceAclBindings(Ctx& ctx) { return ChangeBindings(ctx, kAclBinding, true); }
  Reply RemoveAclBinding(Ctx& ctx) { return RemoveBinding(ctx, kAclBinding, "aclId"); }
  Reply ListCredentialBindings(Ctx& ctx) { return ListBindings(ctx, kCredentialBinding); }
  Reply AddCredentialBindings(Ctx& ctx) { return ChangeBindings(ctx, kCredentialBinding, false); }
  Reply ReplaceCredentialBindings(Ctx& ctx) { return ChangeBindings(ctx, kCredentialBinding, true); }
  Reply RemoveCredentialBinding(Ctx& ctx) { return RemoveBinding(ctx, kCredentialBinding, "credentialListId"); }

  // ============================ access control lists and credential lists ============================
  // Both are the same shape: a named list, its entries (IP ranges / credentials) and the
  // trunks it is bound to. Every request that writes several of them writes them at once.

  static Json RenderEntry(const ListKind& k, const ResourceRow& entry) {
    if (k.entry_kind == "ip_acl_range") return RenderRange(entry);
    return Json{{"id", entry.id}, {"username", DocString(entry.document, "username")}};
  }

  Result<Json, ApiError> RenderList(const Ctx& ctx, const ListKind& k, const ResourceRow& list) {
    auto entries = ListAll(ctx, k.entry_kind, {{std::string(k.entry_field), list.id}});
    if (!entries.ok()) return entries.error();
    Json out = Common(FromModel(*k.fields, list.document), list);
    out[std::string(k.entries_key)] = Json::array();
    for (const auto& entry : *entries) out[std::string(k.entries_key)].push_back(RenderEntry(k, entry));
    if (k.shows_trunks) {
      auto bindings = ListAll(ctx, k.binding->kind, {{std::string(k.binding->target_field), list.id}});
      if (!bindings.ok()) return bindings.error();
      out["trunks"] = Json::array();
      for (const auto& b : *bindings) out["trunks"].push_back(DocString(b.document, "trunk_id"));
    }
    return out;
  }

  Result<Response, ApiError> ListAnswer(const Ctx& ctx, const ListKind& k, const std::string& list_id, int status) {
    auto row = Require(ctx, k.kind, list_id, k.what);
    if (!row.ok()) return row.error();
    auto rendered = RenderList(ctx, k, *row);
    if (!rendered.ok()) return rendered.error();
    return JsonResponse(status, *rendered);
  }

  Reply ListLists(Ctx& ctx, const ListKind& k) {
    auto paging = ParsePaging(ctx.request, kDefaultPageSize);
    if (!paging.ok()) return paging.error();
    auto rows = ListAll(ctx, k.kind);
    if (!rows.ok()) return rows.error();
    std::vector<Json> items;
    for (const auto& row : *rows) {
      auto rendered = RenderList(ctx, k, row);
      if (!rendered.ok()) return rendered.error();
      items.push_back(std::move(rendered).value());
    }
    return JsonResponse(200, Envelope(k.items_key, items, *paging));
  }

  Reply GetList(Ctx& ctx, const ListKind& k) { return ListAnswer(ctx, k, ctx.Param("listId"), 200); }

  // The list's own fields of a create or PUT body (entries and trunks are not among them).
  static Json ListFieldsOf(const ListKind& k, const Json& body, std::vector<ErrorDetail>* errors) {
    Json converted = Json::object();
    ToModel(*k.fields, body, "", {std::string(k.entries_key), "trunks"}, k.what, &converted, errors);
    return converted;
  }

  // The entry bodies of `body[entries_key]` in model form, each prechecked as a create
  // (errors under "<entries_key>[i]."). Absent or null: none.
  static std::vector<Json> EntriesOf(const ListKind& k, const Json& body, std::vector<ErrorDetail>* errors) {
    std::vector<Json> out;
    auto it = body.find(k.entries_key);
    if (it == body.end() || it->is_null()) return out;
    const std::string key(k.entries_key);
    if (!it->is_array()) {
      errors->push_back({key, "must be an array"});
      return out;
    }
    std::set<std::string> usernames;
    for (size_t i = 0; i < it->size(); ++i) {
      const std::string prefix = key + "[" + std::to_string(i) + "].";
      const Json& entry = (*it)[i];
      if (!entry.is_object()) {
        errors->push_back({prefix.substr(0, prefix.size() - 1), "must be an object"});
        continue;
      }
      Json converted = Json::object();
      const size_t before = errors->size();
      ToModel(*k.entry_fields, entry, prefix, {}, k.entry_what, &converted, errors);
      converted[std::string(k.entry_field)] = Spec(k.kind).id_prefix + "pending";
      if (errors->size() == before) Precheck(k.entry_kind, converted, *k.entry_fields, prefix, errors);
      if (k.entry_kind == "credential" && !usernames.insert(DocString(converted, "username")).second) {
        errors->push_back({prefix + "username", "is listed twice"});
      }
      out.push_back(std::move(converted));
    }
    return out;
  }

  // Steps that make the credentials of list `list_id` hold `wanted` (by username): new
  // ones created, existing ones given the new password, the others deleted when
  // `remove_others`.
  Result<std::vector<Step>, ApiError> CredentialSteps(const Ctx& ctx, const ListKind& k, const std::string& list_id,
                                                      std::vector<Json> wanted, bool remove_others) {
    auto existing = ListAll(ctx, "credential", {{"credential_list_id", list_id}});
    if (!existing.ok()) return existing.error();
    std::map<std::string, std::string> id_of;
    for (const auto& row : *existing) id_of[DocString(row.document, "username")] = row.id;
    std::vector<Step> steps;
    std::set<std::string> kept;
    for (size_t i = 0; i < wanted.size(); ++i) {
      Json& c = wanted[i];
      c["credential_list_id"] = list_id;
      const std::string username = DocString(c, "username");
      kept.insert(username);
      const std::string prefix = std::string(k.entries_key) + "[" + std::to_string(i) + "].";
      auto found = id_of.find(username);
      steps.push_back(found == id_of.end()
                          ? MakeStep(Op::kCreate, "credential", "", c, k.entry_fields, prefix)
                          : MakeStep(Op::kPatch, "credential", found->second, Json{{"password", c["password"]}},
                                     k.entry_fields, prefix));
    }
    if (remove_others) {
      for (const auto& [username, id] : id_of) {
        if (!kept.contains(username)) steps.push_back(MakeStep(Op::kDelete, "credential", id));
      }
    }
    return steps;
  }

  Reply CreateList(Ctx& ctx, const ListKind& k) {
    auto body = ParseObject(ctx.request);
    if (!body.ok()) return body.error();
    std::vector<ErrorDetail> errors;
    Json list = ListFieldsOf(k, *body, &errors);
    std::vector<Json> entries = EntriesOf(k, *body, &errors);
    if (k.entries_required && entries.empty() && errors.empty()) {
      errors.push_back({std::string(k.entries_key), "must be a non-empty array: an access control list needs at least one IP range"});
    }
    Precheck(k.kind, list, *k.fields, "", &errors);
    if (!errors.empty()) return InvalidFrom(std::move(errors));
    const std::string list_id = NewResourceId(k.kind);
    std::vector<Step> steps;
    steps.push_back(MakeStep(Op::kCreate, k.kind, list_id, std::move(list), k.fields));
    for (size_t i = 0; i < entries.size(); ++i) {
      entries[i][std::string(k.entry_field)] = list_id;
      steps.push_back(MakeStep(Op::kCreate, k.entry_kind, "", std::move(entries[i]), k.entry_fields,
                               std::string(k.entries_key) + "[" + std::to_string(i) + "]."));
    }
    if (auto written = Apply(ctx, std::move(steps)); !written.ok()) return written.error();
    return ListAnswer(ctx, k, list_id, k.create_status);
  }

  // Whole object: the list's own fields; for a credential list that sends `credentials`,
  // exactly those credentials (an ACL's ranges have their own routes).
  Reply PutList(Ctx& ctx, const ListKind& k) {
    auto row = Require(ctx, k.kind, ctx.Param("listId"), k.what);
    if (!row.ok()) return row.error();
    auto body = ParseObject(ctx.request);
    if (!body.ok()) return body.error();
    std::vector<ErrorDetail> errors;
    Json list = ListFieldsOf(k, *body, &errors);
    const bool sync_entries = k.entry_kind == "credential" && body->contains(k.entries_key) &&
                              !(*body)[std::string(k.entries_key)].is_null();
    std::vector<Json> entries = sync_entries ? EntriesOf(k, *body, &errors) : std::vector<Json>();
    if (!errors.empty()) return InvalidFrom(std::move(errors));
    std::vector<Step> steps;
    steps.push_back(MakeStep(Op::kPatch, k.kind, row->id, PutAsPatch(Spec(k.kind), *k.fields, std::move(list)), k.fields));
    if (sync_entries) {
      auto synced = CredentialSteps(ctx, k, row->id, std::move(entries), true);
      if (!synced.ok()) return synced.error();
      for (auto& step : *synced) steps.push_back(std::move(step));
    }
    if (auto written = Apply(ctx, std::move(steps)); !written.ok()) return written.error();
    return ListAnswer(ctx, k, row->id, 200);
  }

  // Unbinds the list from every trunk and deletes its entries and the list, in one write.
  Reply DeleteList(Ctx& ctx, const ListKind& k) {
    auto row = Require(ctx, k.kind, ctx.Param("listId"), k.what);
    if (!row.ok()) return row.error();
    std::vector<Step> steps;
    if (auto added = AddDeletesOf(ctx, k.binding->kind, k.binding->target_field, row->id, steps); !added.ok()) {
      return added.error();
    }
    if (auto added = AddDeletesOf(ctx, k.entry_kind, k.entry_field, row->id, steps); !added.ok()) return added.error();
    steps.push_back(MakeStep(Op::kDelete, k.kind, row->id));
    if (auto written = Apply(ctx, std::move(steps)); !written.ok()) return written.error();
    return NoContent();
  }

  // GET /accessControlLists/{id}/trunks and /credentialLists/{id}/trunks.
  Reply TrunksOfList(Ctx& ctx, const ListKind& k) {
    auto paging = ParsePaging(ctx.request, kDefaultPageSize);
    if (!paging.ok()) return paging.error();
    auto list = Require(ctx, k.kind, ctx.Param("listId"), k.what);
    if (!list.ok()) return list.error();
    auto bindings = ListAll(ctx, k.binding->kind, {{std::string(k.binding->target_field), list->id}});
    if (!bindings.ok()) return bindings.error();
    std::vector<Json> items;
    for (const auto& binding : *bindings) {
      auto trunk = GetRow(ctx, "sip_trunk", DocString(binding.document, "trunk_id"));
      if (!trunk.ok()) return trunk.error();
      if (trunk->has_value()) items.push_back(RenderTrunk(**trunk));
    }
    return JsonResponse(200, Envelope("trunks", items, *paging));
  }

  Reply ListAcls(Ctx& ctx) { return ListLists(ctx, kAclList); }
  Reply CreateAcl(Ctx& ctx) { return CreateList(ctx, kAclList); }
  Reply GetAcl(Ctx& ctx) { return GetList(ctx, kAclList); }
  Reply PutAcl(Ctx& ctx) { return PutList(ctx, kAclList); }
  Reply DeleteAcl(Ctx& ctx) { return DeleteList(ctx, kAclList); }
  Reply TrunksOfAcl(Ctx& ctx) { return TrunksOfList(ctx, kAclList); }
  Reply ListCredentialLists(Ctx& ctx) { return ListLists(ctx, kCredentialList); }
  Reply CreateCredentialList(Ctx& ctx) { return CreateList(ctx, kCredentialList); }
  Reply GetCredentialList(Ctx& ctx) { return GetList(ctx, kCredentialList); }
  Reply PutCredentialList(Ctx& ctx) { return PutList(ctx, kCredentialList); }
  Reply DeleteCredentialList(Ctx& ctx) { return DeleteList(ctx, kCredentialList); }
  Reply TrunksOfCredentialList(Ctx& ctx) { return TrunksOfList(ctx, kCredentialList); }

  // --- an ACL's IP ranges -----------------------------------------------------------------

  // An IP range body converted to the model (with `acl_id`).
  static Json RangeToModel(const Json& body, const std::string& acl_id, std::vector<ErrorDetail>* errors) {
    Json converted = Json::object();
    ToModel(kRangeFields, body, "", {}, "an IP range", &converted, errors);
    converted["acl_id"] = acl_id;
    return converted;
  }

  Reply ListRanges(Ctx& ctx) {
    auto paging = ParsePaging(ctx.request, kDefaultPageSize);
    if (!paging.ok()) return paging.error();
    auto acl = Require(ctx, "ip_acl", ctx.Param("listId"), "access control list");
    if (!acl.ok()) return acl.error();
    auto rows = ListAll(ctx, "ip_acl_range", {{"acl_id", acl->id}});
    if (!rows.ok()) return rows.error();
    std::vector<Json> items;
    for (const auto& row : *rows) items.push_back(RenderRange(row));
    return JsonResponse(200, Envelope("ipRanges", items, *paging));
  }

  Reply CreateRange(Ctx& ctx) {
    auto acl = Require(ctx, "ip_acl", ctx.Param("listId"), "access control list");
    if (!acl.ok()) return acl.error();
    auto body = ParseObject(ctx.request);
    if (!body.ok()) return body.error();
    std::vector<ErrorDetail> errors;
    Json range = RangeToModel(*body, acl->id, &errors);
    if (!errors.empty()) return InvalidFrom(std::move(errors));
    auto row = WriteRow(ctx, Op::kCreate, "ip_acl_range", "", std::move(range), kRangeFields);
    if (!row.ok()) return row.error();
    return JsonResponse(200, RenderRange(*row));
  }

  Result<ResourceRow, ApiError> RequireRange(const Ctx& ctx, const std::string& acl_id) {
    auto row = Require(ctx, "ip_acl_range", ctx.Param("rangeId"), "IP range");
    if (!row.ok()) return row;
    if (DocString(row->document, "acl_id") != acl_id) {
      return ApiError::NotFound("IP range '" + ctx.Param("rangeId") + "' not found");
    }
    return row;
  }

  Reply PutRange(Ctx& ctx) {
    auto acl = Require(ctx, "ip_acl", ctx.Param("listId"), "access control list");
    if (!acl.ok()) return acl.error();
    auto row = RequireRange(ctx, acl->id);
    if (!row.ok()) return row.error();
    auto body = ParseObject(ctx.request);
    if (!body.ok()) return body.error();
    std::vector<ErrorDetail> errors;
    Json range = RangeToModel(*body, acl->id, &errors);
    if (!errors.empty()) return InvalidFrom(std::move(errors));
    range.erase("acl_id");
    // The seed's update sends only what changes ({ipAddress, range}): the fields sent.
    auto updated = WriteRow(ctx, Op::kPatch, "ip_acl_range", row->id, std::move(range), kRangeFields);
    if (!updated.ok()) return updated.error();
    return JsonResponse(200, RenderRange(*updated));
  }

  Reply DeleteRange(Ctx& ctx) {
    auto acl = Require(ctx, "ip_acl", ctx.Param("listId"), "access control list");
    if (!acl.ok()) return acl.error();
    auto row = RequireRange(ctx, acl->id);
    if (!row.ok()) return row.error();
    auto r = Write(ctx, Op::kDelete, "ip_acl_range", row->id, Json::object());
    if (!r.ok()) return r.error();
    return NoContent();
  }

  // --- a credential list's credentials ------------------------------------------------------

  // PUT /credentialLists/{id}/credentials/{username} {password}: creates or re-keys.
  Reply PutCredential(Ctx& ctx) {
    auto list = Require(ctx, "credential_list", ctx.Param("listId"), "credential list");
    if (!list.ok()) return list.error();
    auto body = ParseObject(ctx.request);
    if (!body.ok()) return body.error();
    std::vector<ErrorDetail> errors;
    Json converted = Json::object();
    ToModel(kCredentialFields, *body, "", {}, "a credential", &converted, &errors);
    const std::string username = ctx.Param("username");
    if (converted.contains("username") && converted["username"] != username) {
      errors.push_back({"username", "must match the username of the path"});
    }
    converted["username"] = username;
    converted["credential_list_id"] = list->id;
    if (errors.empty()) Precheck("credential", converted, kCredentialFields, "", &errors);
    if (!errors.empty()) return InvalidFrom(std::move(errors));
    auto steps = CredentialSteps(ctx, kCredentialList, list->id, {converted}, false);
    if (!steps.ok()) return steps.error();
    for (Step& step : *steps) step.prefix.clear();  // one credential: its fields are the body's
    auto written = Apply(ctx, std::move(steps).value());
    if (!written.ok()) return written.error();
    if (written->empty()) return ApiError::Internal("the credential was not written");
    return JsonResponse(200, Json{{"id", written->back().id}, {"username", username}});
  }

  Reply DeleteCredential(Ctx& ctx) {
    auto list = Require(ctx, "credential_list", ctx.Param("listId"), "credential list");
    if (!list.ok()) return list.error();
    const std::string username = ctx.Param("username");
    auto rows = ListAll(ctx, "credential", {{"credential_list_id", list->id}, {"username", username}});
    if (!rows.ok()) return rows.error();
    if (rows->empty()) return ApiError::NotFound("credential '" + username + "' not found");
    auto r = Write(ctx, Op::kDelete, "credential", rows->front().id, Json::object());
    if (!r.ok()) return r.error();
    return NoContent();
  }

  // ===================================== call blocking rules ====================================

  Result<Json, ApiError> RuleBody(const Ctx& ctx, bool put) {
    auto body = ParseObject(ctx.request);
    if (!body.ok()) return body.error();
    std::vector<ErrorDetail> errors;
    Json converted = Json::object();
    ToModel(kRuleFields, *body, "", {}, "a call blocking rule", &converted, &errors);
    if (!errors.empty()) return InvalidFrom(std::move(errors));
    return put ? PutAsPatch(Spec("call_blocking_rule"), kRuleFields, std::move(converted)) : converted;
  }

  Reply ListRules(Ctx& ctx) {
    auto paging = ParsePaging(ctx.request, kDefaultPageSize);
    if (!paging.ok()) return paging.error();
    auto rows = ListAll(ctx, "call_blocking_rule");
    if (!rows.ok()) return rows.error();
    std::vector<Json> items;
    for (const auto& row : *rows) items.push_back(RenderRule(row));
    return JsonResponse(200, Envelope("callBlockingRules", items, *paging));
  }

  Reply CreateRule(Ctx& ctx) {
    auto body = RuleBody(ctx, false);
    if (!body.ok()) return body.error();
    auto row = WriteRow(ctx, Op::kCreate, "call_blocking_rule", "", std::move(body).value(), kRuleFields);
    if (!row.ok()) return row.error();
    return JsonResponse(201, RenderRule(*row));
  }

  Reply GetRule(Ctx& ctx) {
    auto row = Require(ctx, "call_blocking_rule", ctx.Param("ruleId"), "call blocking rule");
    if (!row.ok()) return row.error();
    return JsonResponse(200, RenderRule(*row));
  }

  Reply PutRule(Ctx& ctx) {
    auto row = Require(ctx, "call_blocking_rule", ctx.Param("ruleId"), "call blocking rule");
    if (!row.ok()) return row.error();
    auto body = RuleBody(ctx, true);
    if (!body.ok()) return body.error();
    auto updated = WriteRow(ctx, Op::kPatch, "call_blocking_rule", row->id, std::move(body).value(), kRuleFields);
    if (!updated.ok()) return updated.error();
    return JsonResponse(200, RenderRule(*updated));
  }

  Reply DeleteRule(Ctx& ctx) {
    auto row = Require(ctx, "call_blocking_rule", ctx.Param("ruleId"), "call blocking rule");
    if (!row.ok()) return row.error();
    auto r = Write(ctx, Op::kDelete, "call_blocking_rule", row->id, Json::object());
    if (!r.ok()) return r.error();
    return NoContent();
  }

  // ===================================== country permissions ====================================
  // A country without a country_permission row is enabled (the seed's default).

  static Json RenderCountry(const refdata::Country& c, bool enabled) {
    return Json{{"isoCode", c.iso_code},
                {"name", c.name},
                {"continent", c.continent},
                {"countryDialingCodes", c.country_dialing_codes},
                {"enabled", enabled}};
  }

  // A project's country permissions: its own rows, and what it inherits. "Sub-projects
  // can use the same country permissions" as their parent "or specify different ones that
  // override" them: a country is the project's own row, else the nearest ancestor's, else
  // enabled (the seed's default).
  struct Permissions {
    std::map<std::string, ResourceRow> own;
    std::map<std::string, bool> inherited;
    bool Enabled(const std::string& iso) const {
      if (auto it = own.find(iso); it != own.end()) return DocInt(it->second.document, "enabled") != 0;
      if (auto it = inherited.find(iso); it != inherited.end()) return it->second;
      return true;
    }
  };

  Result<Permissions, ApiError> LoadPermissions(const Ctx& ctx) {
    constexpr int kMaxAncestors = 8;  // a reseller chain is short; this bounds a damaged one
    Permissions out;
    auto rows = ListAll(ctx, "country_permission");
    if (!rows.ok()) return rows.error();
    for (auto& row : *rows) out.own[DocString(row.document, "iso_code")] = std::move(row);
    std::string account = ctx.account;
    for (int depth = 0; depth < kMaxAncestors; ++depth) {
      auto row = GetRow(ctx, "account", account);
      if (!row.ok()) return row.error();
      if (!row->has_value()) break;
      account = DocString((**row).document, "parent_id");
      if (account.empty()) break;
      auto inherited = ListAllOf(account, "country_permission");
      if (!inherited.ok()) return inherited.error();
      for (const auto& r : *inherited) {
        out.inherited.emplace(DocString(r.document, "iso_code"), DocInt(r.document, "enabled") != 0);  // nearest wins
      }
    }
    return out;
  }

  static Result<const refdata::CountryTable*, ApiError> Table() {
    const refdata::CountryTable& table = refdata::Countries();
    if (!table.load_status().ok()) {
      return ApiError::Internal("the country table is unavailable: " + table.load_status().message());
    }
    return &table;
  }

  // The step that sets one country's permission; none when it already is so (its own row,
  // or what it inherits: a sub-project stores only where it differs).
  static void AddPermissionStep(const Permissions& permissions, const std::string& iso, bool enabled,
                                std::vector<Step>& steps) {
    if (permissions.Enabled(iso) == enabled) return;
    auto it = permissions.own.find(iso);
    steps.push_back(it == permissions.own.end()
                        ? MakeStep(Op::kCreate, "country_permission", "", Json{{"iso_code", iso}, {"enabled", enabled ? 1 : 0}})
                        : MakeStep(Op::kPatch, "country_permission", it->second.id, Json{{"enabled", enabled ? 1 : 0}}));
  }

  // The seed answers the whole table, {countryPermissions: [...]}, without paging.
  Reply ListCountryPermissions(Ctx& ctx) {
    auto table = Table();
    if (!table.ok()) return table.error();
    auto permissions = LoadPermissions(ctx);
    if (!permissions.ok()) return permissions.error();
    Json items = Json::array();
    for (const auto& c : (*table)->all()) items.push_back(RenderCountry(c, permissions->Enabled(c.iso_code)));
    return JsonResponse(200, Json{{"countryPermissions", std::move(items)}});
  }

  // Body: [{isoCode, enabled?}] or {countryPermissions: [...]}. Listed countries take their
  // `enabled` (default true); every other country is disabled. Answers the enabled ones.
  Reply PutCountryPermissions(Ctx& ctx) {
    auto table = Table();
    if (!table.ok()) return table.error();
    auto body = ParseBody(ctx.request);
    if (!body.ok()) return body.error();
    const Json* list = &*body;
    std::string prefix;
    if (body->is_object()) {
      for (const auto& [k, v] : body->items()) {
        if (k != "countryPermissions") return InvalidFrom({{k, "is not a field of this request"}});
      }
      auto it = body->find("countryPermissions");
      if (it == body->end()) return InvalidFrom({{"countryPermissions", "is required"}});
      list = &*it;
      prefix = "countryPermissions";
    }
    if (!list->is_array()) return InvalidFrom({{prefix, "must be an array of country permissions"}});
    std::map<std::string, bool> wanted;
    std::vector<ErrorDetail> errors;
    for (size_t i = 0; i < list->size(); ++i) {
      const std::string path = prefix + "[" + std::to_string(i) + "]";
      const Json& item = (*list)[i];
      if (!item.is_object()) {
        errors.push_back({path, "must be an object"});
        continue;
      }
      std::string iso;
      bool enabled = true;
      for (const auto& [k, v] : item.items()) {
        if (k == "isoCode") {
          if (!v.is_string() || !(*table)->Find(v.get<std::string>())) {
            errors.push_back({path + ".isoCode", "must be an ISO 3166-1 alpha-2 country code"});
          } else {
            iso = Upper(v.get<std::string>());
          }
        } else if (k == "enabled") {
          if (!v.is_boolean()) errors.push_back({path + ".enabled", "must be a boolean"});
          else enabled = v.get<bool>();
        } else if (k != "name" && k != "continent" && k != "countryDialingCodes") {
          errors.push_back({path + "." + k, "is not a field of a country permission"});
        }
      }
      if (!item.contains("isoCode")) errors.push_back({path + ".isoCode", "is required"});
      if (!iso.empty()) wanted[iso] = enabled;
    }
    if (!errors.empty()) return InvalidFrom(std::move(errors));
    auto permissions = LoadPermissions(ctx);
    if (!permissions.ok()) return permissions.error();
    std::vector<Json> enabled_items;
    std::vector<Step> steps;
    for (const auto& c : (*table)->all()) {
      auto it = wanted.find(c.iso_code);
      const bool enabled = it != wanted.end() && it->second;
      AddPermissionStep(*permissions, c.iso_code, enabled, steps);
      if (enabled) enabled_items.push_back(RenderCountry(c, true));
    }
    // Every country changes in one write: the table is never left half set.
    if (auto written = Apply(ctx, std::move(steps)); !written.ok()) return written.error();
    return JsonResponse(200, Json{{"countryPermissions", enabled_items}});
  }

  Result<refdata::Country, ApiError> CountryOfPath(const Ctx& ctx) {
    auto table = Table();
    if (!table.ok()) return table.error();
    auto country = (*table)->Find(ctx.Param("isoCode"));
    if (!country) return ApiError::NotFound("country '" + ctx.Param("isoCode") + "' not found");
    return *country;
  }

  Reply GetCountryPermission(Ctx& ctx) {
    auto country = CountryOfPath(ctx);
    if (!country.ok()) return country.error();
    auto permissions = LoadPermissions(ctx);
    if (!permissions.ok()) return permissions.error();
    return JsonResponse(200, RenderCountry(*country, permissions->Enabled(country->iso_code)));
  }

  Reply PutCountryPermission(Ctx& ctx) {
    auto country = CountryOfPath(ctx);
    if (!country.ok()) return country.error();
    auto body = ParseObject(ctx.request);
    if (!body.ok()) return body.error();
    std::vector<ErrorDetail> errors;
    for (const auto& [k, v] : body->items()) {
      if (k != "enabled" && k != "isoCode" && k != "name" && k != "continent" && k != "countryDialingCodes") {
        errors.push_back({k, "is not a field of a country permission"});
      }
    }
    auto it = body->find("enabled");
    if (it == body->end() || !it->is_boolean()) errors.push_back({"enabled", "is required and must be a boolean"});
    if (!errors.empty()) return InvalidFrom(std::move(errors));
    auto permissions = LoadPermissions(ctx);
    if (!permissions.ok()) return permissions.error();
    std::vector<Step> steps;
    AddPermissionStep(*permissions, country->iso_code, it->get<bool>(), steps);
    if (auto written = Apply(ctx, std::move(steps)); !written.ok()) return written.error();
    return JsonResponse(200, RenderCountry(*country, it->get<bool>()));
  }

  // ======================================== phone numbers =======================================

  Reply ListNumbers(Ctx& ctx) {
    auto paging = ParsePaging(ctx.request, kDefaultPageSize);
    if (!paging.ok()) return paging.error();
    Filters filters;
    if (auto trunk = ctx.request.QueryParam("sipTrunkId")) filters.emplace_back("trunk_id", std::string(*trunk));
    std::string contains;
    if (auto filter = ctx.request.QueryParam("filter")) {
      contains = std::string(*filter);
      contains.erase(std::remove_if(contains.begin(), contains.end(), [](char c) { return c == '+' || c == ' '; }),
                     contains.end());
    }
    // sort=property,(ascending|descending), repeatable: the first is the primary key.
    struct SortKey {
      std::string property;
      bool descending = false;
    };
    static const std::set<std::string> kSortable = {"id", "phoneNumber", "countryCode", "sipTrunkId", "createTime",
                                                    "updateTime"};
    std::vector<SortKey> sort;
    for (const auto& [name, value] : ctx.request.query) {
      if (name != "sort") continue;
      const size_t comma = value.find(',');
      SortKey key{value.substr(0, comma)};
      const std::string direction = comma == std::string::npos ? "ascending" : Lower(value.substr(comma + 1));
      if (!kSortable.contains(key.property) ||
          (direction != "ascending" && direction != "descending" && direction != "asc" && direction != "desc")) {
        return ApiError::InvalidArgument("sort '" + value + "' is not property,(ascending|descending)",
                                         {{"sort", "properties: id, phoneNumber, countryCode, sipTrunkId, createTime, "
                                                   "updateTime"}});
      }
      key.descending = direction == "descending" || direction == "desc";
      sort.push_back(std::move(key));
    }
    auto rows = ListAll(ctx, "did", std::move(filters));
    if (!rows.ok()) return rows.error();
    std::vector<Json> items;
    for (const auto& row : *rows) {
      if (!contains.empty() && DocString(row.document, "e164").find(contains) == std::string::npos) continue;
      items.push_back(RenderNumber(row));
    }
    if (!sort.empty()) {
      std::stable_sort(items.begin(), items.end(), [&](const Json& a, const Json& b) {
        for (const SortKey& key : sort) {
          const Json& x = a[key.property];
          const Json& y = b[key.property];
          if (x == y) continue;
          return key.descending ? y < x : x < y;  // null sorts first
        }
        return false;
      });
    }
    return JsonResponse(200, Envelope("phoneNumbers", items, *paging));
  }

  Reply GetNumber(Ctx& ctx) {
    const std::string text = ctx.Param("phoneNumber");
    auto number = refdata::ParseE164(text);
    if (!number.ok()) {
      return ApiError::InvalidArgument("'" + text + "' is not an E.164 number: " + number.status().message(),
                                       {{"phoneNumber", number.status().message()}});
    }
    auto rows = ListAll(ctx, "did", {{"e164", number->digits}});
    if (!rows.ok()) return rows.error();
    if (rows->empty()) return ApiError::NotFound("phone number '" + number->with_plus + "' not found");
    return JsonResponse(200, RenderNumber(rows->front()));
  }

  // ============================================ calls ===========================================

  static Json Money(const std::string& currency, const std::string& amount) {
    if (amount.empty()) return nullptr;
    return Json{{"currencyCode", currency}, {"amount", amount}};
  }

  static Json PlusIfNumber(const std::string& address) {
    if (!address.empty() && std::all_of(address.begin(), address.end(), [](unsigned char c) { return std::isdigit(c); })) {
      return "+" + address;
    }
    return address;
  }

  static Json RenderCall(const projections::calls::CallRecord& c) {
    const auto time = [](int64_t ms) { return ms == 0 ? Json(nullptr) : Json(refdata::FormatRfc3339(ms)); };
    int64_t duration = 0;
    if (c.answer_ms != 0 && c.end_ms >= c.answer_ms) duration = (c.end_ms - c.answer_ms) / 1000;
    return Json{{"callId", c.call_id},
                {"from", PlusIfNumber(c.from)},
                {"to", PlusIfNumber(c.to)},
                {"direction", c.direction},
                {"answerTime", time(c.answer_ms)},
                {"endTime", time(c.end_ms)},
                {"durationSeconds", duration},
                {"callResult", c.result.empty() ? Json(nullptr) : Json(c.result)},
                {"pricePerMinute", Money(c.currency_code, c.price_per_minute)},
                {"billingDurationSeconds", c.billing_duration_seconds},
                {"price", Money(c.currency_code, c.price)},
                {"createTime", refdata::FormatRfc3339(c.create_ms)},
                {"projectId", c.account_id},
                {"trunkId", c.trunk_id.empty() ? Json(nullptr) : Json(c.trunk_id)}};
  }

  // A comma-separated list of values from `allowed` (upper-cased).
  static Result<std::set<std::string>, ApiError> EnumSet(std::string_view param, std::string_view text,
                                                         const std::set<std::string>& allowed) {
    std::set<std::string> out;
    size_t start = 0;
    while (start <= text.size()) {
      const size_t comma = text.find(',', start);
      std::string value = Upper(std::string(text.substr(start, comma == std::string_view::npos ? comma : comma - start)));
      if (!allowed.contains(value)) {
        std::string names;
        for (const auto& a : allowed) names += (names.empty() ? "" : ", ") + a;
        return ApiError::InvalidArgument(std::string(param) + " '" + value + "' is not one of " + names,
                                         {{std::string(param), "must be one of " + names}});
      }
      out.insert(value);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    return out;
  }

  static std::string NumberPrefix(std::string_view text) {
    std::string out(text);
    while (!out.empty() && (out.front() == ' ' || out.front() == '+')) out.erase(0, 1);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
  }

  Reply FindCalls(Ctx& ctx) {
    if (calls == nullptr) return ApiError::Unavailable("the call-record view is not running");
    auto paging = ParsePaging(ctx.request, kDefaultCallsPageSize);
    if (!paging.ok()) return paging.error();
    const Request& r = ctx.request;
    projections::calls::CallQuery q;
    q.account_id = ctx.account;
    if (auto v = r.QueryParam("from")) q.from_prefix = NumberPrefix(*v);
    if (auto v = r.QueryParam("to")) q.to_prefix = NumberPrefix(*v);
    if (auto v = r.QueryParam("trunkId")) q.trunk_id = std::string(*v);
    if (auto v = r.QueryParam("callResult")) {
      auto set = EnumSet("callResult", *v, {"COMPLETED", "NO_ANSWER", "CANCEL", "BUSY", "FAILED"});
      if (!set.ok()) return set.error();
      q.results = std::move(set).value();
    }
    if (auto v = r.QueryParam("direction")) {
      auto set = EnumSet("direction", *v, {"INBOUND", "OUTBOUND"});
      if (!set.ok()) return set.error();
      q.directions = std::move(set).value();
    }
    for (const auto& [param, field] : {std::pair{"fromCountryCode", &q.from_country}, {"toCountryCode", &q.to_country}}) {
      if (auto v = r.QueryParam(param)) {
        auto table = Table();
        if (!table.ok()) return table.error();
        auto country = (*table)->Find(*v);
        if (!country) {
          return ApiError::InvalidArgument(std::string(param) + " '" + std::string(*v) + "' is not an ISO country code",
                                           {{param, "must be an ISO 3166-1 alpha-2 code"}});
        }
        *field = country->iso_code;
      }
    }
    bool emergency_only = false;
    if (auto v = r.QueryParam("emergencyOnly")) {
      if (*v == "true") emergency_only = true;
      else if (*v != "false" && *v != "null" && !v->empty()) {
        return ApiError::InvalidArgument("emergencyOnly must be true, false or null",
                                         {{"emergencyOnly", "must be true, false or null"}});
      }
    }
    const int64_t now = options.now_s ? options.now_s()
                                      : std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::system_clock::now().time_since_epoch()).count();
    std::vector<std::string> conditions;
    for (const auto& [key, value] : r.query) {
      if (auto condition = refdata::CreateTimeConditionFromQuery(key, value)) conditions.push_back(*condition);
    }
    const auto start = r.QueryParam("createTimeStart");
    const auto end = r.QueryParam("createTimeEnd");
    refdata::TimeRange range;
    if (!conditions.empty() || (!start && !end)) {
      auto parsed = refdata::ParseCreateTimeFilter(std::span<const std::string>(conditions), now);
      if (!parsed.ok()) {
        return ApiError::InvalidArgument("createTime: " + parsed.status().message(),
                                         {{"createTime", parsed.status().message()}});
      }
      range = *parsed;
    }
    for (const auto& [param, bound] : {std::pair{"createTimeStart", start}, {"createTimeEnd", end}}) {
      if (!bound) continue;
      auto instant = refdata::ParseInstantMs(*bound);
      if (!instant.ok()) {
        return ApiError::InvalidArgument(std::string(param) + ": " + instant.status().message(),
                                         {{param, instant.status().message()}});
      }
      if (std::string_view(param) == "createTimeStart") {
        range.begin_ms = std::max(range.begin_ms, *instant);
      } else {
        q.ended_by_ms = *instant;  // "the time that the call ended": ended, at or before it
      }
    }
    q.create_begin_ms = range.begin_ms;
    q.create_end_ms = range.end_ms;
    q.offset = (paging->page - 1) * paging->size;
    q.limit = paging->size;
    Json items = Json::array();
    size_t total = 0;
    // Call records carry no emergency flag yet: no recorded call is an emergency call.
    if (!emergency_only && range.begin_ms < range.end_ms) {
      auto page = calls->Find(q);
      if (!page.ok()) return FromStatus(page.status());
      for (const auto& c : page->calls) items.push_back(RenderCall(c));
      total = page->total;
    }
    return JsonResponse(200, Json{{"calls", std::move(items)},
                               {"totalItems", total},
                               {"pageNumber", paging->page},
                               {"pageSize", paging->size}});
  }

  // ============================================ routes ==========================================

  // Each route of EstRoutes() (the same table the OpenAPI document is made of) by its
  // operation id.
  Status AddRoutes(Router& router) {
    static const std::map<std::string_view, Fn> kHandlers = {
        {"listTrunks", &Impl::ListTrunks},
        {"createTrunk", &Impl::CreateTrunk},
        {"getTrunk", &Impl::GetTrunk},
        {"replaceTrunk", &Impl::PutTrunk},
        {"deleteTrunk", &Impl::DeleteTrunk},
        {"listEndpoints", &Impl::ListEndpoints},
        {"createEndpoint", &Impl::CreateEndpoint},
        {"getEndpoint", &Impl::GetEndpoint},
        {"replaceEndpoint", &Impl::PutEndpoint},
        {"deleteEndpoint", &Impl::DeleteEndpoint},
        {"listTrunkAccessControlLists", &Impl::ListAclBindings},
        {"addTrunkAccessControlLists", &Impl::AddAclBindings},
        {"replaceTrunkAccessControlLists", &Impl::ReplaceAclBindings},
        {"removeTrunkAccessControlList", &Impl::RemoveAclBinding},
        {"listTrunkCredentialLists", &Impl::ListCredentialBindings},
        {"addTrunkCredentialLists", &Impl::AddCredentialBindings},
        {"replaceTrunkCredentialLists", &Impl::ReplaceCredentialBindings},
        {"removeTrunkCredentialList", &Impl::RemoveCredentialBinding},
        {"listAccessControlLists", &Impl::ListAcls},
        {"createAccessControlList", &Impl::CreateAcl},
        {"getAccessControlList", &Impl::GetAcl},
        {"replaceAccessControlList", &Impl::PutAcl},
        {"deleteAccessControlList", &Impl::DeleteAcl},
        {"listAccessControlListTrunks", &Impl::TrunksOfAcl},
        {"listIpRanges", &Impl::ListRanges},
        {"createIpRange", &Impl::CreateRange},
        {"replaceIpRange", &Impl::PutRange},
        {"deleteIpRange", &Impl::DeleteRange},
        {"listCredentialLists", &Impl::ListCredentialLists},
        {"createCredentialList", &Impl::CreateCredentialList},
        {"getCredentialList", &Impl::GetCredentialList},
        {"replaceCredentialList", &Impl::PutCredentialList},
        {"deleteCredentialList", &Impl::DeleteCredentialList},
        {"listCredentialListTrunks", &Impl::TrunksOfCredentialList},
        {"putCredential", &Impl::PutCredential},
        {"deleteCredential", &Impl::DeleteCredential},
        {"listCallBlockingRules", &Impl::ListRules},
        {"createCallBlockingRule", &Impl::CreateRule},
        {"getCallBlockingRule", &Impl::GetRule},
        {"replaceCallBlockingRule", &Impl::PutRule},
        {"deleteCallBlockingRule", &Impl::DeleteRule},
        {"listCountryPermissions", &Impl::ListCountryPermissions},
        {"replaceCountryPermissions", &Impl::PutCountryPermissions},
        {"getCountryPermission", &Impl::GetCountryPermission},
        {"putCountryPermission", &Impl::PutCountryPermission},
        {"listPhoneNumbers", &Impl::ListNumbers},
        {"getPhoneNumber", &Impl::GetNumber},
        {"findCalls", &Impl::FindCalls},
    };
    for (const EstRouteInfo& info : EstRoutes()) {
      auto handler = kHandlers.find(info.operation_id);
      if (handler == kHandlers.end()) return Status::Internal("EST route " + info.operation_id + " has no handler");
      if (Status s = router.Add(info.method, "/projects/{projectId}" + info.path, Wrap(handler->second)); !s.ok()) {
        return s;
      }
    }
    return Status::Ok();
  }
};

const std::vector<EstRouteInfo>& EstRoutes() {
  static const std::vector<EstRouteInfo> routes = {
      {"GET", "/trunks", "listTrunks", 200, "TrunkList", ""},
      {"POST", "/trunks", "createTrunk", 201, "Trunk", "TrunkRequest"},
      {"GET", "/trunks/{trunkId}", "getTrunk", 200, "Trunk", ""},
      {"PUT", "/trunks/{trunkId}", "replaceTrunk", 200, "Trunk", "TrunkRequest"},
      {"DELETE", "/trunks/{trunkId}", "deleteTrunk", 204, "", ""},
      {"GET", "/trunks/{trunkId}/endpoints", "listEndpoints", 200, "EndpointList", ""},
      {"POST", "/trunks/{trunkId}/endpoints", "createEndpoint", 201, "Endpoint", "any"},
      {"GET", "/trunks/{trunkId}/endpoints/{endpointId}", "getEndpoint", 200, "Endpoint", ""},
      {"PUT", "/trunks/{trunkId}/endpoints/{endpointId}", "replaceEndpoint", 200, "Endpoint", "any"},
      {"DELETE", "/trunks/{trunkId}/endpoints/{endpointId}", "deleteEndpoint", 204, "", ""},
      {"GET", "/trunks/{trunkId}/accessControlLists", "listTrunkAccessControlLists", 200, "AclIdPage", ""},
      {"POST", "/trunks/{trunkId}/accessControlLists", "addTrunkAccessControlLists", 200, "AclIds", "any"},
      {"PUT", "/trunks/{trunkId}/accessControlLists", "replaceTrunkAccessControlLists", 200, "AclIds", "any"},
      {"DELETE", "/trunks/{trunkId}/accessControlLists/{aclId}", "removeTrunkAccessControlList", 204, "", ""},
      {"GET", "/trunks/{trunkId}/credentialLists", "listTrunkCredentialLists", 200, "CredentialListIdPage", ""},
      {"POST", "/trunks/{trunkId}/credentialLists", "addTrunkCredentialLists", 200, "CredentialListIds", "any"},
      {"PUT", "/trunks/{trunkId}/credentialLists", "replaceTrunkCredentialLists", 200, "CredentialListIds", "any"},
      {"DELETE", "/trunks/{trunkId}/credentialLists/{credentialListId}", "removeTrunkCredentialList", 204, "", ""},
      {"GET", "/accessControlLists", "listAccessControlLists", 200, "AccessControlListList", ""},
      {"POST", "/accessControlLists", "createAccessControlList", 200, "AccessControlList", "any"},
      {"GET", "/accessControlLists/{listId}", "getAccessControlList", 200, "AccessControlList", ""},
      {"PUT", "/accessControlLists/{listId}", "replaceAccessControlList", 200, "AccessControlList", "any"},
      {"DELETE", "/accessControlLists/{listId}", "deleteAccessControlList", 204, "", ""},
      {"GET", "/accessControlLists/{listId}/trunks", "listAccessControlListTrunks", 200, "TrunkList", ""},
      {"GET", "/accessControlLists/{listId}/ipRanges", "listIpRanges", 200, "IpRangeList", ""},
      {"POST", "/accessControlLists/{listId}/ipRanges", "createIpRange", 200, "IpRange", "any"},
      {"PUT", "/accessControlLists/{listId}/ipRanges/{rangeId}", "replaceIpRange", 200, "IpRange", "any"},
      {"DELETE", "/accessControlLists/{listId}/ipRanges/{rangeId}", "deleteIpRange", 204, "", ""},
      {"GET", "/credentialLists", "listCredentialLists", 200, "CredentialListList", ""},
      {"POST", "/credentialLists", "createCredentialList", 201, "CredentialList", "any"},
      {"GET", "/credentialLists/{listId}", "getCredentialList", 200, "CredentialList", ""},
      {"PUT", "/credentialLists/{listId}", "replaceCredentialList", 200, "CredentialList", "any"},
      {"DELETE", "/credentialLists/{listId}", "deleteCredentialList", 204, "", ""},
      {"GET", "/credentialLists/{listId}/trunks", "listCredentialListTrunks", 200, "TrunkList", ""},
      {"PUT", "/credentialLists/{listId}/credentials/{username}", "putCredential", 200, "Credential", "any"},
      {"DELETE", "/credentialLists/{listId}/credentials/{username}", "deleteCredential", 204, "", ""},
      {"GET", "/callBlockingRules", "listCallBlockingRules", 200, "CallBlockingRuleList", ""},
      {"POST", "/callBlockingRules", "createCallBlockingRule", 201, "CallBlockingRule", "any"},
      {"GET", "/callBlockingRules/{ruleId}", "getCallBlockingRule", 200, "CallBlockingRule", ""},
      {"PUT", "/callBlockingRules/{ruleId}", "replaceCallBlockingRule", 200, "CallBlockingRule", "any"},
      {"DELETE", "/callBlockingRules/{ruleId}", "deleteCallBlockingRule", 204, "", ""},
      {"GET", "/countryPermissions", "listCountryPermissions", 200, "CountryPermissionList", ""},
      {"PUT", "/countryPermissions", "replaceCountryPermissions", 200, "EnabledCountries", "any"},
      {"GET", "/countryPermissions/{isoCode}", "getCountryPermission", 200, "CountryPermission", ""},
      {"PUT", "/countryPermissions/{isoCode}", "putCountryPermission", 200, "CountryPermission", "any"},
      {"GET", "/phoneNumbers", "listPhoneNumbers", 200, "PhoneNumberList", ""},
      {"GET", "/phoneNumbers/{phoneNumber}", "getPhoneNumber", 200, "PhoneNumber", ""},
      {"GET", "/calls", "findCalls", 200, "CallList", ""},
  };
  return routes;
}

EstApi::EstApi(commands::AccountService& accounts, const projections::ConfigView& view,
               const projections::calls::CallsView* calls, AdminKey admin_key, EstApiOptions options)
    : impl_(std::make_unique<Impl>(accounts, view, calls, std::move(admin_key), std::move(options))) {}

EstApi::~EstApi() { Stop(); }

Status EstApi::AddRoutes(Router& router) { return impl_->AddRoutes(router); }

void EstApi::DescribeRoutes(RouteDocument& document) const { DescribeEstRoutes(document); }

void EstApi::Stop() { impl_->workers.Stop(); }

}  // namespace dialtone::gateway::est
